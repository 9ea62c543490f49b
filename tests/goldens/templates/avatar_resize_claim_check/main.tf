# costplan template for scenario 'avatar-resize-claim-check' (lambda)
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

resource "aws_apigatewayv2_integration" "http_api_postuploads_integration" {
  api_id                 = aws_apigatewayv2_api.http_api.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.upload_url.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "http_api_postuploads_route" {
  api_id    = aws_apigatewayv2_api.http_api.id
  route_key = "POST /uploads"
  target    = "integrations/${aws_apigatewayv2_integration.http_api_postuploads_integration.id}"
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

resource "aws_cloudwatch_log_group" "http_api_access_logs" {
  name_prefix       = "/aws/apigateway/${var.name_prefix}-http_api-"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "resizer_logs" {
  name              = "/aws/lambda/${var.name_prefix}-resizer"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "upload_url_logs" {
  name              = "/aws/lambda/${var.name_prefix}-upload-url"
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

resource "aws_cloudwatch_metric_alarm" "resizer_errors_alarm" {
  alarm_name        = "${var.name_prefix}-resizer-errors-alarm"
  alarm_description = "Resizer invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.resizer.function_name
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

resource "aws_cloudwatch_metric_alarm" "upload_url_errors_alarm" {
  alarm_name        = "${var.name_prefix}-upload-url-errors-alarm"
  alarm_description = "UploadUrl invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.upload_url.function_name
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

resource "aws_iam_role" "resizer_role" {
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

resource "aws_iam_role" "upload_url_role" {
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

resource "aws_iam_role_policy" "resizer_on_failure_policy" {
  role = aws_iam_role.resizer_role.id
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

resource "aws_iam_role_policy" "resizer_role" {
  role = aws_iam_role.resizer_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.resizer_logs.arn}:*"
      },
      {
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "${aws_s3_bucket.uploads_bucket.arn}/uploads/*"
      },
      {
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "${aws_s3_bucket.output_bucket.arn}/avatars/*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "upload_url_role" {
  role = aws_iam_role.upload_url_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.upload_url_logs.arn}:*"
      },
      {
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "${aws_s3_bucket.uploads_bucket.arn}/uploads/*"
      },
    ]
  })
}

# handler: src/resizer/handler.py (python3 build.py writes dist/resizer.zip)
resource "aws_lambda_function" "resizer" {
  function_name = "${var.name_prefix}-resizer"
  description   = "costplan avatar-resize-claim-check (claim_check, lambda): resizer (subscriber)"
  role          = aws_iam_role.resizer_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/resizer.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/resizer.zip")
  # plan: resizer memory_mb
  memory_size = 1536
  # plan: resizer timeout (max(3 s, 2 x p99) unless set)
  timeout       = 5
  architectures = ["arm64"]

  environment {
    variables = {
      OUTPUT_BUCKET = aws_s3_bucket.output_bucket.id
      # plan: s3.output_prefix (not under the trigger prefix)
      OUTPUT_PREFIX = "avatars/"
      # plan: s3.trigger_prefix
      TRIGGER_PREFIX   = "uploads/"
      OUTPUT_WIDTHS_PX = var.output_widths_px
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.resizer_logs.name
  }
}

# handler: src/upload_url/handler.py (python3 build.py writes dist/upload_url.zip)
resource "aws_lambda_function" "upload_url" {
  function_name = "${var.name_prefix}-upload-url"
  description   = "costplan avatar-resize-claim-check (claim_check, lambda): upload-url (api)"
  role          = aws_iam_role.upload_url_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/upload_url.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/upload_url.zip")
  # plan: upload-url memory_mb
  memory_size = 128
  # plan: upload-url timeout (max(3 s, 2 x p99) unless set)
  timeout       = 3
  architectures = ["arm64"]

  environment {
    variables = {
      UPLOADS_BUCKET = var.uploads_bucket_name
      UPLOAD_PREFIX  = "uploads/"
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.upload_url_logs.name
  }
}

resource "aws_lambda_function_event_invoke_config" "resizer_event_invoke_config" {
  function_name = aws_lambda_function.resizer.function_name
  # Lambda's asynchronous retries (the maximum), then the on-failure destination
  maximum_retry_attempts = 2
  depends_on             = [aws_iam_role_policy.resizer_on_failure_policy]

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failed_events_queue.arn
    }
  }
}

resource "aws_lambda_function_recursion_config" "resizer" {
  function_name = aws_lambda_function.resizer.function_name
  # stop S3/SQS/SNS recursive invocation loops
  recursive_loop = "Terminate"
}

resource "aws_lambda_permission" "resizer_s3_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.resizer.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = aws_s3_bucket.uploads_bucket.arn
}

resource "aws_lambda_permission" "upload_url_http_api_permission" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.upload_url.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http_api.execution_arn}/*/*"
}

resource "aws_s3_bucket" "output_bucket" {
  # bucket_prefix is at most 37 characters
  bucket_prefix = "${substr(var.name_prefix, 0, min(16, length(var.name_prefix)))}-output-bucket-"

  lifecycle {
    # a data store: delete it by hand
    prevent_destroy = true
  }
}

resource "aws_s3_bucket" "uploads_bucket" {
  bucket = var.uploads_bucket_name

  lifecycle {
    # a data store: delete it by hand
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "uploads_bucket" {
  bucket = aws_s3_bucket.uploads_bucket.id

  rule {
    id     = "expire-originals"
    status = "Enabled"

    filter {
      prefix = "uploads/"
    }

    expiration {
      # plan: original_retention_days (originals expire once resized)
      days = 7
    }
  }
}

resource "aws_s3_bucket_notification" "uploads_bucket" {
  bucket     = aws_s3_bucket.uploads_bucket.id
  depends_on = [aws_lambda_permission.resizer_s3_permission]

  lambda_function {
    lambda_function_arn = aws_lambda_function.resizer.arn
    events              = ["s3:ObjectCreated:*"]
    # plan: s3.trigger_prefix
    filter_prefix = "uploads/"
  }
}

resource "aws_s3_bucket_ownership_controls" "output_bucket" {
  bucket = aws_s3_bucket.output_bucket.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_ownership_controls" "uploads_bucket" {
  bucket = aws_s3_bucket.uploads_bucket.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "output_bucket" {
  bucket                  = aws_s3_bucket.output_bucket.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "uploads_bucket" {
  bucket                  = aws_s3_bucket.uploads_bucket.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "output_bucket" {
  bucket = aws_s3_bucket.output_bucket.id

  rule {
    apply_server_side_encryption_by_default {
      # encryption at rest (SSE-S3)
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "uploads_bucket" {
  bucket = aws_s3_bucket.uploads_bucket.id

  rule {
    apply_server_side_encryption_by_default {
      # encryption at rest (SSE-S3)
      sse_algorithm = "AES256"
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
