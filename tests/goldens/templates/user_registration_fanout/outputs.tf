# costplan template for scenario 'user-registration-fanout' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build the functions first: cd src/<function> && zip ../../dist/<function>.zip handler.py

output "topic_arn" {
  description = "topic to publish to"
  value       = aws_sns_topic.topic.arn
}
