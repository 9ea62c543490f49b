# costplan template for scenario 'order-ledger-convoy' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_cloudwatch_log_group" "consumer_logs" {
  name              = "/aws/lambda/${var.name_prefix}-consumer"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "processor_logs" {
  name              = "/aws/lambda/${var.name_prefix}-processor"
  retention_in_days = 30
}

resource "aws_cloudwatch_metric_alarm" "consumer_at_cap_alarm" {
  alarm_name        = "${var.name_prefix}-consumer-at-cap-alarm"
  alarm_description = "Consumer runs at its event-source concurrency cap (50): the backlog grows"
  namespace         = "AWS/Lambda"
  metric_name       = "ConcurrentExecutions"
  dimensions = {
    FunctionName = aws_lambda_function.consumer.function_name
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  # plan: the event source mapping's MaximumConcurrency of 50
  threshold           = 50
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

resource "aws_cloudwatch_metric_alarm" "ledger_fifo_queue_age_alarm" {
  alarm_name        = "${var.name_prefix}-ledger-fifo-queue-age-alarm"
  alarm_description = "oldest message in LedgerFifoQueue is older than the plan allows: the consumer is not keeping up"
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateAgeOfOldestMessage"
  dimensions = {
    QueueName = aws_sqs_queue.ledger_fifo_queue.name
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  # plan: no backlog; a message waits at most its retries (visibility x max_receive_count)
  threshold           = 60
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "ledger_fifo_queue_dlq_alarm" {
  alarm_name        = "${var.name_prefix}-ledger-fifo-queue-dlq-alarm"
  alarm_description = "LedgerFifoQueueDlq holds failed messages"
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions = {
    QueueName = aws_sqs_queue.ledger_fifo_queue_dlq.name
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

resource "aws_cloudwatch_metric_alarm" "processor_errors_alarm" {
  alarm_name        = "${var.name_prefix}-processor-errors-alarm"
  alarm_description = "Processor invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.processor.function_name
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

resource "aws_cloudwatch_metric_alarm" "transactions_fifo_queue_age_alarm" {
  alarm_name        = "${var.name_prefix}-transactions-fifo-queue-age-alarm"
  alarm_description = "oldest message in TransactionsFifoQueue is older than the plan allows: the consumer is not keeping up"
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateAgeOfOldestMessage"
  dimensions = {
    QueueName = aws_sqs_queue.transactions_fifo_queue.name
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  # plan: no backlog; a message waits at most its retries (visibility x max_receive_count)
  threshold           = 60
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
}

resource "aws_cloudwatch_metric_alarm" "transactions_fifo_queue_dlq_alarm" {
  alarm_name        = "${var.name_prefix}-transactions-fifo-queue-dlq-alarm"
  alarm_description = "TransactionsFifoQueueDlq holds failed messages"
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions = {
    QueueName = aws_sqs_queue.transactions_fifo_queue_dlq.name
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

resource "aws_dynamodb_table" "ledger_table" {
  name         = "${var.name_prefix}-ledger-table"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "orderId"
  range_key    = "entryId"

  attribute {
    name = "orderId"
    type = "S"
  }

  attribute {
    name = "entryId"
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

resource "aws_iam_role" "processor_role" {
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
        Resource = aws_sqs_queue.ledger_fifo_queue.arn
      },
      {
        Effect   = "Allow"
        Action   = ["dynamodb:ConditionCheckItem", "dynamodb:PutItem"]
        Resource = aws_dynamodb_table.ledger_table.arn
      },
    ]
  })
}

resource "aws_iam_role_policy" "processor_role" {
  role = aws_iam_role.processor_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.processor_logs.arn}:*"
      },
      {
        Effect = "Allow"
        Action = [
          "sqs:ChangeMessageVisibility",
          "sqs:DeleteMessage",
          "sqs:GetQueueAttributes",
          "sqs:ReceiveMessage",
        ]
        Resource = aws_sqs_queue.transactions_fifo_queue.arn
      },
      {
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = aws_sqs_queue.ledger_fifo_queue.arn
      },
    ]
  })
}

resource "aws_lambda_event_source_mapping" "consumer_ledger_fifo_queue_mapping" {
  event_source_arn = aws_sqs_queue.ledger_fifo_queue.arn
  function_name    = aws_lambda_function.consumer.arn
  # plan: consumer batch_size (FIFO max 10)
  batch_size              = 1
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    # plan: consumer max_concurrency (ESM cap, 2-1000, <= reserved concurrency)
    maximum_concurrency = 50
  }
}

resource "aws_lambda_event_source_mapping" "processor_transactions_fifo_queue_mapping" {
  event_source_arn = aws_sqs_queue.transactions_fifo_queue.arn
  function_name    = aws_lambda_function.processor.arn
  # plan: consumer batch_size (FIFO max 10)
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

# handler: src/consumer/handler.py (python3 build.py writes dist/consumer.zip)
resource "aws_lambda_function" "consumer" {
  function_name = "${var.name_prefix}-consumer"
  description   = "costplan order-ledger-convoy (sequential_convoy, lambda): consumer (consumer)"
  role          = aws_iam_role.consumer_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/consumer.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/consumer.zip")
  # plan: consumer memory_mb
  memory_size = 512
  # plan: consumer timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  environment {
    variables = {
      LEDGER_TABLE = aws_dynamodb_table.ledger_table.name
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.consumer_logs.name
  }
}

# handler: src/processor/handler.py (python3 build.py writes dist/processor.zip)
resource "aws_lambda_function" "processor" {
  function_name = "${var.name_prefix}-processor"
  description   = "costplan order-ledger-convoy (sequential_convoy, lambda): processor (consumer)"
  role          = aws_iam_role.processor_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/processor.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/processor.zip")
  # plan: processor memory_mb
  memory_size = 512
  # plan: processor timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  environment {
    variables = {
      NEXT_QUEUE_URL = aws_sqs_queue.ledger_fifo_queue.url
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.processor_logs.name
  }
}

resource "aws_sns_topic" "alarms_topic" {
  name_prefix = "${var.name_prefix}-"
  # encryption at rest (AWS managed key)
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sqs_queue" "ledger_fifo_queue" {
  name = "${var.name_prefix}-ledger-fifo.fifo"
  # encryption at rest
  sqs_managed_sse_enabled = true
  # plan: FIFO (ordered per MessageGroupId)
  fifo_queue = true
  # plan: queue retention_s (backlog age must stay below it)
  message_retention_seconds = 345600
  # rule CP101: >= 6 x 3 s function timeout + 0 s batching window
  visibility_timeout_seconds = 18
  # deduplicate on the body; senders set MessageGroupId
  content_based_deduplication = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.ledger_fifo_queue_dlq.arn
    # plan: max_receive_count before the DLQ
    maxReceiveCount = 3
  })
}

resource "aws_sqs_queue" "ledger_fifo_queue_dlq" {
  name = "${var.name_prefix}-ledger-fifo-dlq.fifo"
  # encryption at rest
  sqs_managed_sse_enabled = true
  # plan: FIFO (ordered per MessageGroupId)
  fifo_queue = true
  # 14 days (SQS maximum) to inspect failures
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "transactions_fifo_queue" {
  name = "${var.name_prefix}-transactions-fifo.fifo"
  # encryption at rest
  sqs_managed_sse_enabled = true
  # plan: FIFO (ordered per MessageGroupId)
  fifo_queue = true
  # plan: queue retention_s (backlog age must stay below it)
  message_retention_seconds = 345600
  # rule CP101: >= 6 x 3 s function timeout + 0 s batching window
  visibility_timeout_seconds = 18
  # deduplicate on the body; senders set MessageGroupId
  content_based_deduplication = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.transactions_fifo_queue_dlq.arn
    # plan: max_receive_count before the DLQ
    maxReceiveCount = 3
  })
}

resource "aws_sqs_queue" "transactions_fifo_queue_dlq" {
  name = "${var.name_prefix}-transactions-fifo-dlq.fifo"
  # encryption at rest
  sqs_managed_sse_enabled = true
  # plan: FIFO (ordered per MessageGroupId)
  fifo_queue = true
  # 14 days (SQS maximum) to inspect failures
  message_retention_seconds = 1209600
}
