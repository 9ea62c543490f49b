"""Alarms for the limits the plan hits: where `limits-check` FAILs or WARNs a check whose limit shows in
a CloudWatch metric, the template carries an alarm on that metric (threshold from the quota or the
plan, actions → the template's alarms topic), so the limit that was found in review pages someone when
production reaches it.

METRICS maps a check id to the alarm(s) it gets; NO_METRIC names every check whose FAIL/WARN has no
metric to watch, with the reason. A check in neither gets no alarm (the walk in
tests/test_templates_lineitems.py fails for a bundled scenario that hits one)."""
from __future__ import annotations

from decimal import Decimal

from costplan.templates.build import Builder, num, pascal
from costplan.templates.model import C

WARN_SHARE = Decimal("0.8")  # alarm at 80 % of the limit: limits-check's own warning level
PERIOD_S = 60  # the alarms' period: rate limits are per second, so a 60 s Sum is 60 × the rate

# Checks whose limit no CloudWatch metric shows (or that another alarm already watches): why.
NO_METRIC = {
    "SUBNET-IPS": "CloudWatch publishes no free-address metric for a subnet (EC2 DescribeSubnets "
                  "AvailableIpAddressCount only); size the subnets before deploying",
    "ECS-SCALE-OUT": "a scale-out lag, not a quota: the queue-age alarm (consumers) and the service's "
                     "target-tracking policy already watch the backlog it causes",
    "TTL-PRECISION": "DynamoDB publishes no metric for how late a TTL delete runs (deletes are best-effort "
                     "within about 48 hours)",
    "SCHEDULE-PRECISION": "a design property (1-minute precision), not a rate a metric can show",
    "PAYLOAD-SIZE": "a payload over the limit is rejected by the caller's API call; the handler's Errors "
                    "alarm shows it",
    "PAYLOAD-SQS-BATCH": "shown by the consumer's Errors alarm (an oversize batch fails the invocation)",
    "WS-FRAME": "frames are split by the client library; no metric counts them",
    "WS-IDLE": "idle and 2-hour disconnects are not metered; clients reconnect",
    "S3-RECURSIVE-TRIGGER": "a design error the template's recursive-loop guard already stops",
    "LAMBDA-TIMEOUT": "shown by the function's Errors alarm (a timeout is an error)",
    "APIGW-TIMEOUT": "shown by the API's 5xx and the function's Errors alarm",
    "SFN-HISTORY": "a per-execution history limit: the execution fails and the caller sees it",
    "ALB-TARGETS": "a registration quota: the service's deployment fails and ECS reports it",
    "ECS-TASKS-PER-SERVICE": "a registration quota: the service's deployment fails and ECS reports it",
}


def _ids(b: Builder, typ: str, pred=lambda rid, props: True) -> list[str]:
    return [rid for rid, r in b.cfn.resources.items() if r["Type"] == typ and pred(rid, r.get("Properties", {}))]


def _tf_ref(b: Builder, rid: str, cfn_type: str):
    """Ref in CloudFormation, the matching attribute of the same resource in Terraform."""
    from costplan.templates.build import Handle, snake

    tf_type, attr = {"AWS::ApiGatewayV2::Api": ("aws_apigatewayv2_api", "id"),
                     "AWS::DynamoDB::Table": ("aws_dynamodb_table", "name")}[cfn_type]
    return Handle(rid, tf_type, snake(rid), (("v", "Ref"),), (("v", attr),))("v")


def _n(d) -> str:
    if d is None:
        return "?"
    d = Decimal(d)
    return f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,.2f}"


def _describe(f, what: str) -> str:
    need, limit = _n(f.needed), _n(f.limit)
    return (f"limits-check {f.check} {f.status.upper()}{' (' + f.subject + ')' if f.subject else ''}: "
            f"the plan needs {need} {f.unit} against {limit}; {what}")


def _rate_threshold(f, why: str) -> C:
    """80 % of a per-second limit, as a 60-second Sum."""
    t = int(Decimal(f.limit) * WARN_SHARE * PERIOD_S)
    return C(t, f"80 % of the {_n(f.limit)} {f.unit} limit (limits-check {f.check}) x {PERIOD_S} s{why}")


def _level_threshold(f) -> C:
    t = num((Decimal(f.limit) * WARN_SHARE).quantize(Decimal("0.01")))
    return C(t, f"80 % of the {_n(f.limit)} {f.unit} limit (limits-check {f.check})")


def _alarm(b: Builder, done: dict, cid: str, f, **kw) -> str:
    """One alarm per cid; a second finding on the same metric adds its check id to the description."""
    from costplan.templates import components as c

    if cid in b.cfn.resources:
        tag = f"; also limits-check {f.check}"
        props = b.cfn.resources[cid]["Properties"]
        if tag not in props["AlarmDescription"]:
            props["AlarmDescription"] += tag
            for blk in b.tf.resources:
                if blk.labels[0] == "aws_cloudwatch_metric_alarm" and blk.labels[1] == done[cid]:
                    blk.body["alarm_description"] += tag
        return cid
    from costplan.templates.build import snake

    c.alarm(b, cid, **kw)
    done[cid] = snake(cid)
    return cid


def add(b: Builder, findings, compute: str) -> list[str]:
    """Alarms for the FAIL/WARN findings of the design this template deploys; returns their logical ids."""
    made: list[str] = []
    done: dict = {}
    for f in findings:
        if f.status not in ("fail", "warn") or f.design not in ("", compute) or f.level != "scenario":
            continue
        fn = METRICS.get(f.check)
        if fn is not None:
            made += [m for m in fn(b, f, done) if m not in made]
    return made


# ---- one function per check (or family): returns the alarms' logical ids, [] when the template has
# ---- nothing the metric is about

def _lambda_account(b, f, done):
    if not b.functions:
        return []
    if f.check == "LAMBDA-CONCURRENCY":
        return [_alarm(b, done, "LimitLambdaConcurrencyAlarm", f, namespace="AWS/Lambda",
                       metric="ConcurrentExecutions", dims={}, threshold=_level_threshold(f), stat="Maximum",
                       description=_describe(f, "the account's concurrent executions near the quota"),
                       comparison="GreaterThanOrEqualToThreshold", periods=(1, 1))]
    return [_alarm(b, done, "LimitLambdaInvocationRateAlarm", f, namespace="AWS/Lambda", metric="Invocations",
                   dims={}, threshold=_rate_threshold(f, " (account invocations)"), stat="Sum",
                   description=_describe(f, "the account's invocations per second near 10 × the concurrency quota"),
                   comparison="GreaterThanOrEqualToThreshold", periods=(1, 1))]


def _lambda_ramp(b, f, done):
    fn = b.functions.get(f.subject)
    if fn is None:
        return []
    return [_alarm(b, done, f"{fn.handle.cfn_id}RampThrottlesAlarm", f, namespace="AWS/Lambda",
                   metric="Throttles", dims={"FunctionName": fn.handle("name")},
                   threshold=C(0, "the scaling ramp throttles: any throttle during the peak's ramp"), stat="Sum",
                   description=_describe(f, "the function is throttled while it scales to the peak"),
                   periods=(1, 1))]


def _apigw(b, f, done):
    out = []
    for rid in _ids(b, "AWS::ApiGatewayV2::Api"):
        ws = b.cfn.resources[rid]["Properties"].get("ProtocolType") == "WEBSOCKET"
        metric = "MessageCount" if ws else "Count"
        what = ("WebSocket messages (client messages and @connections posts)" if ws else "requests")
        rps = f if f.check == "APIGW-RPS" else None
        if rps is None:  # the burst bucket empties only above the account rate: the same alarm
            from costplan.limits.quotas import Resolver

            limit = Resolver(b.region, {})("apigateway.account_rps").value
            rps = type(f)(**{**f.__dict__, "check": "APIGW-RPS", "limit": Decimal(limit), "unit": "requests/s"})
        out.append(_alarm(b, done, f"{rid}LimitRateAlarm", f, namespace="AWS/ApiGateway", metric=metric,
                          dims={"ApiId": _tf_ref(b, rid, "AWS::ApiGatewayV2::Api")},
                          threshold=_rate_threshold(rps, f" ({what} of this API; the account's other APIs share it)"),
                          stat="Sum", description=_describe(f, f"this API's {what} near the account throttle"),
                          comparison="GreaterThanOrEqualToThreshold", periods=(1, 1)))
    return out


def _tables(b, subject: str) -> list[str]:
    tables = _ids(b, "AWS::DynamoDB::Table")
    named = [t for t in tables if t == f"{pascal(subject)}Table"]
    if named:
        return named
    parts = [p.strip() for p in subject.split("+")]
    named = [t for t in tables if any(t == f"{pascal(p)}Table" for p in parts)]
    if named:
        return named
    # a pattern's own table names (ResultsTable, ConnectionsTable …): the subject's words, else the only one
    words = [pascal(p).removesuffix("Table") for p in parts]
    named = [t for t in tables if any(w and t.startswith(w) for w in words)]
    return named or (tables if len(tables) == 1 else [])


def _dynamodb(b, f, done):
    reads = "RRU" in f.unit
    out = []
    for rid in _tables(b, f.subject or ""):
        dims = {"TableName": _tf_ref(b, rid, "AWS::DynamoDB::Table")}
        if f.check == "DYNAMODB-TABLE-THROUGHPUT":
            metric = "ConsumedReadCapacityUnits" if reads else "ConsumedWriteCapacityUnits"
            out.append(_alarm(b, done, f"{rid}Limit{'Read' if reads else 'Write'}ThroughputAlarm", f,
                              namespace="AWS/DynamoDB", metric=metric, dims=dims,
                              threshold=_rate_threshold(f, " (consumed units in a minute)"), stat="Sum",
                              description=_describe(f, "the table's throughput near the on-demand table quota"),
                              comparison="GreaterThanOrEqualToThreshold", periods=(1, 1)))
        else:  # warm throughput, hot key: the table throttles
            metric = "ReadThrottleEvents" if reads else "WriteThrottleEvents"
            out.append(_alarm(b, done, f"{rid}Limit{'Read' if reads else 'Write'}ThrottlesAlarm", f,
                              namespace="AWS/DynamoDB", metric=metric, dims=dims,
                              threshold=C(0, f"limits-check {f.check}: any throttled request"), stat="Sum",
                              description=_describe(f, "the table throttles requests"), periods=(1, 1)))
    return out


def _fargate_vcpu(b, f, done):
    if not _ids(b, "AWS::ECS::Service", lambda rid, p: p.get("LaunchType") == "FARGATE"):
        return []
    # AWS/Usage ResourceCount, the metric behind the Fargate vCPU quota:
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/monitoring-fargate-usage.html
    return [_alarm(b, done, "LimitFargateVcpuAlarm", f, namespace="AWS/Usage", metric="ResourceCount",
                   dims={"Service": "Fargate", "Type": "Resource", "Resource": "vCPU", "Class": "Standard/OnDemand"},
                   threshold=_level_threshold(f), stat="Maximum",
                   description=_describe(f, "the account's running Fargate On-Demand vCPUs near the quota "
                                            "(request L-3032A538)"),
                   comparison="GreaterThanOrEqualToThreshold", periods=(1, 1))]


def _iot(b, f, done):
    if not (_ids(b, "AWS::IoT::TopicRule") or _ids(b, "AWS::IoT::Policy")):
        return []
    # message broker metrics, per protocol:
    # https://docs.aws.amazon.com/iot/latest/developerguide/metrics_dimensions.html
    metric, what = (("Connect.Success", "device connects") if f.check == "IOT-CONNECT-RATE"
                    else ("PublishOut.Success", "messages the broker delivers to devices"))
    return [_alarm(b, done, f"Limit{pascal(metric.replace('.', '-'))}Alarm", f, namespace="AWS/IoT",
                   metric=metric, dims={"Protocol": "MQTT"}, threshold=_rate_threshold(f, f" ({what})"),
                   stat="Sum", description=_describe(f, f"{what} per second near the account quota"),
                   comparison="GreaterThanOrEqualToThreshold", periods=(1, 1))]


METRICS = {
    "LAMBDA-CONCURRENCY": _lambda_account,
    "LAMBDA-INVOKE-RATE": _lambda_account,
    "LAMBDA-BURST-RAMP": _lambda_ramp,
    "LAMBDA-INVOKE-RAMP": _lambda_ramp,
    "APIGW-RPS": _apigw,
    "APIGW-BURST": _apigw,
    "DYNAMODB-TABLE-THROUGHPUT": _dynamodb,
    "DYNAMODB-WARM-THROUGHPUT": _dynamodb,
    "DYNAMODB-HOT-KEY": _dynamodb,
    "FARGATE-VCPU": _fargate_vcpu,
    "IOT-CONNECT-RATE": _iot,
    "IOT-PUBLISH-RATE": _iot,
}

# The resources each metric is about: a design without any of them gets no alarm for the check (e.g.
# limits-check reports APIGW-RPS on every design, while an ECS design behind an ALB has no API Gateway).
ABOUT = {
    "LAMBDA-CONCURRENCY": {"AWS::Lambda::Function"}, "LAMBDA-INVOKE-RATE": {"AWS::Lambda::Function"},
    "LAMBDA-BURST-RAMP": {"AWS::Lambda::Function"}, "LAMBDA-INVOKE-RAMP": {"AWS::Lambda::Function"},
    "APIGW-RPS": {"AWS::ApiGatewayV2::Api"}, "APIGW-BURST": {"AWS::ApiGatewayV2::Api"},
    "DYNAMODB-TABLE-THROUGHPUT": {"AWS::DynamoDB::Table"}, "DYNAMODB-WARM-THROUGHPUT": {"AWS::DynamoDB::Table"},
    "DYNAMODB-HOT-KEY": {"AWS::DynamoDB::Table"}, "FARGATE-VCPU": {"AWS::ECS::Service"},
    "IOT-CONNECT-RATE": {"AWS::IoT::TopicRule", "AWS::IoT::Policy"},
    "IOT-PUBLISH-RATE": {"AWS::IoT::TopicRule", "AWS::IoT::Policy"},
}
