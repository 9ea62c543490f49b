"""The ECS designs of the patterns whose code is pushed to (an SNS topic or EventBridge bus, an S3
notification, an IoT topic rule, a DynamoDB stream) or holds WebSockets — what `compare` prices as
`Plan.ecs_design`, on Fargate or on an EC2 capacity provider:

- the push lands in an SQS queue (with its DLQ, alarms, long polling and a policy or role that lets only
  that one source send), and an ECS service long-polls it, scaled on its backlog per task;
- the WebSocket service sits behind an ALB whose idle timeout and stickiness fit long-lived connections.

The services run the `ContainerImage` the user builds, as the other ECS designs do; their task roles
grant exactly what the plan's code does (consume its queue, read and write its bucket prefixes...)."""
from __future__ import annotations

import json

from costplan.errors import CostplanError
from costplan.templates import components as c
from costplan.templates.build import F, Function, Handle, P, Statement, pascal, snake, to_cfn, to_tf
from costplan.templates.ecs import fargate_service
from costplan.templates.model import Blocks, C, Call, Expr, TfBlock

LONG_POLL_S = 20  # compare prices an idle task's empty receives at one per 20 s (SQS's longest wait)


def emits(ctx) -> bool:
    """The template is the ECS design (resolve_compute has refused what cannot be emitted)."""
    return ctx.compute in ("fargate", "ec2")


def ecs_stages(ctx) -> list:
    return [s for s in ctx.plan.ecs_design.stages if s.ecs_capable]


def service(ctx, stage, statements: list[Statement], env: dict, queue: Handle | None = None,
            websocket: dict | None = None):
    ec2 = ctx.sizing.get("cluster", {}) if ctx.compute == "ec2" else None
    svc = fargate_service(ctx.b, stage, ctx.plan.scenario.ecs, ctx.sizing.get(stage.name, {}), statements, env,
                          ec2=ec2, queue=queue, websocket=websocket)
    ctx.ecs[stage.name] = svc
    return svc


def _queue_fact(ctx, stage) -> dict:
    for q in (ctx.facts.get("ecs") or {}).get("queues") or []:
        if q.get("consumer") == stage.name:
            return q
    raise CostplanError(f"--compute {ctx.compute}: the plan's ECS design has no queue for {stage.name}")


def long_poll(b, qh: Handle) -> None:
    """ReceiveMessageWaitTimeSeconds on the queue itself, so every receive is a long poll (as priced)."""
    why = "long polling: an idle task makes one empty receive per 20 s (as compare prices it)"
    b.cfn.resources[qh.cfn_id]["Properties"]["ReceiveMessageWaitTimeSeconds"] = C(LONG_POLL_S, why)
    for blk in b.tf.resources:
        if blk.labels == (qh.tf_type, qh.tf_name):
            blk.body["receive_wait_time_seconds"] = C(LONG_POLL_S, why)


def consumer(ctx, stage, statements: list[Statement], env: dict) -> Handle:
    """The plan's queue for a consumer service (DLQ with redrive, age and DLQ alarms, long polling) and the
    service, scaled on backlog per task, with its queue's receive/delete and the given grants."""
    b = ctx.b
    q = _queue_fact(ctx, stage)
    qh, dlq = c.queue(b, q, Function(stage, None, None, [], {}, ""))
    long_poll(b, qh)
    c.queue_alarms(b, q, qh, dlq, stage)
    env = {"QUEUE_URL": qh("url"), "RECEIVE_MAX_MESSAGES": str(int(q.get("receive_batch") or 1)),
           "WAIT_TIME_SECONDS": str(LONG_POLL_S), **env}
    service(ctx, stage, [c.consume_statement(qh)] + statements, env, queue=qh)
    return qh


def allow_send(b, qh: Handle, principal: str, source_arn, same_account: bool = False) -> str:
    """The queue's policy: only this service, from this source, may send to it. Returns its logical id."""
    cond: dict = {"ArnEquals": {"aws:SourceArn": source_arn}}
    if same_account:  # a bucket ARN has no account: name the account as well (confused deputy)
        cond = {"ArnLike": {"aws:SourceArn": source_arn}, "StringEquals": {"aws:SourceAccount": F("{account}")}}
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": principal}, "Action": "sqs:SendMessage",
        "Resource": qh("arn"), "Condition": cond}]}
    cid = f"{qh.cfn_id}Policy"
    b.resource(cid, "AWS::SQS::QueuePolicy", {"Queues": [qh("url")], "PolicyDocument": doc},
               "aws_sqs_queue_policy", {"queue_url": qh("url"), "policy": Call("jsonencode", doc)})
    return cid


# ---- pub/sub: SNS or EventBridge → an SQS queue per subscriber → a consumer service each -----------------

def pubsub(ctx, event_bus, filter_share) -> None:
    b = ctx.b
    fan = ctx.facts.get("fanout") or {}
    fq = c.failure_queue(b)  # what the topic or bus cannot deliver to a queue
    if fan.get("bus") == "eventbridge":
        bus, pattern = event_bus(b)
        for st in ecs_stages(ctx):
            qh = consumer(ctx, st, [], {})
            sid = pascal(st.name)
            rule = b.resource(f"{sid}Rule", "AWS::Events::Rule", {
                "EventBusName": bus("name"), "EventPattern": pattern, "State": "ENABLED",
                "Targets": [{"Id": "queue", "Arn": qh("arn"), "DeadLetterConfig": {"Arn": fq("arn")}}]},
                "aws_cloudwatch_event_rule", {"name_prefix": "${var.name_prefix}-", "event_bus_name": bus("name"),
                                              "event_pattern": Call("jsonencode", pattern)},
                cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"}, tf_attrs={"arn": "arn", "name": "name"})
            b.tf.resources.append(TfBlock("resource", ("aws_cloudwatch_event_target", rule.tf_name), to_tf({
                "rule": rule("name"), "event_bus_name": bus("name"), "arn": qh("arn"),
                "dead_letter_config": Blocks([{"arn": fq("arn")}])})))
            allow_send(b, qh, "events.amazonaws.com", rule("arn"))
            c.let_send_failures(b, "events.amazonaws.com", rule("arn"))
        b.output("EventBusName", bus("name"), "event bus to publish to")
        return
    th = c.topic(b, "Topic")
    c.let_send_failures(b, "sns.amazonaws.com", th("arn"))
    for st in ecs_stages(ctx):
        qh = consumer(ctx, st, [], {})
        sid = pascal(st.name)
        raw = C(True, "the queue receives the event as published (its size is what the plan prices)")
        props: dict = {"TopicArn": th("arn"), "Protocol": "sqs", "Endpoint": qh("arn"), "RawMessageDelivery": raw,
                       "RedrivePolicy": {"deadLetterTargetArn": fq("arn")}}
        tf: dict = {"topic_arn": th("arn"), "protocol": "sqs", "endpoint": qh("arn"), "raw_message_delivery": raw,
                    "redrive_policy": Call("jsonencode", {"deadLetterTargetArn": Expr(fq("arn").tf())})}
        share = filter_share(st)
        if share is not None and share < 1:
            fp = b.both_input(f"{sid}FilterPolicy", f"{snake(sid)}_filter_policy", "String", "string",
                              f"SNS filter policy (JSON, on message attributes) for {st.name}: the plan prices it "
                              f"at {share * 100:.0f} % of the events")
            props.update(FilterPolicy=fp, FilterPolicyScope="MessageAttributes")
            tf.update(filter_policy=fp, filter_policy_scope="MessageAttributes")
        pol = allow_send(b, qh, "sns.amazonaws.com", th("arn"))
        tf["depends_on"] = [Expr(f"aws_sqs_queue_policy.{snake(pol)}")]
        b.resource(f"{sid}Subscription", "AWS::SNS::Subscription", props, "aws_sns_topic_subscription", tf,
                   depends_on=[pol])
    b.output("TopicArn", th("arn"), "topic to publish to")


# ---- WebSocket notify: ALB (WebSocket) → the service that holds the connections ---------------------------

def websocket(ctx) -> None:
    ws = ctx.facts.get("websocket") or {}
    (st,) = ecs_stages(ctx)
    # no AWS permissions: connections and subscriptions live in the task (no table, no @connections)
    service(ctx, st, [], {}, websocket={"idle_s": ws.get("idle_s") or 600, "session_s": ws.get("session_s") or 3600})
    ctx.b.notes.append(f"{st.name}: clients connect with wss:// to the load balancer URL; the price feed (outside "
                       "the pattern, as compare prices it) must deliver each update to every task")


# ---- MQTT notify: IoT rule → SQS → publisher service → IoT Core -------------------------------------------

def mqtt_publisher(ctx, stage, rule_id: str, sql: str, statements: list[Statement], env: dict) -> None:
    b = ctx.b
    qh = consumer(ctx, stage, statements, env)
    fq = c.failure_queue(b)
    role = b.role(f"{rule_id}Role", "iot.amazonaws.com", [
        Statement(["sqs:SendMessage"], [qh("arn")], "the rule's action: feed events to the publisher's queue"),
        Statement(["sqs:SendMessage"], [fq("arn")], "the rule's error action")])
    b64 = C(False, "the event is JSON: the service reads it as sent")
    action = {"Sqs": {"QueueUrl": qh("url"), "RoleArn": role("arn"), "UseBase64": b64}}
    error = {"Sqs": {"QueueUrl": fq("url"), "RoleArn": role("arn"), "UseBase64": b64}}
    b.resource(rule_id, "AWS::IoT::TopicRule", {"TopicRulePayload": {
        "Sql": sql, "AwsIotSqlVersion": "2016-03-23", "RuleDisabled": False, "Actions": [action],
        "ErrorAction": error}},
        "aws_iot_topic_rule", {
        "name": Expr(f'replace("${{var.name_prefix}}_{snake(rule_id)}", "-", "_")'), "enabled": True, "sql": sql,
        "sql_version": "2016-03-23",
        "sqs": Blocks([{"queue_url": qh("url"), "role_arn": role("arn"), "use_base64": b64}]),
        "error_action": Blocks([{"sqs": Blocks([{"queue_url": fq("url"), "role_arn": role("arn"),
                                                 "use_base64": b64}])}]),
        "depends_on": [Expr(f"aws_iam_role_policy.{role.tf_name}")]},
        cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"}, tf_attrs={"arn": "arn", "name": "name"})


# ---- TTL timer: table stream → EventBridge Pipe (TTL deletes only) → SQS → expiry service -----------------

STREAM_RETRIES = 3  # as the Lambda design's stream mapping: then the record goes to the failure queue


def ttl(ctx, table: Handle, stage, pattern: dict, batch: int) -> None:
    b = ctx.b
    qh = consumer(ctx, stage, [Statement(["dynamodb:PutItem", "dynamodb:UpdateItem"], [table("arn")],
                                         "the expiry's writes the plan prices (writes_on_expiry)")],
                  {"TABLE_NAME": table("name")})
    fq = c.failure_queue(b)
    role = b.role("ExpiriesPipeRole", "pipes.amazonaws.com", [
        Statement(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                   "dynamodb:ListStreams"], [table("stream_arn")], "read the table's stream"),
        Statement(["sqs:SendMessage"], [qh("arn")], "the pipe's target"),
        Statement(["sqs:SendMessage"], [fq("arn")], "stream records that keep failing")])
    retries = C(STREAM_RETRIES, "then the record goes to the failure queue instead of blocking its shard")
    size = C(batch, "plan: stage batch size")
    start = C("LATEST", "required for stream sources")
    text = json.dumps(pattern, separators=(",", ":"))
    b.resource("ExpiriesPipe", "AWS::Pipes::Pipe", {
        "RoleArn": role("arn"), "Source": table("stream_arn"), "Target": qh("arn"), "DesiredState": "RUNNING",
        "SourceParameters": {
            "FilterCriteria": {"Filters": [{"Pattern": text}]},
            "DynamoDBStreamParameters": {"StartingPosition": start, "BatchSize": size,
                                         "MaximumRetryAttempts": retries,
                                         "DeadLetterConfig": {"Arn": fq("arn")}}}},
        "aws_pipes_pipe", {
        "name_prefix": "${var.name_prefix}-", "role_arn": role("arn"), "source": table("stream_arn"),
        "target": qh("arn"), "desired_state": "RUNNING",
        "source_parameters": Blocks([{
            "filter_criteria": Blocks([{"filter": Blocks([{"pattern": Call("jsonencode", pattern)}])}]),
            "dynamodb_stream_parameters": Blocks([{
                "starting_position": start, "batch_size": size, "maximum_retry_attempts": retries,
                "dead_letter_config": Blocks([{"arn": fq("arn")}])}])}]),
        "depends_on": [Expr(f"aws_iam_role_policy.{role.tf_name}")]},
        cfn_attrs={"arn": "GetAtt:Arn"}, tf_attrs={"arn": "arn"})


# ---- claim-check: S3 notification → SQS → resizer service ----------------------------------------------

def claim_check_resizer(ctx, stage, statements: list[Statement], env: dict) -> Handle:
    return consumer(ctx, stage, statements, env)


def notify_queue(b, bucket: Handle, name_param: P, qh: Handle, prefix: str) -> None:
    """The uploads bucket's ObjectCreated notification to the resizer's queue (the bucket is named by a
    parameter, so the queue policy names it without a cycle; S3 checks the policy when it is set)."""
    pol = allow_send(b, qh, "s3.amazonaws.com", F("arn:{partition}:s3:::{0}", (name_param,)), same_account=True)
    res = b.cfn.resources[bucket.cfn_id]
    res["Properties"]["NotificationConfiguration"] = to_cfn({"QueueConfigurations": [{
        "Event": "s3:ObjectCreated:*", "Queue": qh("arn"),
        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": C(prefix, "plan: s3.trigger_prefix")}]}}}]})
    dep = res.get("DependsOn")
    res["DependsOn"] = ([dep] if isinstance(dep, str) else list(dep or [])) + [pol]
    if len(res["DependsOn"]) == 1:
        res["DependsOn"] = res["DependsOn"][0]
    b.tf.resources.append(TfBlock("resource", ("aws_s3_bucket_notification", bucket.tf_name), to_tf({
        "bucket": bucket("name"),
        "queue": Blocks([{"queue_arn": qh("arn"), "events": ["s3:ObjectCreated:*"],
                          "filter_prefix": C(prefix, "plan: s3.trigger_prefix")}]),
        "depends_on": [Expr(f"aws_sqs_queue_policy.{snake(pol)}")]})))
