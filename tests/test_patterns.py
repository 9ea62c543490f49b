"""Every bundled pattern scenario prices through `compare`, lists every service its pattern uses, and
its key numbers hold by hand; the rendered table is a golden file."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.conftest import SCENARIOS

EXPECTED = {
    "db_refresh_async": {"apigateway_http", "stepfunctions", "dynamodb", "cloudwatch_logs", "lambda"},
    "global_vote": {"apigateway_http", "sqs", "dynamodb", "cloudwatch_logs", "lambda"},
    "user_registration_fanout": {"sns", "cloudwatch_logs", "lambda"},
    "order_ledger_convoy": {"sqs", "dynamodb", "cloudwatch_logs", "lambda"},
    "avatar_resize_claim_check": {"apigateway_http", "s3", "cloudwatch_logs", "lambda"},
    "qa_db_refresh_pipeline": {"stepfunctions", "glue", "cloudwatch_logs", "lambda"},
    "monthly_invoicing_cron": {"eventbridge", "dynamodb", "s3", "cloudwatch_logs", "lambda"},
    "account_bans_ttl": {"dynamodb", "cloudwatch_logs", "lambda"},
    "stock_explorer_websocket": {"apigateway_websocket", "dynamodb", "cloudwatch_logs", "data_transfer", "lambda"},
    "soccer_events_mqtt": {"iot", "cloudwatch_logs", "lambda"},
}
PREFIX = {"apigateway": None, "vpc": None}  # price-key prefixes that name a family, resolved below


def _service_of(key: str) -> str:
    head = key.split(".")[0]
    if head == "apigateway":
        return "apigateway_" + key.split(".")[1].split("_")[0]
    if head == "logs":
        return "cloudwatch_logs"
    return head


def _plan(name):
    from costplan import patterns, scenario

    return patterns.plan(scenario.load(SCENARIOS / f"{name}.yaml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_compare_lists_every_service_the_pattern_uses(cli, name):
    code, out, _ = cli("compare", str(SCENARIOS / f"{name}.yaml"), "--format", "json")
    assert code == 0
    data = json.loads(out)
    lam = next(o for o in data["options"] if o["name"] == "lambda")
    plan = _plan(name)
    used = {su.service for su in plan.services} | {"lambda"}
    assert used == EXPECTED[name]
    assert {li["resource"] for li in lam["line_items"]} >= {su.resource for su in plan.services} - {
        r for su in plan.services for r in [su.resource] if not su.usage}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_compare_table_golden(cli, golden, name):
    code, out, _ = cli("compare", str(SCENARIOS / f"{name}.yaml"))
    assert code == 0
    golden(f"compare/{name}.txt", out)


def _usage(plan, service, resource=None):
    return next(su.usage for su in plan.services if su.service == service and (resource is None or su.resource == resource))


def test_vote_requests_are_voters_times_votes_and_sqs_counts_send_receive_delete():
    p = _plan("global_vote")
    votes = Decimal(10_000_000) * 3
    assert _usage(p, "apigateway_http")["monthly_requests"] == votes
    # batches of 100, but ReceiveMessage and DeleteMessageBatch take at most 10 messages each
    calls = votes / 10
    idle = 5 * (Decimal(730 * 3600) - 3600 * Decimal(1)) / 20
    assert _usage(p, "sqs")["monthly_requests"] == (votes + 2 * calls + idle).quantize(Decimal("0.000001"))
    q = p.facts["queues"][0]
    assert q["max_concurrency"] == 25 and q["batch_size"] == 100 and q["arrival_peak_rps"] == votes / 3600 * 3


def test_fanout_multiplies_deliveries_by_subscribers():
    p = _plan("user_registration_fanout")
    events = Decimal(1_500_000)
    assert _usage(p, "sns")["lambda_deliveries"] == events * (1 + 1 + Decimal("0.8"))
    assert p.facts["fanout"]["subscribers"] == 3
    assert sum(s.traffic.monthly_requests for s in p.stages) == events * Decimal("2.8")


def test_convoy_consumers_bounded_by_groups_and_fifo_requests():
    p = _plan("order_ledger_convoy")
    m = Decimal(18_000_000)
    assert _usage(p, "sqs", "transactions.fifo")["monthly_requests"] == m + 2 * m / 10
    assert _usage(p, "sqs", "ledger.fifo")["monthly_requests"] == m / 10 + 2 * m
    assert all(q["fifo"] and q["message_groups"] == 400 for q in p.facts["queues"])


def test_claim_check_puts_gets_and_notification_payload():
    p = _plan("avatar_resize_claim_check")
    s3 = _usage(p, "s3")
    assert s3["monthly_put_requests"] == 3_000_000 * 4
    assert s3["monthly_get_requests"] == 3_000_000 + 9_000_000
    assert p.facts["s3"]["same_bucket_output"] is False
    assert {"hop": "lambda_async", "size_kb": Decimal(2)} in p.facts["payloads"]


def test_pipeline_transitions_and_glue_dpu_hours():
    p = _plan("qa_db_refresh_pipeline")
    assert _usage(p, "stepfunctions")["monthly_transitions"] == Decimal(88) * 6 * Decimal("1.05")
    glue = {su.resource: su.usage["dpu_hours"] for su in p.services if su.service == "glue"}
    assert glue["glue:sanitise"] == Decimal(88 * 4 * 15) / 60


def test_cron_counts_runs_from_the_expression():
    from costplan.patterns.scheduled_cron import runs_per_month

    assert runs_per_month("cron(0 2 1 * ? *)") == 1
    assert runs_per_month("rate(5 minutes)") == Decimal(730 * 12)
    assert _plan("monthly_invoicing_cron").facts["schedule"]["required_precision_s"] == 3600


def test_ttl_requires_a_precision():
    from costplan.errors import CostplanError
    from costplan import patterns, scenario

    sc = scenario.load(SCENARIOS / "account_bans_ttl.yaml")
    sc = sc.model_copy(update={"settings": {k: v for k, v in sc.settings.items() if k != "required_precision_s"}})
    with pytest.raises(CostplanError):
        patterns.plan(sc)
    assert _plan("account_bans_ttl").facts["ttl"]["required_precision_s"] == 2 * 86400


def test_websocket_posts_are_updates_times_recipients():
    p = _plan("stock_explorer_websocket")
    ws = p.facts["websocket"]
    assert abs(ws["recipients_per_message"] - 80) < Decimal("1e-9")  # 6,000 connections × 8 ÷ 600 topics
    msgs = _usage(p, "apigateway_websocket")["monthly_messages"]
    assert msgs > Decimal(300_000_000) * 20


def test_websocket_pushes_are_data_transfer_out_on_both_designs():
    """Every post leaves AWS: posts × message size, in GB of 1,024³ bytes, on the Lambda design (through the
    WebSocket API) and on the ECS design (through the ALB), priced at the internet rate after the free 100 GB."""
    from costplan.compute.options import price_options
    from costplan.pricing.book import PriceBook

    p = _plan("stock_explorer_websocket")
    posts = _usage(p, "apigateway_websocket")["monthly_messages"] - 168_000 * 8  # less the subscribe messages
    gb = posts * Decimal("0.3") / 1024 / 1024
    for design in (p.lambda_design, p.ecs_design):
        dto = [su for su in design.services if su.service == "data_transfer"]
        assert len(dto) == 1 and abs(dto[0].usage["monthly_messages"] * Decimal("0.3") / 1024 / 1024 - gb) < Decimal("1e-6")
    opts = {o.name: o for o in price_options(p, PriceBook("us-east-1"), warm=False)}
    for name in ("lambda", "fargate", "ec2"):
        pushed = [li for li in opts[name].line_items if li.resource == "websocket pushes"]
        assert abs(sum(li.quantity for li in pushed) - gb) < Decimal("1e-6")
        assert abs(sum(li.monthly_usd for li in pushed) - (gb - 100) * Decimal("0.09")) < Decimal("1e-6")


def test_mqtt_counts_rules_and_connection_minutes():
    p = _plan("soccer_events_mqtt")
    iot = _usage(p, "iot")
    assert iot["monthly_connection_minutes"] == Decimal(1_500_000) * 110
    assert iot["monthly_rules_triggered"] == 2400


def test_table_peaks_follow_the_stage_that_writes():
    # Vote: the consumer drains at 25 concurrent × 100 votes ÷ 220 ms (20 ms + 100 × 2 ms) = 11,363.6
    # votes/s, one 0.5 KB item (1 WRU) each: the ESM cap levels the table's peak, not the 25,000/s rush.
    vote = _plan("global_vote").facts["dynamodb"]
    assert [t["table"] for t in vote] == ["table"]
    assert abs(vote[0]["write_peak_wru_s"] - Decimal(2_500_000) / 220) < Decimal("1e-9")
    # Stock explorer: 6,000 connections arrive over 300 s, each writing its connection item and 8
    # subscriptions: 20/s × 9 = 180 WRU/s.
    ws = _plan("stock_explorer_websocket").facts["dynamodb"][0]
    assert ws["write_peak_wru_s"] == 180
    # each update queries its topic's 80 subscriptions: ceil(80 × record KB ÷ 4) ÷ 2 RRU, eventually consistent
    from costplan.compute.traffic import Traffic
    from costplan.patterns.websocket_notify import Settings

    p = _plan("stock_explorer_websocket")
    rec = Settings.model_validate(p.scenario.settings).record_kb
    per_update = max(Decimal(1), (80 * rec / 4).to_integral_value(rounding="ROUND_CEILING")) / 2
    assert ws["read_peak_rru_s"] == Traffic.from_workload(p.scenario.workload).peak_rps * per_update


def test_limits_check_reports_the_vote_table_throughput(cli):
    code, out, _ = cli("limits-check", str(SCENARIOS / "global_vote.yaml"), "--format", "json")
    assert code == 0
    found = [f for f in json.loads(out)["scenarios"][0]["findings"] if f["check"] == "DYNAMODB-TABLE-THROUGHPUT"]
    assert [(f["status"], f["needed"], f["limit"]) for f in found] == [("ok", 11363.64, 40000.0)]
