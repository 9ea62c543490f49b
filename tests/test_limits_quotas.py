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


@pytest.mark.parametrize("qid,region,value", [
    ("lambda.concurrent_executions", "us-east-1", 1000),
    ("apigateway.account_rps", "us-east-1", 10000),
    ("apigateway.account_rps", "eu-south-1", 2500),
    ("apigateway.account_burst", "af-south-1", 1250),
    ("sns.publish_tps", "us-east-1", 30000),
    ("sns.publish_tps", "eu-west-1", 9000),
    ("eventbridge.put_events_tps", "eu-central-1", 2400),
    ("eventbridge.invocations_tps", "us-west-2", 18750),
    ("stepfunctions.start_rate", "eu-west-1", 300),
    ("stepfunctions.start_rate", "ap-south-1", 150),
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
