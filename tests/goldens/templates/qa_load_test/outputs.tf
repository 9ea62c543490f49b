# costplan template for scenario 'qa-load-test' (fargate)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

output "api_url" {
  description = "Api load balancer URL (point your DNS name at it)"
  value       = "https://${aws_lb.api_load_balancer.dns_name}"
}
