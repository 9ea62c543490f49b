"""Plan → template: one assembly per pattern, from the plan's stages and facts, plus the ECS service
that replaces the API and queue-consumer stages when the compute choice is fargate or ec2 (the same task
definition and service, on an EC2 capacity provider)."""
from __future__ import annotations

from decimal import Decimal

from costplan.errors import CostplanError
from costplan.templates import components as c
from costplan.templates import ecs_designs, safe
from costplan.templates.build import A, Builder, F, Function, P, Statement, num, pascal, snake
from costplan.templates.ecs import fargate_service
from costplan.templates.model import C

COMPUTES = ("auto", "lambda", "fargate", "ec2")
_COMPARED: list = []  # [(scenario, Comparison)], newest first, a few kept


def compared(scenario):
    """compare(scenario), once per scenario object: writing a template asks for the recommendation, the
    ECS sizing and the auto note, and each compare scans the break-even bands (0.2-0.8 s). Keyed by
    identity, holding the scenario, so an id cannot be reused while it is cached."""
    for sc, result in _COMPARED:
        if sc is scenario:
            return result
    from costplan.compute.compare import compare

    result = compare(scenario)
    _COMPARED.insert(0, (scenario, result))
    del _COMPARED[64:]
    return result


def resolve_compute(scenario, compute: str) -> str:
    asked = compute
    if compute == "auto":
        compute = compared(scenario).recommendation
    if compute not in ("lambda", "fargate", "ec2"):
        raise CostplanError(f"--compute must be one of {', '.join(COMPUTES)}, got {compute!r}")
    if compute in ("fargate", "ec2"):
        from costplan.patterns import plan as make_plan

        why = ecs_refusal(make_plan(scenario))
        if why and asked == "auto":
            # auto writes what can be written and says so: the Lambda design, not a relabelled one
            return "lambda"
        if why:
            raise CostplanError(scenario.problem(
                f"--compute {compute}: {why}; use --compute lambda for this pattern's Lambda template", "pattern"))
    return compute


def auto_note(scenario, asked: str, resolved: str) -> str | None:
    """When --compute auto wrote the Lambda design although compare recommends ECS: why, in one line."""
    if asked != "auto" or resolved != "lambda":
        return None
    rec = compared(scenario).recommendation
    if rec == "lambda":
        return None
    from costplan.patterns import plan as make_plan

    return (f"compare recommends ECS ({rec}), but {ecs_refusal(make_plan(scenario))}: this is the Lambda design "
            f"(--compute {rec} says the same and exits 2)")


# Patterns whose ECS design (Plan.ecs_design, what compare prices for Fargate and EC2) the emitters below
# write: the stage roles that become services. API and queue-consumer stages go through Ctx.compute_stage
# (ALB for an API, backlog scaling for a consumer); the push-fed stages (subscribers, the MQTT publisher,
# the TTL handler, the claim-check resizer) and the WebSocket server through templates/ecs_designs.py,
# each behind the queue or load balancer compare prices. A pattern or stage missing here is refused for
# `--compute fargate|ec2` with the reason, never relabelled.
ECS_STAGE_ROLES = {
    "sync_api": {"api"},
    "queue_load_leveling": {"consumer"},
    "sequential_convoy": {"consumer"},
    "async_request_reply": {"api"},
    "claim_check": {"api", "subscriber"},  # presign service behind an ALB; S3 → SQS → resizer service
    "pubsub": {"subscriber"},  # SNS/EventBridge → SQS per subscriber → a service each
    "websocket_notify": {"api"},  # ALB (WebSocket) → the service holding the connections
    "mqtt_notify": {"publisher"},  # IoT rule → SQS → publisher service → IoT Core
    "scheduled_ttl": {"consumer"},  # stream → EventBridge Pipe → SQS → expiry service
}


def ecs_refusal(plan) -> str | None:
    """Why this plan's ECS design cannot be emitted, or None."""
    design = plan.ecs_design
    if design is None:
        why = plan.ecs_unavailable or "compare prices it on Lambda only"
        return f"pattern {plan.pattern} has no ECS design ({why})"
    roles = ECS_STAGE_ROLES.get(plan.pattern)
    if roles is None:
        return f"pattern {plan.pattern} has no ECS template yet (its ECS design is not emitted)"
    left = [s.name for s in design.ecs_stages if s.role not in roles]
    if left:
        return (f"pattern {plan.pattern}: the ECS design of {', '.join(left)} is not emitted (it would "
                "stay on Lambda while compare prices it on ECS)")
    return None


def moves_to_ecs(stage, compute: str) -> bool:
    """Only request/response APIs and queue consumers can become services; push-triggered stages stay."""
    return compute in ("fargate", "ec2") and stage.ecs_capable and stage.role in ("api", "consumer")


class Ctx:
    def __init__(self, plan, compute: str, sizing: dict | None):
        self.plan = plan
        self.compute = compute
        self.sizing = sizing or {}
        sc = plan.scenario
        self.b = Builder(f"{safe.text(sc.name)} ({plan.pattern}, {compute})")
        self.stages = {s.name: s for s in plan.stages}
        self.facts = plan.facts or {}
        self.ecs: dict[str, object] = {}

    def compute_stage(self, stage, statements, env=None, **kw) -> Function | None:
        """A Lambda function, or (fargate, ec2) an ECS service with the same permissions. Returns the function."""
        if moves_to_ecs(stage, self.compute):
            ec2 = self.sizing.get("cluster", {}) if self.compute == "ec2" else None
            self.ecs[stage.name] = fargate_service(self.b, stage, self.plan.scenario.ecs,
                                                   self.sizing.get(stage.name, {}), statements, env or {}, ec2=ec2,
                                                   queue=kw.get("queue"))
            return None
        kw.pop("queue", None)  # a Lambda consumer scales with its event source mapping
        fn = self.b.function(stage, statements, env, code_role=kw.pop("code_role", stage.role), **kw)
        cap = stage.reserved_concurrency or stage.max_concurrency
        c.throttle_alarm(self.b, fn, cap)
        return fn


AUTHS = ("iam", "jwt", "none")


def build(plan, compute: str = "lambda", sizing: dict | None = None, auth: str = "iam") -> Builder:
    if auth not in AUTHS:
        raise CostplanError(f"--auth must be one of {', '.join(AUTHS)}, got {auth!r}")
    ctx = Ctx(plan, compute, sizing)
    ctx.b.auth = auth
    ctx.b.region = plan.scenario.region
    ctx.b.facts = dict(plan.facts or {})
    assemble = ASSEMBLERS.get(plan.pattern)
    if assemble is None:
        raise CostplanError(plan.scenario.problem(f"pattern {plan.pattern!r} has no template yet", "pattern"))
    assemble(ctx)
    return ctx.b


# ---- patterns ----------------------------------------------------------------------------------------

def _throttle_for(ctx, rate, cap=None, why=""):
    """throttle_for with the scenario account's API Gateway rate and burst, as limits-check sees them."""
    from costplan.limits.quotas import Resolver

    limit = Resolver(ctx.plan.scenario.region, ctx.plan.scenario.quotas)
    account = (limit("apigateway.account_rps").value, limit("apigateway.account_burst").value)
    return c.throttle_for(rate, account, cap=cap, why=why)


def _throttle(ctx, stage=None):
    t = stage.traffic if stage is not None else ctx.plan.traffic
    cap = None
    why = ""
    if stage is not None and stage.reserved_concurrency:
        # Little's law: the function can serve reserved / duration requests per second.
        cap = int(Decimal(stage.reserved_concurrency) * 1000 / Decimal(t.duration_ms))
        why = f"protects the function: {num(stage.reserved_concurrency)} reserved / {num(t.duration_ms)} ms"
    return _throttle_for(ctx, t.peak_rps, cap=cap, why=why)


def _lambda_api(ctx, throttle, routes: list[tuple[str, Function]]) -> None:
    """The scenario's API Gateway in front of a function: an HTTP API, or a REST API where the plan
    (and its price) says settings.api: rest. routes: ("POST /start", fn); "$default" is every path."""
    b = ctx.b
    if ctx.facts.get("api") == "rest":
        api = c.RestApi(b)
        for key, fn in routes:
            if key == "$default":
                api.lambda_route("ANY", "/", fn)
                api.lambda_route("ANY", "/{proxy+}", fn)
            else:
                method, path = key.split(" ", 1)
                api.lambda_route(method, path, fn)
        api.deploy(throttle)
        return
    h = c.http_api(b, "HttpApi", throttle)
    for key, fn in routes:
        c.api_lambda_route(b, h, key, fn)


def sync_api(ctx: Ctx) -> None:
    st = ctx.plan.stages[0]
    b = ctx.b
    stmts, env = _request_tables(ctx)
    fn = ctx.compute_stage(st, stmts, env)
    if fn is None:
        return
    api = ctx.facts.get("api") or "function_url"
    if api == "function_url":
        if b.auth == "jwt":
            raise CostplanError("--auth jwt: a function URL has no JWT authorizer (use --auth iam, or settings.api: http)")
        url_auth = (C("NONE", "--auth none: a public URL") if b.auth == "none"
                    else C("AWS_IAM", "callers sign requests (SigV4)"))
        b.resource(f"{fn.handle.cfn_id}Url", "AWS::Lambda::Url",
                   {"TargetFunctionArn": fn.handle("arn"), "AuthType": url_auth},
                   "aws_lambda_function_url", {"function_name": fn.handle("name"), "authorization_type": url_auth},
                   cfn_attrs={"url": "GetAtt:FunctionUrl"}, tf_attrs={"url": "function_url"})
        b.output("FunctionUrl", A(b_handle(fn, "Url", "aws_lambda_function_url"), "url"), "function URL")
    else:
        _lambda_api(ctx, _throttle(ctx, st), [("$default", fn)])


def _request_tables(ctx) -> tuple[list[Statement], dict]:
    """The tables the plan prices for each request (settings.tables): one on-demand table each, the
    handler granted the item reads and writes the plan counts, its name in TABLE_<NAME>."""
    stmts, env = [], {}
    for t in ctx.facts.get("dynamodb") or []:
        name = str(t.get("table") or "table")
        h = c.table(ctx.b, f"{pascal(name)}Table")
        stmts.append(Statement(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], [h("arn")],
                               f"plan: table {safe.text(name)} (reads and writes per request)"))
        env[f"TABLE_{snake(pascal(name)).upper()}"] = h("name")
        ctx.b.output(f"{pascal(name)}TableName", h("name"), f"table {safe.text(name)} the handler reads and writes")
    return stmts, env


def b_handle(fn: Function, suffix: str, tf_type: str):
    from costplan.templates.build import Handle

    return Handle(fn.handle.cfn_id + suffix, tf_type, fn.handle.tf_name + "_" + snake(suffix),
                  (("url", "GetAtt:FunctionUrl"),), (("url", "function_url"),))


def _queue_consumer(ctx: Ctx, q: dict, extra: list[Statement] | None = None, env: dict | None = None,
                    code_role: str | None = None):
    """A queue, its DLQ and alarms, and its consumer (Lambda with an event source mapping, or ECS)."""
    stage = ctx.stages.get(q.get("consumer"))
    b = ctx.b
    # the queue's visibility depends on the consumer's timeout, so build the queue from the stage first
    fake = Function(stage, None, None, [], {}, "") if stage is not None else None
    qh, dlq = c.queue(b, q, fake)
    c.queue_alarms(b, q, qh, dlq, stage)
    if stage is None:
        return qh, None
    stmts = [c.consume_statement(qh)] + (extra or [])
    fn = ctx.compute_stage(stage, stmts, dict(env or {}, **({"QUEUE_URL": qh("url")} if moves_to_ecs(stage, ctx.compute) else {})),
                           queue=qh, **({"code_role": code_role} if code_role else {}))
    if fn is not None:
        c.esm_sqs(b, q, qh, fn)
    return qh, fn


def _send_statement(qh) -> Statement:
    return Statement(["sqs:SendMessage"], [qh("arn")], "send to the next queue")


def queue_load_leveling(ctx: Ctx) -> None:
    b = ctx.b
    q = (ctx.facts.get("queues") or [{"name": "queue", "consumer": ctx.plan.stages[0].name}])[0]
    votes = c.table(b, "ResultsTable")
    qh, _ = _queue_consumer(ctx, q, [Statement(["dynamodb:BatchWriteItem"], [votes("arn")],
                                               "write each batch of votes (BatchWriteItem, as planned)")],
                            {"TABLE_NAME": votes("name")}, code_role="vote_consumer")
    # API Gateway → SQS SendMessage service integration: no function in front of the queue.
    rate = q.get("arrival_peak_rps") or ctx.plan.traffic.peak_rps
    if ctx.facts.get("api") == "rest":
        rest = c.RestApi(b)
        rest.sqs_route("POST", "/", qh, b.role("RestApiSqsRole", "apigateway.amazonaws.com", [_send_statement(qh)]))
        rest.deploy(_throttle_for(ctx, rate))
        b.output("QueueUrl", qh("url"), "work queue URL")
        return
    api = c.http_api(b, "HttpApi", _throttle_for(ctx, rate))
    role = b.role("HttpApiSqsRole", "apigateway.amazonaws.com", [_send_statement(qh)])
    integ = b.resource("HttpApiSqsIntegration", "AWS::ApiGatewayV2::Integration", {
        "ApiId": api("id"), "IntegrationType": "AWS_PROXY", "IntegrationSubtype": "SQS-SendMessage",
        "PayloadFormatVersion": "1.0", "CredentialsArn": role("arn"),
        "RequestParameters": {"QueueUrl": qh("url"), "MessageBody": "$request.body"}},
        "aws_apigatewayv2_integration", {
        "api_id": api("id"), "integration_type": "AWS_PROXY", "integration_subtype": "SQS-SendMessage",
        "payload_format_version": "1.0", "credentials_arn": role("arn"),
        "request_parameters": {"QueueUrl": qh("url"), "MessageBody": "$request.body"}},
        cfn_attrs={"id": "Ref"}, tf_attrs={"id": "id"})
    auth_cfn, auth_tf = c.route_auth(b, api, "POST /")
    b.resource("HttpApiPostRoute", "AWS::ApiGatewayV2::Route",
               {"ApiId": api("id"), "RouteKey": "POST /", "Target": F("integrations/{0}", (integ("id"),)),
                **auth_cfn},
               "aws_apigatewayv2_route",
               {"api_id": api("id"), "route_key": "POST /", "target": F("integrations/{0}", (integ("id"),)),
                **auth_tf})
    b.output("QueueUrl", qh("url"), "work queue URL")


def pubsub(ctx: Ctx) -> None:
    b = ctx.b
    fan = ctx.facts.get("fanout") or {}
    subs = [s for s in ctx.plan.stages if s.role == "subscriber"] or ctx.plan.stages
    if ecs_designs.emits(ctx):
        ecs_designs.pubsub(ctx, _event_bus, lambda st: _filter_share(ctx, st))
        return
    if fan.get("bus") == "eventbridge":
        bus, pattern = _event_bus(b)
        for st in subs:
            fn = ctx.b.function(st, [], {}, code_role="subscriber")
            c.rule(b, f"{fn.handle.cfn_id}Rule", fn, pattern=pattern, bus=bus)
        b.output("EventBusName", bus("name"), "event bus to publish to")
    else:
        th = c.topic(b, "Topic")
        for st in subs:
            fn = ctx.b.function(st, [], {}, code_role="subscriber")
            c.subscribe(b, th, fn, _filter_share(ctx, st))
        b.output("TopicArn", th("arn"), "topic to publish to")


def _event_bus(b):
    """The custom bus, and the pattern every subscriber's rule matches: the published event's source and
    detail-type (template inputs), not the subscriber's own name."""
    source = b.both_input("EventSource", "event_source", "String", "string",
                          "the `source` your publisher puts on the event (e.g. com.example.users)")
    detail = b.both_input("EventDetailType", "event_detail_type", "String", "string",
                          "the event's `detail-type` every subscriber receives (e.g. UserRegistered)")
    bus = b.resource("EventBus", "AWS::Events::EventBus", {"Name": F("{stack}-events")}, "aws_cloudwatch_event_bus",
                     {"name": "${var.name_prefix}-events"},
                     cfn_attrs={"name": "GetAtt:Name", "arn": "GetAtt:Arn"}, tf_attrs={"name": "name", "arn": "arn"})
    return bus, {"source": [source], "detail-type": [detail]}


def _filter_share(ctx, st):
    try:
        from costplan.patterns import pubsub as ps
        from costplan.patterns import settings

        subs = {f"subscriber:{s.name}": s.filter_share for s in settings(ctx.plan.scenario, ps.Settings).subscribers}
        return subs.get(st.name)
    except Exception:
        return None


def sequential_convoy(ctx: Ctx) -> None:
    queues = ctx.facts.get("queues") or []
    # The ledger the last consumer writes (priced as the plan's "ledger table"): one item per entry,
    # keyed by order id (the message group) and entry id, so an order's entries read back in one query.
    ledger = c.table(ctx.b, "LedgerTable", key="orderId", sort="entryId")
    # Build from the last queue back, so each processor can be granted SendMessage on the next queue.
    nxt = None
    for q in reversed(queues):
        if nxt is None:  # the last queue's consumer writes the ledger
            extra = [Statement(["dynamodb:ConditionCheckItem", "dynamodb:PutItem"], [ledger("arn")],
                               "write ledger entries (TransactWriteItems, never overwriting one)")]
            env, role = {"LEDGER_TABLE": ledger("name")}, "ledger_writer"
        else:  # the processor forwards to the next FIFO queue in the same message group (the order id)
            extra = [_send_statement(nxt)]
            env, role = {"NEXT_QUEUE_URL": nxt("url")}, "fifo_processor"
        qh, _ = _queue_consumer(ctx, q, extra, env, code_role=role)
        nxt = qh
    ctx.b.output("LedgerTableName", ledger("name"), "the ledger, one item per entry (orderId, entryId)")
    if nxt is not None:
        ctx.b.output("InputQueueUrl", nxt("url"), "FIFO queue the producers send to (MessageGroupId = order id)")


def claim_check(ctx: Ctx) -> None:
    b = ctx.b
    s3 = ctx.facts.get("s3") or {}
    trig = s3.get("trigger_prefix") or "uploads/"
    out_prefix = s3.get("output_prefix") or "resized/"
    same = bool(s3.get("same_bucket_output"))
    name = b.both_input("UploadsBucketName", "uploads_bucket_name", "String", "string",
                        "Name of the uploads bucket (globally unique; named up front so the S3 notification "
                        "needs no dependency cycle)")
    b.cfn.parameters["UploadsBucketName"]["AllowedPattern"] = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
    uploads_h = _bucket_handle("UploadsBucket")
    api_st = next((s for s in ctx.plan.stages if s.role == "api"), None)
    worker = next((s for s in ctx.plan.stages if s.role != "api"), None)
    out_h = uploads_h if same else None
    if not same:
        out_h = c.bucket(b, "OutputBucket")
    out_arn = c.bucket_arn(name if same else None, out_h, "/" + out_prefix + "*")
    outputs = int(_claim_settings(ctx, "outputs_per_object") or 1)
    widths = b.both_input("OutputWidthsPx", "output_widths_px", "String", "string",
                          f"Comma-separated widths in pixels the resizer writes (the plan prices {outputs} "
                          "output(s) per upload)")
    b.cfn.parameters["OutputWidthsPx"]["AllowedPattern"] = r"^[0-9]+(,[0-9]+)*$"
    read = Statement(["s3:GetObject"], [c.bucket_arn(name, uploads_h, "/" + trig + "*")], "read uploads")
    write = Statement(["s3:PutObject"], [out_arn], "write results outside the trigger prefix")
    env = {"OUTPUT_BUCKET": name if same else out_h("name"),
           "OUTPUT_PREFIX": C(out_prefix, "plan: s3.output_prefix (not under the trigger prefix)"),
           "TRIGGER_PREFIX": C(trig, "plan: s3.trigger_prefix"), "OUTPUT_WIDTHS_PX": widths}
    days = _claim_settings(ctx, "original_retention_days")
    expire = (trig, int(days)) if days else None
    if ecs_designs.emits(ctx) and worker is not None:
        if same and out_prefix.startswith(trig):
            raise CostplanError(ctx.plan.scenario.problem(
                f"the resizer writes under {out_prefix!r}, inside the trigger prefix {trig!r} of the same bucket: "
                "each output would be queued again (a recursive loop); expected an output_prefix outside it",
                "settings", "output_prefix"))
        env = {k: (v.value if isinstance(v, C) else v) for k, v in env.items()}  # ECS environment: plain strings
        qh = ecs_designs.claim_check_resizer(ctx, worker, [read, write], env)
        bk = c.bucket(b, "UploadsBucket", name_param=name, expire=expire)
        ecs_designs.notify_queue(b, bk, name, qh, trig)
    else:
        fn = b.function(worker, [read, write], env, code_role="claim_check", recursive_guard=True)
        c.bucket(b, "UploadsBucket", name_param=name, notify=(fn, trig), expire=expire)
    # Terraform: the bucket's name is the variable too, so both formats deploy the same bucket.
    for blk in b.tf.resources:
        if blk.labels == ("aws_s3_bucket", "uploads_bucket"):
            from costplan.templates.model import Expr
            blk.body.pop("bucket_prefix", None)
            blk.body["bucket"] = Expr("var.uploads_bucket_name")
    if api_st is not None:
        put = Statement(["s3:PutObject"], [c.bucket_arn(name, uploads_h, "/" + trig + "*")],
                        "presign uploads under the trigger prefix")
        afn = ctx.compute_stage(api_st, [put], {"UPLOADS_BUCKET": name, "UPLOAD_PREFIX": trig},
                                code_role="upload_url")
        if afn is not None:
            _lambda_api(ctx, _throttle(ctx, api_st), [("POST /uploads", afn)])


def _claim_settings(ctx, key):
    try:
        from costplan.patterns import claim_check as cc
        from costplan.patterns import settings

        return getattr(settings(ctx.plan.scenario, cc.Settings), key, None)
    except Exception:  # another planner's settings shape: no lifecycle rule
        return None


def _bucket_handle(cid):
    from costplan.templates.build import Handle

    return Handle(cid, "aws_s3_bucket", snake(cid), (("arn", "GetAtt:Arn"), ("name", "Ref")),
                  (("arn", "arn"), ("name", "id")))


def scheduled_cron(ctx: Ctx) -> None:
    b = ctx.b
    sched = ctx.facts.get("schedule") or {}
    expr = C(sched.get("expression") or "rate(1 day)", "plan: schedule.expression (1-minute precision at best)")
    st = ctx.plan.stages[0]
    # The stores the plan prices for the job: a table it writes (e.g. invoices) and a bucket for its
    # documents (e.g. invoice PDFs).
    stmts, env = [], {}
    if ctx.facts.get("dynamodb"):
        t = c.table(b, "JobTable")
        stmts.append(Statement(["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], [t("arn")],
                               "write the job's items"))
        env["TABLE_NAME"] = t("name")
        b.output("JobTableName", t("name"), "the table the job writes")
    if any(u.service == "s3" for u in ctx.plan.services):
        bk = c.bucket(b, "JobBucket")
        stmts.append(Statement(["s3:PutObject"], [F("{0}/*", (bk("arn"),))], "write the job's documents"))
        env["OUTPUT_BUCKET"] = bk("name")
        b.output("JobBucketName", bk("name"), "the bucket the job writes its documents to")
    fn = ctx.b.function(st, stmts, env, code_role="job")
    c.throttle_alarm(b, fn, st.reserved_concurrency)
    if sched.get("service") == "rule":
        c.rule(b, "ScheduleRule", fn, schedule=expr)
        return
    c.on_failure(b, fn)  # Scheduler invokes asynchronously: a failed run goes to the failure queue
    fq = c.failure_queue(b)
    role = b.role("SchedulerRole", "scheduler.amazonaws.com",
                  [Statement(["lambda:InvokeFunction"], [fn.handle("arn")], "invoke the job"),
                   Statement(["sqs:SendMessage"], [fq("arn")], "schedules it could not deliver")])
    b.resource("Schedule", "AWS::Scheduler::Schedule", {
        "ScheduleExpression": expr, "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "ENABLED",
        "Target": {"Arn": fn.handle("arn"), "RoleArn": role("arn"),
                   "RetryPolicy": {"MaximumRetryAttempts": 2}, "DeadLetterConfig": {"Arn": fq("arn")}}},
        "aws_scheduler_schedule", {
        "name_prefix": "${var.name_prefix}-", "schedule_expression": expr,
        "schedule_expression_timezone": "UTC",
        "flexible_time_window": c.Blocks([{"mode": "OFF"}]),
        "target": c.Blocks([{"arn": fn.handle("arn"), "role_arn": role("arn"),
                             "retry_policy": c.Blocks([{"maximum_retry_attempts": 2}]),
                             "dead_letter_config": c.Blocks([{"arn": fq("arn")}])}])},
        cfn_attrs={"arn": "GetAtt:Arn"}, tf_attrs={"arn": "arn"})


STREAM_RETRIES = 3  # a stream record's retries before the on-failure destination (AWS default: until it expires)


def scheduled_ttl(ctx: Ctx) -> None:
    b = ctx.b
    ttl = (ctx.facts.get("ttl") or {}).get("attribute") or "expires_at"
    t = c.table(b, "TimersTable", ttl=ttl, stream=True)
    st = ctx.plan.stages[0]
    pattern = {"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]},
               "eventName": ["REMOVE"]}
    batch = int(st.batch_size or 1) if st.batch_size else 100
    if ecs_designs.emits(ctx):
        (est,) = ecs_designs.ecs_stages(ctx)
        ecs_designs.ttl(ctx, t, est, pattern, batch)
        b.output("TableName", t("name"), "write items with the TTL attribute to start a timer")
        return
    fn = ctx.b.function(st, [Statement(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                                        "dynamodb:ListStreams"], [t("stream_arn")], "read the table's stream")],
                        {}, code_role="ttl")
    c.throttle_alarm(b, fn, st.reserved_concurrency)
    import json
    fq = c.failure_queue(b)
    pol = c.grant(b, fn, f"{fn.handle.cfn_id}OnFailurePolicy",
                  Statement(["sqs:SendMessage"], [fq("arn")], "stream records that keep failing"))
    retries = C(STREAM_RETRIES, "then the record goes to the failure queue instead of blocking its shard")
    bisect = C(True, "split a failing batch to isolate the poison record")
    b.resource(f"{fn.handle.cfn_id}StreamMapping", "AWS::Lambda::EventSourceMapping", {
        "MaximumRetryAttempts": retries, "BisectBatchOnFunctionError": bisect,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "DestinationConfig": {"OnFailure": {"Destination": fq("arn")}},
        "EventSourceArn": t("stream_arn"), "FunctionName": fn.handle("arn"),
        "StartingPosition": C("LATEST", "required for stream sources"),
        "BatchSize": C(batch, "plan: stage batch size"),
        "FilterCriteria": {"Filters": [{"Pattern": json.dumps(pattern, separators=(",", ":"))}]}},
        "aws_lambda_event_source_mapping", {
        "maximum_retry_attempts": retries, "bisect_batch_on_function_error": bisect,
        "function_response_types": ["ReportBatchItemFailures"],
        "destination_config": c.Blocks([{"on_failure": c.Blocks([{"destination_arn": fq("arn")}])}]),
        "depends_on": [c.Expr(f"aws_iam_role_policy.{snake(pol)}")],
        "event_source_arn": t("stream_arn"), "function_name": fn.handle("arn"),
        "starting_position": C("LATEST", "required for stream sources"),
        "batch_size": C(batch, "plan: stage batch size"),
        "filter_criteria": c.Blocks([{"filter": c.Blocks([{"pattern": c.Call("jsonencode", pattern)}])}])},
        depends_on=[pol])
    b.output("TableName", t("name"), "write items with the TTL attribute to start a timer")


def pipes_and_filters(ctx: Ctx) -> None:
    b = ctx.b
    steps = _steps(ctx)
    script = b.both_input("GlueScriptPrefix", "glue_script_prefix", "String", "string",
                          "s3://bucket/prefix/ holding the Glue job scripts (<job>.py)")
    glue_role = None
    runs = (ctx.facts.get("glue") or {}).get("max_concurrent_runs") or 1
    states: dict = {}
    subs: dict = {}
    invoked_fns, jobs = [], []
    for i, (name, kind, dpus) in enumerate(steps):
        sid = pascal(name)
        nxt = pascal(steps[i + 1][0]) if i + 1 < len(steps) else None
        if kind == "glue":
            if glue_role is None:
                glue_role = c.glue_role(b)
            job = c.glue_job(b, f"{sid}Job", script, glue_role, dpus=dpus, concurrent=runs)
            jobs.append(job)
            subs[f"{sid}Job"] = job("name")
            state = {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                     "Parameters": {"JobName": "${" + f"{sid}Job" + "}"}}
        else:
            st = ctx.stages.get(f"filter:{name}") or next((s for s in ctx.plan.stages if s.name.endswith(name)),
                                                           ctx.plan.stages[0])
            fn = b.function(st, [], {}, code_role="job")
            invoked_fns.append(fn)
            subs[f"{fn.handle.cfn_id}Arn"] = fn.handle("arn")
            state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Parameters": {"FunctionName": "${" + f"{fn.handle.cfn_id}Arn" + "}", "Payload.$": "$"},
                     "OutputPath": "$.Payload"}
        state["Retry"] = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 30, "MaxAttempts": 2, "BackoffRate": 2}]
        if nxt:
            state["Next"] = nxt
        else:
            state["End"] = True
        states[sid] = state
    definition = {"Comment": f"costplan {safe.text(ctx.plan.scenario.name)}: pipes and filters",
                  "StartAt": pascal(steps[0][0]), "States": states}
    stmts = []
    if invoked_fns:
        stmts.append(Statement(["lambda:InvokeFunction"], [f.handle("arn") for f in invoked_fns], "invoke the filters"))
    if jobs:
        stmts.append(Statement(["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"],
                               [c.glue_job_arn(j) for j in jobs], "run the Glue filters (.sync)"))
    sm = c.state_machine(b, "Pipeline", definition, stmts, subs)
    b.output("StateMachineArn", sm("arn"), "start an execution to run the pipeline")


def _steps(ctx) -> list[tuple[str, str]]:
    try:
        from costplan.patterns import pipes_and_filters as pf
        from costplan.patterns import settings

        return [(s.name, s.kind, s.dpus) for s in settings(ctx.plan.scenario, pf.Settings).steps]
    except Exception:  # another planner's settings shape: fall back to the stages
        return [(s.name.split(":")[-1], "lambda", 0) for s in ctx.plan.stages]


def async_request_reply(ctx: Ctx) -> None:
    b = ctx.b
    status = c.table(b, "StatusTable", key="jobId")
    job_st = next((s for s in ctx.plan.stages if s.role == "job"), None)
    api_st = next((s for s in ctx.plan.stages if s.role == "api"), None)
    engine, steps = _async_settings(ctx)
    states: dict = {}
    subs: dict = {}
    stmts: list[Statement] = []
    if engine == "glue":
        script = b.both_input("GlueScriptPrefix", "glue_script_prefix", "String", "string",
                              "s3://bucket/prefix/ holding the Glue job script (<job>.py)")
        grole = c.glue_role(b)
        job = c.glue_job(b, "RefreshJob", script, grole, dpus=_async_dpus(ctx),
                         concurrent=(ctx.facts.get("glue") or {}).get("max_concurrent_runs") or 1)
        subs["RefreshJob"] = job("name")
        states["Refresh"] = {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                             "Parameters": {"JobName": "${RefreshJob}"}, "End": True}
        stmts.append(Statement(["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"],
                               [c.glue_job_arn(job)], "run the Glue job (.sync)"))
    else:
        fn = b.function(job_st, [Statement(["dynamodb:UpdateItem"], [status("arn")], "record progress")],
                        {"STATUS_TABLE": status("name")}, code_role="job")
        subs["StepFunctionArn"] = fn.handle("arn")
        for i in range(steps):
            sid = f"Step{i + 1}"
            states[sid] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Parameters": {"FunctionName": "${StepFunctionArn}", "Payload": {"step": i + 1,
                                                                                          "input.$": "$"}},
                           "ResultPath": None,
                           "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 2,
                                      "BackoffRate": 2}]}
            if i + 1 < steps:
                states[sid]["Next"] = f"Step{i + 2}"
            else:
                states[sid]["End"] = True
        stmts.append(Statement(["lambda:InvokeFunction"], [fn.handle("arn")], "invoke the job steps"))
    definition = {"Comment": f"costplan {safe.text(ctx.plan.scenario.name)}: the long job behind /start",
                  "StartAt": next(iter(states)), "States": states}
    sm = c.state_machine(b, "Workflow", definition, stmts, subs)
    api_stmts = [Statement(["states:StartExecution"], [sm("arn")], "/start"),
                 Statement(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], [status("arn")],
                           "/status, and the job's status as /start records it")]
    fn = ctx.compute_stage(api_st, api_stmts, {"STATE_MACHINE_ARN": sm("arn"), "STATUS_TABLE": status("name")},
                           code_role="async_api")
    if fn is not None:
        polling = ctx.facts.get("polling") or {}
        rate = Decimal(polling.get("rps") or api_st.traffic.peak_rps) + Decimal(api_st.traffic.peak_rps)
        _lambda_api(ctx, _throttle_for(ctx, rate), [("POST /start", fn), ("GET /status/{jobId}", fn)])


def _async_dpus(ctx):
    try:
        from costplan.patterns import async_request_reply as ar
        from costplan.patterns import settings

        return settings(ctx.plan.scenario, ar.Settings).glue_dpus
    except Exception:
        return 2


def _async_settings(ctx) -> tuple[str, int]:
    try:
        from costplan.patterns import async_request_reply as ar
        from costplan.patterns import settings

        s = settings(ctx.plan.scenario, ar.Settings)
        return s.engine, max(1, int(s.steps))
    except Exception:
        return "stepfunctions", 1


def websocket_notify(ctx: Ctx) -> None:
    b = ctx.b
    if ecs_designs.emits(ctx):
        ecs_designs.websocket(ctx)
        return
    ws = ctx.facts.get("websocket") or {}
    conns = c.table(b, "ConnectionsTable", key="connectionId")
    subs_t = c.table(b, "SubscriptionsTable", key="topic", sort="connectionId")
    handler_st = next((s for s in ctx.plan.stages if s.role == "api"), ctx.plan.stages[-1])
    fan_st = next((s for s in ctx.plan.stages if s.role == "publisher"), ctx.plan.stages[0])
    rate = Decimal(ws.get("connect_peak_rps") or handler_st.traffic.peak_rps) * 2
    api = c.http_api(b, "WebSocketApi", _throttle_for(ctx, rate), protocol="WEBSOCKET",
                     route_selection="$request.body.action")
    h = b.function(handler_st, [Statement(["dynamodb:PutItem", "dynamodb:DeleteItem"], [conns("arn"), subs_t("arn")],
                                          "track connections and subscriptions")],
                   {"CONNECTIONS_TABLE": conns("name"), "SUBSCRIPTIONS_TABLE": subs_t("name")}, code_role="ws_connections")
    for route in ("$connect", "$disconnect", "subscribe"):
        c.api_lambda_route(b, api, route, h, websocket=True)
    topic = c.topic(b, "PricesTopic")
    manage = c.api_execution_arn(api, "live/POST/@connections/*")
    fan = b.function(fan_st, [
        Statement(["execute-api:ManageConnections"], [manage], "post to connected clients"),
        Statement(["dynamodb:Query"], [subs_t("arn")], "find subscribers"),
        Statement(["dynamodb:DeleteItem"], [conns("arn")], "drop gone connections")],
        {"SUBSCRIPTIONS_TABLE": subs_t("name"), "CONNECTIONS_TABLE": conns("name"),
         "CALLBACK_URL": F("https://{0}.execute-api.{region}.amazonaws.com/live", (api("id"),))},
        code_role="ws_fanout")
    c.subscribe(b, topic, fan)
    c.throttle_alarm(b, fan, fan_st.reserved_concurrency)
    b.output("PricesTopicArn", topic("arn"), "publish price updates here; the fan-out posts them to subscribers")


def mqtt_notify(ctx: Ctx) -> None:
    b = ctx.b
    st = ctx.plan.stages[0]
    topic_arn = F("arn:{partition}:iot:{region}:{account}:topic/fixtures/*")
    grants = [Statement(["iot:Publish"], [topic_arn], "publish to fans' fixture topics"),
              Statement(["iot:DescribeEndpoint"], ["*"], "find the account's data endpoint")]
    sql = "SELECT *, topic(2) AS fixture FROM 'events/+/key'"
    if ecs_designs.emits(ctx):  # the rule feeds a queue the publisher service polls; IoT Core stays the broker
        (est,) = ecs_designs.ecs_stages(ctx)
        ecs_designs.mqtt_publisher(ctx, est, "KeyEventsRule", sql, grants, {"TOPIC_PREFIX": "fixtures/"})
    else:
        fn = b.function(st, grants, {"TOPIC_PREFIX": "fixtures/"}, code_role="mqtt_publisher")
        c.iot_rule(b, "KeyEventsRule", sql, fn)
        c.throttle_alarm(b, fn, st.reserved_concurrency)
    # The fans' devices (the plan's connection minutes): connect as their own client id, subscribe to and
    # receive fixture topics only. Attach it to each device's certificate, or to the Cognito identities of
    # app users (iot:AttachPolicy), or return it from your custom authorizer.
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iot:Connect",
         "Resource": F("arn:{partition}:iot:{region}:{account}:client/${!iot:ClientId}")},
        {"Effect": "Allow", "Action": "iot:Subscribe",
         "Resource": F("arn:{partition}:iot:{region}:{account}:topicfilter/fixtures/*")},
        {"Effect": "Allow", "Action": "iot:Receive",
         "Resource": F("arn:{partition}:iot:{region}:{account}:topic/fixtures/*")}]}
    from costplan.templates.build import to_tf
    from costplan.templates.model import Call
    tf_doc = to_tf(doc)
    tf_doc["Statement"][0]["Resource"] = tf_doc["Statement"][0]["Resource"].replace("${!iot:ClientId}",
                                                                                    "$${iot:ClientId}")
    pol = b.resource("FanDevicePolicy", "AWS::IoT::Policy", {"PolicyDocument": doc}, "aws_iot_policy",
                     {"name": "${var.name_prefix}-fan-device", "policy": Call("jsonencode", tf_doc)},
                     cfn_attrs={"name": "Ref"}, tf_attrs={"name": "name"})
    b.output("FanDevicePolicyName", pol("name"), "IoT policy for fans' devices (attach to each certificate "
             "or Cognito identity)")
    _iot_authorizer(ctx)


def _iot_authorizer(ctx: Ctx) -> None:
    """Fans' apps connect with a token from your identity provider, through an IoT Core custom authorizer
    (AWS's path for bearer tokens; X.509 certificates are its path for devices you provision, and the
    FanDevicePolicy above is what to attach to them): a Lambda function with no AWS permissions beyond its
    logs, token signing enabled (IoT Core verifies the signature before invoking it), invoked by
    iot.amazonaws.com for this authorizer only. The function is the plan's device-authorizer stage (priced,
    memory and timeout from the plan: IoT Core waits at most 5 s for it); without that stage
    (settings.authorizer: false) devices use certificates and the device policy only."""
    b = ctx.b
    stage = next((s for s in ctx.plan.stages if s.role == "authorizer"), None)
    if stage is None:
        return
    fn = b.function(stage, [], {"TOPIC_PREFIX": "fixtures/"}, code_role="iot_authorizer")
    key_name = b.both_input("DeviceTokenKeyName", "device_token_key_name", "String", "string",
                            "Name of the MQTT username query parameter / header that carries the fan's token",
                            default="x-fan-token")
    public_key = b.both_input("DeviceTokenSigningPublicKey", "device_token_signing_public_key", "String", "string",
                              "PEM public key (2,048 bits or more) your identity provider signs fans' tokens with (IoT Core "
                              "verifies each token's signature against it before invoking the authorizer)")
    signing = C(False, "signing enabled: IoT Core rejects tokens without a valid signature before invoking")
    auth = b.resource("FanTokenAuthorizer", "AWS::IoT::Authorizer", {
        "AuthorizerFunctionArn": fn.handle("arn"), "Status": "ACTIVE", "SigningDisabled": signing,
        "TokenKeyName": key_name, "TokenSigningPublicKeys": {"FanTokenKey": public_key}},
        "aws_iot_authorizer", {
        "name": "${var.name_prefix}-fan-token-authorizer", "authorizer_function_arn": fn.handle("arn"),
        "status": "ACTIVE", "signing_disabled": signing, "token_key_name": key_name,
        "token_signing_public_keys": {"FanTokenKey": public_key}},
        cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"}, tf_attrs={"arn": "arn", "name": "name"})
    b.permission(fn, "FanTokenAuthorizerInvokePermission", "iot.amazonaws.com", auth("arn"))
    # cfn-lint-serverless (ES1007) takes every iot.amazonaws.com permission for an asynchronous invoke
    # that needs an on-failure destination; IoT Core invokes an authorizer synchronously and waits for
    # its answer, so there is no asynchronous retry to configure.
    b.cfn.resources["FanTokenAuthorizerInvokePermission"]["Metadata"] = {
        "cfn-lint": {"config": {"ignore_checks": ["ES1007"]}},
        "costplan:why": "IoT Core invokes a custom authorizer synchronously: no asynchronous retries (ES1007)"}
    b.output("FanTokenAuthorizerName", auth("name"), "custom authorizer fans' apps name when they connect "
             "(MQTT username ?x-amz-customauthorizer-name=<name>)")


ASSEMBLERS = {
    "sync_api": sync_api,
    "queue_load_leveling": queue_load_leveling,
    "pubsub": pubsub,
    "sequential_convoy": sequential_convoy,
    "claim_check": claim_check,
    "scheduled_cron": scheduled_cron,
    "scheduled_ttl": scheduled_ttl,
    "pipes_and_filters": pipes_and_filters,
    "async_request_reply": async_request_reply,
    "websocket_notify": websocket_notify,
    "mqtt_notify": mqtt_notify,
}
