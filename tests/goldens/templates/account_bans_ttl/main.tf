# costplan template for scenario 'account-bans-ttl' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_cloudwatch_log_group" "expiry_handler_logs" {
  name              = "/aws/lambda/${var.name_prefix}-expiry-handler"
  retention_in_days = 30
}

resource "aws_cloudwatch_metric_alarm" "expiry_handler_errors_alarm" {
  alarm_name        = "${var.name_prefix}-expiry-handler-errors-alarm"
  alarm_description = "ExpiryHandler invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.expiry_handler.function_name
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

resource "aws_dynamodb_table" "timers_table" {
  name             = "${var.name_prefix}-timers-table"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "OLD_IMAGE"

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

  ttl {
    # plan: ttl.attribute (epoch seconds; deletes are best-effort, within ~2 days)
    attribute_name = "expires_at"
    enabled        = true
  }

  lifecycle {
    # a data store: delete it by hand
    prevent_destroy = true
  }
}

resource "aws_iam_role" "expiry_handler_role" {
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

resource "aws_iam_role_policy" "expiry_handler_on_failure_policy" {
  role = aws_iam_role.expiry_handler_role.id
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

resource "aws_iam_role_policy" "expiry_handler_role" {
  role = aws_iam_role.expiry_handler_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.expiry_handler_logs.arn}:*"
      },
      {
        Effect = "Allow"
        Action = [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
          "dynamodb:ListStreams",
        ]
        Resource = aws_dynamodb_table.timers_table.stream_arn
      },
    ]
  })
}

resource "aws_lambda_event_source_mapping" "expiry_handler_stream_mapping" {
  # then the record goes to the failure queue instead of blocking its shard
  maximum_retry_attempts = 3
  # split a failing batch to isolate the poison record
  bisect_batch_on_function_error = true
  function_response_types        = ["ReportBatchItemFailures"]
  depends_on                     = [aws_iam_role_policy.expiry_handler_on_failure_policy]
  event_source_arn               = aws_dynamodb_table.timers_table.stream_arn
  function_name                  = aws_lambda_function.expiry_handler.arn
  # required for stream sources
  starting_position = "LATEST"
  # plan: stage batch size
  batch_size = 1

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.failed_events_queue.arn
    }
  }

  filter_criteria {
    filter {
      pattern = jsonencode({
        userIdentity = {
          type        = ["Service"]
          principalId = ["dynamodb.amazonaws.com"]
        }
        eventName = ["REMOVE"]
      })
    }
  }
}

# handler: src/expiry_handler/handler.py (python3 build.py writes dist/expiry_handler.zip)
resource "aws_lambda_function" "expiry_handler" {
  function_name = "${var.name_prefix}-expiry-handler"
  description   = "costplan account-bans-ttl (scheduled_ttl, lambda): expiry-handler (consumer)"
  role          = aws_iam_role.expiry_handler_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/expiry_handler.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/expiry_handler.zip")
  # plan: expiry-handler memory_mb
  memory_size = 256
  # plan: expiry-handler timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.expiry_handler_logs.name
  }
}

resource "aws_sns_topic" "alarms_topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sqs_queue" "failed_events_queue" {
  # encryption at rest
  sqs_managed_sse_enabled = true
  # 14 days (SQS maximum) to inspect and replay failures
  message_retention_seconds = 1209600
}
