# costplan template for scenario 'order-ledger-convoy' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

output "alarms_topic_arn" {
  description = "alarms notify this topic: subscribe the on-call to it"
  value       = aws_sns_topic.alarms_topic.arn
}

output "input_queue_url" {
  description = "FIFO queue the producers send to (MessageGroupId = order id)"
  value       = aws_sqs_queue.transactions_fifo_queue.url
}

output "ledger_table_name" {
  description = "the ledger, one item per entry (orderId, entryId)"
  value       = aws_dynamodb_table.ledger_table.name
}
