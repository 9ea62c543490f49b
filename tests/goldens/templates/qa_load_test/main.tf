# costplan template for scenario 'qa-load-test' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build the functions first: cd src/<function> && zip ../../dist/<function>.zip handler.py

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_apigatewayv2_api" "http_api" {
  name          = "${var.name_prefix}-http-api"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "http_api_default_integration" {
  api_id                 = aws_apigatewayv2_api.http_api.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.api.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "http_api_default_route" {
  api_id    = aws_apigatewayv2_api.http_api.id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.http_api_default_integration.id}"
}

resource "aws_apigatewayv2_stage" "http_api_stage" {
  api_id      = aws_apigatewayv2_api.http_api.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    # plan: peak 3600 req/s x 1.2
    throttling_rate_limit = 4320
    # burst: 2 x the rate limit, at most the account burst of 5000
    throttling_burst_limit = 5000
  }
}

resource "aws_cloudwatch_log_group" "api_logs" {
  name              = "/aws/lambda/${var.name_prefix}-api"
  retention_in_days = 30
}

resource "aws_iam_role" "api_role" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "lambda.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role_policy" "api_role" {
  role = aws_iam_role.api_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.api_logs.arn}:*"
      },
    ]
  })
}

# handler: src/api/handler.py (zip it to dist/api.zip)
resource "aws_lambda_function" "api" {
  function_name = "${var.name_prefix}-api"
  description   = "costplan qa-load-test (sync_api, lambda): api (api)"
  role          = aws_iam_role.api_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/api.zip"
  # plan: api memory_mb
  memory_size = 512
  # plan: api timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.api_logs.name
  }
}

resource "aws_lambda_permission" "api_http_api_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http_api.execution_arn}/*/*"
}
