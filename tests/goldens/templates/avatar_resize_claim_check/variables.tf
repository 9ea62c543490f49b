# costplan template for scenario 'avatar-resize-claim-check' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

variable "http_api_throttle_burst" {
  description = "Stage burst limit, requests. Default from the plan: burst: 2 x the rate limit, at most the account burst of 5000"
  type        = number
  default     = 14
}

variable "http_api_throttle_rate" {
  description = "Stage rate limit, requests/s. Default from the plan: plan: peak 5.1 req/s x 1.2"
  type        = number
  default     = 7
}

variable "name_prefix" {
  description = "Prefix for the names Terraform requires (functions, tables, rules): one per deployment, so a second deploy in the same account does not collide."
  type        = string
}

variable "output_widths_px" {
  description = "Comma-separated widths in pixels the resizer writes (the plan prices 3 output(s) per upload)"
  type        = string
}

variable "uploads_bucket_name" {
  description = "Name of the uploads bucket (globally unique; named up front so the S3 notification needs no dependency cycle)"
  type        = string
}
