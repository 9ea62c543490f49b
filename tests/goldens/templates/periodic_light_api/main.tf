# costplan template for scenario 'periodic-light-api' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_cloudwatch_log_group" "api_logs" {
  name              = "/aws/lambda/${var.name_prefix}-api"
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
  description   = "costplan periodic-light-api (sync_api, lambda): api (api)"
  role          = aws_iam_role.api_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/api.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/api.zip")
  # plan: api memory_mb
  memory_size = 512
  # plan: api timeout (max(3 s, 2 x p99) unless set)
  timeout       = 4
  architectures = ["x86_64"]

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.api_logs.name
  }
}

resource "aws_lambda_function_url" "api_url" {
  function_name = aws_lambda_function.api.function_name
  # callers sign requests (SigV4)
  authorization_type = "AWS_IAM"
}

resource "aws_sns_topic" "alarms_topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}
