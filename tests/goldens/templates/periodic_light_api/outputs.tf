# costplan template for scenario 'periodic-light-api' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build the functions first: cd src/<function> && zip ../../dist/<function>.zip handler.py

output "function_url" {
  description = "function URL"
  value       = aws_lambda_function_url.api_url.function_url
}
