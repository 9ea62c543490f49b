# costplan template for scenario 'stock-explorer-websocket' (fargate)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)
# note: websocket-server: clients connect with wss:// to the load balancer URL; the price feed (outside the pattern, as compare prices it) must deliver each update to every task

output "websocket_server_url" {
  description = "WebsocketServer load balancer URL (point your DNS name at it)"
  value       = "https://${aws_lb.websocket_server_load_balancer.dns_name}"
}
