# costplan template for scenario 'account-bans-ttl' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build the functions first: cd src/<function> && zip ../../dist/<function>.zip handler.py

output "table_name" {
  description = "write items with the TTL attribute to start a timer"
  value       = aws_dynamodb_table.timers_table.name
}
