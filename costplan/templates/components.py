"""Components added to a Builder in both formats: queues, mappings, topics, buckets, tables, schedules,
APIs, IoT rules, state machines, Glue jobs, alarms. Each number carries the reason it has that value."""
from __future__ import annotations

import json
from decimal import ROUND_CEILING, Decimal
from typing import Any

from costplan.templates.build import (A, Builder, Dual, F, Function, Handle, P, Statement, num, pascal, snake,
                                      to_tf)
from costplan.templates.model import Blocks, C, Call, Expr

SQS_ATTRS = dict(cfn_attrs={"arn": "GetAtt:Arn", "url": "Ref", "name": "GetAtt:QueueName"},
                 tf_attrs={"arn": "arn", "url": "url", "name": "name"})


def _up(d) -> int:
    return int(Decimal(d).to_integral_value(rounding=ROUND_CEILING))


# ---- SQS ---------------------------------------------------------------------------------------------

def queue(b: Builder, q: dict, consumer: Function | None) -> tuple[Handle, Handle | None]:
    """A queue (and its DLQ) with retention, visibility and redrive from the plan."""
    base = pascal(q.get("name") or "queue")
    cid = base if base.endswith("Queue") else base + "Queue"
    fifo = bool(q.get("fifo"))
    retention = C(_up(q.get("retention_s") or 345600), "plan: queue retention_s (backlog age must stay below it)")
    timeout = Decimal(consumer.stage.timeout_s) if consumer else Decimal(30)
    window = Decimal(q.get("batching_window_s") or 0) if not fifo else Decimal(0)
    need = _up(6 * timeout + window)
    planned = q.get("visibility_timeout_s")
    vis_value = max(need, _up(planned)) if planned is not None else need
    vis = C(vis_value, f"rule CP101: >= 6 x {num(timeout)} s function timeout + {num(window)} s batching window"
            + (f" (plan said {num(planned)} s)" if planned is not None and _up(planned) < need else ""))
    common_cfn: dict = {"SqsManagedSseEnabled": C(True, "encryption at rest")}
    common_tf: dict = {"sqs_managed_sse_enabled": C(True, "encryption at rest")}
    if fifo:
        why = "plan: FIFO (ordered per MessageGroupId; CloudFormation generates the .fifo name)"
        common_cfn["FifoQueue"] = C(True, why)
        common_tf["fifo_queue"] = C(True, "plan: FIFO (ordered per MessageGroupId)")
    dlq = None
    if q.get("dlq", True):
        dlq_props = dict(common_cfn, MessageRetentionPeriod=C(1209600, "14 days (SQS maximum) to inspect failures"))
        dlq_tf = dict(common_tf, message_retention_seconds=C(1209600, "14 days (SQS maximum) to inspect failures"))
        dlq = b.resource(f"{cid}Dlq", "AWS::SQS::Queue", dlq_props, "aws_sqs_queue", _tf_queue_name(dlq_tf, fifo, f"{snake(base)}-dlq"),
                         **SQS_ATTRS)
    props = dict(common_cfn, MessageRetentionPeriod=retention, VisibilityTimeout=vis)
    tf = dict(common_tf, message_retention_seconds=retention, visibility_timeout_seconds=vis)
    if fifo:
        props["ContentBasedDeduplication"] = C(True, "deduplicate on the body; senders set MessageGroupId")
        tf["content_based_deduplication"] = C(True, "deduplicate on the body; senders set MessageGroupId")
    if dlq is not None:
        mrc = C(_up(q.get("max_receive_count") or 5), "plan: max_receive_count before the DLQ")
        props["RedrivePolicy"] = {"deadLetterTargetArn": dlq("arn"), "maxReceiveCount": mrc}
        tf["redrive_policy"] = Call("jsonencode", {"deadLetterTargetArn": Expr(dlq("arn").tf()),
                                                   "maxReceiveCount": mrc})
    h = b.resource(cid, "AWS::SQS::Queue", props, "aws_sqs_queue", _tf_queue_name(tf, fifo, snake(base)), **SQS_ATTRS)
    return h, dlq


def _tf_queue_name(tf: dict, fifo: bool, name: str) -> dict:
    if fifo:  # Terraform needs the .fifo name for a FIFO queue; CloudFormation generates one.
        tf = {"name": f"${{var.name_prefix}}-{name.replace('_', '-')}.fifo", **tf}
    return tf


def esm_sqs(b: Builder, q: dict, qh: Handle, fn: Function) -> None:
    fifo = bool(q.get("fifo"))
    batch = int(q.get("batch_size") or fn.stage.batch_size or 10)
    props: dict = {"EventSourceArn": qh("arn"), "FunctionName": fn.handle("arn"),
                   "BatchSize": C(batch, "plan: consumer batch_size" + (" (FIFO max 10)" if fifo else ""))}
    tf: dict = {"event_source_arn": qh("arn"), "function_name": fn.handle("arn"), "batch_size": props["BatchSize"]}
    window = Decimal(q.get("batching_window_s") or 0)
    if not fifo and (window > 0 or batch > 10):
        w = C(max(1, _up(window)), "plan: batching_window_s (required when BatchSize > 10)")
        props["MaximumBatchingWindowInSeconds"] = w
        tf["maximum_batching_window_in_seconds"] = w
    mc = q.get("max_concurrency") or fn.stage.max_concurrency
    if mc is not None:
        mcv = C(num(mc), "plan: consumer max_concurrency (ESM cap, 2-1000, <= reserved concurrency)")
        props["ScalingConfig"] = {"MaximumConcurrency": mcv}
        tf["scaling_config"] = Blocks([{"maximum_concurrency": mcv}])
    props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    tf["function_response_types"] = ["ReportBatchItemFailures"]
    b.resource(f"{fn.handle.cfn_id}{qh.cfn_id}Mapping", "AWS::Lambda::EventSourceMapping", props,
               "aws_lambda_event_source_mapping", tf)


def consume_statement(qh: Handle) -> Statement:
    return Statement(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                      "sqs:ChangeMessageVisibility"], [qh("arn")], "consume the queue")


def drain_seconds(q: dict, stage) -> Decimal | None:
    """The plan's backlog drain time for a queue (as limits-check's SQS-BACKLOG computes it): the peak's
    backlog (arrivals above the consumer's μ for the peak window) over μ minus the later arrivals.
    None when the consumer is uncapped or keeps up (no backlog)."""
    mc = q.get("max_concurrency")
    arrival = q.get("arrival_peak_rps")
    if mc is None or arrival is None or stage is None or not stage.traffic.duration_ms:
        return None
    mu = Decimal(mc) * int(q.get("batch_size") or 1) * 1000 / Decimal(stage.traffic.duration_ms)
    arrival = Decimal(arrival)
    if arrival <= mu:
        return None
    window = Decimal(q.get("peak_window_s") or 0)
    after = min(Decimal(q.get("arrival_average_rps") or 0), arrival)
    if mu <= after:
        return None  # never drains: limits-check fails it; the alarm falls back to the retention
    return (arrival - mu) * window / (mu - after)


def queue_alarms(b: Builder, q: dict, qh: Handle, dlq: Handle | None, stage=None, visibility=None) -> None:
    retention = _up(q.get("retention_s") or 345600)
    drain = drain_seconds(q, stage)
    if visibility is None:
        vt = b.cfn.resources[qh.cfn_id]["Properties"]["VisibilityTimeout"]
        visibility = vt.value if isinstance(vt, C) else vt
    retries = _up(Decimal(visibility) * _up(q.get("max_receive_count") or 1))
    if drain is not None:
        threshold = C(min(_up(drain) + retries, retention - 1),
                      f"plan: the peak's backlog drains in {_up(drain)} s, + {retries} s of retries "
                      "(visibility x max_receive_count)")
    else:
        threshold = C(min(max(retries, 60), retention - 1),
                      "plan: no backlog; a message waits at most its retries (visibility x max_receive_count)")
    alarm(b, f"{qh.cfn_id}AgeAlarm", "AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": qh("name")},
          threshold, "Maximum", f"oldest message in {qh.cfn_id} is older than the plan allows: the consumer "
          "is not keeping up")
    if dlq is not None:
        alarm(b, f"{dlq.cfn_id}Alarm", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq("name")},
              C(0, "any message in the DLQ is a failed message"), "Maximum", f"{dlq.cfn_id} holds failed messages",
              periods=(1, 1))


def alarms_topic(b: Builder) -> Handle:
    """Once per template: the SNS topic every alarm notifies (subscribe your pager or chat to it)."""
    h = Handle("AlarmsTopic", "aws_sns_topic", "alarms_topic", (("arn", "Ref"),), (("arn", "arn"),))
    if h.cfn_id not in b.cfn.resources:
        topic(b, "AlarmsTopic")
        b.output("AlarmsTopicArn", h("arn"), "alarms notify this topic: subscribe the on-call to it")
    return h


def alarm(b: Builder, cid: str, namespace: str, metric: str, dims: dict, threshold: C, stat: str,
          description: str, comparison: str = "GreaterThanThreshold", periods: tuple = (5, 3)) -> None:
    actions = [alarms_topic(b)("arn")]
    evaluate, breach = periods
    props = {"AlarmDescription": description, "Namespace": namespace, "MetricName": metric,
             "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
             "Statistic": stat, "Period": 60, "EvaluationPeriods": evaluate, "DatapointsToAlarm": breach,
             "Threshold": threshold, "ComparisonOperator": comparison,
             "TreatMissingData": "notBreaching", "AlarmActions": actions, "OKActions": actions}
    tf = {"alarm_name": f"${{var.name_prefix}}-{snake(cid).replace('_', '-')}", "alarm_description": description,
          "namespace": namespace, "metric_name": metric, "dimensions": dims, "statistic": stat, "period": 60,
          "evaluation_periods": evaluate, "datapoints_to_alarm": breach, "threshold": threshold,
          "comparison_operator": comparison, "treat_missing_data": "notBreaching",
          "alarm_actions": actions, "ok_actions": actions}
    b.resource(cid, "AWS::CloudWatch::Alarm", props, "aws_cloudwatch_metric_alarm", tf)


def throttle_alarm(b: Builder, fn: Function, cap) -> None:
    """Reserved concurrency throttles (Lambda Throttles). An event source mapping's MaximumConcurrency
    does not throttle: the poller just stops scaling, so that cap is watched on ConcurrentExecutions."""
    if fn.stage.reserved_concurrency is not None:
        rc = num(fn.stage.reserved_concurrency)
        alarm(b, f"{fn.handle.cfn_id}ThrottlesAlarm", "AWS/Lambda", "Throttles", {"FunctionName": fn.handle("name")},
              C(0, f"throttled at its reserved concurrency of {rc}"), "Sum",
              f"{fn.handle.cfn_id} is throttled at its reserved concurrency ({rc})")
    esm_cap = fn.stage.max_concurrency
    if esm_cap is not None:
        alarm(b, f"{fn.handle.cfn_id}AtCapAlarm", "AWS/Lambda", "ConcurrentExecutions",
              {"FunctionName": fn.handle("name")},
              C(num(esm_cap), f"plan: the event source mapping's MaximumConcurrency of {num(esm_cap)}"), "Maximum",
              f"{fn.handle.cfn_id} runs at its event-source concurrency cap ({num(esm_cap)}): the backlog grows",
              comparison="GreaterThanOrEqualToThreshold")


def errors_alarm(b: Builder, fn: Function) -> None:
    alarm(b, f"{fn.handle.cfn_id}ErrorsAlarm", "AWS/Lambda", "Errors", {"FunctionName": fn.handle("name")},
          C(0, "any failed invocation"), "Sum", f"{fn.handle.cfn_id} invocations fail", periods=(1, 1))


# ---- failure paths --------------------------------------------------------------------------------------

def failure_queue(b: Builder) -> Handle:
    """Once per template: the queue that keeps what asynchronous invocations and stream batches could not
    process (on-failure destination), 14 days, with an alarm on its first message."""
    h = Handle("FailedEventsQueue", "aws_sqs_queue", "failed_events_queue",
               tuple(SQS_ATTRS["cfn_attrs"].items()), tuple(SQS_ATTRS["tf_attrs"].items()))
    if h.cfn_id in b.cfn.resources:
        return h
    keep = C(1209600, "14 days (SQS maximum) to inspect and replay failures")
    b.resource(h.cfn_id, "AWS::SQS::Queue", {"SqsManagedSseEnabled": C(True, "encryption at rest"),
                                             "MessageRetentionPeriod": keep},
               "aws_sqs_queue", {"sqs_managed_sse_enabled": C(True, "encryption at rest"),
                                 "message_retention_seconds": keep}, **SQS_ATTRS)
    alarm(b, "FailedEventsQueueAlarm", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": h("name")},
          C(0, "every message is an event no function processed"), "Maximum",
          "events failed after their retries: see FailedEventsQueue", periods=(1, 1))
    b.output("FailedEventsQueueUrl", h("url"), "events that failed after their retries (on-failure destination)")
    return h


def let_send_failures(b: Builder, principal: str, source_arn) -> None:
    """The failure queue's policy: a service (SNS for undeliverable messages, EventBridge for events it
    could not deliver) may send to it, from this source only. One policy, one statement per source."""
    from costplan.templates.build import to_cfn

    fq = failure_queue(b)
    stmt = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sqs:SendMessage",
            "Resource": fq("arn"), "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}}
    cid = "FailedEventsQueuePolicy"
    if cid in b.cfn.resources:
        b.cfn.resources[cid]["Properties"]["PolicyDocument"]["Statement"].append(to_cfn(stmt))
        for blk in b.tf.resources:
            if blk.labels == ("aws_sqs_queue_policy", "failed_events_queue_policy"):
                blk.body["policy"].arg["Statement"].append(to_tf(stmt))
        return
    doc = {"Version": "2012-10-17", "Statement": [stmt]}
    b.resource(cid, "AWS::SQS::QueuePolicy", {"Queues": [fq("url")], "PolicyDocument": doc},
               "aws_sqs_queue_policy", {"queue_url": fq("url"), "policy": Call("jsonencode", doc)})


def grant(b: Builder, fn: Function, cid: str, statement: Statement) -> str:
    """An extra inline policy on a function's role (added after the function); returns its logical id."""
    from costplan.templates.build import policy_doc, to_cfn, tf_policy_doc

    b.resource(cid, "AWS::IAM::RolePolicy", {"RoleName": fn.role("name"), "PolicyName": snake(cid),
                                             "PolicyDocument": policy_doc([statement], lambda v: v)},
               "aws_iam_role_policy", {"role": Expr(f"{fn.role.tf_addr}.id"), "policy": tf_policy_doc([statement])})
    fn.statements.append(statement)
    return cid


def on_failure(b: Builder, fn: Function) -> None:
    """An asynchronously invoked function (S3, SNS, EventBridge, IoT, Scheduler): two retries, then the
    event goes to the failure queue instead of being dropped."""
    cid = f"{fn.handle.cfn_id}EventInvokeConfig"
    if cid in b.cfn.resources:
        return
    fq = failure_queue(b)
    pol = grant(b, fn, f"{fn.handle.cfn_id}OnFailurePolicy",
                Statement(["sqs:SendMessage"], [fq("arn")], "on-failure destination"))
    retries = C(2, "Lambda's asynchronous retries (the maximum), then the on-failure destination")
    b.resource(cid, "AWS::Lambda::EventInvokeConfig", {
        "FunctionName": fn.handle("name"), "Qualifier": "$LATEST", "MaximumRetryAttempts": retries,
        "DestinationConfig": {"OnFailure": {"Destination": fq("arn")}}},
        "aws_lambda_function_event_invoke_config", {
        "function_name": fn.handle("name"), "maximum_retry_attempts": retries,
        "destination_config": Blocks([{"on_failure": Blocks([{"destination": fq("arn")}])}]),
        "depends_on": [Expr(f"aws_iam_role_policy.{snake(pol)}")]},
        depends_on=[pol])


def retain(b: Builder, h: Handle) -> None:
    """A data store outlives its stack: CloudFormation retains it, Terraform refuses to destroy it."""
    b.cfn.resources[h.cfn_id]["DeletionPolicy"] = "Retain"
    b.cfn.resources[h.cfn_id]["UpdateReplacePolicy"] = "Retain"
    for blk in b.tf.resources:
        if blk.labels == (h.tf_type, h.tf_name):
            blk.body["lifecycle"] = Blocks([{"prevent_destroy": C(True, "a data store: delete it by hand")}])


# ---- DynamoDB ----------------------------------------------------------------------------------------

def table(b: Builder, cid: str, key: str = "pk", sort: str | None = None, ttl: str | None = None,
          stream: bool = False) -> Handle:
    attrs = [{"AttributeName": key, "AttributeType": "S"}]
    schema = [{"AttributeName": key, "KeyType": "HASH"}]
    if sort:
        attrs.append({"AttributeName": sort, "AttributeType": "S"})
        schema.append({"AttributeName": sort, "KeyType": "RANGE"})
    props: dict = {"BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": attrs, "KeySchema": schema,
                   "SSESpecification": {"SSEEnabled": C(True, "encryption at rest with a KMS key")},
                   "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}
    tf: dict = {"name": f"${{var.name_prefix}}-{snake(cid).replace('_', '-')}", "billing_mode": "PAY_PER_REQUEST",
                "hash_key": key}
    if sort:
        tf["range_key"] = sort
    tf["attribute"] = Blocks([{"name": a["AttributeName"], "type": "S"} for a in attrs])
    tf["server_side_encryption"] = Blocks([{"enabled": C(True, "encryption at rest with a KMS key")}])
    tf["point_in_time_recovery"] = Blocks([{"enabled": True}])
    if ttl:
        t = C(ttl, "plan: ttl.attribute (epoch seconds; deletes are best-effort, within ~2 days)")
        props["TimeToLiveSpecification"] = {"AttributeName": t, "Enabled": True}
        tf["ttl"] = Blocks([{"attribute_name": t, "enabled": True}])
    if stream:
        props["StreamSpecification"] = {"StreamViewType": "OLD_IMAGE"}
        tf["stream_enabled"] = True
        tf["stream_view_type"] = "OLD_IMAGE"
    h = b.resource(cid, "AWS::DynamoDB::Table", props, "aws_dynamodb_table", tf,
                   cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref", "stream_arn": "GetAtt:StreamArn"},
                   tf_attrs={"arn": "arn", "name": "name", "stream_arn": "stream_arn"})
    retain(b, h)
    return h


# ---- SNS / EventBridge -------------------------------------------------------------------------------

def topic(b: Builder, cid: str) -> Handle:
    kms = C("alias/aws/sns", "encryption at rest (AWS managed key)")
    return b.resource(cid, "AWS::SNS::Topic", {"KmsMasterKeyId": kms}, "aws_sns_topic",
                      {"name_prefix": f"${{var.name_prefix}}-", "kms_master_key_id": kms},
                      cfn_attrs={"arn": "Ref", "name": "GetAtt:TopicName"}, tf_attrs={"arn": "arn", "name": "name"})


def subscribe(b: Builder, th: Handle, fn: Function, filter_share=None) -> None:
    """filter_share < 1: the plan prices this subscriber at that share of the events, so its subscription
    carries a filter policy (a template input: the attribute to match is the application's)."""
    cid = fn.handle.cfn_id
    props: dict = {"TopicArn": th("arn"), "Protocol": "lambda", "Endpoint": fn.handle("arn")}
    tf: dict = {"topic_arn": th("arn"), "protocol": "lambda", "endpoint": fn.handle("arn")}
    if filter_share is not None and Decimal(filter_share) < 1:
        share = f"{Decimal(filter_share) * 100:.0f} %"
        fp = b.both_input(f"{cid}FilterPolicy", f"{snake(cid)}_filter_policy", "String", "string",
                          f"SNS filter policy (JSON, on message attributes) for {fn.stage.name}: the plan prices it "
                          f"at {share} of the events")
        props["FilterPolicy"] = fp
        props["FilterPolicyScope"] = "MessageAttributes"
        tf["filter_policy"] = fp
        tf["filter_policy_scope"] = "MessageAttributes"
    # Deliveries SNS cannot make (function throttled or gone) go to the failure queue too.
    fq = failure_queue(b)
    props["RedrivePolicy"] = {"deadLetterTargetArn": fq("arn")}
    tf["redrive_policy"] = Call("jsonencode", {"deadLetterTargetArn": Expr(fq("arn").tf())})
    if f"{th.cfn_id}" not in b.facts.setdefault("_dlq_topics", []):
        b.facts["_dlq_topics"].append(th.cfn_id)
        let_send_failures(b, "sns.amazonaws.com", th("arn"))
    b.resource(f"{cid}Subscription", "AWS::SNS::Subscription", props, "aws_sns_topic_subscription", tf)
    b.permission(fn, f"{cid}SnsPermission", "sns.amazonaws.com", th("arn"))
    on_failure(b, fn)


def rule(b: Builder, cid: str, fn: Function, *, schedule: Any = None, pattern: dict | None = None,
         bus: Handle | None = None) -> Handle:
    fq = failure_queue(b)  # events EventBridge cannot deliver (function throttled or gone)
    props: dict = {"State": "ENABLED", "Targets": [{"Id": "function", "Arn": fn.handle("arn"),
                                                    "DeadLetterConfig": {"Arn": fq("arn")}}]}
    tf: dict = {"name_prefix": f"${{var.name_prefix}}-"}
    if schedule is not None:
        props["ScheduleExpression"] = schedule
        tf["schedule_expression"] = schedule
    if pattern is not None:
        props["EventPattern"] = pattern
        tf["event_pattern"] = Call("jsonencode", pattern)
    if bus is not None:
        props["EventBusName"] = bus("name")
        tf["event_bus_name"] = bus("name")
    h = b.resource(cid, "AWS::Events::Rule", props, "aws_cloudwatch_event_rule", tf,
                   cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"}, tf_attrs={"arn": "arn", "name": "name"})
    tgt = {"rule": h("name"), "arn": fn.handle("arn"), "dead_letter_config": Blocks([{"arn": fq("arn")}])}
    let_send_failures(b, "events.amazonaws.com", h("arn"))
    if bus is not None:
        tgt["event_bus_name"] = bus("name")
    b.tf.resources.append(_tf_block("aws_cloudwatch_event_target", h.tf_name, tgt))
    b.permission(fn, f"{fn.handle.cfn_id}{cid}Permission", "events.amazonaws.com", h("arn"))
    on_failure(b, fn)
    return h


def _tf_block(typ: str, name: str, body: dict):
    from costplan.templates.model import TfBlock

    return TfBlock("resource", (typ, name), to_tf(body))


# ---- S3 ----------------------------------------------------------------------------------------------

def bucket(b: Builder, cid: str, name_param: P | None = None, notify: tuple | None = None,
           expire: tuple[str, int] | None = None) -> Handle:
    """A private, encrypted bucket. With notify=(fn, prefix) the bucket's name comes from a parameter so
    the notification, the permission and the function's policy need no GetAtt cycle."""
    props: dict = {}
    if name_param is not None:
        props["BucketName"] = name_param
    props.update({
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": C("AES256", "encryption at rest (SSE-S3)")}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    })
    if expire is not None:
        prefix, days = expire
        d = C(days, "plan: original_retention_days (originals expire once resized)")
        props["LifecycleConfiguration"] = {"Rules": [{"Id": "expire-originals", "Status": "Enabled",
                                                      "Prefix": prefix, "ExpirationInDays": d}]}
    depends = None
    if notify is not None:
        fn, prefix = notify
        props["NotificationConfiguration"] = {"LambdaConfigurations": [{
            "Event": "s3:ObjectCreated:*", "Function": fn.handle("arn"),
            "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": C(prefix, "plan: s3.trigger_prefix")}]}}}]}
        depends = [f"{fn.handle.cfn_id}S3Permission"]
        b.permission(fn, f"{fn.handle.cfn_id}S3Permission", "s3.amazonaws.com",
                     F("arn:{partition}:s3:::{0}", (name_param,)))
        on_failure(b, fn)
    h = b.resource(cid, "AWS::S3::Bucket", props, "aws_s3_bucket",
                   # S3 allows a 37-character bucket_prefix: 16 of the deployment's prefix, 18 of the name
                   {"bucket_prefix": C(f"${{substr(var.name_prefix, 0, min(16, length(var.name_prefix)))}}-"
                                       f"{snake(cid).replace('_', '-')[:18].strip('-')}-",
                                       "bucket_prefix is at most 37 characters")},
                   cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"}, tf_attrs={"arn": "arn", "name": "id"},
                   depends_on=depends)
    n = h.tf_name
    retain(b, h)
    b.tf.resources += [
        _tf_block("aws_s3_bucket_public_access_block", n, {
            "bucket": h("name"), "block_public_acls": True, "block_public_policy": True,
            "ignore_public_acls": True, "restrict_public_buckets": True}),
        _tf_block("aws_s3_bucket_ownership_controls", n, {
            "bucket": h("name"), "rule": Blocks([{"object_ownership": "BucketOwnerEnforced"}])}),
        _tf_block("aws_s3_bucket_server_side_encryption_configuration", n, {
            "bucket": h("name"), "rule": Blocks([{"apply_server_side_encryption_by_default": Blocks([
                {"sse_algorithm": C("AES256", "encryption at rest (SSE-S3)")}])}])}),
    ]
    if expire is not None:
        prefix, days = expire
        b.tf.resources.append(_tf_block("aws_s3_bucket_lifecycle_configuration", n, {
            "bucket": h("name"),
            "rule": Blocks([{"id": "expire-originals", "status": "Enabled",
                             "filter": Blocks([{"prefix": prefix}]),
                             "expiration": Blocks([{"days": C(days, "plan: original_retention_days (originals "
                                                                    "expire once resized)")}])}])}))
    if notify is not None:
        fn, prefix = notify
        b.tf.resources.append(_tf_block("aws_s3_bucket_notification", n, {
            "bucket": h("name"),
            "lambda_function": Blocks([{"lambda_function_arn": fn.handle("arn"), "events": ["s3:ObjectCreated:*"],
                                        "filter_prefix": C(prefix, "plan: s3.trigger_prefix")}]),
            "depends_on": [Expr(f"aws_lambda_permission.{snake(fn.handle.cfn_id + 'S3Permission')}")]}))
        # Terraform has no cycle: the permission can name the bucket resource itself.
        for blk in b.tf.resources:
            if blk.labels == ("aws_lambda_permission", snake(f"{fn.handle.cfn_id}S3Permission")):
                blk.body["source_arn"] = Expr(h("arn").tf())
    return h


def bucket_arn(name_param: P | None, h: Handle, suffix: str = "") -> Any:
    """The bucket's ARN (+ object suffix) without GetAtt when its name is a parameter (no cycle)."""
    if name_param is not None:
        return Dual(F("arn:{partition}:s3:::{0}" + suffix, (name_param,)), F("{0}" + suffix, (h("arn"),)))
    return F("{0}" + suffix, (h("arn"),)) if suffix else h("arn")


# ---- API Gateway v2 (HTTP, WebSocket) ------------------------------------------------------------------

def http_api(b: Builder, cid: str, throttle: tuple[C, C], protocol: str = "HTTP",
             route_selection: str | None = None) -> Handle:
    props: dict = {"Name": F("{stack}-" + snake(cid).replace("_", "-")), "ProtocolType": protocol}
    tf: dict = {"name": f"${{var.name_prefix}}-{snake(cid).replace('_', '-')}", "protocol_type": protocol}
    if route_selection:
        props["RouteSelectionExpression"] = route_selection
        tf["route_selection_expression"] = route_selection
    h = b.resource(cid, "AWS::ApiGatewayV2::Api", props, "aws_apigatewayv2_api", tf,
                   cfn_attrs={"id": "Ref", "endpoint": "GetAtt:ApiEndpoint"},
                   tf_attrs={"id": "id", "endpoint": "api_endpoint", "execution_arn": "execution_arn"})
    rate, burst = throttle_inputs(b, cid, throttle)
    stage_name = "$default" if protocol == "HTTP" else "live"
    logs = access_logs(b, cid)
    sprops: dict = {"ApiId": h("id"), "StageName": stage_name, "AutoDeploy": True,
                    "DefaultRouteSettings": {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst},
                    "AccessLogSettings": {"DestinationArn": logs("arn"), "Format": json.dumps(ACCESS_LOG_FORMAT)}}
    stf: dict = {"api_id": h("id"), "name": stage_name, "auto_deploy": True,
                 "default_route_settings": Blocks([{"throttling_rate_limit": rate, "throttling_burst_limit": burst}]),
                 "access_log_settings": Blocks([{"destination_arn": logs("arn"),
                                                 "format": Call("jsonencode", ACCESS_LOG_FORMAT)}])}
    b.resource(f"{cid}Stage", "AWS::ApiGatewayV2::Stage", sprops, "aws_apigatewayv2_stage", stf)
    if protocol == "HTTP" and b.auth == "jwt":
        jwt_authorizer(b, h)
    b.output(f"{cid}Endpoint", h("endpoint"), f"{cid} endpoint")
    return h


ACCESS_LOG_FORMAT = {"requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
                     "requestTime": "$context.requestTime", "routeKey": "$context.routeKey",
                     "status": "$context.status", "latency": "$context.integrationLatency",
                     "error": "$context.error.message", "integrationError": "$context.integrationErrorMessage"}


def access_logs(b: Builder, cid: str) -> Handle:
    return b.resource(f"{cid}AccessLogs", "AWS::Logs::LogGroup", {"RetentionInDays": 30},
                      "aws_cloudwatch_log_group", {"name_prefix": f"/aws/apigateway/${{var.name_prefix}}-{snake(cid)}-",
                                                   "retention_in_days": 30},
                      cfn_attrs={"arn": "GetAtt:Arn"}, tf_attrs={"arn": "arn"})


def throttle_inputs(b: Builder, cid: str, throttle: tuple[C, C]) -> tuple[P, P]:
    """The stage's rate and burst as template inputs, defaulting to the plan's (raise them with your
    account's quota; the plan's reasoning is in the description)."""
    rate, burst = throttle
    r = b.both_input(f"{cid}ThrottleRate", f"{snake(cid)}_throttle_rate", "Number", "number",
                     f"Stage rate limit, requests/s. Default from the plan: {rate.comment}", default=rate.value)
    bu = b.both_input(f"{cid}ThrottleBurst", f"{snake(cid)}_throttle_burst", "Number", "number",
                      f"Stage burst limit, requests. Default from the plan: {burst.comment}", default=burst.value)
    return r, bu


def jwt_authorizer(b: Builder, api: Handle) -> Handle:
    issuer = b.both_input("JwtIssuer", "jwt_issuer", "String", "string",
                          "JWT issuer URL (e.g. your Cognito user pool or OIDC provider)")
    audience = b.both_input("JwtAudience", "jwt_audience", "String", "string", "JWT audience (client id)")
    return b.resource(f"{api.cfn_id}JwtAuthorizer", "AWS::ApiGatewayV2::Authorizer", {
        "ApiId": api("id"), "AuthorizerType": "JWT", "Name": "jwt",
        "IdentitySource": ["$request.header.Authorization"],
        "JwtConfiguration": {"Issuer": issuer, "Audience": [audience]}},
        "aws_apigatewayv2_authorizer", {
        "api_id": api("id"), "authorizer_type": "JWT", "name": "jwt",
        "identity_sources": ["$request.header.Authorization"],
        "jwt_configuration": Blocks([{"issuer": issuer, "audience": [audience]}])},
        cfn_attrs={"id": "Ref"}, tf_attrs={"id": "id"})


def route_auth(b: Builder, api: Handle, route_key: str, websocket: bool = False) -> tuple[dict, dict]:
    """Authorization for a route: AWS_IAM (SigV4) by default, a JWT authorizer with --auth jwt, none only
    with --auth none. A WebSocket API authorizes on $connect only (the connection then carries it)."""
    if b.auth == "none" or (websocket and route_key != "$connect"):
        return {"AuthorizationType": "NONE"}, {"authorization_type": "NONE"}
    if b.auth == "jwt" and not websocket:
        auth_id = Handle(f"{api.cfn_id}JwtAuthorizer", "aws_apigatewayv2_authorizer",
                         snake(f"{api.cfn_id}JwtAuthorizer"), (("id", "Ref"),), (("id", "id"),))("id")
        return ({"AuthorizationType": "JWT", "AuthorizerId": auth_id},
                {"authorization_type": "JWT", "authorizer_id": auth_id})
    why = "callers sign requests with SigV4 (--auth)"
    return {"AuthorizationType": C("AWS_IAM", why)}, {"authorization_type": C("AWS_IAM", why)}


def api_execution_arn(h: Handle, route: str = "*/*") -> F:
    return Dual(F("arn:{partition}:execute-api:{region}:{account}:{0}/" + route, (h("id"),)),
                F("{0}/" + route, (A(h, "execution_arn"),)))


def api_lambda_route(b: Builder, api: Handle, route_key: str, fn: Function, websocket: bool = False) -> None:
    key = pascal(route_key.replace("$", "").replace("/", " ").replace("{", "").replace("}", "")) or "Default"
    cid = f"{api.cfn_id}{key}"
    iprops = {"ApiId": api("id"), "IntegrationType": "AWS_PROXY",
              "IntegrationUri": F("arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{0}/invocations",
                                  (fn.handle("arn"),))}
    itf = {"api_id": api("id"), "integration_type": "AWS_PROXY", "integration_uri": A(fn.handle, "invoke_arn")}
    if not websocket:
        iprops["PayloadFormatVersion"] = "2.0"
        itf["payload_format_version"] = "2.0"
    integ = b.resource(f"{cid}Integration", "AWS::ApiGatewayV2::Integration", iprops, "aws_apigatewayv2_integration",
                       itf, cfn_attrs={"id": "Ref"}, tf_attrs={"id": "id"})
    auth_cfn, auth_tf = route_auth(b, api, route_key, websocket)
    b.resource(f"{cid}Route", "AWS::ApiGatewayV2::Route",
               {"ApiId": api("id"), "RouteKey": route_key, "Target": F("integrations/{0}", (integ("id"),)),
                **auth_cfn},
               "aws_apigatewayv2_route",
               {"api_id": api("id"), "route_key": route_key, "target": F("integrations/{0}", (integ("id"),)),
                **auth_tf})
    if f"{fn.handle.cfn_id}{api.cfn_id}Permission" not in b.cfn.resources:
        b.permission(fn, f"{fn.handle.cfn_id}{api.cfn_id}Permission", "apigateway.amazonaws.com",
                     api_execution_arn(api))


def throttle_for(peak_rps, account: tuple[Decimal, Decimal], headroom=Decimal("1.2"), cap=None,
                 why="") -> tuple[C, C]:
    """Stage throttling that protects the downstream: the peak with headroom, at most `cap` (what the
    function can serve) and the account's API Gateway rate and burst (L-8A5B8E43, L-CDF5615A)."""
    account_rps, account_burst = (int(v) for v in account)
    rate = _up(Decimal(peak_rps) * headroom)
    note = f"plan: peak {num(Decimal(peak_rps).quantize(Decimal('0.1')))} req/s x {headroom}"
    if cap is not None and rate > cap:
        rate, note = int(cap), why
    if rate > account_rps:
        rate, note = account_rps, f"{note}, capped at the account's {account_rps} RPS (limits-check reports it)"
    rate = max(rate, 1)
    burst = max(min(2 * rate, account_burst), min(rate, account_burst))
    return C(rate, note), C(burst, f"burst: 2 x the rate limit, at most the account burst of {account_burst}")


# ---- Step Functions / Glue ----------------------------------------------------------------------------

def glue_job(b: Builder, cid: str, script_param: P, role: Handle, dpus=2, concurrent=1) -> Handle:
    """A Glue ETL job on G.1X workers (1 DPU each, at least 2): the plan's DPUs and concurrent runs."""
    workers = C(max(2, _up(dpus)), f"plan: {num(dpus)} DPU per run (G.1X = 1 DPU per worker, 2 at least)")
    runs = C(max(1, _up(concurrent)), "plan: runs of this job at once")
    return b.resource(cid, "AWS::Glue::Job", {
        "Role": role("arn"), "GlueVersion": "4.0",
        "Command": {"Name": "glueetl", "PythonVersion": "3", "ScriptLocation": F("{0}" + snake(cid) + ".py",
                                                                                    (script_param,))},
        "ExecutionProperty": {"MaxConcurrentRuns": runs},
        "WorkerType": "G.1X", "NumberOfWorkers": workers},
        "aws_glue_job", {
            "name": f"${{var.name_prefix}}-{snake(cid).replace('_', '-')}", "role_arn": role("arn"),
            "glue_version": "4.0", "worker_type": "G.1X", "number_of_workers": workers,
            "command": Blocks([{"name": "glueetl", "python_version": "3",
                                "script_location": F("{0}" + snake(cid) + ".py", (script_param,))}]),
            "execution_property": Blocks([{"max_concurrent_runs": runs}])},
        cfn_attrs={"name": "Ref"}, tf_attrs={"name": "name"})


def glue_role(b: Builder) -> Handle:
    """The Glue jobs' role: read the scripts, read and write the data path, write Glue's log groups."""
    b.both_input("GlueScriptBucketPath", "glue_script_bucket_path", "String", "string",
                 "bucket/prefix/ of the Glue scripts (for the job role's read permission)")
    b.both_input("GlueDataPath", "glue_data_path", "String", "string",
                 "bucket/prefix/ the Glue jobs read and write (dumps, restores)")
    data = P("GlueDataPath", "glue_data_path")
    return b.role("GlueJobRole", "glue.amazonaws.com", [
        Statement(["s3:GetObject"], [F("arn:{partition}:s3:::{0}*", (P("GlueScriptBucketPath",
                                                                        "glue_script_bucket_path"),))],
                  "read the job scripts"),
        Statement(["s3:GetObject", "s3:PutObject"], [F("arn:{partition}:s3:::{0}*", (data,))], "job data"),
        Statement(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                  [F("arn:{partition}:logs:{region}:{account}:log-group:/aws-glue/*")], "Glue's job logs")])


def glue_job_arn(h: Handle) -> F:
    return F("arn:{partition}:glue:{region}:{account}:job/{0}", (h("name"),))


def state_machine(b: Builder, cid: str, definition: dict, role_statements: list[Statement], subs: dict) -> Handle:
    """definition holds "${Name}" placeholders; subs maps each Name to a neutral value (A / F)."""
    role = b.role(f"{cid}Role", "states.amazonaws.com", role_statements)
    text = json.dumps(definition, indent=2, sort_keys=False)
    names = sorted(subs)
    # CloudFormation: ${Name} substitution of GetAtt/Ref; Terraform: templated string with interpolations.
    cfn_text = text
    tf_text = text
    args = []
    for i, n in enumerate(names):
        v = subs[n]
        cfn_text = cfn_text.replace("${" + n + "}", "{" + str(i) + "}")
        tf_text = tf_text.replace("${" + n + "}", "{" + str(i) + "}")
        args.append(v)
    from costplan.templates.build import to_cfn
    from costplan.templates.model import Sub

    cfn_sub = to_cfn(F(cfn_text, tuple(args)))
    props = {"StateMachineType": "STANDARD", "RoleArn": role("arn"), "DefinitionString": Sub(cfn_sub.text + "\n")}
    tf_def = to_tf(F(tf_text, tuple(args)))
    h = b.resource(cid, "AWS::StepFunctions::StateMachine", props, "aws_sfn_state_machine",
                   {"name_prefix": f"${{var.name_prefix}}-", "role_arn": role("arn"), "type": "STANDARD",
                    "definition": Expr("<<-EOT\n" + tf_def + "\nEOT")},
                   cfn_attrs={"arn": "Ref", "name": "GetAtt:Name"}, tf_attrs={"arn": "arn", "name": "name"})
    return h


# ---- IoT ---------------------------------------------------------------------------------------------

def iot_rule(b: Builder, cid: str, sql: str, fn: Function) -> Handle:
    props = {"TopicRulePayload": {"Sql": sql, "AwsIotSqlVersion": "2016-03-23", "RuleDisabled": False,
                                  "Actions": [{"Lambda": {"FunctionArn": fn.handle("arn")}}]}}
    h = b.resource(cid, "AWS::IoT::TopicRule", props, "aws_iot_topic_rule",
                   {"name": Expr(f'replace("${{var.name_prefix}}_{snake(cid)}", "-", "_")'), "enabled": True, "sql": sql,
                    "sql_version": "2016-03-23", "lambda": Blocks([{"function_arn": fn.handle("arn")}])},
                   cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"}, tf_attrs={"arn": "arn", "name": "name"})
    b.permission(fn, f"{fn.handle.cfn_id}{cid}Permission", "iot.amazonaws.com", h("arn"))
    on_failure(b, fn)
    return h


# ---- REST API (API Gateway v1) -----------------------------------------------------------------------

class RestApi:
    """A regional REST API built up route by route, then deployed to one throttled stage.

    Lambda routes are AWS_PROXY methods; a queue route is an AWS integration calling SQS SendMessage
    with the API's own role (the article's storage-first front door). Every method is listed so the
    deployment depends on all of them (CloudFormation) or redeploys when one changes (Terraform)."""

    STAGE = "live"

    def __init__(self, b: Builder, cid: str = "RestApi"):
        if b.auth == "jwt":
            from costplan.errors import CostplanError

            raise CostplanError("--auth jwt: a REST API has no JWT authorizer (use --auth iam, or settings.api: http)")
        self.b, self.cid = b, cid
        slug = snake(cid).replace("_", "-")
        self.h = b.resource(cid, "AWS::ApiGateway::RestApi", {
            "Name": F("{stack}-" + slug), "EndpointConfiguration": {"Types": ["REGIONAL"]}},
            "aws_api_gateway_rest_api", {"name": f"${{var.name_prefix}}-{slug}",
                                         "endpoint_configuration": Blocks([{"types": ["REGIONAL"]}]),
                                         "lifecycle": Blocks([{"create_before_destroy": True}])},
            cfn_attrs={"id": "Ref", "root": "GetAtt:RootResourceId"},
            tf_attrs={"id": "id", "root": "root_resource_id", "execution_arn": "execution_arn"})
        self.paths: dict[str, A] = {"": self.h("root")}
        self.methods: list[Handle] = []  # for the deployment: CloudFormation methods ...
        self.tf_integrations: list[Handle] = []  # ... and Terraform integrations
        self.tf_methods: list[Handle] = []
        self.tf_responses: list[Handle] = []  # method and integration responses (SQS route)

    def _resource(self, path: str) -> A:
        """The resource for /a/b/{c}, creating each missing level."""
        parent = ""
        for part in [p for p in path.strip("/").split("/") if p]:
            here = f"{parent}/{part}"
            if here not in self.paths:
                rid = self.cid + pascal(here.replace("{", " ").replace("}", " ").replace("+", " proxy ")
                                        .replace("/", " ")) + "Resource"
                h = self.b.resource(rid, "AWS::ApiGateway::Resource", {
                    "RestApiId": self.h("id"), "ParentId": self.paths[parent], "PathPart": part},
                    "aws_api_gateway_resource", {"rest_api_id": self.h("id"), "parent_id": self.paths[parent],
                                                 "path_part": part},
                    cfn_attrs={"id": "Ref"}, tf_attrs={"id": "id"})
                self.paths[here] = h("id")
            parent = here
        return self.paths[parent]

    def _ids(self, method: str, path: str) -> tuple[str, A]:
        words = path.replace("/", " ").replace("{", " ").replace("}", " ").replace("+", " proxy")
        key = pascal(f"{method.lower()} {words}")
        return f"{self.cid}{key or 'Root'}Method", self._resource(path)

    def lambda_route(self, method: str, path: str, fn: Function) -> None:
        mid, res = self._ids(method, path)
        uri = F("arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{0}/invocations",
                (fn.handle("arn"),))
        m = self._method(mid, res, method, {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri})
        self._tf_integration(mid, res, m, {"integration_http_method": "POST", "type": "AWS_PROXY",
                                           "uri": A(fn.handle, "invoke_arn")})
        pid = f"{fn.handle.cfn_id}{self.cid}Permission"
        if pid not in self.b.cfn.resources:
            self.b.permission(fn, pid, "apigateway.amazonaws.com", api_execution_arn(self.h, "*/*/*"))

    def sqs_route(self, method: str, path: str, queue: Handle, role: Handle) -> None:
        """POST the request body to the queue (SendMessage) with the API's role; 200 with SQS's reply."""
        mid, res = self._ids(method, path)
        uri = F("arn:{partition}:apigateway:{region}:sqs:path/{account}/{0}", (queue("name"),))
        content_type = {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}
        template = {"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"}
        m = self._method(mid, res, method, {
            "Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": uri, "Credentials": role("arn"),
            "PassthroughBehavior": "NEVER", "RequestParameters": content_type, "RequestTemplates": template,
            "IntegrationResponses": [{"StatusCode": "200"}]}, MethodResponses=[{"StatusCode": "200"}])
        integ = self._tf_integration(mid, res, m, {
            "integration_http_method": "POST", "type": "AWS", "uri": uri, "credentials": role("arn"),
            "passthrough_behavior": "NEVER", "request_parameters": content_type, "request_templates": template})
        resp = self.b.tf_only(f"{mid}Response", "aws_api_gateway_method_response", {
            "rest_api_id": self.h("id"), "resource_id": res, "http_method": m("http_method"), "status_code": "200"},
            tf_attrs={"status_code": "status_code"})
        ir = self.b.tf_only(f"{mid}IntegrationResponse", "aws_api_gateway_integration_response", {
            "rest_api_id": self.h("id"), "resource_id": res, "http_method": m("http_method"),
            "status_code": resp("status_code"), "depends_on": [Expr(integ.tf_addr)]})
        self.tf_responses += [resp, ir]

    def _method(self, mid: str, res: A, method: str, integration: dict, **extra) -> Handle:
        """The method; CloudFormation nests its integration, Terraform gets it from _tf_integration."""
        auth = (C("NONE", "--auth none: a public API") if self.b.auth == "none"
                else C("AWS_IAM", "callers sign requests with SigV4 (--auth)"))
        m = self.b.resource(mid, "AWS::ApiGateway::Method", dict({
            "RestApiId": self.h("id"), "ResourceId": res, "HttpMethod": method, "AuthorizationType": auth,
            "Integration": integration}, **extra),
            "aws_api_gateway_method", {"rest_api_id": self.h("id"), "resource_id": res, "http_method": method,
                                       "authorization": auth},
            cfn_attrs={"id": "Ref"}, tf_attrs={"http_method": "http_method"})
        self.methods.append(m)
        self.tf_methods.append(m)
        return m

    def _tf_integration(self, mid: str, res: A, m: Handle, body: dict) -> Handle:
        """Terraform keeps the integration as its own resource (CloudFormation nests it in the method)."""
        h = self.b.tf_only(f"{mid}Integration", "aws_api_gateway_integration", dict(
            {"rest_api_id": self.h("id"), "resource_id": res, "http_method": m("http_method")}, **body))
        self.tf_integrations.append(h)
        return h

    def deploy(self, throttle: tuple[C, C]) -> Handle:
        """Deployment and the `live` stage, every method throttled at the plan's rate and burst."""
        rate, burst = throttle_inputs(self.b, self.cid, throttle)
        parts = self.tf_methods + self.tf_integrations + self.tf_responses
        dep = self.b.resource(f"{self.cid}Deployment", "AWS::ApiGateway::Deployment", {
            "RestApiId": self.h("id"), "Description": "costplan"},
            "aws_api_gateway_deployment", {
                "rest_api_id": self.h("id"),
                # whole objects, not ids: any change to a method, integration or response redeploys
                "triggers": {"redeployment": Call("sha1", Call("jsonencode", [Expr(p.tf_addr) for p in parts]))},
                "lifecycle": Blocks([{"create_before_destroy": True}]),
                "depends_on": [Expr(p.tf_addr) for p in parts]},
            cfn_attrs={"id": "Ref"}, tf_attrs={"id": "id"}, depends_on=[m.cfn_id for m in self.methods])
        settings = {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": rate,
                    "ThrottlingBurstLimit": burst}
        logs = access_logs(self.b, self.cid)
        fmt = json.dumps(ACCESS_LOG_FORMAT)
        self.b.notes.append("REST API access logs need the account's API Gateway CloudWatch role "
                            "(set once per account and region: AWS::ApiGateway::Account)")
        stage = self.b.resource(f"{self.cid}Stage", "AWS::ApiGateway::Stage", {
            "RestApiId": self.h("id"), "DeploymentId": dep("id"), "StageName": self.STAGE,
            "MethodSettings": [settings], "AccessLogSetting": {"DestinationArn": logs("arn"), "Format": fmt}},
            "aws_api_gateway_stage", {"rest_api_id": self.h("id"), "deployment_id": dep("id"),
                                      "stage_name": self.STAGE,
                                      "access_log_settings": Blocks([{"destination_arn": logs("arn"),
                                                                      "format": Call("jsonencode", ACCESS_LOG_FORMAT)}])},
            tf_attrs={"name": "stage_name", "url": "invoke_url"})
        self.b.tf_only(f"{self.cid}MethodSettings", "aws_api_gateway_method_settings", {
            "rest_api_id": self.h("id"), "stage_name": stage("name"), "method_path": "*/*",
            "settings": Blocks([{"throttling_rate_limit": rate, "throttling_burst_limit": burst}])})
        self.b.output(f"{self.cid}Endpoint", Dual(
            F("https://{0}.execute-api.{region}.${AWS::URLSuffix}/" + self.STAGE, (self.h("id"),)),
            stage("url")), f"{self.cid} invoke URL")
        return stage
