# costplan template for scenario 'stock-explorer-websocket' (fargate)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)
# note: websocket-server: clients connect with wss:// to the load balancer URL; the price feed (outside the pattern, as compare prices it) must deliver each update to every task

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

resource "aws_appautoscaling_policy" "websocket_server_scaling_policy" {
  name               = "websocket-server-cpu"
  policy_type        = "TargetTrackingScaling"
  resource_id        = aws_appautoscaling_target.websocket_server_scalable_target.resource_id
  scalable_dimension = aws_appautoscaling_target.websocket_server_scalable_target.scalable_dimension
  service_namespace  = aws_appautoscaling_target.websocket_server_scalable_target.service_namespace

  target_tracking_scaling_policy_configuration {
    # scenario: ecs.target_utilization
    target_value = 70

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_target" "websocket_server_scalable_target" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.cluster.name}/${aws_ecs_service.websocket_server_service.name}"
  # plan: tasks_min (ecs.min_tasks, two AZs)
  min_capacity = 2
  # plan: tasks_peak (tasks the peak needs at the target utilization)
  max_capacity = 46
}

resource "aws_cloudwatch_log_group" "websocket_server_task_logs" {
  name              = "/ecs/${var.name_prefix}-websocket-server"
  retention_in_days = 30
}

resource "aws_ecs_cluster" "cluster" {
  name = "${var.name_prefix}-cluster"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_service" "websocket_server_service" {
  name            = "websocket-server"
  cluster         = aws_ecs_cluster.cluster.arn
  task_definition = aws_ecs_task_definition.websocket_server_task_definition.arn
  launch_type     = "FARGATE"
  # plan: ecs.min_tasks
  desired_count                      = 2
  deployment_maximum_percent         = 200
  deployment_minimum_healthy_percent = 100
  depends_on                         = [aws_lb_listener.websocket_server_listener]

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets         = var.subnet_ids
    security_groups = [aws_security_group.websocket_server_task_security_group.id]
    # scenario: ecs.public_ipv4
    assign_public_ip = true
  }

  lifecycle {
    ignore_changes = [desired_count]
  }

  load_balancer {
    container_name   = "app"
    container_port   = 8080
    target_group_arn = aws_lb_target_group.websocket_server_target_group.arn
  }
}

resource "aws_ecs_task_definition" "websocket_server_task_definition" {
  family                   = "${var.name_prefix}-websocket-server"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  # plan: vcpu 0.5 (valid Fargate pair, rule CP601)
  cpu = "512"
  # plan: memory_gb 1
  memory             = "1024"
  execution_role_arn = aws_iam_role.websocket_server_execution_role.arn
  task_role_arn      = aws_iam_role.websocket_server_task_role.arn
  container_definitions = jsonencode([
    {
      name        = "app"
      image       = var.container_image
      essential   = true
      environment = []
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.websocket_server_task_logs.name
          awslogs-region        = "${data.aws_region.current.name}"
          awslogs-stream-prefix = "app"
        }
      }
      portMappings = [
        {
          containerPort = 8080
          protocol      = "tcp"
        },
      ]
    },
  ])

  runtime_platform {
    # plan: architecture
    cpu_architecture        = "ARM64"
    operating_system_family = "LINUX"
  }
}

resource "aws_iam_role" "websocket_server_execution_role" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "ecs-tasks.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role" "websocket_server_task_role" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "ecs-tasks.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role_policy" "websocket_server_execution_role" {
  role = aws_iam_role.websocket_server_execution_role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
        ]
        Resource = "arn:${data.aws_partition.current.partition}:ecr:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:repository/*"
      },
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.websocket_server_task_logs.arn}:*"
      },
    ]
  })
}

resource "aws_lb" "websocket_server_load_balancer" {
  name_prefix        = "websoc"
  load_balancer_type = "application"
  internal           = false
  subnets            = var.subnet_ids
  security_groups    = [aws_security_group.websocket_server_load_balancer_security_group.id]
  # reject requests with invalid header fields (request smuggling)
  drop_invalid_header_fields = true
  # plan: websocket idle_s (clients ping within it; the ALB allows up to 4,000 s)
  idle_timeout = 600
  depends_on   = [aws_s3_bucket_policy.websocket_server_access_logs_bucket_policy]

  access_logs {
    bucket  = aws_s3_bucket.websocket_server_access_logs_bucket.id
    enabled = true
  }
}

resource "aws_lb_listener" "websocket_server_http_redirect_listener" {
  load_balancer_arn = aws_lb.websocket_server_load_balancer.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "websocket_server_listener" {
  load_balancer_arn = aws_lb.websocket_server_load_balancer.arn
  port              = 443
  protocol          = "HTTPS"
  # TLS 1.3 and 1.2 only
  ssl_policy      = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.websocket_server_target_group.arn
  }
}

resource "aws_lb_target_group" "websocket_server_target_group" {
  name_prefix = "websoc"
  target_type = "ip"
  protocol    = "HTTP"
  port        = 8080
  vpc_id      = var.vpc_id

  health_check {
    path = "/health"
  }

  stickiness {
    enabled = true
    type    = "lb_cookie"
    # plan: websocket session_s (one task per client for a session)
    cookie_duration = 5400
  }
}

resource "aws_s3_bucket" "websocket_server_access_logs_bucket" {
  # bucket_prefix is at most 37 characters
  bucket_prefix = "${substr(var.name_prefix, 0, min(16, length(var.name_prefix)))}-websocket-server-a-"

  lifecycle {
    # a data store: delete it by hand
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_ownership_controls" "websocket_server_access_logs_bucket" {
  bucket = aws_s3_bucket.websocket_server_access_logs_bucket.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "websocket_server_access_logs_bucket_policy" {
  bucket = aws_s3_bucket.websocket_server_access_logs_bucket.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          AWS = "arn:aws:iam::127311923021:root"
        }
        Action   = "s3:PutObject"
        Resource = "${aws_s3_bucket.websocket_server_access_logs_bucket.arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
      },
    ]
  })
}

resource "aws_s3_bucket_public_access_block" "websocket_server_access_logs_bucket" {
  bucket                  = aws_s3_bucket.websocket_server_access_logs_bucket.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "websocket_server_access_logs_bucket" {
  bucket = aws_s3_bucket.websocket_server_access_logs_bucket.id

  rule {
    apply_server_side_encryption_by_default {
      # encryption at rest (SSE-S3)
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_security_group" "websocket_server_load_balancer_security_group" {
  description = "WebsocketServer load balancer"
  vpc_id      = var.vpc_id
  ingress = [
    {
      description      = "HTTPS from anywhere"
      from_port        = 443
      to_port          = 443
      protocol         = "tcp"
      cidr_blocks      = ["0.0.0.0/0"]
      ipv6_cidr_blocks = []
      prefix_list_ids  = []
      security_groups  = []
      self             = false
    },
    {
      description      = "HTTP from anywhere (redirected to HTTPS)"
      from_port        = 80
      to_port          = 80
      protocol         = "tcp"
      cidr_blocks      = ["0.0.0.0/0"]
      ipv6_cidr_blocks = []
      prefix_list_ids  = []
      security_groups  = []
      self             = false
    },
  ]
  egress = [
    {
      description      = "all outbound"
      from_port        = 0
      to_port          = 0
      protocol         = "-1"
      cidr_blocks      = ["0.0.0.0/0"]
      ipv6_cidr_blocks = []
      prefix_list_ids  = []
      security_groups  = []
      self             = false
    },
  ]
}

resource "aws_security_group" "websocket_server_task_security_group" {
  description = "websocket-server tasks"
  vpc_id      = var.vpc_id
  egress = [
    {
      description      = "all outbound"
      from_port        = 0
      to_port          = 0
      protocol         = "-1"
      cidr_blocks      = ["0.0.0.0/0"]
      ipv6_cidr_blocks = []
      prefix_list_ids  = []
      security_groups  = []
      self             = false
    },
  ]
}

resource "aws_vpc_security_group_ingress_rule" "websocket_server_task_ingress" {
  security_group_id            = aws_security_group.websocket_server_task_security_group.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.websocket_server_load_balancer_security_group.id
  description                  = "from the load balancer"
}
