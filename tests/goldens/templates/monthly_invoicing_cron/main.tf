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

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.job_logs.name
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
  }
}
