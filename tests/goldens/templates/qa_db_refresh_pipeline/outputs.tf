# costplan template for scenario 'qa-db-refresh-pipeline' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

output "alarms_topic_arn" {
  description = "alarms notify this topic: subscribe the on-call to it"
  value       = aws_sns_topic.alarms_topic.arn
}

output "state_machine_arn" {
  description = "start an execution to run the pipeline"
  value       = aws_sfn_state_machine.pipeline.arn
}
