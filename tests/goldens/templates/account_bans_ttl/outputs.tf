# costplan template for scenario 'account-bans-ttl' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

output "alarms_topic_arn" {
  description = "alarms notify this topic: subscribe the on-call to it"
  value       = aws_sns_topic.alarms_topic.arn
}

output "failed_events_queue_url" {
  description = "events that failed after their retries (on-failure destination)"
  value       = aws_sqs_queue.failed_events_queue.url
}

output "table_name" {
  description = "write items with the TTL attribute to start a timer"
  value       = aws_dynamodb_table.timers_table.name
}
