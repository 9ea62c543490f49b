# costplan template for scenario 'db-refresh-async' (lambda)
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

resource "aws_apigatewayv2_integration" "http_api_getstatus_job_id_integration" {
  api_id                 = aws_apigatewayv2_api.http_api.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.api.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_integration" "http_api_poststart_integration" {
  api_id                 = aws_apigatewayv2_api.http_api.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.api.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "http_api_getstatus_job_id_route" {
  api_id    = aws_apigatewayv2_api.http_api.id
  route_key = "GET /status/{jobId}"
  target    = "integrations/${aws_apigatewayv2_integration.http_api_getstatus_job_id_integration.id}"
  # callers sign requests with SigV4 (--auth)
  authorization_type = "AWS_IAM"
}

resource "aws_apigatewayv2_route" "http_api_poststart_route" {
  api_id    = aws_apigatewayv2_api.http_api.id
  route_key = "POST /start"
  target    = "integrations/${aws_apigatewayv2_integration.http_api_poststart_integration.id}"
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

resource "aws_cloudwatch_log_group" "job_steps_logs" {
  name              = "/aws/lambda/${var.name_prefix}-job-steps"
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

resource "aws_cloudwatch_metric_alarm" "job_steps_errors_alarm" {
  alarm_name        = "${var.name_prefix}-job-steps-errors-alarm"
  alarm_description = "JobSteps invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.job_steps.function_name
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

resource "aws_dynamodb_table" "status_table" {
  name         = "${var.name_prefix}-status-table"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "jobId"

  attribute {
    name = "jobId"
    type = "S"
  }

  server_side_encryption {
    # encryption at rest with a KMS key
    enabled = true
  }

  point_in_time_recovery {
    enabled = true
  }

  lifecycle {
    # a data store: delete it by hand
    prevent_destroy = true
  }
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

resource "aws_iam_role" "job_steps_role" {
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

resource "aws_iam_role" "workflow_role" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "states.amazonaws.com"
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
      {
        Effect   = "Allow"
        Action   = "states:StartExecution"
        Resource = aws_sfn_state_machine.workflow.arn
      },
      {
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        Resource = aws_dynamodb_table.status_table.arn
      },
    ]
  })
}

resource "aws_iam_role_policy" "job_steps_role" {
  role = aws_iam_role.job_steps_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.job_steps_logs.arn}:*"
      },
      {
        Effect   = "Allow"
        Action   = "dynamodb:UpdateItem"
        Resource = aws_dynamodb_table.status_table.arn
      },
    ]
  })
}

resource "aws_iam_role_policy" "workflow_role" {
  role = aws_iam_role.workflow_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "lambda:InvokeFunction"
        Resource = aws_lambda_function.job_steps.arn
      },
    ]
  })
}

# handler: src/api/handler.py (python3 build.py writes dist/api.zip)
resource "aws_lambda_function" "api" {
  function_name = "${var.name_prefix}-api"
  description   = "costplan db-refresh-async (async_request_reply, lambda): api (api)"
  role          = aws_iam_role.api_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/api.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/api.zip")
  # plan: api memory_mb
  memory_size = 256
  # plan: api timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  environment {
    variables = {
      STATE_MACHINE_ARN = aws_sfn_state_machine.workflow.arn
      STATUS_TABLE      = aws_dynamodb_table.status_table.name
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.api_logs.name
  }
}

# handler: src/job_steps/handler.py (python3 build.py writes dist/job_steps.zip)
resource "aws_lambda_function" "job_steps" {
  function_name = "${var.name_prefix}-job-steps"
  description   = "costplan db-refresh-async (async_request_reply, lambda): job-steps (job)"
  role          = aws_iam_role.job_steps_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/job_steps.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/job_steps.zip")
  # plan: job-steps memory_mb
  memory_size = 256
  # plan: job-steps timeout (max(3 s, 2 x p99) unless set)
  timeout       = 900
  architectures = ["arm64"]

  environment {
    variables = {
      STATUS_TABLE = aws_dynamodb_table.status_table.name
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.job_steps_logs.name
  }
}

resource "aws_lambda_permission" "api_http_api_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http_api.execution_arn}/*/*"
}

resource "aws_sfn_state_machine" "workflow" {
  name_prefix = "${var.name_prefix}-"
  role_arn    = aws_iam_role.workflow_role.arn
  type        = "STANDARD"
  definition  = <<-EOT
{
  "Comment": "costplan db-refresh-async: the long job behind /start",
  "StartAt": "Step1",
  "States": {
    "Step1": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "${aws_lambda_function.job_steps.arn}",
        "Payload": {
          "step": 1,
          "input.$": "$"
        }
      },
      "ResultPath": null,
      "Retry": [
        {
          "ErrorEquals": [
            "States.ALL"
          ],
          "IntervalSeconds": 10,
          "MaxAttempts": 2,
          "BackoffRate": 2
        }
      ],
      "Next": "Step2"
    },
    "Step2": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "${aws_lambda_function.job_steps.arn}",
        "Payload": {
          "step": 2,
          "input.$": "$"
        }
      },
      "ResultPath": null,
      "Retry": [
        {
          "ErrorEquals": [
            "States.ALL"
          ],
          "IntervalSeconds": 10,
          "MaxAttempts": 2,
          "BackoffRate": 2
        }
      ],
      "Next": "Step3"
    },
    "Step3": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "${aws_lambda_function.job_steps.arn}",
        "Payload": {
          "step": 3,
          "input.$": "$"
        }
      },
      "ResultPath": null,
      "Retry": [
        {
          "ErrorEquals": [
            "States.ALL"
          ],
          "IntervalSeconds": 10,
          "MaxAttempts": 2,
          "BackoffRate": 2
        }
      ],
      "Next": "Step4"
    },
    "Step4": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "${aws_lambda_function.job_steps.arn}",
        "Payload": {
          "step": 4,
          "input.$": "$"
        }
      },
      "ResultPath": null,
      "Retry": [
        {
          "ErrorEquals": [
            "States.ALL"
          ],
          "IntervalSeconds": 10,
          "MaxAttempts": 2,
          "BackoffRate": 2
        }
      ],
      "Next": "Step5"
    },
    "Step5": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "${aws_lambda_function.job_steps.arn}",
        "Payload": {
          "step": 5,
          "input.$": "$"
        }
      },
      "ResultPath": null,
      "Retry": [
        {
          "ErrorEquals": [
            "States.ALL"
          ],
          "IntervalSeconds": 10,
          "MaxAttempts": 2,
          "BackoffRate": 2
        }
      ],
      "End": true
    }
  }
}
EOT
}

resource "aws_sns_topic" "alarms_topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}
