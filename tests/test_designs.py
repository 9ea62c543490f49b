"""Each pattern plans its own ECS design, not the Lambda design with the functions swapped: the ECS
options carry no Lambda-only front door and do carry the queues and load balancers an ECS architect
would build; the Lambda options price the Lambda design. Checked on the priced line items."""
from __future__ import annotations

from decimal import Decimal

import pytest

from costplan import patterns, scenario
from costplan.compute.options import price_options
from costplan.pricing.book import PriceBook
from tests.conftest import SCENARIOS

BOOK = PriceBook("us-east-1")


def _load(name):
    return scenario.load(SCENARIOS / f"{name}.yaml")


def _options(sc, fixed=True):
    return {o.name: o for o in price_options(patterns.plan(sc), BOOK, warm=False, fixed=fixed)}


def _keys(option) -> set[str]:
    """The services an option's line items bill, by price-key family (sqs, alb, apigateway.websocket...)."""
    out = set()
    for li in option.line_items:
        head, _, rest = li.price_key.partition(".")
        out.add(f"{head}.{rest.split('_')[0]}" if head == "apigateway" else head)
    return out


def _resources(option, key_prefix: str) -> set[str]:
    return {li.resource for li in option.line_items if li.price_key.startswith(key_prefix)}


# pattern scenario → (in the Fargate option, not in it), by price-key family
ECS_DESIGNS = {
    # an ALB ends the WebSockets: no per-message or connection-minute charge, no connections table
    "stock_explorer_websocket": ({"alb", "fargate"}, {"apigateway.websocket", "dynamodb", "lambda"}),
    # SNS → an SQS queue per subscriber, which the ECS services long-poll
    "user_registration_fanout": ({"sns", "sqs", "fargate"}, {"lambda", "alb"}),
    # S3 notification → SQS → resizer service; an ALB in front of the presign service, no API Gateway
    "avatar_resize_claim_check": ({"s3", "sqs", "alb", "fargate"}, {"apigateway.http", "lambda"}),
    # the API moves behind an ALB; Step Functions' Lambda steps stay on Lambda
    "db_refresh_async": ({"alb", "stepfunctions", "dynamodb", "lambda", "fargate"}, {"apigateway.http"}),
    # API Gateway's SQS integration has no code behind it: it stays; the consumer polls the queue; no ALB
    "global_vote": ({"apigateway.http", "sqs", "dynamodb", "fargate"}, {"alb", "lambda"}),
    "order_ledger_convoy": ({"sqs", "dynamodb", "fargate"}, {"alb", "lambda"}),
    # DynamoDB Streams invokes only Lambda: an EventBridge Pipe reads the stream into SQS
    "account_bans_ttl": ({"dynamodb", "eventbridge", "sqs", "fargate"}, {"alb", "lambda"}),
    # IoT Core stays the broker; the topic rule sends to SQS for the publisher service; IoT Core's custom
    # authorizer (one invocation per CONNECT) stays a Lambda function
    "soccer_events_mqtt": ({"iot", "sqs", "lambda", "fargate"}, {"alb"}),
    "steady_heavy_api": ({"alb", "fargate"}, {"apigateway.http", "apigateway.rest", "lambda"}),
}


@pytest.mark.parametrize("name", sorted(ECS_DESIGNS))
def test_fargate_option_prices_the_ecs_design(name):
    has, lacks = ECS_DESIGNS[name]
    opts = _options(_load(name))
    for ecs in ("fargate", "ec2"):
        keys = _keys(opts[ecs])
        assert has - {"fargate"} <= keys, (ecs, has - keys)
        assert not keys & lacks, (ecs, keys & lacks)
    assert "fargate" in _keys(opts["fargate"]) and "ec2" in _keys(opts["ec2"])


def test_stock_explorer_fargate_pays_no_websocket_messages():
    opts = _options(_load("stock_explorer_websocket"))
    lam, fargate = opts["lambda"], opts["fargate"]
    ws = sum((li.monthly_usd for li in lam.line_items if li.price_key.startswith("apigateway.websocket")), Decimal(0))
    assert ws > 6000  # the Lambda design's $6,108.77 of messages (+ connection minutes) ...
    assert fargate.monthly_usd < lam.monthly_usd - ws  # ... which the ECS design does not pay


def test_websocket_alb_capacity_units_follow_connections_and_bytes():
    sc = _load("stock_explorer_websocket")
    plan = patterns.plan(sc)
    lb = plan.ecs_design.load_balancer
    assert lb.kind == "alb_websocket" and lb.stages == ["websocket-server"]
    # 168,000 sessions × 90 min over 6.5 h × 21 days: 15,120,000 connection-minutes / 8,190 active minutes
    active_min = Decimal("6.5") * 21 * 60
    assert lb.lcu["active_connections"] == Decimal(15_120_000) / active_min
    # posts (updates × recipients) + subscribe messages, 0.3 KB each, per active hour
    ws = next(su for su in plan.services if su.service == "apigateway_websocket").usage
    gb_h = ws["monthly_messages"] * Decimal("0.3") / 1024 / 1024 / (active_min / 60)
    assert lb.lcu["processed_gb_per_hour"] == pytest.approx(gb_h, rel=Decimal("1e-9"))
    fargate = _options(sc)["fargate"]
    lcu_hours = sum(li.quantity for li in fargate.line_items if li.price_key == "alb.lcu_hours")
    assert lcu_hours == pytest.approx(max(gb_h, lb.lcu["active_connections"] / 3000) * active_min / 60)


def test_websocket_ecs_front_door_apigateway_keeps_the_websocket_api():
    sc = _load("stock_explorer_websocket")
    sc = sc.model_copy(update={"settings": {**sc.settings, "ecs_front_door": "apigateway"}})
    plan = patterns.plan(sc)
    assert plan.ecs_design.on_lambda.keys() == {"connection-handlers"}
    keys = _keys(_options(sc)["fargate"])
    assert {"apigateway.websocket", "dynamodb", "lambda", "fargate"} <= keys and "alb" not in keys


def test_pubsub_queues_take_each_subscribers_deliveries():
    plan = patterns.plan(_load("user_registration_fanout"))
    queues = {su.resource: su.usage for su in plan.ecs_design.services if su.service == "sqs"}
    subs = {st.name.split(":")[1]: st for st in plan.ecs_design.stages}
    assert set(queues) == {f"{n} queue" for n in subs}
    sns = next(su.usage for su in plan.ecs_design.services if su.service == "sns")
    assert sns["sqs_deliveries"] == sum(st.traffic.monthly_requests for st in subs.values())
    sc = plan.scenario
    idle = (Decimal(730 * 3600) - plan.traffic.active_seconds) * sc.ecs.min_tasks / 20
    for name, st in subs.items():
        m = st.traffic.monthly_requests  # SNS hands Lambda one message per invocation: one per receive here too
        assert queues[f"{name} queue"]["monthly_requests"] == (3 * m + idle).quantize(Decimal("0.000001"))


def test_sync_api_front_doors():
    base = {"version": 1, "name": "t", "workload": {"monthly_requests": "10M", "duration_ms": 100}}

    def plan(**settings):
        return patterns.plan(scenario.from_dict({**base, "settings": settings}))

    p = plan(api="http")
    assert p.lambda_design.front_door == "apigateway_http" and p.ecs_design.front_door == "alb"
    assert [su.service for su in p.ecs_design.services] == ["cloudwatch_logs"]
    assert "Lambda design: HTTP API → Lambda; ECS design: ALB → ECS service." in p.summary
    p = plan(api="rest", ecs_front_door="apigateway")
    assert p.ecs_design.front_door == "apigateway_rest" and p.ecs_design.load_balancer.internal
    assert [su.service for su in p.ecs_design.services] == ["apigateway_rest", "cloudwatch_logs"]
    opts = {o.name: o for o in price_options(p, BOOK, warm=False)}
    assert _resources(opts["fargate"], "alb.") == {"internal load balancer"}


@pytest.mark.parametrize("settings, expected", [
    ({"ecs_front_door": "apigateway"}, "settings.ecs_front_door: apigateway keeps the Lambda design's API Gateway "
                                       "in front of ECS, but the Lambda design has a function URL"),
    ({"ecs_front_door": "nlb"}, "ecs_front_door"),
])
def test_bad_ecs_front_door_is_one_clear_line(cli, tmp_path, settings, expected):
    import yaml

    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({"version": 1, "name": "t", "pattern": "sync_api",
                                 "workload": {"monthly_requests": "1M", "duration_ms": 100}, "settings": settings}))
    code, out, err = cli("compare", str(p))
    assert code == 2 and expected in err and "Traceback" not in err
    assert f"{p}:" in err


def test_sync_api_logs_like_every_pattern():
    plan = patterns.plan(_load("steady_heavy_api"))
    (logs,) = [su for su in plan.services if su.service == "cloudwatch_logs"]
    # 1 KB per request (the default) × 1,051,200,000 requests
    assert logs.usage["ingested_gb"] == (Decimal(1_051_200_000) / 1024 / 1024).quantize(Decimal("0.000001"))
    assert logs in plan.ecs_design.services  # the tasks log the same requests


@pytest.mark.parametrize("name", ["monthly_invoicing_cron", "qa_db_refresh_pipeline"])
def test_patterns_without_an_ecs_design_say_why(name):
    plan = patterns.plan(_load(name))
    assert plan.ecs_design is None and "RunTask" in plan.ecs_unavailable
    assert "no ECS design (" in plan.summary
    assert set(_options(_load(name))) == {"lambda"}


ALL = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("name", ALL)
def test_search_totals_leave_out_only_what_both_designs_pay(name):
    # compare's break-even search prices without the shared integration services: the Lambda − ECS
    # difference must be the one with everything priced (to 28-digit Decimal arithmetic, far below a cent).
    sc = _load(name)
    full, bare = _options(sc), _options(sc, fixed=False)
    for ecs in set(full) & {"fargate", "ec2"}:
        a = full["lambda"].monthly_usd - full[ecs].monthly_usd
        b = bare["lambda"].monthly_usd - bare[ecs].monthly_usd
        assert abs(a - b) < Decimal("1e-12"), ecs


@pytest.mark.parametrize("name", ALL)
def test_every_plan_declares_both_designs_in_its_facts(name):
    plan = patterns.plan(_load(name))
    assert plan.lambda_design.name == "lambda" and plan.lambda_design.stages == plan.stages
    if plan.ecs_design is None:
        assert "ecs" not in plan.facts
        return
    f = plan.facts["ecs"]
    assert f["services"] == [s.name for s in plan.ecs_design.ecs_stages] and f["services"]
    assert f["summary"] == plan.ecs_design.summary
    queues = {su.resource for su in plan.ecs_design.services if su.service == "sqs"}
    assert {q["name"] for q in f["queues"]} == queues
    lb = plan.ecs_design.load_balancer
    assert f["load_balancer"] == (lb.kind if lb else None)
    # an API stage on ECS sits behind the load balancer
    for st in plan.ecs_design.ecs_stages:
        if st.role == "api" and sc_has_lb(plan):
            assert st.name in f["behind_load_balancer"]


def sc_has_lb(plan) -> bool:
    return plan.scenario.ecs.load_balancer != "none"


def test_iot_meters_connects_and_qos1_pubacks():
    plan = patterns.plan(_load("soccer_events_mqtt"))
    iot = next(su.usage for su in plan.services if su.service == "iot")
    sessions = Decimal(1_500_000)
    assert iot["monthly_connects"] == sessions
    events = Decimal(2400)
    deliveries = iot["monthly_messages"] - events * 2 - sessions  # feed + republish + subscribes
    assert iot["monthly_pubacks"] == deliveries  # one PUBACK per QoS 1 delivery
    opts = _options(_load("soccer_events_mqtt"))
    items = {li.name: li for li in opts["lambda"].line_items if li.price_key == "iot.messages"}
    # on the same tiered meter as the other messages: $1.00 per million in the first billion
    assert items["Messaging: CONNECT (first 1B messages)"].monthly_usd == Decimal("1.50")
    sc = _load("soccer_events_mqtt")
    sc = sc.model_copy(update={"settings": {**sc.settings, "delivery_qos": 0}})
    assert next(su.usage for su in patterns.plan(sc).services if su.service == "iot")["monthly_pubacks"] == 0


def test_compare_json_names_both_designs(cli):
    import json

    code, out, err = cli("compare", str(SCENARIOS / "user_registration_fanout.yaml"), "--format", "json")
    assert code == 0, err
    d = json.loads(out)["designs"]
    assert d["lambda"]["summary"] == "SNS → 3 Lambda subscriber(s)" and d["lambda"]["services"] == [
        "cloudwatch_logs", "sns"]
    assert d["ecs"]["services"] == ["cloudwatch_logs", "sns", "sqs"]
    assert d["ecs"]["ecs_services"] == ["subscriber:analytics", "subscriber:mailing", "subscriber:onboarding"]
    code, out, err = cli("compare", str(SCENARIOS / "monthly_invoicing_cron.yaml"), "--format", "json")
    d = json.loads(out)["designs"]
    assert d["ecs"] is None and "idle between runs" in d["ecs_unavailable"]
