# costplan template for scenario 'user-registration-fanout' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_cloudwatch_log_group" "subscriber_analytics_logs" {
  name              = "/aws/lambda/${var.name_prefix}-subscriber-analytics"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "subscriber_mailing_logs" {
  name              = "/aws/lambda/${var.name_prefix}-subscriber-mailing"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "subscriber_onboarding_logs" {
  name              = "/aws/lambda/${var.name_prefix}-subscriber-onboarding"
  retention_in_days = 30
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

resource "aws_cloudwatch_metric_alarm" "subscriber_analytics_errors_alarm" {
  alarm_name        = "${var.name_prefix}-subscriber-analytics-errors-alarm"
  alarm_description = "SubscriberAnalytics invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.subscriber_analytics.function_name
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

resource "aws_cloudwatch_metric_alarm" "subscriber_mailing_errors_alarm" {
  alarm_name        = "${var.name_prefix}-subscriber-mailing-errors-alarm"
  alarm_description = "SubscriberMailing invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.subscriber_mailing.function_name
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

resource "aws_cloudwatch_metric_alarm" "subscriber_onboarding_errors_alarm" {
  alarm_name        = "${var.name_prefix}-subscriber-onboarding-errors-alarm"
  alarm_description = "SubscriberOnboarding invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.subscriber_onboarding.function_name
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

resource "aws_iam_role" "subscriber_analytics_role" {
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

resource "aws_iam_role" "subscriber_mailing_role" {
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

resource "aws_iam_role" "subscriber_onboarding_role" {
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

resource "aws_iam_role_policy" "subscriber_analytics_on_failure_policy" {
  role = aws_iam_role.subscriber_analytics_role.id
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

resource "aws_iam_role_policy" "subscriber_analytics_role" {
  role = aws_iam_role.subscriber_analytics_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.subscriber_analytics_logs.arn}:*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "subscriber_mailing_on_failure_policy" {
  role = aws_iam_role.subscriber_mailing_role.id
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

resource "aws_iam_role_policy" "subscriber_mailing_role" {
  role = aws_iam_role.subscriber_mailing_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.subscriber_mailing_logs.arn}:*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "subscriber_onboarding_on_failure_policy" {
  role = aws_iam_role.subscriber_onboarding_role.id
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

resource "aws_iam_role_policy" "subscriber_onboarding_role" {
  role = aws_iam_role.subscriber_onboarding_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.subscriber_onboarding_logs.arn}:*"
      },
    ]
  })
}

# handler: src/subscriber_analytics/handler.py (python3 build.py writes dist/subscriber_analytics.zip)
resource "aws_lambda_function" "subscriber_analytics" {
  function_name = "${var.name_prefix}-subscriber-analytics"
  description   = "costplan user-registration-fanout (pubsub, lambda): subscriber:analytics (subscriber)"
  role          = aws_iam_role.subscriber_analytics_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/subscriber_analytics.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/subscriber_analytics.zip")
  # plan: subscriber:analytics memory_mb
  memory_size = 256
  # plan: subscriber:analytics timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.subscriber_analytics_logs.name
  }
}

# handler: src/subscriber_mailing/handler.py (python3 build.py writes dist/subscriber_mailing.zip)
resource "aws_lambda_function" "subscriber_mailing" {
  function_name = "${var.name_prefix}-subscriber-mailing"
  description   = "costplan user-registration-fanout (pubsub, lambda): subscriber:mailing (subscriber)"
  role          = aws_iam_role.subscriber_mailing_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/subscriber_mailing.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/subscriber_mailing.zip")
  # plan: subscriber:mailing memory_mb
  memory_size = 256
  # plan: subscriber:mailing timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.subscriber_mailing_logs.name
  }
}

# handler: src/subscriber_onboarding/handler.py (python3 build.py writes dist/subscriber_onboarding.zip)
resource "aws_lambda_function" "subscriber_onboarding" {
  function_name = "${var.name_prefix}-subscriber-onboarding"
  description   = "costplan user-registration-fanout (pubsub, lambda): subscriber:onboarding (subscriber)"
  role          = aws_iam_role.subscriber_onboarding_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/subscriber_onboarding.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/subscriber_onboarding.zip")
  # plan: subscriber:onboarding memory_mb
  memory_size = 256
  # plan: subscriber:onboarding timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.subscriber_onboarding_logs.name
  }
}

resource "aws_lambda_function_event_invoke_config" "subscriber_analytics_event_invoke_config" {
  function_name = aws_lambda_function.subscriber_analytics.function_name
  # Lambda's asynchronous retries (the maximum), then the on-failure destination
  maximum_retry_attempts = 2
  depends_on             = [aws_iam_role_policy.subscriber_analytics_on_failure_policy]

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failed_events_queue.arn
    }
  }
}

resource "aws_lambda_function_event_invoke_config" "subscriber_mailing_event_invoke_config" {
  function_name = aws_lambda_function.subscriber_mailing.function_name
  # Lambda's asynchronous retries (the maximum), then the on-failure destination
  maximum_retry_attempts = 2
  depends_on             = [aws_iam_role_policy.subscriber_mailing_on_failure_policy]

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failed_events_queue.arn
    }
  }
}

resource "aws_lambda_function_event_invoke_config" "subscriber_onboarding_event_invoke_config" {
  function_name = aws_lambda_function.subscriber_onboarding.function_name
  # Lambda's asynchronous retries (the maximum), then the on-failure destination
  maximum_retry_attempts = 2
  depends_on             = [aws_iam_role_policy.subscriber_onboarding_on_failure_policy]

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failed_events_queue.arn
    }
  }
}

resource "aws_lambda_permission" "subscriber_analytics_sns_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.subscriber_analytics.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.topic.arn
}

resource "aws_lambda_permission" "subscriber_mailing_sns_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.subscriber_mailing.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.topic.arn
}

resource "aws_lambda_permission" "subscriber_onboarding_sns_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.subscriber_onboarding.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.topic.arn
}

resource "aws_sns_topic" "alarms_topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic" "topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "subscriber_analytics_subscription" {
  topic_arn = aws_sns_topic.topic.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.subscriber_analytics.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.failed_events_queue.arn
  })
}

resource "aws_sns_topic_subscription" "subscriber_mailing_subscription" {
  topic_arn = aws_sns_topic.topic.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.subscriber_mailing.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.failed_events_queue.arn
  })
}

resource "aws_sns_topic_subscription" "subscriber_onboarding_subscription" {
  topic_arn           = aws_sns_topic.topic.arn
  protocol            = "lambda"
  endpoint            = aws_lambda_function.subscriber_onboarding.arn
  filter_policy       = var.subscriber_onboarding_filter_policy
  filter_policy_scope = "MessageAttributes"
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
            "aws:SourceArn" = aws_sns_topic.topic.arn
          }
        }
      },
    ]
  })
}
