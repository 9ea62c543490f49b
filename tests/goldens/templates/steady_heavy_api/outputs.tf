# costplan template for scenario 'steady-heavy-api' (ec2)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)
# Expects an existing set of public SubnetIds that give each container instance a public IPv4 at launch (MapPublicIpOnLaunch; ecs.public_ipv4): priced as vpc.public_ipv4_hours (network)
# note: api: ecs.public_ipv4 does not apply on EC2 (awsvpc tasks get no public IP); the subnets need a NAT gateway or VPC endpoints

output "api_url" {
  description = "Api load balancer URL (point your DNS name at it)"
  value       = "https://${aws_lb.api_load_balancer.dns_name}"
}
