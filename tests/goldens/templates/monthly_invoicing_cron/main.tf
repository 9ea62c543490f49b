# costplan template for scenario 'monthly-invoicing-cron' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_cloudwatch_log_group" "job_logs" {
  name              = "/aws/lambda/${var.name_prefix}-job"
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

resource "aws_cloudwatch_metric_alarm" "job_errors_alarm" {
  alarm_name        = "${var.name_prefix}-job-errors-alarm"
  alarm_description = "Job invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.job.function_name
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

resource "aws_dynamodb_table" "job_table" {
  name         = "${var.name_prefix}-job-table"
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

resource "aws_iam_role" "job_role" {
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

resource "aws_iam_role" "scheduler_role" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "scheduler.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role_policy" "job_on_failure_policy" {
  role = aws_iam_role.job_role.id
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

resource "aws_iam_role_policy" "job_role" {
  role = aws_iam_role.job_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.job_logs.arn}:*"
      },
      {
        Effect   = "Allow"
        Action   = ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        Resource = aws_dynamodb_table.job_table.arn
      },
      {
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "${aws_s3_bucket.job_bucket.arn}/*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "scheduler_role" {
  role = aws_iam_role.scheduler_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "lambda:InvokeFunction"
        Resource = aws_lambda_function.job.arn
      },
      {
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = aws_sqs_queue.failed_events_queue.arn
      },
    ]
  })
}

# handler: src/job/handler.py (python3 build.py writes dist/job.zip)
resource "aws_lambda_function" "job" {
  function_name = "${var.name_prefix}-job"
  description   = "costplan monthly-invoicing-cron (scheduled_cron, lambda): job (job)"
  role          = aws_iam_role.job_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/job.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/job.zip")
  # plan: job memory_mb
  memory_size = 2048
  # plan: job timeout (max(3 s, 2 x p99) unless set)
  timeout       = 900
  architectures = ["arm64"]

  environment {
    variables = {
      TABLE_NAME    = aws_dynamodb_table.job_table.name
      OUTPUT_BUCKET = aws_s3_bucket.job_bucket.id
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.job_logs.name
  }
}

resource "aws_lambda_function_event_invoke_config" "job_event_invoke_config" {
  function_name = aws_lambda_function.job.function_name
  # Lambda's asynchronous retries (the maximum), then the on-failure destination
  maximum_retry_attempts = 2
  depends_on             = [aws_iam_role_policy.job_on_failure_policy]

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failed_events_queue.arn
    }
  }
}

resource "aws_s3_bucket" "job_bucket" {
  # bucket_prefix is at most 37 characters
  bucket_prefix = "${substr(var.name_prefix, 0, min(16, length(var.name_prefix)))}-job-bucket-"

  lifecycle {
    # a data store: delete it by hand
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_ownership_controls" "job_bucket" {
  bucket = aws_s3_bucket.job_bucket.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "job_bucket" {
  bucket                  = aws_s3_bucket.job_bucket.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "job_bucket" {
  bucket = aws_s3_bucket.job_bucket.id

  rule {
    apply_server_side_encryption_by_default {
      # encryption at rest (SSE-S3)
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_scheduler_schedule" "schedule" {
  name_prefix = "${var.name_prefix}-"
  # plan: schedule.expression (1-minute precision at best)
  schedule_expression          = "cron(0 2 1 * ? *)"
  schedule_expression_timezone = "UTC"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.job.arn
    role_arn = aws_iam_role.scheduler_role.arn

    retry_policy {
      maximum_retry_attempts = 2
    }

    dead_letter_config {
      arn = aws_sqs_queue.failed_events_queue.arn
    }
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
