# costplan template for scenario 'qa-load-test' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

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
  # callers sign requests with SigV4 (--auth)
  authorization_type = "AWS_IAM"
}

resource "aws_apigatewayv2_stage" "http_api_stage" {
  api_id      = aws_apigatewayv2_api.http_api.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.http_api_throttle_rate
    throttling_burst_limit = var.http_api_throttle_burst
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.http_api_access_logs.arn
    format = jsonencode({
      requestId        = "$context.requestId"
      ip               = "$context.identity.sourceIp"
      requestTime      = "$context.requestTime"
      routeKey         = "$context.routeKey"
      status           = "$context.status"
      latency          = "$context.integrationLatency"
      error            = "$context.error.message"
      integrationError = "$context.integrationErrorMessage"
    })
  }
}

resource "aws_cloudwatch_log_group" "api_logs" {
  name              = "/aws/lambda/${var.name_prefix}-api"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "http_api_access_logs" {
  name_prefix       = "/aws/apigateway/${var.name_prefix}-http_api-"
  retention_in_days = 30
}

resource "aws_cloudwatch_metric_alarm" "api_errors_alarm" {
  alarm_name        = "${var.name_prefix}-api-errors-alarm"
  alarm_description = "Api invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.api.function_name
  }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # any failed invocation
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "api_ramp_throttles_alarm" {
  alarm_name        = "${var.name_prefix}-api-ramp-throttles-alarm"
  alarm_description = "limits-check LAMBDA-BURST-RAMP WARN (api): the plan needs 900 environments per 10 s against 1,000; the function is throttled while it scales to the peak"
  namespace         = "AWS/Lambda"
  metric_name       = "Throttles"
  dimensions = {
    FunctionName = aws_lambda_function.api.function_name
  }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # the scaling ramp throttles: any throttle during the peak's ramp
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "limit_lambda_concurrency_alarm" {
  alarm_name          = "${var.name_prefix}-limit-lambda-concurrency-alarm"
  alarm_description   = "limits-check LAMBDA-CONCURRENCY WARN: the plan needs 900 concurrent executions against 1,000; the account's concurrent executions near the quota"
  namespace           = "AWS/Lambda"
  metric_name         = "ConcurrentExecutions"
  dimensions          = {}
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # 80 % of the 1,000 concurrent executions limit (limits-check LAMBDA-CONCURRENCY)
  threshold           = 800
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
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

# handler: src/api/handler.py (python3 build.py writes dist/api.zip)
resource "aws_lambda_function" "api" {
  function_name = "${var.name_prefix}-api"
  description   = "costplan qa-load-test (sync_api, lambda): api (api)"
  role          = aws_iam_role.api_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/api.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/api.zip")
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

resource "aws_sns_topic" "alarms_topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}
