# costplan template for scenario 'soccer-events-mqtt' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_cloudwatch_log_group" "device_authorizer_logs" {
  name              = "/aws/lambda/${var.name_prefix}-device-authorizer"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "publisher_logs" {
  name              = "/aws/lambda/${var.name_prefix}-publisher"
  retention_in_days = 30
}

resource "aws_cloudwatch_metric_alarm" "device_authorizer_errors_alarm" {
  alarm_name        = "${var.name_prefix}-device-authorizer-errors-alarm"
  alarm_description = "DeviceAuthorizer invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.device_authorizer.function_name
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

resource "aws_cloudwatch_metric_alarm" "limit_connect_success_alarm" {
  alarm_name        = "${var.name_prefix}-limit-connect-success-alarm"
  alarm_description = "limits-check IOT-CONNECT-RATE WARN (connect): the plan needs 416.67 connects/s against 500; device connects per second near the account quota"
  namespace         = "AWS/IoT"
  metric_name       = "Connect.Success"
  dimensions = {
    Protocol = "MQTT"
  }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # 80 % of the 500 connects/s limit (limits-check IOT-CONNECT-RATE) x 60 s (device connects)
  threshold           = 24000
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "limit_publish_out_success_alarm" {
  alarm_name        = "${var.name_prefix}-limit-publish-out-success-alarm"
  alarm_description = "limits-check IOT-PUBLISH-RATE FAIL (outbound): the plan needs 50,000 messages/s against 20,000; messages the broker delivers to devices per second near the account quota"
  namespace         = "AWS/IoT"
  metric_name       = "PublishOut.Success"
  dimensions = {
    Protocol = "MQTT"
  }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # 80 % of the 20,000 messages/s limit (limits-check IOT-PUBLISH-RATE) x 60 s (messages the broker delivers to devices)
  threshold           = 960000
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "publisher_errors_alarm" {
  alarm_name        = "${var.name_prefix}-publisher-errors-alarm"
  alarm_description = "Publisher invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.publisher.function_name
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

resource "aws_iam_role" "device_authorizer_role" {
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

resource "aws_iam_role" "publisher_role" {
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

resource "aws_iam_role_policy" "device_authorizer_role" {
  role = aws_iam_role.device_authorizer_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.device_authorizer_logs.arn}:*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "publisher_on_failure_policy" {
  role = aws_iam_role.publisher_role.id
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

resource "aws_iam_role_policy" "publisher_role" {
  role = aws_iam_role.publisher_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.publisher_logs.arn}:*"
      },
      {
        Effect   = "Allow"
        Action   = "iot:Publish"
        Resource = "arn:${data.aws_partition.current.partition}:iot:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:topic/fixtures/*"
      },
      {
        Effect   = "Allow"
        Action   = "iot:DescribeEndpoint"
        Resource = "*"
      },
    ]
  })
}

resource "aws_iot_authorizer" "fan_token_authorizer" {
  name                    = "${var.name_prefix}-fan-token-authorizer"
  authorizer_function_arn = aws_lambda_function.device_authorizer.arn
  status                  = "ACTIVE"
  # signing enabled: IoT Core rejects tokens without a valid signature before invoking
  signing_disabled = false
  token_key_name   = var.device_token_key_name
  token_signing_public_keys = {
    FanTokenKey = var.device_token_signing_public_key
  }
}

resource "aws_iot_policy" "fan_device_policy" {
  name = "${var.name_prefix}-fan-device"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iot:Connect"
        Resource = "arn:${data.aws_partition.current.partition}:iot:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:client/$${iot:ClientId}"
      },
      {
        Effect   = "Allow"
        Action   = "iot:Subscribe"
        Resource = "arn:${data.aws_partition.current.partition}:iot:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:topicfilter/fixtures/*"
      },
      {
        Effect   = "Allow"
        Action   = "iot:Receive"
        Resource = "arn:${data.aws_partition.current.partition}:iot:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:topic/fixtures/*"
      },
    ]
  })
}

resource "aws_iot_topic_rule" "key_events_rule" {
  name        = replace("${var.name_prefix}_key_events_rule", "-", "_")
  enabled     = true
  sql         = "SELECT *, topic(2) AS fixture FROM 'events/+/key'"
  sql_version = "2016-03-23"

  lambda {
    function_arn = aws_lambda_function.publisher.arn
  }
}

# handler: src/device_authorizer/handler.py (python3 build.py writes dist/device_authorizer.zip)
resource "aws_lambda_function" "device_authorizer" {
  function_name = "${var.name_prefix}-device-authorizer"
  description   = "costplan soccer-events-mqtt (mqtt_notify, lambda): device-authorizer (authorizer)"
  role          = aws_iam_role.device_authorizer_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/device_authorizer.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/device_authorizer.zip")
  # plan: device-authorizer memory_mb
  memory_size = 128
  # plan: device-authorizer timeout (max(3 s, 2 x p99) unless set)
  timeout       = 5
  architectures = ["arm64"]

  environment {
    variables = {
      TOPIC_PREFIX = "fixtures/"
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.device_authorizer_logs.name
  }
}

# handler: src/publisher/handler.py (python3 build.py writes dist/publisher.zip)
resource "aws_lambda_function" "publisher" {
  function_name = "${var.name_prefix}-publisher"
  description   = "costplan soccer-events-mqtt (mqtt_notify, lambda): publisher (publisher)"
  role          = aws_iam_role.publisher_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/publisher.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/publisher.zip")
  # plan: publisher memory_mb
  memory_size = 256
  # plan: publisher timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  environment {
    variables = {
      TOPIC_PREFIX = "fixtures/"
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.publisher_logs.name
  }
}

resource "aws_lambda_function_event_invoke_config" "publisher_event_invoke_config" {
  function_name = aws_lambda_function.publisher.function_name
  # Lambda's asynchronous retries (the maximum), then the on-failure destination
  maximum_retry_attempts = 2
  depends_on             = [aws_iam_role_policy.publisher_on_failure_policy]

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failed_events_queue.arn
    }
  }
}

resource "aws_lambda_permission" "fan_token_authorizer_invoke_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.device_authorizer.function_name
  principal     = "iot.amazonaws.com"
  source_arn    = aws_iot_authorizer.fan_token_authorizer.arn
}

resource "aws_lambda_permission" "publisher_key_events_rule_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.publisher.function_name
  principal     = "iot.amazonaws.com"
  source_arn    = aws_iot_topic_rule.key_events_rule.arn
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
