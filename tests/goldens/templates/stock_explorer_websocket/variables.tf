# costplan template for scenario 'stock-explorer-websocket' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)
# note: compare recommends ECS (fargate), but pattern websocket_notify has no ECS template yet (its ECS design is not emitted): this is the Lambda design (--compute fargate says the same and exits 2)

variable "name_prefix" {
  description = "Prefix for the names Terraform requires (functions, tables, rules): one per deployment, so a second deploy in the same account does not collide."
  type        = string
}

variable "web_socket_api_throttle_burst" {
  description = "Stage burst limit, requests. Default from the plan: burst: 2 x the rate limit, at most the account burst of 5000"
  type        = number
  default     = 96
}

variable "web_socket_api_throttle_rate" {
  description = "Stage rate limit, requests/s. Default from the plan: plan: peak 40 req/s x 1.2"
  type        = number
  default     = 48
}
