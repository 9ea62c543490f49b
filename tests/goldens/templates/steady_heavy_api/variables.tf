# costplan template for scenario 'steady-heavy-api' (ec2)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)
# Expects an existing set of public SubnetIds that give each container instance a public IPv4 at launch (MapPublicIpOnLaunch; ecs.public_ipv4): priced as vpc.public_ipv4_hours (network)
# note: api: ecs.public_ipv4 does not apply on EC2 (awsvpc tasks get no public IP); the subnets need a NAT gateway or VPC endpoints

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
