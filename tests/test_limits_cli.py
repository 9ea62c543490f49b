"""`costplan limits-check`: exit codes, formats, overrides, and no traceback on any input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

OK = """version: 1
name: small
account: a
workload:
  peak_rps: 10
  duration_ms: 100ms
"""
HOT = """version: 1
name: hot
account: a
workload:
  peak_rps: 900
  duration_ms: 1s
"""


@pytest.fixture
def files(tmp_path):
    def make(**docs):
        for name, text in docs.items():
            (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
        return tmp_path

    return make


def test_ok_exits_0(cli, files):
    d = files(ok=OK)
    code, out, _ = cli("limits-check", str(d / "ok.yaml"))
    assert code == 0 and "LAMBDA-CONCURRENCY" in out and "0 failed" in out


def test_warning_exits_0_or_1_with_strict(cli, files):
    d = files(hot=HOT)
    assert cli("limits-check", str(d / "hot.yaml"), "--design", "lambda")[0] == 0
    assert cli("limits-check", str(d / "hot.yaml"), "--design", "lambda", "--strict")[0] == 1


def test_override_makes_it_fail(cli, files):
    d = files(ok=OK)
    code, out, _ = cli("limits-check", str(d / "ok.yaml"), "--quota", "lambda.concurrent_executions=0.5")
    assert code == 1 and "override" in out


def test_folder_groups_by_account(cli, files):
    d = files(hot=HOT, hot2=HOT.replace("name: hot", "name: hot2"))
    code, out, _ = cli("limits-check", str(d))
    assert code == 1 and "== account a, us-east-1" in out and "ACCOUNT-LAMBDA-CONCURRENCY" in out


@pytest.mark.parametrize("fmt", ["json", "markdown", "csv", "table"])
def test_formats(cli, files, fmt):
    d = files(ok=OK)
    code, out, _ = cli("limits-check", str(d / "ok.yaml"), "--format", fmt)
    assert code == 0
    if fmt == "json":
        data = json.loads(out)
        f = data["scenarios"][0]["findings"][0]
        assert {"check", "status", "needed", "limit", "unit", "headroom_pct", "limit_source", "message", "fix",
                "formula", "source_url"} <= set(f)
    elif fmt == "markdown":
        assert out.startswith("# Limits check") and "| Status |" in out


@pytest.mark.parametrize("args,msg", [
    (["--quota", "nope=1"], "unknown quota id"),
    (["--warn", "120"], "above critical"),
    (["--warn", "0"], "above 0"),
])
def test_bad_input_exits_2(cli, files, args, msg):
    d = files(ok=OK)
    code, _, err = cli("limits-check", str(d / "ok.yaml"), *args)
    assert code == 2 and msg in err and "Traceback" not in err


@pytest.mark.parametrize("text", [
    "", "[]", "version: 1", "version: 1\nname: x\nworkload: {}\n", "{{{", "version: 1\nname: x\nquotas: 3\n"
    "workload: {peak_rps: 1, duration_ms: 1ms}\n",
    "version: 1\nname: x\nworkload: {peak_rps: 1, duration_ms: 1ms}\nquotas: {lambda.concurrency: 1}\n",
    "version: 1\nname: x\npattern: queue_load_leveling\nworkload: {peak_rps: 1, duration_ms: 1ms}\n"
    "settings: {max_concurrency: 0}\n",
])
def test_no_traceback_on_any_input(cli, files, text):
    d = files(bad=text)
    code, out, err = cli("limits-check", str(d / "bad.yaml"))
    assert code in (0, 1, 2) and "Traceback" not in err + out


def test_unknown_quota_id_in_scenario_names_line(cli, files):
    d = files(bad="version: 1\nname: x\nworkload: {peak_rps: 1, duration_ms: 1ms}\nquotas:\n"
                  "  lambda.concurrency: 1\n")
    code, _, err = cli("limits-check", str(d / "bad.yaml"))
    assert code == 2 and "bad.yaml:5" in err and 'did you mean "lambda.concurrent_executions"' in err


def test_live_without_aws_falls_back_with_a_warning(cli, files, monkeypatch):
    import costplan.limits.live as live

    monkeypatch.setattr(live, "fetch", lambda regions, profile=None: ({}, ["--live us-east-1: no credentials"]))
    d = files(ok=OK)
    code, out, _ = cli("limits-check", str(d / "ok.yaml"), "--live")
    assert code == 0 and "warning: --live us-east-1: no credentials" in out


def test_live_converts_service_quotas_units_to_the_table_units(monkeypatch):
    """Service Quotas says "10 Megabytes" and "29,000 Milliseconds"; the table is in KB and seconds."""
    import costplan.aws.quotas as aq
    from costplan.aws.quotas import AppliedQuotas, LiveQuota
    from costplan.limits import live

    def fake(wanted, session=None, region="us-east-1", config=None):
        return AppliedQuotas({("apigateway", "L-46624B39"): LiveQuota(10.0, "live", "Payload", False, "Megabytes"),
                              ("apigateway", "L-E5AE38E3"): LiveQuota(29000.0, "live", "Timeout", True, "Milliseconds")},
                             [], region)

    monkeypatch.setattr(aq, "read_applied_quotas", fake)
    monkeypatch.setattr("costplan.aws.session.session", lambda profile=None, region=None: None)
    values, warnings = live.fetch(["us-east-1"])
    assert values[("us-east-1", "apigateway.payload")].value == 10240  # KB
    timeouts = {k[1]: v.value for k, v in values.items() if "timeout" in k[1]}
    assert timeouts and set(timeouts.values()) == {29}  # seconds
    assert warnings == []


def test_live_that_reads_nothing_is_bad_input_in_one_line(cli, files, monkeypatch):
    import costplan.aws.quotas as aq
    from costplan.aws.quotas import AppliedQuotas

    monkeypatch.setattr(aq, "read_applied_quotas", lambda *a, **k: AppliedQuotas({}, ["no AWS credentials found"]))
    monkeypatch.setattr("costplan.aws.session.session", lambda profile=None, region=None: None)
    d = files(ok=OK)
    code, out, err = cli("limits-check", str(d / "ok.yaml"), "--live")
    assert (code, err.strip()) == (2, "error: --live: cannot read the account's quotas in us-east-1: "
                                      "no AWS credentials found")


def test_live_values_are_used(files):
    from costplan import limits
    from costplan.scenario import load

    d = files(ok=OK)
    res = limits.check([load(d / "ok.yaml")], designs=["lambda"], live={("us-east-1", "lambda.concurrent_executions"): 1})
    f = next(f for f in res.findings if f.check == "LAMBDA-CONCURRENCY")
    assert (f.limit, f.limit_source, f.status) == (1, "live", "warn")


def test_bundled_scenarios_run(cli):
    code, out, err = cli("limits-check", str(ROOT / "scenarios"), "--format", "json")
    assert code in (0, 1) and "Traceback" not in err
    data = json.loads(out)
    assert len(data["scenarios"]) >= 2


def test_every_check_declares_metadata():
    from costplan.limits import load_checks
    from costplan.limits.quotas import table

    checks = load_checks()
    ids = [c.id for c in checks]
    assert len(ids) == len(set(ids))
    for c in checks:
        assert c.title and c.formula and c.source.startswith("https://") and c.severity in ("error", "warning")
        assert all(q in table() for q in c.quotas), c.id


def test_max_concurrency_zero_prints_no_infinity(cli, tmp_path):
    """Issue 12: `max_concurrency: 0` printed `∞ … -Infinity %`; say what is wrong instead."""
    from tests.test_limits_accounts import SCENARIOS

    text = (SCENARIOS / "global_vote.yaml").read_text().replace("max_concurrency: 25 ", "max_concurrency: 0 ")
    (tmp_path / "zero.yaml").write_text(text)
    code, out, err = cli("limits-check", str(tmp_path / "zero.yaml"), "--design", "lambda")
    # the scenario's range check refuses it at load now (ESM MaximumConcurrency is 2–1,000), in one line
    assert code == 2 and "max_concurrency" in err
    assert "Infinity" not in out + err and "∞" not in out + err and "nan" not in (out + err).lower()
    assert "is 2–1,000, got 0" in err and len(err.strip().splitlines()) == 1
    code, out, _ = cli("limits-check", str(tmp_path / "zero.yaml"), "--design", "lambda", "--format", "json")
    assert code == 2 and out == ""  # no JSON with Infinity in it: nothing but the one error line


def test_readme_check_table_is_generated_from_the_check_metadata(cli):
    """Issue 12: the README lists every check (id, quota, what it measures, source) — the same table
    `limits-check --list-checks` prints from each check's declaration, so it cannot drift."""
    import re
    from pathlib import Path

    from costplan.limits import load_checks
    from costplan.report.limits_view import checks_markdown

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- limits-checks:begin -->\n(.*?)<!-- limits-checks:end -->", readme, re.S)
    assert m, "README has no limits-checks table"
    assert m.group(1) == checks_markdown(), "regenerate the table: costplan limits-check --list-checks"
    assert cli("limits-check", "--list-checks")[1] == checks_markdown()
    for c in load_checks():
        assert f"| `{c.id}` |" in m.group(1) and c.source.startswith("https://"), c.id
