# costplan template for scenario 'qa-db-refresh-pipeline' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build the functions first: cd src/<function> && zip ../../dist/<function>.zip handler.py

output "state_machine_arn" {
  description = "start an execution to run the pipeline"
  value       = aws_sfn_state_machine.pipeline.arn
}
