# costplan template for scenario 'global-vote' (lambda)
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

resource "aws_apigatewayv2_integration" "http_api_sqs_integration" {
  api_id                 = aws_apigatewayv2_api.http_api.id
  integration_type       = "AWS_PROXY"
  integration_subtype    = "SQS-SendMessage"
  payload_format_version = "1.0"
  credentials_arn        = aws_iam_role.http_api_sqs_role.arn
  request_parameters = {
    QueueUrl    = aws_sqs_queue.queue.url
    MessageBody = "$request.body"
  }
}

resource "aws_apigatewayv2_route" "http_api_post_route" {
  api_id    = aws_apigatewayv2_api.http_api.id
  route_key = "POST /"
  target    = "integrations/${aws_apigatewayv2_integration.http_api_sqs_integration.id}"
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

resource "aws_cloudwatch_log_group" "consumer_logs" {
  name              = "/aws/lambda/${var.name_prefix}-consumer"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "http_api_access_logs" {
  name_prefix       = "/aws/apigateway/${var.name_prefix}-http_api-"
  retention_in_days = 30
}

resource "aws_cloudwatch_metric_alarm" "consumer_at_cap_alarm" {
  alarm_name        = "${var.name_prefix}-consumer-at-cap-alarm"
  alarm_description = "Consumer runs at its event-source concurrency cap (25): the backlog grows"
  namespace         = "AWS/Lambda"
  metric_name       = "ConcurrentExecutions"
  dimensions = {
    FunctionName = aws_lambda_function.consumer.function_name
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  # plan: the event source mapping's MaximumConcurrency of 25
  threshold           = 25
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "consumer_errors_alarm" {
  alarm_name        = "${var.name_prefix}-consumer-errors-alarm"
  alarm_description = "Consumer invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.consumer.function_name
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

resource "aws_cloudwatch_metric_alarm" "queue_age_alarm" {
  alarm_name        = "${var.name_prefix}-queue-age-alarm"
  alarm_description = "oldest message in Queue is older than the plan allows: the consumer is not keeping up"
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateAgeOfOldestMessage"
  dimensions = {
    QueueName = aws_sqs_queue.queue.name
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  # plan: the peak's backlog drains in 1351 s, + 95 s of retries (visibility x max_receive_count)
  threshold           = 1446
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "queue_dlq_alarm" {
  alarm_name        = "${var.name_prefix}-queue-dlq-alarm"
  alarm_description = "QueueDlq holds failed messages"
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions = {
    QueueName = aws_sqs_queue.queue_dlq.name
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # any message in the DLQ is a failed message
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "results_table_limit_write_throttles_alarm" {
  alarm_name        = "${var.name_prefix}-results-table-limit-write-throttles-alarm"
  alarm_description = "limits-check DYNAMODB-WARM-THROUGHPUT WARN (table): the plan needs 11,363.64 WRU/s against 4,000; the table throttles requests"
  namespace         = "AWS/DynamoDB"
  metric_name       = "WriteThrottleEvents"
  dimensions = {
    TableName = aws_dynamodb_table.results_table.name
  }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # limits-check DYNAMODB-WARM-THROUGHPUT: any throttled request
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_dynamodb_table" "results_table" {
  name         = "${var.name_prefix}-results-table"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
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

resource "aws_iam_role" "consumer_role" {
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

resource "aws_iam_role" "http_api_sqs_role" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "apigateway.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role_policy" "consumer_role" {
  role = aws_iam_role.consumer_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.consumer_logs.arn}:*"
      },
      {
        Effect = "Allow"
        Action = [
          "sqs:ChangeMessageVisibility",
          "sqs:DeleteMessage",
          "sqs:GetQueueAttributes",
          "sqs:ReceiveMessage",
        ]
        Resource = aws_sqs_queue.queue.arn
      },
      {
        Effect   = "Allow"
        Action   = "dynamodb:BatchWriteItem"
        Resource = aws_dynamodb_table.results_table.arn
      },
    ]
  })
}

resource "aws_iam_role_policy" "http_api_sqs_role" {
  role = aws_iam_role.http_api_sqs_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = aws_sqs_queue.queue.arn
      },
    ]
  })
}

resource "aws_lambda_event_source_mapping" "consumer_queue_mapping" {
  event_source_arn = aws_sqs_queue.queue.arn
  function_name    = aws_lambda_function.consumer.arn
  # plan: consumer batch_size
  batch_size = 100
  # plan: batching_window_s (required when BatchSize > 10)
  maximum_batching_window_in_seconds = 1
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    # plan: consumer max_concurrency (ESM cap, 2-1000, <= reserved concurrency)
    maximum_concurrency = 25
  }
}

# handler: src/consumer/handler.py (python3 build.py writes dist/consumer.zip)
resource "aws_lambda_function" "consumer" {
  function_name = "${var.name_prefix}-consumer"
  description   = "costplan global-vote (queue_load_leveling, lambda): consumer (consumer)"
  role          = aws_iam_role.consumer_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/consumer.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/consumer.zip")
  # plan: consumer memory_mb
  memory_size = 256
  # plan: consumer timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  environment {
    variables = {
      TABLE_NAME = aws_dynamodb_table.results_table.name
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.consumer_logs.name
  }
}

resource "aws_sns_topic" "alarms_topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sqs_queue" "queue" {
  # encryption at rest
  sqs_managed_sse_enabled = true
  # plan: queue retention_s (backlog age must stay below it)
  message_retention_seconds = 345600
  # rule CP101: >= 6 x 3 s function timeout + 1 s batching window
  visibility_timeout_seconds = 19
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.queue_dlq.arn
    # plan: max_receive_count before the DLQ
    maxReceiveCount = 5
  })
}

resource "aws_sqs_queue" "queue_dlq" {
  # encryption at rest
  sqs_managed_sse_enabled = true
  # 14 days (SQS maximum) to inspect failures
  message_retention_seconds = 1209600
}
