# costplan template for scenario 'steady-heavy-api' (ec2)
# Numbers come from the plan; each carries a comment naming the check or figure that set it.
# Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)
# Expects an existing set of public SubnetIds that give each container instance a public IPv4 at launch (MapPublicIpOnLaunch; ecs.public_ipv4): priced as vpc.public_ipv4_hours (network)
# note: api: ecs.public_ipv4 does not apply on EC2 (awsvpc tasks get no public IP); the subnets need a NAT gateway or VPC endpoints

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

data "aws_region" "current" {
}

# ECS-optimised Amazon Linux 2023 AMI (arm64)
data "aws_ssm_parameter" "ecs_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
}

resource "aws_appautoscaling_policy" "api_scaling_policy" {
  name               = "api-cpu"
  policy_type        = "TargetTrackingScaling"
  resource_id        = aws_appautoscaling_target.api_scalable_target.resource_id
  scalable_dimension = aws_appautoscaling_target.api_scalable_target.scalable_dimension
  service_namespace  = aws_appautoscaling_target.api_scalable_target.service_namespace

  target_tracking_scaling_policy_configuration {
    # scenario: ecs.target_utilization
    target_value = 70

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_target" "api_scalable_target" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.cluster.name}/${aws_ecs_service.api_service.name}"
  # plan: tasks_min (ecs.min_tasks, two AZs)
  min_capacity = 2
  # plan: tasks_peak (tasks the peak needs at the target utilization)
  max_capacity = 8
}

resource "aws_autoscaling_group" "ec2_auto_scaling_group" {
  name_prefix = "${var.name_prefix}-ecs-"
  # plan: cluster.instances_min (ec2.min_instances, two AZs)
  min_size = 2
  # 2 x plan: cluster.instances_peak (8): room for a rolling deploy at the peak
  max_size            = 16
  vpc_zone_identifier = var.subnet_ids

  launch_template {
    id      = aws_launch_template.ec2_launch_template.id
    version = aws_launch_template.ec2_launch_template.latest_version
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_cloudwatch_log_group" "api_task_logs" {
  name              = "/ecs/${var.name_prefix}-api"
  retention_in_days = 30
}

resource "aws_ecs_capacity_provider" "ec2_capacity_provider" {
  name = "${var.name_prefix}-ec2"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.ec2_auto_scaling_group.arn
    managed_termination_protection = "DISABLED"

    managed_scaling {
      status = "ENABLED"
      # managed scaling keeps the instances full; the services scale the tasks
      target_capacity = 100
    }
  }
}

resource "aws_ecs_cluster" "cluster" {
  name = "${var.name_prefix}-cluster"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "cluster_capacity_providers" {
  cluster_name       = aws_ecs_cluster.cluster.name
  capacity_providers = [aws_ecs_capacity_provider.ec2_capacity_provider.name]

  default_capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.ec2_capacity_provider.name
    # all tasks on the EC2 capacity provider
    weight = 1
  }
}

resource "aws_ecs_service" "api_service" {
  name            = "api"
  cluster         = aws_ecs_cluster.cluster.arn
  task_definition = aws_ecs_task_definition.api_task_definition.arn
  # plan: ecs.min_tasks
  desired_count                      = 2
  deployment_maximum_percent         = 200
  deployment_minimum_healthy_percent = 100
  depends_on = [
    aws_ecs_cluster_capacity_providers.cluster_capacity_providers,
    aws_lb_listener.api_listener,
  ]

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets         = var.subnet_ids
    security_groups = [aws_security_group.api_task_security_group.id]
  }

  lifecycle {
    ignore_changes = [desired_count]
  }

  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.ec2_capacity_provider.name
    # plan: compute ec2 (the cluster's capacity provider)
    weight = 1
  }

  load_balancer {
    container_name   = "app"
    container_port   = 8080
    target_group_arn = aws_lb_target_group.api_target_group.arn
  }
}

resource "aws_ecs_task_definition" "api_task_definition" {
  family                   = "${var.name_prefix}-api"
  requires_compatibilities = ["EC2"]
  network_mode             = "awsvpc"
  # plan: task vcpu 2
  cpu = "2048"
  # plan: memory_gb 3.8
  memory             = "3891"
  execution_role_arn = aws_iam_role.api_execution_role.arn
  task_role_arn      = aws_iam_role.api_task_role.arn
  container_definitions = jsonencode([
    {
      name        = "app"
      image       = var.container_image
      essential   = true
      environment = []
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.api_task_logs.name
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
}

resource "aws_iam_instance_profile" "ec2_instance_profile" {
  role = aws_iam_role.ec2_instance_role.name
}

resource "aws_iam_role" "api_execution_role" {
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

resource "aws_iam_role" "api_task_role" {
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

resource "aws_iam_role" "ec2_instance_role" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "ec2.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role_policy" "api_execution_role" {
  role = aws_iam_role.api_execution_role.id
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
        Resource = "${aws_cloudwatch_log_group.api_task_logs.arn}:*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "ec2_instance_role_amazon_ec2_container_servicefor_ec2_role" {
  role       = aws_iam_role.ec2_instance_role.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_launch_template" "ec2_launch_template" {
  name_prefix = "${var.name_prefix}-ecs-"
  image_id    = data.aws_ssm_parameter.ecs_ami.value
  # plan: cluster.instance_type (compare's ec2 option)
  instance_type          = "c6g.large"
  vpc_security_group_ids = [aws_security_group.ec2_instance_security_group.id]
  user_data              = base64encode("#!/bin/bash\necho ECS_CLUSTER=${aws_ecs_cluster.cluster.name} >> /etc/ecs/ecs.config\n")

  iam_instance_profile {
    arn = aws_iam_instance_profile.ec2_instance_profile.arn
  }

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
    # IMDSv2 only, one hop: containers use their task role, not the instance's
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      # plan: ec2.root_volume_gb (the ECS-optimised AMI's 30 GiB by default; priced as gp3)
      volume_size           = 30
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }
}

resource "aws_lb" "api_load_balancer" {
  name_prefix        = "api"
  load_balancer_type = "application"
  internal           = false
  subnets            = var.subnet_ids
  security_groups    = [aws_security_group.api_load_balancer_security_group.id]
  # reject requests with invalid header fields (request smuggling)
  drop_invalid_header_fields = true
  depends_on                 = [aws_s3_bucket_policy.api_access_logs_bucket_policy]

  access_logs {
    bucket  = aws_s3_bucket.api_access_logs_bucket.id
    enabled = true
  }
}

resource "aws_lb_listener" "api_http_redirect_listener" {
  load_balancer_arn = aws_lb.api_load_balancer.arn
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

resource "aws_lb_listener" "api_listener" {
  load_balancer_arn = aws_lb.api_load_balancer.arn
  port              = 443
  protocol          = "HTTPS"
  # TLS 1.3 and 1.2 only
  ssl_policy      = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api_target_group.arn
  }
}

resource "aws_lb_target_group" "api_target_group" {
  name_prefix = "api"
  target_type = "ip"
  protocol    = "HTTP"
  port        = 8080
  vpc_id      = var.vpc_id

  health_check {
    path = "/health"
  }
}

resource "aws_s3_bucket" "api_access_logs_bucket" {
  # bucket_prefix is at most 37 characters
  bucket_prefix = "${substr(var.name_prefix, 0, min(16, length(var.name_prefix)))}-api-access-logs-bu-"

  lifecycle {
    # a data store: delete it by hand
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_ownership_controls" "api_access_logs_bucket" {
  bucket = aws_s3_bucket.api_access_logs_bucket.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "api_access_logs_bucket_policy" {
  bucket = aws_s3_bucket.api_access_logs_bucket.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          AWS = "arn:aws:iam::127311923021:root"
        }
        Action   = "s3:PutObject"
        Resource = "${aws_s3_bucket.api_access_logs_bucket.arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
      },
    ]
  })
}

resource "aws_s3_bucket_public_access_block" "api_access_logs_bucket" {
  bucket                  = aws_s3_bucket.api_access_logs_bucket.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "api_access_logs_bucket" {
  bucket = aws_s3_bucket.api_access_logs_bucket.id

  rule {
    apply_server_side_encryption_by_default {
      # encryption at rest (SSE-S3)
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_security_group" "api_load_balancer_security_group" {
  description = "Api load balancer"
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

resource "aws_security_group" "api_task_security_group" {
  description = "api tasks"
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

resource "aws_security_group" "ec2_instance_security_group" {
  description = "ECS container instances (tasks have their own security groups)"
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

resource "aws_vpc_security_group_ingress_rule" "api_task_ingress" {
  security_group_id            = aws_security_group.api_task_security_group.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.api_load_balancer_security_group.id
  description                  = "from the load balancer"
}
