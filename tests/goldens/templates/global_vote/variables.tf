# costplan template for scenario 'global-vote' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

variable "http_api_throttle_burst" {
  description = "Stage burst limit, requests. Default from the plan: burst: 2 x the rate limit, at most the account burst of 5000"
  type        = number
  default     = 5000
}

variable "http_api_throttle_rate" {
  description = "Stage rate limit, requests/s. Default from the plan: plan: peak 25000 req/s x 1.2"
  type        = number
  default     = 30000
}

variable "name_prefix" {
  description = "Prefix for the names Terraform requires (functions, tables, rules): one per deployment, so a second deploy in the same account does not collide."
  type        = string
}
