"""limits-check over a folder, one scenario at a time: the account-wide checks still add up every
scenario of an account, a quota one scenario declares holds for the scenarios before it too, the
output equals the whole-list library result, and nothing of a checked scenario is kept but its shares."""
from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path

from costplan import limits, scenario
from costplan.report import limits_view

API = """version: 1
name: {name}
account: {account}
workload:
  peak_rps: {rps}
  duration_ms: 1s
{extra}"""


def write(d: Path, name: str, rps: int, account: str = "a", extra: str = "") -> None:
    (d / f"{name}.yaml").write_text(API.format(name=name, account=account, rps=rps, extra=extra), encoding="utf-8")


def library(d: Path, fmt: str = "json") -> str:
    res = limits.check(scenario.load_many([str(d)]))
    return limits_view.json_text(res) if fmt == "json" else limits_view.text(res)


def test_account_wide_checks_add_up_every_scenario_of_the_account_across_the_folder(cli, tmp_path):
    for i, rps in enumerate((300, 400, 500)):
        write(tmp_path, f"a{i}", rps)
    write(tmp_path, "b0", 700, account="b")
    write(tmp_path, "b1", 200, account="b")
    code, out, err = cli("limits-check", str(tmp_path), "--design", "lambda", "--format", "json")
    assert err == "" and code == 1
    accounts = {a["account"]: a["findings"] for a in json.loads(out)["accounts"]}
    [conc] = [f for f in accounts["a"] if f["check"] == "ACCOUNT-LAMBDA-CONCURRENCY"]
    assert conc["needed"] == 1200 and conc["status"] == "fail"  # 300 + 400 + 500 at 1 s, against 1,000
    [conc_b] = [f for f in accounts["b"] if f["check"] == "ACCOUNT-LAMBDA-CONCURRENCY"]
    assert conc_b["needed"] == 900 and conc_b["status"] == "warn"
    assert out == limits_view.json_text(limits.check(scenario.load_many([str(tmp_path)]), designs=["lambda"]))


def test_a_quota_a_later_scenario_declares_holds_for_the_earlier_ones_of_its_account(cli, tmp_path):
    write(tmp_path, "a0-first", 600)
    write(tmp_path, "a1-other-account", 600, account="other")
    write(tmp_path, "a2-declares", 10, extra="quotas:\n  lambda.concurrent_executions: 500\n")
    code, out, _ = cli("limits-check", str(tmp_path), "--format", "json")
    doc = json.loads(out)
    by = {s["scenario"]: s for s in doc["scenarios"]}
    [first] = [f for f in by["a0-first"]["findings"] if f["check"] == "LAMBDA-CONCURRENCY"]
    assert first["limit"] == 500 and first["limit_source"] == "scenario" and first["status"] == "fail"
    [other] = [f for f in by["a1-other-account"]["findings"] if f["check"] == "LAMBDA-CONCURRENCY"]
    assert other["limit"] == 1000 and other["limit_source"] == "default"  # another account's quota
    assert [s["scenario"] for s in doc["scenarios"]] == ["a0-first", "a1-other-account", "a2-declares"]
    assert code == 1
    assert out == library(tmp_path)
    code_t, text, _ = cli("limits-check", str(tmp_path))
    assert text == library(tmp_path, "table") and code_t == 1


def test_a_later_bad_file_leaves_no_partial_output_and_lists_every_problem(cli, tmp_path):
    write(tmp_path, "a0", 10)
    (tmp_path / "b-bad.yaml").write_text("version: 1\nname: bad\nworkload:\n  peak_rps: -3\n  duration_ms: 1s\n")
    (tmp_path / "c-bad.yaml").write_text("version: 1\nname: bad2\nworkload:\n  peak_rps: 10\n  duration_ms: x\n")
    code, out, err = cli("limits-check", str(tmp_path), "--format", "json")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "b-bad.yaml:4" in lines[0] and "c-bad.yaml:5" in lines[1]


def test_a_batch_keeps_no_checked_scenario_but_its_shares(tmp_path):
    for i in range(4):
        write(tmp_path, f"a{i}", 300)
    seen = []
    batch = limits.Batch(designs=["lambda"])
    for _, r in batch.run(scenario.load(f) for f in scenario.expand([str(tmp_path)])):
        seen.append(weakref.ref(r))
        del r
    gc.collect()
    assert len(seen) == 4 and all(ref() is None for ref in seen)  # results, findings and plans let go
    assert all(not hasattr(m, "findings") for m in batch.members)
    [f] = [f for f in batch.account_findings if f.check == "ACCOUNT-LAMBDA-CONCURRENCY"]
    assert f.needed == 1200


def test_a_finding_is_written_as_json_dumps_of_its_dict_would_write_it():
    from decimal import Decimal

    from costplan.limits.model import Finding, finding_json

    dump = json.JSONEncoder(ensure_ascii=False, default=float).encode
    odd = [Finding("C-1", "Ťitle \"q\"\n", "s", "fail", Decimal("Infinity"), Decimal("0"), "req/s", None, None,
                   "default", None, "needs 1 234,5 → ∞ \\ </script>", "fix\tit", "Σ x ≤ y", None, delay_s=Decimal("NaN")),
           Finding("C-2", "t", "s", "ok", Decimal("12345678901234.567"), Decimal("-0.004"), "u", Decimal("99.995"),
                   Decimal("0.005"), "live", "q.id", "m", "", "f", "https://x", subject="hop", file="a b.yaml",
                   account="a", region="eu-west-1", level="account", design="ec2", delay_s=Decimal("3.14159"))]
    for f in odd:
        assert finding_json(f, dump) == dump(f.to_dict())
        assert json.loads(finding_json(f, dump)) == json.loads(json.dumps(f.to_dict()))


def test_every_format_streams_what_the_whole_result_renders(cli, tmp_path):
    from costplan.cli.limits import scan_text
    from costplan.report import scanning

    write(tmp_path, "a0", 600)
    write(tmp_path, "a1", 300, extra="quotas:\n  lambda.concurrent_executions: 800\n")
    write(tmp_path, "b0", 50, account="b")
    res = limits.check(scenario.load_many([str(tmp_path)]))
    passed = [(s.scenario.name, s.scenario.source_file or "") for s in res.scenarios
              if not any(f.status != "ok" for f in s.findings)]
    expected = {"json": limits_view.json_text(res), "table": limits_view.text(res),
                "markdown": limits_view.markdown(res), "csv": limits_view.csv(res),
                **{k: scan_text(k, scanning.from_limits(res), "limits-check", passed)
                   for k in ("sarif", "junit", "github")}}
    for fmt, text in expected.items():
        code, out, _ = cli("limits-check", str(tmp_path), "--format", fmt)
        assert (code, out) == (res.exit_code(), text), fmt
    assert res.exit_code() == 1 and "a0" in expected["github"]


def test_ci_formats_with_nothing_to_report_match_the_whole_result(cli, tmp_path):
    from costplan.cli.limits import scan_text
    from costplan.report import scanning

    write(tmp_path, "a0", 5)
    write(tmp_path, "a1", 5)
    res = limits.check(scenario.load_many([str(tmp_path)]))
    found = scanning.from_limits(res)
    passed = [(s.scenario.name, s.scenario.source_file or "") for s in res.scenarios
              if not any(f.status != "ok" for f in s.findings)]
    assert passed  # nothing to report on at least one scenario
    for fmt in ("sarif", "junit", "github"):
        code, out, _ = cli("limits-check", str(tmp_path), "--format", fmt)
        assert (code, out) == (0, scan_text(fmt, found, "limits-check", passed)), fmt


def test_sarif_written_result_by_result_is_the_indented_log():
    from costplan.report import scanning

    rules = scanning.limit_rules()
    some = [scanning.ScanFinding("LAMBDA-CONCURRENCY", "t", "fail", "über \"quoted\"\nline", "a.yaml", 4, None, "api"),
            scanning.ScanFinding("LIMITS-INPUT", "needs", "warn", "m", None, None)]
    for findings in ([], some):
        streamed = "".join(scanning.sarif_text(lambda f=findings: iter(f), rules, "9.9"))
        assert streamed == json.dumps(scanning.sarif(findings, rules, "9.9"), indent=2) + "\n"
    assert json.loads(streamed)["runs"][0]["results"][1]["ruleIndex"] == sorted({*rules, "LIMITS-INPUT"}).index(
        "LIMITS-INPUT")
