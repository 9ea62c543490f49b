"""The quota table: sorted, sourced, loaded with CSafeLoader; how limits resolve and overrides are checked."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from costplan.errors import CostplanError
from costplan.limits import quotas
from tests.test_limits_helpers import run_plan, scenario, stage, status


def test_table_is_sorted_and_every_quota_has_a_source():
    from costplan.pricing.book import read_data_file

    data, _ = read_data_file("quotas.yaml")
    ids = list(data["quotas"])
    assert ids == sorted(ids)
    for qid, q in data["quotas"].items():
        assert q["source"] in data["sources"], qid
        assert {"service", "name", "default", "unit", "adjustable", "quota_code"} <= set(q), qid
        assert q["quota_code"] is None or q["quota_code"].startswith("L-"), qid
        assert q["quota_code"] is None or q.get("service_code"), qid
    for key, src in data["sources"].items():
        assert src["url"] is None or src["url"].startswith("https://"), key
        assert src["as_of"], key


PRICED_REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "eu-west-1",
                  "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-southeast-1",
                  "ap-southeast-2", "ap-northeast-1", "ap-northeast-2")


def test_every_quota_row_has_a_source_url_and_a_2026_checked_date():
    """Issue 12: a quota nobody re-read this year, or one without a page to re-read, is not a default."""
    import re

    from costplan.pricing.book import read_data_file

    data, _ = read_data_file("quotas.yaml")
    missing = []
    for qid, q in data["quotas"].items():
        src = data["sources"][q["source"]]
        if not (src.get("url") or "").startswith("https://"):
            missing.append(f"{qid}: no source URL")
        checked = str(q.get("checked") or "")
        if not re.fullmatch(r"2026-\d\d-\d\d", checked):
            missing.append(f"{qid}: checked {checked!r} is not a 2026 date")
        assert quotas.get(qid).url == src["url"] and quotas.get(qid).checked == checked
    assert not missing, missing


def test_region_dependent_quotas_name_all_sixteen_priced_regions():
    """A quota that differs by Region answers for each priced Region deliberately, not by fallback."""
    table = quotas.table()
    for qid in ("apigateway.account_rps", "apigateway.account_burst", "sns.publish_tps", "eventbridge.put_events_tps",
                "eventbridge.invocations_tps", "stepfunctions.start_rate", "stepfunctions.start_bucket",
                "stepfunctions.transition_rate", "stepfunctions.transition_bucket"):
        assert set(PRICED_REGIONS) <= set(table[qid].regions), qid


@pytest.mark.parametrize("qid,region,value", [
    ("lambda.concurrent_executions", "us-east-1", 1000),
    ("apigateway.account_rps", "us-east-1", 10000),
    ("apigateway.account_rps", "eu-south-1", 2500),
    ("apigateway.account_burst", "af-south-1", 1250),
    ("sns.publish_tps", "us-east-1", 30000),
    ("sns.publish_tps", "eu-west-1", 9000),
    ("eventbridge.put_events_tps", "eu-central-1", 2400),
    ("eventbridge.invocations_tps", "us-west-2", 18750),
    ("eventbridge.invocations_tps", "ap-southeast-1", 2250),   # was 750 (issue 12)
    ("eventbridge.invocations_tps", "ap-south-1", 1100),       # "each other supported Region"
    ("stepfunctions.start_rate", "eu-west-1", 300),
    ("stepfunctions.start_rate", "ap-south-1", 150),
    ("stepfunctions.transition_rate", "us-east-1", 5000),      # was 1,500 (issue 12)
    ("stepfunctions.transition_bucket", "us-west-2", 5000),
    ("stepfunctions.transition_rate", "ap-south-1", 800),      # was 500
    ("lambda_sqs.esm_ceiling", "us-east-1", 1000),             # was 1,250
    ("apigateway.account_rps", "ap-south-1", 10000),
    ("fargate.on_demand_vcpu", "us-east-1", 6),
    ("dynamodb.on_demand_initial_wru", "us-east-1", 4000),
    ("dynamodb.partition_wru", "us-east-1", 1000),
    ("sqs.message_size", "us-east-1", 1024),
    ("lambda.sync_payload", "us-east-1", 6144),
    ("dynamodb.ttl_deletion_delay", "us-east-1", 172800),
])
def test_values_from_the_reference(qid, region, value):
    assert quotas.get(qid).value(region) == D(value)


def test_codes_from_the_reference():
    assert quotas.get("lambda.concurrent_executions").quota_code == "L-B99A9384"
    assert quotas.get("apigateway.account_rps").quota_code == "L-8A5B8E43"
    assert quotas.get("eventbridge.put_events_tps").quota_code == "L-9B653E91"


def test_precedence_override_scenario_live_default():
    r = quotas.Resolver("us-east-1", {"lambda.concurrent_executions": D(10)}, {}, {})
    assert (r("lambda.concurrent_executions").value, r("lambda.concurrent_executions").source) == (10, "scenario")
    r = quotas.Resolver("us-east-1", {"lambda.concurrent_executions": D(10)}, {"lambda.concurrent_executions": D(50)})
    assert r("lambda.concurrent_executions").source == "override"
    r = quotas.Resolver("us-east-1", {}, {}, {("us-east-1", "lambda.concurrent_executions"): D(3000)})
    assert (r("lambda.concurrent_executions").value, r("lambda.concurrent_executions").source) == (3000, "live")
    assert quotas.Resolver("us-east-1")("lambda.timeout").source == "default"


def test_new_account_override_fails_concurrency():
    sc = scenario(quotas={"lambda.concurrent_executions": 10})
    res = run_plan([stage("api", "api", rps=20, duration_ms=1000)], sc=sc)
    assert status(res, "LAMBDA-CONCURRENCY") == "fail"
    f = next(f for f in res.findings if f.check == "LAMBDA-CONCURRENCY")
    assert f.limit_source == "scenario" and f.limit == 10 and "request concurrency ≥ 20" in f.fix


def test_unknown_scenario_quota_id_names_file_line_and_suggests():
    from costplan import limits

    with pytest.raises(CostplanError) as e:  # refused at load now, by the one validation pipeline
        limits.check([scenario(quotas={"lambda.concurrency": 10})])
    assert 'did you mean "lambda.concurrent_executions"' in str(e.value)
    assert "quotas.lambda.concurrency" in str(e.value)


@pytest.mark.parametrize("item,msg", [
    ("lambda.concurent_executions=3", 'did you mean "lambda.concurrent_executions"'),
    ("lambda.concurrent_executions", "expected ID=VALUE"),
    ("lambda.concurrent_executions=lots", "lambda.concurrent_executions"),
])
def test_cli_override_problems(item, msg):
    with pytest.raises(CostplanError) as e:
        quotas.parse_overrides([item])
    assert msg in str(e.value)


@pytest.mark.parametrize("region", PRICED_REGIONS)
def test_step_functions_transitions_by_region(region):
    """Issue 12: 5,000/s bucket and refill in us-east-1, us-west-2 and eu-west-1, 800 elsewhere."""
    big = region in ("us-east-1", "us-west-2", "eu-west-1")
    r = quotas.Resolver(region)
    assert r("stepfunctions.transition_rate").value == (5000 if big else 800)
    assert r("stepfunctions.transition_bucket").value == (5000 if big else 800)
    assert r("stepfunctions.start_rate").value == (300 if big else 150)
    assert r("apigateway.account_rps").value == 10000 and r("apigateway.account_burst").value == 5000


def test_limits_check_in_a_smaller_region_uses_its_own_values():
    """The lookup the regional price book (i13) will use: a scenario's Region picks the row's value."""
    from tests.test_limits_helpers import run_plan, scenario

    sc = scenario().model_copy(update={"region": "ap-south-1"})
    res = run_plan([], {"fanout": {"bus": "eventbridge", "publish_peak_rps": D(400), "subscribers": 3}}, sc=sc)
    f = next(f for f in res.findings if f.check == "PUBSUB-DELIVERIES")
    assert f.limit == 1100 and f.region == "ap-south-1"
    f = next(f for f in res.findings if f.check == "PUBSUB-PUBLISH-RATE")
    assert f.limit == 400 and f.status == "warn"
