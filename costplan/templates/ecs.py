"""The ECS service that replaces a Lambda stage: cluster, task definition, service with autoscaling bounds
from the plan, and an ALB for API stages. On Fargate (a valid CPU/memory pair) or on EC2 capacity: an
Auto Scaling group of ECS-optimised instances behind a capacity provider, sized by compare's ec2 option."""
from __future__ import annotations

from decimal import Decimal

from costplan.errors import CostplanError
from costplan.templates.build import Builder, Dual, F, P, Statement, num, pascal, snake
from costplan.templates.model import Blocks, C, Call, Expr, TfBlock

# Fargate task sizes: CPU units → allowed memory (MiB).
FARGATE = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4097, 1024)),
    1024: list(range(2048, 8193, 1024)),
    2048: list(range(4096, 16385, 1024)),
    4096: list(range(8192, 30721, 1024)),
    8192: list(range(16384, 61441, 4096)),
    16384: list(range(32768, 122881, 8192)),
}
PORT = 8080
# Public SSM parameters with the current ECS-optimised Amazon Linux 2023 AMI.
ECS_AMI = {"x86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
           "arm64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"}
ROOT_VOLUME_GB = 30  # the ECS-optimised AL2023 AMI's root volume size


def fargate_size(vcpu, memory_gb) -> tuple[int, int]:
    cpu = int(Decimal(vcpu) * 1024)
    mem = int(Decimal(memory_gb) * 1024)
    if cpu not in FARGATE or mem not in FARGATE[cpu]:
        raise CostplanError(f"ecs: {vcpu} vCPU / {memory_gb} GB is not a Fargate size; valid memory for "
                            f"{cpu} CPU units: {FARGATE.get(cpu, 'none (CPU must be 0.25, 0.5, 1, 2, 4, 8 or 16 vCPU)')}")
    return cpu, mem


def _inputs(b: Builder):
    if "VpcId" not in b.cfn.parameters:
        b.both_input("VpcId", "vpc_id", "AWS::EC2::VPC::Id", "string", "VPC for the ECS tasks and load balancer")
        b.both_input("SubnetIds", "subnet_ids", "List<AWS::EC2::Subnet::Id>", "list(string)",
                     "Subnets (two AZs or more) for the tasks and the load balancer")
        b.both_input("ContainerImage", "container_image", "String", "string",
                     "Container image URI for the service(s)")
        b.resource("Cluster", "AWS::ECS::Cluster",
                   {"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]},
                   "aws_ecs_cluster", {"name": "${var.name_prefix}-cluster",
                                       "setting": Blocks([{"name": "containerInsights", "value": "enabled"}])},
                   cfn_attrs={"name": "Ref", "arn": "GetAtt:Arn"}, tf_attrs={"name": "name", "arn": "arn"})
    from costplan.templates.build import Handle

    return Handle("Cluster", "aws_ecs_cluster", "cluster", (("name", "Ref"), ("arn", "GetAtt:Arn")),
                  (("name", "name"), ("arn", "arn")))


def ec2_capacity(b: Builder, cluster, cluster_sizing: dict, arch: str):
    """Once per cluster: ECS-optimised AMI, launch template, instance role and profile, Auto Scaling group,
    capacity provider with managed scaling, and the cluster's capacity provider association."""
    from costplan.templates.build import Handle

    cp = Handle("Ec2CapacityProvider", "aws_ecs_capacity_provider", "ec2_capacity_provider",
                (("name", "Ref"),), (("name", "name"),))
    if cp.cfn_id in b.cfn.resources:
        return cp
    itype = cluster_sizing.get("instance_type")
    if not itype:
        raise CostplanError("--compute ec2: compare has no ec2 sizing for this scenario (no ECS-capable stage)")
    lo = int(cluster_sizing.get("instances_min") or 1)
    peak = max(lo, int(cluster_sizing.get("instances_peak") or lo))
    # A rolling deploy (MaximumPercent 200) starts the new tasks before stopping the old ones: room for
    # twice the peak's instances. Managed scaling launches them only while a deploy needs them.
    hi = 2 * peak
    ssm = ECS_AMI["arm64" if arch == "arm64" else "x86_64"]
    ami = P("EcsAmiId", "")
    b.parameter(ami, "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                f"ECS-optimised Amazon Linux 2023 AMI ({arch}), resolved from the public SSM parameter", default=ssm)
    b.tf.data.append(TfBlock("data", ("aws_ssm_parameter", "ecs_ami"), {"name": ssm},
                             f"ECS-optimised Amazon Linux 2023 AMI ({arch})"))
    ami_id = Dual(ami, Expr("data.aws_ssm_parameter.ecs_ami.value"))
    # AWS managed policy, acceptable here: it is the documented minimum for the ECS agent on an instance
    # (register, poll, pull from ECR, send logs); the tasks get their own least-privilege task roles.
    role = b.role("Ec2InstanceRole", "ec2.amazonaws.com", [],
                  managed=["service-role/AmazonEC2ContainerServiceforEC2Role"])
    profile = b.resource("Ec2InstanceProfile", "AWS::IAM::InstanceProfile", {"Roles": [role("name")]},
                         "aws_iam_instance_profile", {"role": role("name")},
                         cfn_attrs={"arn": "GetAtt:Arn"}, tf_attrs={"arn": "arn"})
    sg = b.resource("Ec2InstanceSecurityGroup", "AWS::EC2::SecurityGroup", {
        "GroupDescription": "ECS container instances (tasks have their own security groups)",
        "VpcId": P("VpcId", "vpc_id")},
        "aws_security_group", {"description": "ECS container instances (tasks have their own security groups)",
                               "vpc_id": P("VpcId", "vpc_id"), "egress": [_egress_tf()]},
        cfn_attrs={"id": "GetAtt:GroupId"}, tf_attrs={"id": "id"})
    user_data = F("#!/bin/bash\necho ECS_CLUSTER={0} >> /etc/ecs/ecs.config\n", (cluster("name"),))
    itype_c = C(itype, "plan: cluster.instance_type (compare's ec2 option)")
    hop = C(1, "IMDSv2 only, one hop: containers use their task role, not the instance's")
    vol = C(int(Decimal(str(cluster_sizing.get("root_volume_gb", ROOT_VOLUME_GB)))),
            "plan: ec2.root_volume_gb (the ECS-optimised AMI's 30 GiB by default; priced as gp3)")
    lt = b.resource("Ec2LaunchTemplate", "AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {
        "ImageId": ami_id, "InstanceType": itype_c,
        "IamInstanceProfile": {"Arn": profile("arn")}, "SecurityGroupIds": [sg("id")],
        "UserData": {"Fn::Base64": user_data},
        "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": hop},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
            "VolumeSize": vol, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}}],
        "Monitoring": {"Enabled": True}}},
        "aws_launch_template", {
        "name_prefix": "${var.name_prefix}-ecs-", "image_id": ami_id, "instance_type": itype_c,
        "vpc_security_group_ids": [sg("id")],
        "user_data": Call("base64encode", user_data),
        "iam_instance_profile": Blocks([{"arn": profile("arn")}]),
        "metadata_options": Blocks([{"http_endpoint": "enabled", "http_tokens": "required",
                                     "http_put_response_hop_limit": hop}]),
        "block_device_mappings": Blocks([{"device_name": "/dev/xvda", "ebs": Blocks([{
            "volume_size": vol, "volume_type": "gp3", "encrypted": True, "delete_on_termination": True}])}]),
        "monitoring": Blocks([{"enabled": True}])},
        cfn_attrs={"id": "Ref", "version": "GetAtt:LatestVersionNumber"},
        tf_attrs={"id": "id", "version": "latest_version"})
    min_why = "plan: cluster.instances_min (ec2.min_instances, two AZs)"
    max_why = f"2 x plan: cluster.instances_peak ({peak}): room for a rolling deploy at the peak"
    asg = b.resource("Ec2AutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup", {
        "MinSize": C(str(lo), min_why), "MaxSize": C(str(hi), max_why),
        "VPCZoneIdentifier": P("SubnetIds", "subnet_ids"),
        "LaunchTemplate": {"LaunchTemplateId": lt("id"), "Version": lt("version")},
        "Tags": [{"Key": "AmazonECSManaged", "Value": "true", "PropagateAtLaunch": True}]},
        "aws_autoscaling_group", {
        "name_prefix": "${var.name_prefix}-ecs-", "min_size": C(lo, min_why), "max_size": C(hi, max_why),
        "vpc_zone_identifier": P("SubnetIds", "subnet_ids"),
        "launch_template": Blocks([{"id": lt("id"), "version": lt("version")}]),
        "tag": Blocks([{"key": "AmazonECSManaged", "value": "true", "propagate_at_launch": True}]),
        "lifecycle": Blocks([{"ignore_changes": [Expr("desired_capacity")]}])},
        cfn_attrs={"name": "Ref"}, tf_attrs={"arn": "arn", "name": "name"})
    target = C(100, "managed scaling keeps the instances full; the services scale the tasks")
    b.resource(cp.cfn_id, "AWS::ECS::CapacityProvider", {"AutoScalingGroupProvider": {
        "AutoScalingGroupArn": asg("name"),
        "ManagedScaling": {"Status": "ENABLED", "TargetCapacity": target},
        "ManagedTerminationProtection": "DISABLED"}},
        cp.tf_type, {"name": "${var.name_prefix}-ec2", "auto_scaling_group_provider": Blocks([{
            "auto_scaling_group_arn": asg("arn"), "managed_termination_protection": "DISABLED",
            "managed_scaling": Blocks([{"status": "ENABLED", "target_capacity": target}])}])},
        tf_name=cp.tf_name)
    strategy_why = "all tasks on the EC2 capacity provider"
    b.resource("ClusterCapacityProviders", "AWS::ECS::ClusterCapacityProviderAssociations", {
        "Cluster": cluster("name"), "CapacityProviders": [cp("name")],
        "DefaultCapacityProviderStrategy": [{"CapacityProvider": cp("name"), "Weight": C(1, strategy_why)}]},
        "aws_ecs_cluster_capacity_providers", {
        "cluster_name": cluster("name"), "capacity_providers": [cp("name")],
        "default_capacity_provider_strategy": Blocks([{"capacity_provider": cp("name"),
                                                       "weight": C(1, strategy_why)}])})
    return cp


def _expect_network(b: Builder, ecs, on_ec2: bool) -> None:
    """The network the ECS design runs in is an input (VpcId, SubnetIds); what the plan prices for it
    that no resource here creates is named in the header as what the template expects."""
    if int(ecs.nat_gateways or 0) > 0:
        b.expect(f"VPC whose SubnetIds reach the internet through {int(ecs.nat_gateways)} NAT gateway(s) "
                 "(ecs.nat_gateways)", "vpc.nat_gateway_hours (network)", "vpc.nat_gateway_data (network)",
                 "vpc.public_ipv4_hours (NAT gateway)")
    if on_ec2 and ecs.public_ipv4:
        b.expect("set of public SubnetIds that give each container instance a public IPv4 at launch "
                 "(MapPublicIpOnLaunch; ecs.public_ipv4)", "vpc.public_ipv4_hours (network)")


def fargate_service(b: Builder, stage, ecs, sizing: dict, statements: list[Statement], env: dict,
                    ec2: dict | None = None, queue=None, websocket: dict | None = None):
    """ec2: compare's cluster sizing (instance_type, instances_min, instances_peak) to run the service on
    an EC2 capacity provider instead of Fargate. queue: the queue handle a consumer service drains; it
    then scales on its backlog per task instead of CPU. websocket: {"idle_s", "session_s"} for a service
    that holds WebSockets behind its ALB (idle timeout and stickiness from the plan)."""
    cluster = _inputs(b)
    _expect_network(b, ecs, ec2 is not None)
    cid = pascal(stage.name)
    name = snake(cid).replace("_", "-")
    arch = (ecs.architecture or stage.architecture)
    # the task size compare chose (cheapest valid Fargate size, or the share of an instance on EC2)
    vcpu = Decimal(str(sizing.get("vcpu", sizing.get("task_vcpu", ecs.vcpu or 1))))
    mem_gb = Decimal(str(sizing.get("memory_gb", sizing.get("task_memory_gb", ecs.memory_gb or 2))))
    if ec2 is None:
        cpu, mem = fargate_size(vcpu, mem_gb)
        cpu_c = C(str(cpu), f"plan: vcpu {num(vcpu)} (valid Fargate pair, rule CP601)")
    else:
        cpu, mem = int(vcpu * 1024), int(mem_gb * 1024)
        cpu_c = C(str(cpu), f"plan: task vcpu {num(vcpu)}")
        cp = ec2_capacity(b, cluster, ec2, arch)
        if ecs.public_ipv4:
            b.notes.append(f"{stage.name}: ecs.public_ipv4 does not apply on EC2 (awsvpc tasks get no public IP); "
                           "the subnets need a NAT gateway or VPC endpoints")
    cpu_arch = "ARM64" if arch == "arm64" else "X86_64"
    logs = b.resource(f"{cid}TaskLogs", "AWS::Logs::LogGroup", {"RetentionInDays": 30}, "aws_cloudwatch_log_group",
                      {"name": f"/ecs/${{var.name_prefix}}-{name}", "retention_in_days": 30},
                      cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"}, tf_attrs={"arn": "arn", "name": "name"})
    log_arn = Dual(logs("arn"), F("{0}:*", (logs("arn"),)))
    exec_role = b.role(f"{cid}ExecutionRole", "ecs-tasks.amazonaws.com", [
        Statement(["ecr:GetAuthorizationToken"], ["*"], "AWS requires resource * for this action"),
        Statement(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                  [F("arn:{partition}:ecr:{region}:{account}:repository/*")], "pull from this account's ECR"),
        Statement(["logs:CreateLogStream", "logs:PutLogEvents"], [log_arn], "own log group")])
    task_role = b.role(f"{cid}TaskRole", "ecs-tasks.amazonaws.com", statements)
    container = {"Name": "app", "Image": P("ContainerImage", "container_image"), "Essential": True,
                 "Environment": [{"Name": k, "Value": v} for k, v in env.items()],
                 "LogConfiguration": {"LogDriver": "awslogs", "Options": {
                     "awslogs-group": logs("name"), "awslogs-region": F("{region}"), "awslogs-stream-prefix": "app"}}}
    tf_container = {"name": "app", "image": P("ContainerImage", "container_image"), "essential": True,
                    "environment": [{"name": k, "value": v} for k, v in env.items()],
                    "logConfiguration": {"logDriver": "awslogs", "options": {
                        "awslogs-group": logs("name"), "awslogs-region": F("{region}"),
                        "awslogs-stream-prefix": "app"}}}
    if stage.role == "api":
        container["PortMappings"] = [{"ContainerPort": PORT, "Protocol": "tcp"}]
        tf_container["portMappings"] = [{"containerPort": PORT, "protocol": "tcp"}]
    mem_c = C(str(mem), f"plan: memory_gb {num(mem_gb)}")
    compat = "FARGATE" if ec2 is None else "EC2"
    td_props = {"RequiresCompatibilities": [compat], "NetworkMode": "awsvpc", "Cpu": cpu_c, "Memory": mem_c,
                "RuntimePlatform": {"CpuArchitecture": C(cpu_arch, "plan: architecture"),
                                    "OperatingSystemFamily": "LINUX"},
                "ExecutionRoleArn": exec_role("arn"), "TaskRoleArn": task_role("arn"),
                "ContainerDefinitions": [container]}
    td_tf = {"family": f"${{var.name_prefix}}-{name}", "requires_compatibilities": [compat],
             "network_mode": "awsvpc", "cpu": cpu_c, "memory": mem_c,
             "execution_role_arn": exec_role("arn"), "task_role_arn": task_role("arn"),
             "container_definitions": Call("jsonencode", [tf_container]),
             "runtime_platform": Blocks([{"cpu_architecture": C(cpu_arch, "plan: architecture"),
                                          "operating_system_family": "LINUX"}])}
    if ec2 is not None:  # on EC2 the AMI and instance type set the architecture
        del td_props["RuntimePlatform"], td_tf["runtime_platform"]
    td = b.resource(f"{cid}TaskDefinition", "AWS::ECS::TaskDefinition", td_props,
                    "aws_ecs_task_definition", td_tf, cfn_attrs={"arn": "Ref"}, tf_attrs={"arn": "arn"})
    task_sg = b.resource(f"{cid}TaskSecurityGroup", "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{stage.name} tasks", "VpcId": P("VpcId", "vpc_id")},
        "aws_security_group", {"description": f"{stage.name} tasks", "vpc_id": P("VpcId", "vpc_id"),
                               "egress": [_egress_tf()]},
        cfn_attrs={"id": "GetAtt:GroupId"}, tf_attrs={"id": "id"})
    lb_parts = None
    depends = None
    if stage.role == "api":
        lb_parts = _alb(b, cid, name, task_sg, websocket=websocket)
        depends = [f"{cid}Listener"]
    lo, hi = int(sizing.get("tasks_min") or ecs.min_tasks), int(sizing.get("tasks_peak") or ecs.min_tasks)
    hi = max(hi, lo)
    desired = C(lo, "plan: ecs.min_tasks")
    # No DesiredCount in CloudFormation: Application Auto Scaling owns it (a stack update would reset the
    # running count to it); the service starts at the scalable target's minimum.
    svc_props = {"Cluster": cluster("name"), "TaskDefinition": td("arn"), "LaunchType": "FARGATE",
                 "DeploymentConfiguration": {"MaximumPercent": 200, "MinimumHealthyPercent": 100,
                                             "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}},
                 "NetworkConfiguration": {"AwsvpcConfiguration": {
                     "Subnets": P("SubnetIds", "subnet_ids"), "SecurityGroups": [task_sg("id")],
                     "AssignPublicIp": C("ENABLED" if ecs.public_ipv4 else "DISABLED", "scenario: ecs.public_ipv4")}}}
    svc_tf = {"name": name, "cluster": cluster("arn"), "task_definition": td("arn"), "launch_type": "FARGATE",
              "desired_count": desired, "deployment_maximum_percent": 200,
              "deployment_minimum_healthy_percent": 100,
              "deployment_circuit_breaker": Blocks([{"enable": True, "rollback": True}]),
              "network_configuration": Blocks([{"subnets": P("SubnetIds", "subnet_ids"),
                                                "security_groups": [task_sg("id")],
                                                "assign_public_ip": C(bool(ecs.public_ipv4), "scenario: ecs.public_ipv4")}]),
              "lifecycle": Blocks([{"ignore_changes": [Expr("desired_count")]}])}
    if ec2 is not None:
        strategy_why = "plan: compute ec2 (the cluster's capacity provider)"
        del svc_props["LaunchType"], svc_tf["launch_type"]
        del svc_props["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"]
        del svc_tf["network_configuration"].bodies[0]["assign_public_ip"]
        svc_props["CapacityProviderStrategy"] = [{"CapacityProvider": cp("name"), "Weight": C(1, strategy_why)}]
        svc_tf["capacity_provider_strategy"] = Blocks([{"capacity_provider": cp("name"),
                                                        "weight": C(1, strategy_why)}])
        # the association must exist before a service can use the provider (and stay until it is gone)
        depends = (depends or []) + ["ClusterCapacityProviders"]
        svc_tf["depends_on"] = [Expr("aws_ecs_cluster_capacity_providers.cluster_capacity_providers")]
    if lb_parts is not None:
        tg, _ = lb_parts
        svc_props["LoadBalancers"] = [{"ContainerName": "app", "ContainerPort": PORT, "TargetGroupArn": tg("arn")}]
        svc_tf["load_balancer"] = Blocks([{"container_name": "app", "container_port": PORT, "target_group_arn": tg("arn")}])
        svc_tf["depends_on"] = svc_tf.get("depends_on", []) + [Expr(f"aws_lb_listener.{snake(cid + 'Listener')}")]
    svc = b.resource(f"{cid}Service", "AWS::ECS::Service", svc_props, "aws_ecs_service", svc_tf,
                     cfn_attrs={"name": "GetAtt:Name"}, tf_attrs={"name": "name"}, depends_on=depends)
    target = b.resource(f"{cid}ScalableTarget", "AWS::ApplicationAutoScaling::ScalableTarget", {
        "ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount",
        "ResourceId": F("service/{0}/{1}", (cluster("name"), svc("name"))),
        "MinCapacity": C(lo, "plan: tasks_min (ecs.min_tasks, two AZs)"),
        "MaxCapacity": C(hi, "plan: tasks_peak (tasks the peak needs at the target utilization)")},
        "aws_appautoscaling_target", {
        "service_namespace": "ecs", "scalable_dimension": "ecs:service:DesiredCount",
        "resource_id": F("service/{0}/{1}", (cluster("name"), svc("name"))),
        "min_capacity": C(lo, "plan: tasks_min (ecs.min_tasks, two AZs)"),
        "max_capacity": C(hi, "plan: tasks_peak (tasks the peak needs at the target utilization)")},
        cfn_attrs={"id": "Ref"}, tf_attrs={"resource_id": "resource_id", "dimension": "scalable_dimension",
                                          "namespace": "service_namespace"})
    if queue is not None:
        _backlog_policy(b, cid, name, stage, ecs, sizing, target, cluster, svc, queue)
    else:
        util = C(num(Decimal(ecs.target_utilization) * 100), "scenario: ecs.target_utilization")
        b.resource(f"{cid}ScalingPolicy", "AWS::ApplicationAutoScaling::ScalingPolicy", {
            "PolicyName": f"{name}-cpu", "PolicyType": "TargetTrackingScaling", "ScalingTargetId": target("id"),
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": util,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}},
            "aws_appautoscaling_policy", {
            "name": f"{name}-cpu", "policy_type": "TargetTrackingScaling",
            "resource_id": target("resource_id"), "scalable_dimension": target("dimension"),
            "service_namespace": target("namespace"),
            "target_tracking_scaling_policy_configuration": Blocks([{
                "target_value": util, "predefined_metric_specification": Blocks([
                    {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}])}])})
    return svc


BACKLOG_SECONDS = 60  # the backlog a consumer task may hold, in seconds of its own work


def backlog_target(stage, ecs, sizing: dict) -> Decimal:
    """Messages per task the consumer service tracks: what one task handles in BACKLOG_SECONDS at the
    target utilization (per-task invocations/s × messages per invocation), at least 1. AWS's
    recommended metric for queue workers: acceptable latency ÷ processing time per message."""
    per_task = sizing.get("per_task_rps")  # compare's sizing of this stage (what one task serves)
    if per_task is None:
        raise CostplanError(f"--compute ecs: compare has no sizing for stage {stage.name!r}")
    per_task = Decimal(str(per_task))
    msgs = per_task * Decimal(ecs.target_utilization) * max(1, int(stage.batch_size)) * BACKLOG_SECONDS
    return max(Decimal(1), msgs.to_integral_value())


def _backlog_policy(b: Builder, cid: str, name: str, stage, ecs, sizing: dict, target, cluster, svc, queue) -> None:
    """Target tracking on visible messages ÷ running tasks (metric math; RunningTaskCount is a Container
    Insights metric, which the cluster enables). CPU says little about an I/O-bound queue worker."""
    value = C(num(backlog_target(stage, ecs, sizing)),
              f"backlog per task: {BACKLOG_SECONDS} s of one task's work at ecs.target_utilization")
    visible = {"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
               "Dimensions": [{"Name": "QueueName", "Value": queue("name")}]}
    running = {"Namespace": "ECS/ContainerInsights", "MetricName": "RunningTaskCount",
               "Dimensions": [{"Name": "ClusterName", "Value": cluster("name")},
                              {"Name": "ServiceName", "Value": svc("name")}]}
    metrics_cfn = [
        {"Id": "visible", "MetricStat": {"Metric": visible, "Stat": "Sum"}, "ReturnData": False},
        {"Id": "tasks", "MetricStat": {"Metric": running, "Stat": "Average"}, "ReturnData": False},
        {"Id": "backlog", "Expression": "visible / MAX([tasks, 1])", "Label": "messages per task",
         "ReturnData": True}]

    def tf_metric(m: dict) -> Blocks:
        return Blocks([{"namespace": m["Namespace"], "metric_name": m["MetricName"],
                        "dimensions": Blocks([{"name": d["Name"], "value": d["Value"]} for d in m["Dimensions"]])}])

    metrics_tf = Blocks([
        {"id": "visible", "return_data": False,
         "metric_stat": Blocks([{"metric": tf_metric(visible), "stat": "Sum"}])},
        {"id": "tasks", "return_data": False,
         "metric_stat": Blocks([{"metric": tf_metric(running), "stat": "Average"}])},
        {"id": "backlog", "expression": "visible / MAX([tasks, 1])", "label": "messages per task",
         "return_data": True}])
    b.resource(f"{cid}ScalingPolicy", "AWS::ApplicationAutoScaling::ScalingPolicy", {
        "PolicyName": f"{name}-backlog", "PolicyType": "TargetTrackingScaling", "ScalingTargetId": target("id"),
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": value, "CustomizedMetricSpecification": {"Metrics": metrics_cfn}}},
        "aws_appautoscaling_policy", {
        "name": f"{name}-backlog", "policy_type": "TargetTrackingScaling",
        "resource_id": target("resource_id"), "scalable_dimension": target("dimension"),
        "service_namespace": target("namespace"),
        "target_tracking_scaling_policy_configuration": Blocks([{
            "target_value": value, "customized_metric_specification": Blocks([{"metrics": metrics_tf}])}])})


def _egress_tf() -> dict:
    return {"description": "all outbound", "from_port": 0, "to_port": 0, "protocol": "-1",
            "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
            "self": False}


# Elastic Load Balancing's log-delivery account per region, for the access-log bucket policy: AWS's table
# "Regions available before August 2022" in "Enable access logs for your Application Load Balancer",
# step 2 (attach a policy to your S3 bucket),
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
# (checked 2026-11-30 against the page's mirror in hashicorp/terraform-provider-aws,
# internal/service/elb/service_account_data_source.go, which cites it; GovCloud and China omitted).
# Regions opened in August 2022 or later (me-central-1, ap-south-2, eu-south-2, eu-central-2, il-central-1,
# ca-west-1, ap-southeast-4/5/7, mx-central-1 ...) have no account: the policy names the service principal
# logdelivery.elasticloadbalancing.amazonaws.com instead (the same page, "Regions available as of August 2022").
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864", "ap-northeast-2": "600734575887", "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",  # Jakarta opened December 2021: it has an account (was missing here)
    "ca-central-1": "985666609251", "eu-central-1": "054676820928", "eu-north-1": "897822967062",
    "eu-south-1": "635631232127", "eu-west-1": "156460612806", "eu-west-2": "652711504416",
    "eu-west-3": "009996457667", "me-south-1": "076674570225", "sa-east-1": "507241528517",
}
ELB_LOG_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


def elb_log_principal(region: str) -> dict:
    """Who writes an ALB's access logs in this region: the ELB account, or (regions since August 2022)
    the log-delivery service principal."""
    account = ELB_LOG_ACCOUNTS.get(region)
    return {"AWS": f"arn:aws:iam::{account}:root"} if account else {"Service": ELB_LOG_SERVICE}


def _alb_logs_bucket(b: Builder, cid: str):
    from costplan.templates import components as c

    bucket = c.bucket(b, f"{cid}AccessLogsBucket")
    principal = elb_log_principal(b.region)
    stmt = {"Effect": "Allow", "Principal": principal, "Action": "s3:PutObject",
            "Resource": F("{0}/AWSLogs/{account}/*", (bucket("arn"),))}
    doc = {"Version": "2012-10-17", "Statement": [stmt]}
    from costplan.templates.build import to_tf
    pol = b.resource(f"{cid}AccessLogsBucketPolicy", "AWS::S3::BucketPolicy",
                     {"Bucket": bucket("name"), "PolicyDocument": doc},
                     "aws_s3_bucket_policy", {"bucket": bucket("name"), "policy": Call("jsonencode", to_tf(doc))})
    return bucket, pol


ALB_MAX_IDLE_S = 4000  # the ALB's idle timeout range is 1-4,000 s
STICKY_MAX_S = 604800  # lb_cookie duration: 1 s to 7 days


def _alb(b: Builder, cid: str, name: str, task_sg, websocket: dict | None = None):
    cert = P("CertificateArn", "certificate_arn")
    if "CertificateArn" not in b.cfn.parameters:
        b.both_input("CertificateArn", "certificate_arn", "String", "string",
                     "ACM certificate ARN for the load balancer's HTTPS listener (HTTP redirects to it)")
    def ingress(port, why):
        return ({"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": "0.0.0.0/0", "Description": why},
                {"description": why, "from_port": port, "to_port": port, "protocol": "tcp",
                 "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
                 "self": False})
    https, http = ingress(443, "HTTPS from anywhere"), ingress(80, "HTTP from anywhere (redirected to HTTPS)")
    lb_sg = b.resource(f"{cid}LoadBalancerSecurityGroup", "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{cid} load balancer", "VpcId": P("VpcId", "vpc_id"),
        "SecurityGroupIngress": [https[0], http[0]]},
        "aws_security_group", {
        "description": f"{cid} load balancer", "vpc_id": P("VpcId", "vpc_id"),
        "ingress": [https[1], http[1]], "egress": [_egress_tf()]},
        cfn_attrs={"id": "GetAtt:GroupId"}, tf_attrs={"id": "id"})
    b.resource(f"{cid}TaskIngress", "AWS::EC2::SecurityGroupIngress", {
        "GroupId": task_sg("id"), "IpProtocol": "tcp", "FromPort": PORT, "ToPort": PORT,
        "SourceSecurityGroupId": lb_sg("id"), "Description": "from the load balancer"},
        "aws_vpc_security_group_ingress_rule", {
        "security_group_id": task_sg("id"), "ip_protocol": "tcp", "from_port": PORT, "to_port": PORT,
        "referenced_security_group_id": lb_sg("id"), "description": "from the load balancer"})
    logs, logs_policy = _alb_logs_bucket(b, cid)
    drop = C("true", "reject requests with invalid header fields (request smuggling)")
    ws_attrs, ws_tf, tg_attrs, tg_tf = [], {}, {}, {}
    if websocket is not None:
        # A WebSocket is one long-lived connection: the ALB must not close it between pushes (clients ping
        # within the idle time). Stickiness keeps a client's handshake requests (libraries that poll over
        # HTTP before the upgrade) and its reconnects within a session on one task.
        idle = min(int(Decimal(str(websocket["idle_s"]))), ALB_MAX_IDLE_S)
        idle_c = C(str(idle), "plan: websocket idle_s (clients ping within it; the ALB allows up to 4,000 s)")
        ws_attrs = [{"Key": "idle_timeout.timeout_seconds", "Value": idle_c}]
        ws_tf = {"idle_timeout": C(idle, idle_c.comment)}
        sticky = min(int(Decimal(str(websocket["session_s"]))), STICKY_MAX_S)
        why = "plan: websocket session_s (one task per client for a session)"
        tg_attrs = {"TargetGroupAttributes": [
            {"Key": "stickiness.enabled", "Value": "true"}, {"Key": "stickiness.type", "Value": "lb_cookie"},
            {"Key": "stickiness.lb_cookie.duration_seconds", "Value": C(str(sticky), why)}]}
        tg_tf = {"stickiness": Blocks([{"enabled": True, "type": "lb_cookie", "cookie_duration": C(sticky, why)}])}
    lb = b.resource(f"{cid}LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "Type": "application", "Scheme": "internet-facing", "Subnets": P("SubnetIds", "subnet_ids"),
        "SecurityGroups": [lb_sg("id")],
        "LoadBalancerAttributes": [
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": drop},
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": logs("name")}] + ws_attrs},
        "aws_lb", {"name_prefix": name[:6], "load_balancer_type": "application", "internal": False,
                   "subnets": P("SubnetIds", "subnet_ids"), "security_groups": [lb_sg("id")],
                   "drop_invalid_header_fields": C(True, "reject requests with invalid header fields (request smuggling)"),
                   "access_logs": Blocks([{"bucket": logs("name"), "enabled": True}]), **ws_tf,
                   "depends_on": [Expr(f"aws_s3_bucket_policy.{logs_policy.tf_name}")]},
        cfn_attrs={"arn": "Ref", "dns": "GetAtt:DNSName"}, tf_attrs={"arn": "arn", "dns": "dns_name"},
        depends_on=[logs_policy.cfn_id])
    tg = b.resource(f"{cid}TargetGroup", "AWS::ElasticLoadBalancingV2::TargetGroup", {
        "TargetType": "ip", "Protocol": "HTTP", "Port": PORT, "VpcId": P("VpcId", "vpc_id"),
        "HealthCheckPath": "/health", **tg_attrs},
        "aws_lb_target_group", {"name_prefix": name[:6], "target_type": "ip", "protocol": "HTTP", "port": PORT,
                                "vpc_id": P("VpcId", "vpc_id"),
                                "health_check": Blocks([{"path": "/health"}]), **tg_tf},
        cfn_attrs={"arn": "Ref"}, tf_attrs={"arn": "arn"})
    policy = C("ELBSecurityPolicy-TLS13-1-2-2021-06", "TLS 1.3 and 1.2 only")
    b.resource(f"{cid}Listener", "AWS::ElasticLoadBalancingV2::Listener", {
        "LoadBalancerArn": lb("arn"), "Port": 443, "Protocol": "HTTPS", "SslPolicy": policy,
        "Certificates": [{"CertificateArn": cert}],
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg("arn")}]},
        "aws_lb_listener", {"load_balancer_arn": lb("arn"), "port": 443, "protocol": "HTTPS", "ssl_policy": policy,
                            "certificate_arn": cert,
                            "default_action": Blocks([{"type": "forward", "target_group_arn": tg("arn")}])})
    redirect = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    b.resource(f"{cid}HttpRedirectListener", "AWS::ElasticLoadBalancingV2::Listener", {
        "LoadBalancerArn": lb("arn"), "Port": 80, "Protocol": "HTTP",
        "DefaultActions": [{"Type": "redirect", "RedirectConfig": redirect}]},
        "aws_lb_listener", {"load_balancer_arn": lb("arn"), "port": 80, "protocol": "HTTP",
                            "default_action": Blocks([{"type": "redirect", "redirect": Blocks([{
                                "protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}])}])})
    b.output(f"{cid}Url", F("https://{0}", (lb("dns"),)), f"{cid} load balancer URL (point your DNS name at it)")
    return tg, lb
