# costplan template for scenario 'stock-explorer-websocket' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)
# note: compare recommends ECS (fargate), but pattern websocket_notify has no ECS template yet (its ECS design is not emitted): this is the Lambda design (--compute fargate says the same and exits 2)

output "alarms_topic_arn" {
  description = "alarms notify this topic: subscribe the on-call to it"
  value       = aws_sns_topic.alarms_topic.arn
}

output "failed_events_queue_url" {
  description = "events that failed after their retries (on-failure destination)"
  value       = aws_sqs_queue.failed_events_queue.url
}

output "prices_topic_arn" {
  description = "publish price updates here; the fan-out posts them to subscribers"
  value       = aws_sns_topic.prices_topic.arn
}

output "web_socket_api_endpoint" {
  description = "WebSocketApi endpoint"
  value       = aws_apigatewayv2_api.web_socket_api.api_endpoint
}
