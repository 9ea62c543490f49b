# costplan template for scenario 'steady-heavy-api' (ec2)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build the functions first: cd src/<function> && zip ../../dist/<function>.zip handler.py
# note: api: ecs.public_ipv4 does not apply on EC2 (awsvpc tasks get no public IP); the subnets need a NAT gateway or VPC endpoints

output "api_url" {
  description = "Api load balancer URL"
  value       = "http://${aws_lb.api_load_balancer.dns_name}"
}
