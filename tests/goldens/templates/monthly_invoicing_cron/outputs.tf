# costplan template for scenario 'monthly-invoicing-cron' (lambda)
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

output "job_bucket_name" {
  description = "the bucket the job writes its documents to"
  value       = aws_s3_bucket.job_bucket.id
}

output "job_table_name" {
  description = "the table the job writes"
  value       = aws_dynamodb_table.job_table.name
}
