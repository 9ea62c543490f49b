"""A scenario learnt from CloudWatch metrics and the function's configuration."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import boto3
import pytest
import yaml
from fakeaws import denied, dummy_credentials, fake, fake_server, fast, moto_server  # noqa: F401

from costplan import scenario as scenario_model
from costplan.aws.cloudwatch import from_cloudwatch, render_scenario_yaml
from costplan.aws.session import AwsError

NOW = dt.datetime(2026, 11, 26, 12, 0, 30, tzinfo=dt.timezone.utc)


def test_scenario_from_recorded_metrics(fake, fast):
    m = from_cloudwatch("orders-api", days=14, config=fast, now=NOW)
    assert m.warnings == []
    assert m.scenario == {
        "version": 1, "name": "orders-api",
        "description": "Lambda function orders-api as measured in CloudWatch, 14 days to 2026-11-26",
        "region": "us-east-1", "account": "default", "pattern": "sync_api",
        "workload": {"monthly_requests": 26_280_000,  # 12,096,000 in 336 h → 730 h
                     "duration_ms": 182.5, "p99_duration_ms": 912.2, "memory_mb": 1024,
                     "architecture": "arm64", "peak_rps": 100.0},  # 6,000 in the busiest minute
        "lambda": {"timeout_s": 10, "reserved_concurrency": 50},
    }
    text = render_scenario_yaml(m)
    assert text.splitlines()[:2] == [
        "# Measured by costplan from CloudWatch (AWS/Lambda, FunctionName=orders-api, us-east-1).",
        "# Period: 2026-11-12T12:00Z to 2026-11-26T12:00Z (14 days)."]
    assert "# Errors: 1,209 (0.01%); Throttles: 0 over the period." in text
    loaded = scenario_model.from_dict(yaml.safe_load(text))  # a valid scenario file
    assert loaded.workload.peak_rps == 100 and loaded.lambda_.reserved_concurrency == 50
    assert "000000000000" not in text  # the function ARN's account id is never copied


def test_function_not_found_is_one_line(fake, fast):
    with pytest.raises(AwsError) as e:
        from_cloudwatch("nope", config=fast, now=NOW)
    assert str(e.value) == "no Lambda function named 'nope' in us-east-1"


def test_cloudwatch_denied_is_one_line(fake, fast):
    fake.on("cloudwatch:GetMetricData", denied("cloudwatch:GetMetricData"))
    with pytest.raises(AwsError) as e:
        from_cloudwatch("orders-api", config=fast, now=NOW)
    assert str(e.value) == ("access denied to cloudwatch:GetMetricData (AccessDeniedException); grant it "
                            "(see `costplan iam-policy`)")


def test_no_invocations_is_one_line(fake, fast):
    fake.metric_values = {"invocations": [0], "duration_avg": []}
    with pytest.raises(AwsError, match="'orders-api' had no invocations in us-east-1 in the last 14 days"):
        from_cloudwatch("orders-api", config=fast, now=NOW)


def test_reserved_concurrency_denied_is_a_warning(fake, fast):
    fake.on("lambda:GetFunctionConcurrency", denied("lambda:GetFunctionConcurrency", "rest"))
    m = from_cloudwatch("orders-api", config=fast, now=NOW)
    assert m.warnings == ["reserved concurrency not read: access denied to lambda:GetFunctionConcurrency "
                          "(AccessDeniedException); grant it (see `costplan iam-policy`)"]
    assert "reserved_concurrency" not in m.scenario["lambda"]


def test_scenario_from_moto(moto_server, monkeypatch):
    """moto serves Lambda and CloudWatch for real (no Docker needed to create a function); it has
    no percentile statistics, so p99 is reported as not measured."""
    from botocore.config import Config

    dummy_credentials(monkeypatch)
    for s in ("LAMBDA", "CLOUDWATCH", "IAM"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{s}", moto_server)
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName="moto-fn-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return 1\n")
    lam = boto3.client("lambda", region_name="us-east-1")
    lam.create_function(FunctionName="votes", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": code.getvalue()}, MemorySize=512, Timeout=30, Architectures=["x86_64"])
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    dims = [{"Name": "FunctionName", "Value": "votes"}]
    data = []
    for minute, (inv, dur) in enumerate([(600, 100.0), (1200, 300.0), (300, 200.0)], start=5):
        ts = now - dt.timedelta(minutes=minute)
        data += [{"MetricName": "Invocations", "Dimensions": dims, "Timestamp": ts, "Value": inv, "Unit": "Count"},
                 {"MetricName": "Duration", "Dimensions": dims, "Timestamp": ts, "Value": dur,
                  "Unit": "Milliseconds"},
                 {"MetricName": "ConcurrentExecutions", "Dimensions": dims, "Timestamp": ts, "Value": 4,
                  "Unit": "Count"}]
    cw.put_metric_data(Namespace="AWS/Lambda", MetricData=data)
    m = from_cloudwatch("votes", days=1, config=Config(retries={"max_attempts": 0, "mode": "standard"}))
    w = m.scenario["workload"]
    assert w["monthly_requests"] == 2100 * 730 // 24  # 2,100 invocations in 24 h
    assert (w["duration_ms"], w["memory_mb"], w["architecture"], w["peak_rps"]) == (200.0, 512, "x86_64", 20.0)
    assert "p99_duration_ms" not in w and m.scenario["lambda"] == {"timeout_s": 30}
    assert len(m.warnings) == 1 and m.warnings[0].startswith("p99 duration not read: ")


def test_bad_days(fake):
    with pytest.raises(AwsError, match="days must be 1–455"):
        from_cloudwatch("orders-api", days=0)


@pytest.mark.parametrize("given", ["arn:aws:lambda:us-east-1:123456789012:function:orders-api",
                                   "arn:aws:lambda:us-east-1:123456789012:function:orders-api:live"])
def test_a_function_arn_measures_the_function_by_name_and_never_copies_the_account_id(fake, fast, given):
    """--function accepts an ARN: the account id in it went into the scenario's name, description and
    comments, and CloudWatch was asked for FunctionName=<the ARN>, a dimension it never has."""
    import urllib.parse

    for key in (given, urllib.parse.quote(given, safe="")):
        fake.functions[key] = fake.functions["orders-api"]
    m = from_cloudwatch(given, days=14, config=fast, now=NOW)
    assert m.scenario["name"] == "orders-api"
    text = render_scenario_yaml(m)
    assert "123456789012" not in text and "FunctionName=orders-api," in text
