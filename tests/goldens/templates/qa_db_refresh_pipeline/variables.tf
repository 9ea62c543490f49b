# costplan template for scenario 'qa-db-refresh-pipeline' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

variable "glue_data_path" {
  description = "bucket/prefix/ the Glue jobs read and write (dumps, restores)"
  type        = string
}

variable "glue_script_bucket_path" {
  description = "bucket/prefix/ of the Glue scripts (for the job role's read permission)"
  type        = string
}

variable "glue_script_prefix" {
  description = "s3://bucket/prefix/ holding the Glue job scripts (<job>.py)"
  type        = string
}

variable "name_prefix" {
  description = "Prefix for the names Terraform requires (functions, tables, rules): one per deployment, so a second deploy in the same account does not collide."
  type        = string
}
