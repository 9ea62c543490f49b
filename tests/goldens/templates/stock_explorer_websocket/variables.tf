# costplan template for scenario 'stock-explorer-websocket' (fargate)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)
# note: websocket-server: clients connect with wss:// to the load balancer URL; the price feed (outside the pattern, as compare prices it) must deliver each update to every task

variable "certificate_arn" {
  description = "ACM certificate ARN for the load balancer's HTTPS listener (HTTP redirects to it)"
  type        = string
}

variable "container_image" {
  description = "Container image URI for the service(s)"
  type        = string
}

variable "name_prefix" {
  description = "Prefix for the names Terraform requires (functions, tables, rules): one per deployment, so a second deploy in the same account does not collide."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets (two AZs or more) for the tasks and the load balancer"
  type        = list(string)
}

variable "vpc_id" {
  description = "VPC for the ECS tasks and load balancer"
  type        = string
}
