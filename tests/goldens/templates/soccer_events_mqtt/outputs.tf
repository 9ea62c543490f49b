# costplan template for scenario 'soccer-events-mqtt' (lambda)
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

output "fan_device_policy_name" {
  description = "IoT policy for fans' devices (attach to each certificate or Cognito identity)"
  value       = aws_iot_policy.fan_device_policy.name
}

output "fan_token_authorizer_name" {
  description = "custom authorizer fans' apps name when they connect (MQTT username ?x-amz-customauthorizer-name=<name>)"
  value       = aws_iot_authorizer.fan_token_authorizer.name
}
