# costplan template for scenario 'stock-explorer-websocket' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_apigatewayv2_api" "web_socket_api" {
  name                       = "${var.name_prefix}-web-socket-api"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}

resource "aws_apigatewayv2_integration" "web_socket_api_connect_integration" {
  api_id           = aws_apigatewayv2_api.web_socket_api.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.connection_handlers.invoke_arn
}

resource "aws_apigatewayv2_integration" "web_socket_api_disconnect_integration" {
  api_id           = aws_apigatewayv2_api.web_socket_api.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.connection_handlers.invoke_arn
}

resource "aws_apigatewayv2_integration" "web_socket_api_subscribe_integration" {
  api_id           = aws_apigatewayv2_api.web_socket_api.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.connection_handlers.invoke_arn
}

resource "aws_apigatewayv2_route" "web_socket_api_connect_route" {
  api_id    = aws_apigatewayv2_api.web_socket_api.id
  route_key = "$connect"
  target    = "integrations/${aws_apigatewayv2_integration.web_socket_api_connect_integration.id}"
  # callers sign requests with SigV4 (--auth)
  authorization_type = "AWS_IAM"
}

resource "aws_apigatewayv2_route" "web_socket_api_disconnect_route" {
  api_id             = aws_apigatewayv2_api.web_socket_api.id
  route_key          = "$disconnect"
  target             = "integrations/${aws_apigatewayv2_integration.web_socket_api_disconnect_integration.id}"
  authorization_type = "NONE"
}

resource "aws_apigatewayv2_route" "web_socket_api_subscribe_route" {
  api_id             = aws_apigatewayv2_api.web_socket_api.id
  route_key          = "subscribe"
  target             = "integrations/${aws_apigatewayv2_integration.web_socket_api_subscribe_integration.id}"
  authorization_type = "NONE"
}

resource "aws_apigatewayv2_stage" "web_socket_api_stage" {
  api_id      = aws_apigatewayv2_api.web_socket_api.id
  name        = "live"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.web_socket_api_throttle_rate
    throttling_burst_limit = var.web_socket_api_throttle_burst
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.web_socket_api_access_logs.arn
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

resource "aws_cloudwatch_log_group" "connection_handlers_logs" {
  name              = "/aws/lambda/${var.name_prefix}-connection-handlers"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "fanout_logs" {
  name              = "/aws/lambda/${var.name_prefix}-fanout"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "web_socket_api_access_logs" {
  name_prefix       = "/aws/apigateway/${var.name_prefix}-web_socket_api-"
  retention_in_days = 30
}

resource "aws_cloudwatch_metric_alarm" "connection_handlers_errors_alarm" {
  alarm_name        = "${var.name_prefix}-connection-handlers-errors-alarm"
  alarm_description = "ConnectionHandlers invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.connection_handlers.function_name
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

resource "aws_cloudwatch_metric_alarm" "failed_events_queue_alarm" {
  alarm_name        = "${var.name_prefix}-failed-events-queue-alarm"
  alarm_description = "events failed after their retries: see FailedEventsQueue"
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions = {
    QueueName = aws_sqs_queue.failed_events_queue.name
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # every message is an event no function processed
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "fanout_errors_alarm" {
  alarm_name        = "${var.name_prefix}-fanout-errors-alarm"
  alarm_description = "Fanout invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.fanout.function_name
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

resource "aws_cloudwatch_metric_alarm" "web_socket_api_limit_rate_alarm" {
  alarm_name        = "${var.name_prefix}-web-socket-api-limit-rate-alarm"
  alarm_description = "limits-check APIGW-RPS FAIL: the plan needs 97,700.10 requests/s against 10,000; this API's WebSocket messages (client messages and @connections posts) near the account throttle"
  namespace         = "AWS/ApiGateway"
  metric_name       = "MessageCount"
  dimensions = {
    ApiId = aws_apigatewayv2_api.web_socket_api.id
  }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # 80 % of the 10,000 requests/s limit (limits-check APIGW-RPS) x 60 s (WebSocket messages (client messages and @connections posts) of this API; the account's other APIs share it)
  threshold           = 480000
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_dynamodb_table" "connections_table" {
  name         = "${var.name_prefix}-connections-table"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "connectionId"

  attribute {
    name = "connectionId"
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

resource "aws_dynamodb_table" "subscriptions_table" {
  name         = "${var.name_prefix}-subscriptions-table"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "topic"
  range_key    = "connectionId"

  attribute {
    name = "topic"
    type = "S"
  }

  attribute {
    name = "connectionId"
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

resource "aws_iam_role" "connection_handlers_role" {
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

resource "aws_iam_role" "fanout_role" {
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

resource "aws_iam_role_policy" "connection_handlers_role" {
  role = aws_iam_role.connection_handlers_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.connection_handlers_logs.arn}:*"
      },
      {
        Effect = "Allow"
        Action = ["dynamodb:DeleteItem", "dynamodb:PutItem"]
        Resource = [
          aws_dynamodb_table.connections_table.arn,
          aws_dynamodb_table.subscriptions_table.arn,
        ]
      },
    ]
  })
}

resource "aws_iam_role_policy" "fanout_on_failure_policy" {
  role = aws_iam_role.fanout_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = aws_sqs_queue.failed_events_queue.arn
      },
    ]
  })
}

resource "aws_iam_role_policy" "fanout_role" {
  role = aws_iam_role.fanout_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.fanout_logs.arn}:*"
      },
      {
        Effect   = "Allow"
        Action   = "execute-api:ManageConnections"
        Resource = "${aws_apigatewayv2_api.web_socket_api.execution_arn}/live/POST/@connections/*"
      },
      {
        Effect   = "Allow"
        Action   = "dynamodb:Query"
        Resource = aws_dynamodb_table.subscriptions_table.arn
      },
      {
        Effect   = "Allow"
        Action   = "dynamodb:DeleteItem"
        Resource = aws_dynamodb_table.connections_table.arn
      },
    ]
  })
}

# handler: src/connection_handlers/handler.py (python3 build.py writes dist/connection_handlers.zip)
resource "aws_lambda_function" "connection_handlers" {
  function_name = "${var.name_prefix}-connection-handlers"
  description   = "costplan stock-explorer-websocket (websocket_notify, lambda): connection-handlers (api)"
  role          = aws_iam_role.connection_handlers_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/connection_handlers.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/connection_handlers.zip")
  # plan: connection-handlers memory_mb
  memory_size = 128
  # plan: connection-handlers timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  environment {
    variables = {
      CONNECTIONS_TABLE   = aws_dynamodb_table.connections_table.name
      SUBSCRIPTIONS_TABLE = aws_dynamodb_table.subscriptions_table.name
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.connection_handlers_logs.name
  }
}

# handler: src/fanout/handler.py (python3 build.py writes dist/fanout.zip)
resource "aws_lambda_function" "fanout" {
  function_name = "${var.name_prefix}-fanout"
  description   = "costplan stock-explorer-websocket (websocket_notify, lambda): fanout (publisher)"
  role          = aws_iam_role.fanout_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/fanout.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/fanout.zip")
  # plan: fanout memory_mb
  memory_size = 256
  # plan: fanout timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  environment {
    variables = {
      SUBSCRIPTIONS_TABLE = aws_dynamodb_table.subscriptions_table.name
      CONNECTIONS_TABLE   = aws_dynamodb_table.connections_table.name
      CALLBACK_URL        = "https://${aws_apigatewayv2_api.web_socket_api.id}.execute-api.${data.aws_region.current.name}.amazonaws.com/live"
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.fanout_logs.name
  }
}

resource "aws_lambda_function_event_invoke_config" "fanout_event_invoke_config" {
  function_name = aws_lambda_function.fanout.function_name
  # Lambda's asynchronous retries (the maximum), then the on-failure destination
  maximum_retry_attempts = 2
  depends_on             = [aws_iam_role_policy.fanout_on_failure_policy]

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failed_events_queue.arn
    }
  }
}

resource "aws_lambda_permission" "connection_handlers_web_socket_api_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.connection_handlers.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.web_socket_api.execution_arn}/*/*"
}

resource "aws_lambda_permission" "fanout_sns_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fanout.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.prices_topic.arn
}

resource "aws_sns_topic" "alarms_topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic" "prices_topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "fanout_subscription" {
  topic_arn = aws_sns_topic.prices_topic.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.fanout.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.failed_events_queue.arn
  })
}

resource "aws_sqs_queue" "failed_events_queue" {
  # encryption at rest
  sqs_managed_sse_enabled = true
  # 14 days (SQS maximum) to inspect and replay failures
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue_policy" "failed_events_queue_policy" {
  queue_url = aws_sqs_queue.failed_events_queue.url
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "sns.amazonaws.com"
        }
        Action   = "sqs:SendMessage"
        Resource = aws_sqs_queue.failed_events_queue.arn
        Condition = {
          ArnEquals = {
            "aws:SourceArn" = aws_sns_topic.prices_topic.arn
          }
        }
      },
    ]
  })
}
