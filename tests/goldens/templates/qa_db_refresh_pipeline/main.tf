# costplan template for scenario 'qa-db-refresh-pipeline' (lambda)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_cloudwatch_log_group" "filter_seed_fixtures_logs" {
  name              = "/aws/lambda/${var.name_prefix}-filter-seed-fixtures"
  retention_in_days = 30
}

resource "aws_cloudwatch_metric_alarm" "filter_seed_fixtures_errors_alarm" {
  alarm_name        = "${var.name_prefix}-filter-seed-fixtures-errors-alarm"
  alarm_description = "FilterSeedFixtures invocations fail"
  namespace         = "AWS/Lambda"
  metric_name       = "Errors"
  dimensions = {
    FunctionName = aws_lambda_function.filter_seed_fixtures.function_name
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

resource "aws_glue_job" "dump_job" {
  name         = "${var.name_prefix}-dump-job"
  role_arn     = aws_iam_role.glue_job_role.arn
  glue_version = "4.0"
  worker_type  = "G.1X"
  # plan: 2 DPU per run (G.1X = 1 DPU per worker, 2 at least)
  number_of_workers = 2

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "${var.glue_script_prefix}dump_job.py"
  }

  execution_property {
    # plan: runs of this job at once
    max_concurrent_runs = 4
  }
}

resource "aws_glue_job" "restore_job" {
  name         = "${var.name_prefix}-restore-job"
  role_arn     = aws_iam_role.glue_job_role.arn
  glue_version = "4.0"
  worker_type  = "G.1X"
  # plan: 2 DPU per run (G.1X = 1 DPU per worker, 2 at least)
  number_of_workers = 2

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "${var.glue_script_prefix}restore_job.py"
  }

  execution_property {
    # plan: runs of this job at once
    max_concurrent_runs = 4
  }
}

resource "aws_glue_job" "sanitise_job" {
  name         = "${var.name_prefix}-sanitise-job"
  role_arn     = aws_iam_role.glue_job_role.arn
  glue_version = "4.0"
  worker_type  = "G.1X"
  # plan: 4 DPU per run (G.1X = 1 DPU per worker, 2 at least)
  number_of_workers = 4

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "${var.glue_script_prefix}sanitise_job.py"
  }

  execution_property {
    # plan: runs of this job at once
    max_concurrent_runs = 4
  }
}

resource "aws_iam_role" "filter_seed_fixtures_role" {
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

resource "aws_iam_role" "glue_job_role" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "glue.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role" "pipeline_role" {
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

resource "aws_iam_role_policy" "filter_seed_fixtures_role" {
  role = aws_iam_role.filter_seed_fixtures_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.filter_seed_fixtures_logs.arn}:*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "glue_job_role" {
  role = aws_iam_role.glue_job_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "arn:${data.aws_partition.current.partition}:s3:::${var.glue_script_bucket_path}*"
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "arn:${data.aws_partition.current.partition}:s3:::${var.glue_data_path}*"
      },
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/aws-glue/*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "pipeline_role" {
  role = aws_iam_role.pipeline_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "lambda:InvokeFunction"
        Resource = aws_lambda_function.filter_seed_fixtures.arn
      },
      {
        Effect = "Allow"
        Action = ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"]
        Resource = [
          "arn:${data.aws_partition.current.partition}:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:job/${aws_glue_job.restore_job.name}",
          "arn:${data.aws_partition.current.partition}:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:job/${aws_glue_job.sanitise_job.name}",
          "arn:${data.aws_partition.current.partition}:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:job/${aws_glue_job.dump_job.name}",
        ]
      },
    ]
  })
}

# handler: src/filter_seed_fixtures/handler.py (python3 build.py writes dist/filter_seed_fixtures.zip)
resource "aws_lambda_function" "filter_seed_fixtures" {
  function_name = "${var.name_prefix}-filter-seed-fixtures"
  description   = "costplan qa-db-refresh-pipeline (pipes_and_filters, lambda): filter:seed-fixtures (job)"
  role          = aws_iam_role.filter_seed_fixtures_role.arn
  runtime       = "python3.12"
  handler       = "handler.handler"
  filename      = "${path.module}/dist/filter_seed_fixtures.zip"
  # redeploys when the built code changes (python3 build.py)
  source_code_hash = filebase64sha256("${path.module}/dist/filter_seed_fixtures.zip")
  # plan: filter:seed-fixtures memory_mb
  memory_size = 1024
  # plan: filter:seed-fixtures timeout (max(3 s, 2 x p99) unless set)
  timeout       = 90
  architectures = ["arm64"]

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.filter_seed_fixtures_logs.name
  }
}

resource "aws_sfn_state_machine" "pipeline" {
  name_prefix = "${var.name_prefix}-"
  role_arn    = aws_iam_role.pipeline_role.arn
  type        = "STANDARD"
  definition  = <<-EOT
{
  "Comment": "costplan qa-db-refresh-pipeline: pipes and filters",
  "StartAt": "Restore",
  "States": {
    "Restore": {
      "Type": "Task",
      "Resource": "arn:aws:states:::glue:startJobRun.sync",
      "Parameters": {
        "JobName": "${aws_glue_job.restore_job.name}"
      },
      "Retry": [
        {
          "ErrorEquals": [
            "States.ALL"
          ],
          "IntervalSeconds": 30,
          "MaxAttempts": 2,
          "BackoffRate": 2
        }
      ],
      "Next": "Sanitise"
    },
    "Sanitise": {
      "Type": "Task",
      "Resource": "arn:aws:states:::glue:startJobRun.sync",
      "Parameters": {
        "JobName": "${aws_glue_job.sanitise_job.name}"
      },
      "Retry": [
        {
          "ErrorEquals": [
            "States.ALL"
          ],
          "IntervalSeconds": 30,
          "MaxAttempts": 2,
          "BackoffRate": 2
        }
      ],
      "Next": "SeedFixtures"
    },
    "SeedFixtures": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "${aws_lambda_function.filter_seed_fixtures.arn}",
        "Payload.$": "$"
      },
      "OutputPath": "$.Payload",
      "Retry": [
        {
          "ErrorEquals": [
            "States.ALL"
          ],
          "IntervalSeconds": 30,
          "MaxAttempts": 2,
          "BackoffRate": 2
        }
      ],
      "Next": "Dump"
    },
    "Dump": {
      "Type": "Task",
      "Resource": "arn:aws:states:::glue:startJobRun.sync",
      "Parameters": {
        "JobName": "${aws_glue_job.dump_job.name}"
      },
      "Retry": [
        {
          "ErrorEquals": [
            "States.ALL"
          ],
          "IntervalSeconds": 30,
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
