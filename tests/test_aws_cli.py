"""The AWS-facing commands end to end: boto3 over real HTTP to the local fake endpoint."""
from __future__ import annotations

import json

import yaml
from fakeaws import dummy_credentials, fake, fake_server, fast  # noqa: F401


def test_pricing_refresh_check_then_write_then_show_reads_the_user_book(cli, fake, tmp_path, monkeypatch):
    monkeypatch.setenv("COSTPLAN_PRICING_DIR", str(tmp_path))
    code, out, err = cli("pricing", "refresh", "--source", "api", "--services", "lambda", "--check", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["changes"] == [] and data["written"] == [] and len(data["unchanged"]) >= 8
    assert not list(tmp_path.iterdir())  # --check wrote nothing

    code, out, err = cli("pricing", "refresh", "--source", "api", "--services", "lambda")
    assert code == 0, err
    assert (tmp_path / "lambda.yaml").exists() and f"wrote {tmp_path / 'lambda.yaml'}" in out

    from costplan.pricing.book import read_data_file

    read_data_file.cache_clear()
    try:
        code, out, _ = cli("pricing", "show", "lambda", "--format", "json")
        rows = json.loads(out)["prices"]
        req = next(r for r in rows if r["key"] == "lambda.requests")
        assert req["origin"] == str(tmp_path)  # the refreshed book overrides the bundled one
        assert req["price"].startswith("$0.20 per 1M requests")
    finally:
        read_data_file.cache_clear()


def test_pricing_refresh_denied_is_one_line_exit_2(cli, fake, tmp_path):
    from fakeaws import denied

    fake.on("pricing:GetProducts", denied("pricing:GetProducts"))
    code, out, err = cli("pricing", "refresh", "--source", "api", "--services", "lambda", "--out", str(tmp_path))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "pricing:GetProducts" in lines[0] and "costplan iam-policy" in lines[0]
    assert "AKIA" not in out + err
    assert not list(tmp_path.iterdir())


def test_iam_policy_names_exactly_the_calls(cli):
    code, out, _ = cli("iam-policy")
    assert code == 0
    doc = json.loads(out)
    actions = {a for s in doc["Statement"] for a in s["Action"]}
    assert {"pricing:GetProducts", "lambda:GetAccountSettings", "servicequotas:GetServiceQuota",
            "cloudwatch:GetMetricData"} <= actions
    assert not any(a.endswith(":*") or a == "*" for a in actions)


def test_scenario_from_cloudwatch_writes_a_valid_scenario(cli, fake, tmp_path):
    target = tmp_path / "orders.yaml"
    code, out, err = cli("scenario", "from-cloudwatch", "--function", "orders-api", "--out", str(target))
    assert code == 0, err
    text = target.read_text()
    assert text.startswith("# Measured by costplan from CloudWatch")
    data = yaml.safe_load(text)
    assert data["version"] == 1 and data["workload"]["monthly_requests"] > 0
    code, _, err = cli("scenario", "from-cloudwatch", "--function", "orders-api", "--out", str(target))
    assert code == 2 and "already exists; use --force" in err
    code, _, err = cli("scenario", "validate", str(target))
    assert code == 0, err


def test_limits_check_live_reads_a_new_accounts_concurrency(cli, fake, tmp_path):
    """--live end to end: boto3 → fake Lambda GetAccountSettings says 10 (a new account), and the
    finding says so, with the limit's source."""
    fake.account_settings = {"AccountLimit": {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10,
                                              "CodeSizeUnzipped": 262144000, "CodeSizeZipped": 52428800,
                                              "TotalCodeSize": 80530636800},
                             "AccountUsage": {"FunctionCount": 3, "TotalCodeSize": 1024}}
    p = tmp_path / "api.yaml"
    p.write_text("version: 1\nname: api\nworkload:\n  peak_rps: 100\n  duration_ms: 200ms\n")
    code, out, err = cli("limits-check", str(p), "--live", "--format", "json")
    data = json.loads(out)
    f = next(f for f in data["scenarios"][0]["findings"] if f["check"] == "LAMBDA-CONCURRENCY")
    # 100/s × 0.2 s = 20 concurrent against the account's applied 10
    assert f["limit"] == 10 and f["limit_source"] == "live" and f["status"] == "fail"
    assert code == 1
    code, out, _ = cli("limits-check", str(p), "--format", "json")
    f = next(f for f in json.loads(out)["scenarios"][0]["findings"] if f["check"] == "LAMBDA-CONCURRENCY")
    assert f["limit"] == 1000 and f["limit_source"] == "default" and code == 0


def test_an_unknown_profile_is_one_line_everywhere(cli, fake, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    for args in (["pricing", "refresh", "--source", "api", "--check"], ["scenario", "from-cloudwatch", "--function", "f"]):
        code, out, err = cli(*args)
        assert code == 2, (args, out, err)
        assert err.strip().splitlines() == [
            "error: The config profile (no-such-profile) could not be found: check --profile or AWS_PROFILE "
            "(aws configure list-profiles)"]
    from pathlib import Path

    scenario = Path(__file__).resolve().parent.parent / "scenarios" / "steady_heavy_api.yaml"
    code, out, err = cli("limits-check", str(scenario), "--live")
    assert code == 2 and err.strip().splitlines() == [  # a gate asked for the account must not pass on defaults
        "error: --live: cannot read the account's quotas in us-east-1: The config profile (no-such-profile) "
        "could not be found: check --profile or AWS_PROFILE (aws configure list-profiles)"]
