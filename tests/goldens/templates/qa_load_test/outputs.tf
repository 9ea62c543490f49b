# costplan template for scenario 'qa-load-test' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build the functions first: cd src/<function> && zip ../../dist/<function>.zip handler.py

output "http_api_endpoint" {
  description = "HttpApi endpoint"
  value       = aws_apigatewayv2_api.http_api.api_endpoint
}
