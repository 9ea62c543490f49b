"""Each check: a table of (scenario fragment, expected status), with the exact boundary.

Rule under test (costplan/limits/model.py): fail when needed > critical % of the limit, warn when
needed ≥ warning % — so needed == limit is `warn`, one unit over is `fail`, under 80 % is `ok`.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from costplan.compute.traffic import Traffic

from tests.test_limits_helpers import finding, run_plan, scenario, stage, status


def api(rps, duration_ms, p99_ms=None, timeout_s=900, **kw):
    return stage("api", "api", rps=rps, duration_ms=duration_ms, p99_ms=p99_ms, timeout_s=timeout_s, **kw)


@pytest.mark.parametrize("rps,dur,expected", [
    (799, 1000, "ok"), (800, 1000, "warn"), (1000, 1000, "warn"), (1001, 1000, "fail"), (600, 150, "ok"),
])
def test_lambda_concurrency(rps, dur, expected):
    assert status(run_plan([api(rps, dur)]), "LAMBDA-CONCURRENCY") == expected


@pytest.mark.parametrize("reserved,need_rps,expected", [
    (None, 900, "warn"),   # 900 of 1,000
    (200, 800, "warn"),    # api 800 of (1,000 − 200 reserved) = 100 %
    (200, 801, "fail"),
])
def test_lambda_concurrency_minus_reserved(reserved, need_rps, expected):
    stages = [api(need_rps, 1000)]
    if reserved:
        stages.append(stage("worker", "job", rps=1, duration_ms=1000, reserved=reserved))
    assert status(run_plan(stages), "LAMBDA-CONCURRENCY") == expected


@pytest.mark.parametrize("reserved,expected", [(899, "warn"), (900, "warn"), (901, "fail"), (500, "ok")])
def test_unreserved_floor(reserved, expected):
    res = run_plan([stage("worker", "job", rps=1, duration_ms=1000, reserved=reserved)])
    assert status(res, "LAMBDA-UNRESERVED-FLOOR") == expected


@pytest.mark.parametrize("rps,reserved,cap,expected", [
    (50, 50, None, "warn"), (51, 50, None, "fail"), (51, 50, 50, "ok"), (10, 50, None, "ok")])
def test_reserved_stage(rps, reserved, cap, expected):
    res = run_plan([stage("c", "consumer", rps=rps, duration_ms=1000, reserved=reserved, max_concurrency=cap)])
    assert status(res, "LAMBDA-RESERVED", "c") == expected


@pytest.mark.parametrize("rps,expected", [(700, "ok"), (1000, "warn"), (1001, "fail"), (1500, "fail")])
def test_burst_ramp_over_the_step_fails_a_synchronous_api(rps, expected):
    """Issue 12: a ramp at −50 % headroom is a FAIL under the 100 % critical threshold: callers get 429."""
    f = finding(run_plan([api(rps, 1000)]), "LAMBDA-BURST-RAMP")
    assert f.status == expected and f.delay_s is None


def test_burst_ramp_of_an_async_subscriber_is_a_delay_not_a_loss():
    """SNS/S3/IoT invoke asynchronously: throttled events are retried for up to 6 h — a warning with the delay."""
    from costplan.limits.model import check as _  # noqa: F401

    res = run_plan([stage("subscriber:mail", "subscriber", rps=2500, duration_ms=1000)])
    f = finding(res, "LAMBDA-BURST-RAMP")
    assert (f.status, f.delay_s) == ("warn", 30)  # 2,500 from 0 at +1,000 per 10 s: 3 steps


def test_account_concurrency_over_by_async_subscribers_only_warns_with_the_backlog_delay():
    # 1,200 concurrent subscribers on a 1,000 quota for a 1 h peak: the 200 over drain at 1,000 → 720 s late
    res = run_plan([stage("subscriber:mail", "subscriber", rps=1200, duration_ms=1000)],
                   sc=scenario({"active_hours_per_day": 1}))
    f = finding(res, "LAMBDA-CONCURRENCY")
    assert f.status == "warn" and f.delay_s == 720
    # a synchronous API at the same load is throttled: lost requests, FAIL
    assert status(run_plan([api(1200, 1000)]), "LAMBDA-CONCURRENCY") == "fail"


def test_async_delay_beyond_six_hours_loses_events():
    # 3,000 needed on 1,000 for a 4 h peak: 2,000 over drain at 1,000/s-equivalent → 8 h > 6 h max event age
    sub = stage("subscriber:mail", "subscriber", rps=3000, duration_ms=1000)
    sub.traffic = Traffic(D(1000), D(14400), D(3000), D(1000), D(1000))
    f = finding(run_plan([sub], sc=scenario({"active_hours_per_day": 4})), "LAMBDA-CONCURRENCY")
    assert f.delay_s == 28800 and f.status == "fail"


@pytest.mark.parametrize("rps,expected", [(7999, "ok"), (10000, "warn"), (10001, "fail")])
def test_invoke_ramp_per_function(rps, expected):
    """10,000 requests/s per 10 s per function: a short function hits it before the environments ramp."""
    assert status(run_plan([api(rps, 10)]), "LAMBDA-INVOKE-RAMP") == expected


@pytest.mark.parametrize("rps,expected", [(7999, "ok"), (10000, "warn"), (10001, "fail")])
def test_invoke_rate(rps, expected):
    assert status(run_plan([api(rps, 10)]), "LAMBDA-INVOKE-RATE") == expected


@pytest.mark.parametrize("p99,timeout,expected", [(2400, 3, "warn"), (3000, 3, "warn"), (3001, 3, "fail"),
                                                  (1000, 3, "ok"), (1000, 901, "fail")])
def test_lambda_timeout(p99, timeout, expected):
    res = run_plan([stage("api", "api", rps=1, duration_ms=100, p99_ms=p99, timeout_s=timeout)])
    assert status(res, "LAMBDA-TIMEOUT") == expected


@pytest.mark.parametrize("api_kind,rps,expected", [
    ("http", 7999, "ok"), ("http", 10000, "warn"), ("http", 10001, "fail"), ("rest", 10001, "fail")])
def test_apigateway_rps(api_kind, rps, expected):
    res = run_plan([api(rps, 1)], {"api": api_kind, "sync": True})
    assert status(res, "APIGW-RPS") == expected


def test_function_url_does_not_count_against_api_gateway():
    res = run_plan([api(50000, 1)], {"api": "function_url", "sync": True})
    assert not [f for f in res.findings if f.check == "APIGW-RPS"]


def test_regional_api_gateway_quota():
    sc = scenario(region="eu-south-1")
    res = run_plan([api(2501, 1)], {"api": "http", "sync": True}, sc=sc)
    assert status(res, "APIGW-RPS") == "fail"


@pytest.mark.parametrize("api_kind,p99_ms,expected", [
    ("rest", 29000, "warn"), ("rest", 29001, "fail"), ("http", 30000, "warn"), ("http", 30001, "fail"),
    ("http", 10000, "ok")])
def test_sync_timeout_recommends_async_request_reply(api_kind, p99_ms, expected):
    res = run_plan([api(1, 100, p99_ms=p99_ms)], {"api": api_kind, "sync": True})
    assert status(res, "APIGW-TIMEOUT") == expected
    f = next(f for f in res.findings if f.check == "APIGW-TIMEOUT")
    assert expected == "ok" or "async request-reply" in f.fix


@pytest.mark.parametrize("hop,size,expected", [
    ("lambda_sync", 6144, "warn"), ("lambda_sync", 6145, "fail"), ("lambda_async", 1025, "fail"),
    ("sqs", 1024, "warn"), ("sns", 257, "fail"), ("eventbridge", 100, "ok"), ("stepfunctions", 257, "fail"),
    ("websocket", 129, "fail"), ("iot", 128, "warn"), ("apigateway", 10241, "fail"), ("dynamodb_item", 401, "fail")])
def test_payload_hops_recommend_claim_check(hop, size, expected):
    res = run_plan([api(1, 100)], {"payloads": [{"hop": hop, "size_kb": D(size)}]})
    assert status(res, "PAYLOAD-SIZE", hop) == expected
    f = next(f for f in res.findings if f.check == "PAYLOAD-SIZE" and f.subject == hop)
    assert expected == "ok" or "claim-check" in f.fix


def test_payload_from_workload_sizes():
    sc = scenario({"request_size_kb": "7MB"}, settings={"api": "http"})
    from costplan.limits import check

    res = check([sc], designs=["lambda"])
    st = {(f.check, f.subject): f.status for f in res.findings}
    assert st[("PAYLOAD-SIZE", "lambda_sync")] == "fail" and st[("PAYLOAD-SIZE", "apigateway")] == "ok"


def queue(**kw):
    q = {"name": "q", "fifo": False, "arrival_peak_rps": D(1000), "arrival_average_rps": D(0),
         "peak_window_s": D(3600), "consumer": "consumer", "batch_size": 10, "batching_window_s": D(0),
         "max_concurrency": D(10), "retention_s": None, "visibility_timeout_s": D(60), "message_groups": None}
    q.update(kw)
    return {"queues": [q]}


def consumer(duration_ms=1000, timeout_s=10, reserved=None, max_concurrency=10, batch_size=10, rps=100):
    return stage("consumer", "consumer", rps=rps, duration_ms=duration_ms, timeout_s=timeout_s,
                 batch_size=batch_size, reserved=reserved, max_concurrency=max_concurrency)


@pytest.mark.parametrize("arrival,window,retention,expected", [
    (50, 3600, None, "ok"),          # μ = 10 × 10 / 1 s = 100/s ≥ 50/s: no backlog
    (1000, 3600, None, "ok"),        # Q = 900 × 3,600 = 3.24 M; age = 32,400 s ≪ 4 d
    (1000, 3600, 40500, "warn"),     # age 32,400 s = 80 % of 40,500 s
    (1000, 3600, 32400, "warn"),     # age == retention
    (1000, 3600, 32399, "fail"),
])
def test_sqs_backlog_vs_retention(arrival, window, retention, expected):
    facts = queue(arrival_peak_rps=D(arrival), peak_window_s=D(window),
                  retention_s=None if retention is None else D(retention))
    assert status(run_plan([consumer()], facts), "SQS-BACKLOG") == expected


def test_sqs_backlog_never_drains_fails():
    facts = queue(arrival_peak_rps=D(1000), arrival_average_rps=D(500), peak_window_s=D(60))
    sc = scenario({"active_hours_per_day": 24})
    res = run_plan([consumer()], facts, sc=sc)
    assert status(res, "SQS-BACKLOG") == "fail"


@pytest.mark.parametrize("timeout,window,vt,expected", [
    (10, 0, 60, "ok"), (10, 0, 59, "fail"), (10, 5, 65, "ok"), (10, 5, 64, "fail"), (5, 0, 60, "ok"),
    (7201, 0, 43200, "fail")])
def test_visibility_timeout(timeout, window, vt, expected):
    facts = queue(visibility_timeout_s=D(vt), batching_window_s=D(window))
    assert status(run_plan([consumer(timeout_s=timeout)], facts), "SQS-VISIBILITY") == expected


def test_visibility_default_is_30_s():
    res = run_plan([consumer(timeout_s=10)], queue(visibility_timeout_s=None))
    f = next(f for f in res.findings if f.check == "SQS-VISIBILITY")
    assert (f.limit, f.limit_source, f.status) == (30, "default", "fail")


@pytest.mark.parametrize("cap,reserved,expected", [
    (10, 10, "ok"), (11, 10, "fail"), (5, 10, "ok"), (1000, None, "ok"), (1001, None, "fail"), (1, None, "fail")])
def test_esm_max_concurrency(cap, reserved, expected):
    res = run_plan([consumer(reserved=reserved, max_concurrency=cap)], queue(max_concurrency=D(cap)))
    assert status(res, "SQS-ESM-CONCURRENCY") == expected


@pytest.mark.parametrize("arrival,expected", [(10000, "warn"), (10010, "fail"), (7000, "ok")])
def test_esm_ceiling_when_uncapped(arrival, expected):
    # demand = λ · D / B = arrival × 1 s / 10
    res = run_plan([consumer(max_concurrency=None)], queue(max_concurrency=None, arrival_peak_rps=D(arrival)))
    assert status(res, "SQS-ESM-CONCURRENCY") == expected


@pytest.mark.parametrize("n,window,expected", [(305, 60, "warn"), (305, 100, "ok"), (905, 60, "warn")])
def test_esm_ramp(n, window, expected):
    # demand n concurrent: arrival = n × 10 / 1 s; ramp (n − 5)/300 min
    facts = queue(max_concurrency=None, arrival_peak_rps=D(n * 10), peak_window_s=D(window))
    assert status(run_plan([consumer(max_concurrency=None)], facts), "SQS-ESM-RAMP") == expected


@pytest.mark.parametrize("arrival,send_batch,expected", [
    (300, 1, "warn"), (301, 1, "fail"), (301, 10, "ok"), (3000, 10, "warn"), (3001, 10, "fail")])
def test_fifo_throughput(arrival, send_batch, expected):
    facts = queue(fifo=True, arrival_peak_rps=D(arrival), message_groups=D(10000), send_batch_size=send_batch,
                  max_concurrency=None)
    res = run_plan([consumer(max_concurrency=None, duration_ms=10)], facts)
    assert status(res, "SQS-FIFO-THROUGHPUT") == expected


@pytest.mark.parametrize("groups,arrival,expected", [(5, 50, "warn"), (5, 51, "fail"), (10, 50, "ok")])
def test_fifo_groups_bound_ordering_throughput(groups, arrival, expected):
    # one batch of 10 per group per second: μ = min(groups, 100) × 10 / 1 s
    facts = queue(fifo=True, arrival_peak_rps=D(arrival), message_groups=D(groups), max_concurrency=D(100))
    assert status(run_plan([consumer(max_concurrency=100)], facts), "SQS-FIFO-GROUPS") == expected


def test_fifo_groups_missing_says_what_it_needs():
    facts = queue(fifo=True, message_groups=None)
    res = run_plan([consumer()], facts)
    assert any("message_groups" in m for m in res.missing)


@pytest.mark.parametrize("bus,pub,region,expected", [
    ("sns", 30000, "us-east-1", "warn"), ("sns", 30001, "us-east-1", "fail"), ("sns", 301, "ap-south-1", "fail"),
    ("eventbridge", 10000, "us-east-1", "warn"), ("eventbridge", 10001, "us-east-1", "fail")])
def test_publish_rate(bus, pub, region, expected):
    res = run_plan([], {"fanout": {"bus": bus, "publish_peak_rps": D(pub), "subscribers": 1}},
                   sc=scenario(region=region))
    assert status(res, "PUBSUB-PUBLISH-RATE") == expected


@pytest.mark.parametrize("bus,pub,subs,expected,delay", [
    ("eventbridge", 6250, 3, "warn", None), ("sns", 2000, 5, "warn", None), ("sns", 100, 3, "ok", None),
    # over the quota, deliveries wait (EventBridge delays them; Lambda retries SNS's for 6 h): 24 h peak
    ("eventbridge", 6251, 3, "warn", D(86400) * 3 / 18750),
    ("sns", 2001, 5, "warn", D(86400) * 5 / 10000),
    # twice the quota for a day: the backlog outlasts the 6 h retries — events are lost
    ("eventbridge", 12500, 3, "fail", D(86400)),
])
def test_fanout_multiplies_deliveries(bus, pub, subs, expected, delay):
    res = run_plan([], {"fanout": {"bus": bus, "publish_peak_rps": D(pub), "subscribers": subs}})
    f = finding(res, "PUBSUB-DELIVERIES")
    assert (f.status, f.delay_s) == (expected, delay)


@pytest.mark.parametrize("writes,prefixes,expected", [(3500, 1, "warn"), (3501, 1, "fail"), (3501, 2, "ok")])
def test_s3_prefixes(writes, prefixes, expected):
    res = run_plan([], {"s3": {"write_rps": D(writes), "read_rps": D(1), "prefixes": prefixes}})
    assert status(res, "S3-PREFIX-RATE", "writes") == expected


@pytest.mark.parametrize("trigger,output,expected", [
    ("uploads/", "uploads/resized/", "fail"), ("", "resized/", "fail"), ("uploads/", "resized/", "ok")])
def test_s3_recursive_trigger(trigger, output, expected):
    res = run_plan([], {"s3": {"same_bucket_output": True, "trigger_prefix": trigger, "output_prefix": output}})
    assert status(res, "S3-RECURSIVE-TRIGGER") == expected


@pytest.mark.parametrize("tolerance,expected", [(172800, "warn"), (172799, "fail"), (216000, "warn"),
                                                (216001, "ok"), (60, "fail")])
def test_ttl_precision_recommends_scheduler(tolerance, expected):
    res = run_plan([], {"ttl": {"attribute": "expires", "required_precision_s": D(tolerance)}})
    assert status(res, "TTL-PRECISION") == expected
    f = next(f for f in res.findings if f.check == "TTL-PRECISION")
    assert expected == "ok" or "EventBridge Scheduler" in f.fix


@pytest.mark.parametrize("rate,words", [(1000, "within Scheduler's 1,000 invocations/s"),
                                        (1001, "over Scheduler's 1,000 invocations/s: request an increase")])
def test_ttl_fix_says_whether_scheduler_holds_the_expiry_rate(rate, words):
    res = run_plan([], {"ttl": {"attribute": "expires", "required_precision_s": D(60), "expiry_peak_rps": D(rate)}})
    f = next(f for f in res.findings if f.check == "TTL-PRECISION")
    assert f.status == "fail" and f"{rate:,} expiries/s at the peak" in f.fix and words in f.fix


def test_ttl_without_tolerance_says_what_it_needs():
    res = run_plan([], {"ttl": {"attribute": "expires"}})
    assert any("required_precision_s" in m for m in res.missing)


@pytest.mark.parametrize("tolerance,expr,expected", [(60, "rate(5 minutes)", "warn"), (59, "rate(5 minutes)", "fail"),
                                                     (3600, "rate(30 seconds)", "fail")])
def test_schedule_precision(tolerance, expr, expected):
    res = run_plan([], {"schedule": {"expression": expr, "required_precision_s": D(tolerance)}})
    assert status(res, "SCHEDULE-PRECISION") == expected


@pytest.mark.parametrize("key,value,subject,expected", [
    ("connect_peak_rps", 500, "connect", "warn"), ("connect_peak_rps", 501, "connect", "fail"),
    ("publish_per_device_rps", 101, "per connection", "fail"), ("publish_peak_rps", 20000, "inbound", "warn"),
    ("outbound_peak_rps", 20001, "outbound", "fail"), ("devices", 500001, "connections", "fail")])
def test_iot(key, value, subject, expected):
    res = run_plan([], {"mqtt": {key: D(value)}})
    check = "IOT-CONNECT-RATE" if subject in ("connect", "connections") else "IOT-PUBLISH-RATE"
    assert status(res, check, subject) == expected


def test_iot_outbound_is_inbound_times_subscribers():
    res = run_plan([], {"mqtt": {"publish_peak_rps": D(2), "subscribers_per_topic": 10000}})
    assert status(res, "IOT-PUBLISH-RATE", "outbound") == "warn"  # 20,000 == 20,000


@pytest.mark.parametrize("messages,recipients,expected", [(100, 100, "warn"), (100, 101, "fail"), (10, 100, "ok")])
def test_websocket_posts_count_against_api_gateway_once(messages, recipients, expected):
    res = run_plan([], {"api": "websocket", "websocket": {"messages_peak_rps": D(messages),
                                                           "recipients_per_message": recipients}})
    assert status(res, "APIGW-RPS") == expected
    # Issue 12: the same posts were also a second finding against the same quota
    rows = [f for f in res.findings if f.quota == "apigateway.account_rps"]
    assert len(rows) == 1


@pytest.mark.parametrize("connections,expected", [(3_600_000, "warn"), (3_600_001, "fail"), (1_000_000, "ok")])
def test_websocket_forced_reconnects(connections, expected):
    res = run_plan([], {"websocket": {"connections": D(connections)}})
    assert status(res, "WS-CONNECT-RATE") == expected


@pytest.mark.parametrize("avg_rps,expected", [
    (D(1000) / 3600, "ok"),            # 0.28 updates/s × 6,000 recipients ÷ 6,000 connections: one every 3.6 s
    (D(1) / 600, "warn"),              # one update per 600 s reaches each connection: at the timeout
    (D(1) / 1200, "warn"),             # one per 20 min: connections idle out — heartbeat advice, never a FAIL
])
def test_websocket_idle_compares_the_gap_between_pushes_with_the_timeout(avg_rps, expected):
    """Issue 12: WS-IDLE compared the idle-timeout setting with itself; server pushes keep connections alive."""
    pub = stage("fanout", "publisher", rps=10, duration_ms=10)
    pub.traffic = Traffic(avg_rps * 3600, D(3600), D(10), D(10), D(10))
    res = run_plan([pub], {"websocket": {"idle_s": D(600), "connections": D(6000),
                                          "recipients_per_message": D(6000)}})
    assert status(res, "WS-IDLE", "idle") == expected


@pytest.mark.parametrize("events,expected", [(25000, "warn"), (25001, "fail"), (100, "ok")])
def test_step_functions_history(events, expected):
    res = run_plan([], {"stepfunctions": {"type": "standard", "history_events": events}})
    assert status(res, "SFN-HISTORY") == expected


@pytest.mark.parametrize("starts,kind,expected", [(300, "standard", "warn"), (301, "standard", "fail"),
                                                  (301, "express", "ok")])
def test_step_functions_start_rate(starts, kind, expected):
    res = run_plan([], {"stepfunctions": {"type": kind, "starts_peak_rps": D(starts)}})
    assert status(res, "SFN-RATES", "starts") == expected


@pytest.mark.parametrize("starts,max_runs,expected", [(D(1) / 1200, None, "warn"), (D(2) / 1200, None, "fail"),
                                                      (D(2) / 1200, 4, "ok")])
def test_glue_concurrent_runs_from_the_step_duration(starts, max_runs, expected):
    g = {"jobs": 1, "starts_peak_rps": starts, "steps": [{"name": "restore", "duration_s": D(1200)}]}
    if max_runs:
        g["max_concurrent_runs"] = max_runs
    assert status(run_plan([], {"glue": g}), "GLUE-CONCURRENT-RUNS", "restore") == expected


def test_glue_twenty_minute_restore_at_one_start_per_second_needs_1200_runs():
    """Issue 12's example: each Glue step's own duration, not the workload's, sets its concurrent runs."""
    g = {"jobs": 2, "starts_peak_rps": D(1), "max_concurrent_runs": D(1),
         "steps": [{"name": "restore", "duration_s": D(1200)}, {"name": "dump", "duration_s": D(600)}]}
    res = run_plan([], {"glue": g})
    f = finding(res, "GLUE-CONCURRENT-RUNS", "restore")
    assert (f.needed, f.status) == (1200, "fail")
    assert "request Glue concurrent runs per job ≥ 1,500" in f.fix  # 1,200 ÷ 80 %, over the 1,000 maximum: ask first
    assert finding(res, "GLUE-CONCURRENT-RUNS", "dump").fix.startswith("set dump's MaxConcurrentRuns to ≥ 750")
    acct = finding(res, "GLUE-CONCURRENT-RUNS", "account")
    assert (acct.needed, acct.limit, acct.status) == (1800, 50, "fail")




def test_thresholds_move_the_boundary():
    res = run_plan([api(900, 1000)], warn=95, critical=89)
    assert status(res, "LAMBDA-CONCURRENCY") == "fail"
    res = run_plan([api(900, 1000)], warn=95, critical=100)
    assert status(res, "LAMBDA-CONCURRENCY") == "ok"


@pytest.mark.parametrize("facts", [
    {"queues": "nonsense"}, {"queues": [None, 3, {"consumer": "nope"}]}, {"fanout": {"publish_peak_rps": "x"}},
    {"payloads": [{"hop": "sqs", "size_kb": "big"}, "x"]}, {"websocket": []}, {"mqtt": {"devices": None}},
    {"s3": {"same_bucket_output": True}}, {"stepfunctions": {"type": "standard"}}, {"glue": {"jobs": 1}},
    {"queues": [{"consumer": "consumer", "arrival_peak_rps": 1, "fifo": True}]},
])
def test_odd_facts_never_raise(facts):
    """Facts of an unexpected shape give findings or a named 'could not run', never an exception."""
    res = run_plan([consumer()], facts)
    assert all(f.status in {"ok", "warn", "fail"} for f in res.findings)
    assert all(isinstance(m, str) and m for m in res.missing)
    # the consumer stage alone is always checked for concurrency, whatever the facts say
    assert any(f.check == "LAMBDA-CONCURRENCY" for f in res.findings)


@pytest.mark.parametrize("wru,rru,overrides,expected_w,expected_r", [
    (31999, 0, None, "ok", None), (32000, 0, None, "warn", None), (40000, 0, None, "warn", None),
    (40001, 0, None, "fail", None), (0, 40001, None, None, "fail"), (10, 40000, None, "ok", "warn"),
    (40001, 0, {"dynamodb.on_demand_table_wru": D(80000)}, "ok", None),  # a raised per-table quota
])
def test_dynamodb_table_throughput(wru, rru, overrides, expected_w, expected_r):
    facts = {"dynamodb": [{"table": "ledger", "write_peak_wru_s": D(wru), "read_peak_rru_s": D(rru)}]}
    res = run_plan([], facts, overrides=overrides)
    got = {f.quota: f for f in res.findings if f.check == "DYNAMODB-TABLE-THROUGHPUT"}
    assert (got["dynamodb.on_demand_table_wru"].status if "dynamodb.on_demand_table_wru" in got else None) == expected_w
    assert (got["dynamodb.on_demand_table_rru"].status if "dynamodb.on_demand_table_rru" in got else None) == expected_r
    for f in got.values():
        assert f.subject == "ledger"
        if f.status == "fail":
            assert "L-AB614373" in f.fix or "L-CF0CBE56" in f.fix
            assert "2 tables" in f.fix  # 40,001 of 40,000: two tables hold it


def test_glue_fix_never_asks_for_the_value_already_set():
    """Issue 12: the fix said "set MaxConcurrentRuns ≥ 1" when it already was 1."""
    g = {"jobs": 1, "starts_peak_rps": D(1) / 1200, "max_concurrent_runs": D(1),
         "steps": [{"name": "restore", "duration_s": D(1200)}]}
    f = finding(run_plan([], {"glue": g}), "GLUE-CONCURRENT-RUNS", "restore")
    assert f.status == "warn" and "MaxConcurrentRuns to ≥ 2 (it is 1" in f.fix
