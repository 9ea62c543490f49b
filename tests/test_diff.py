"""`costplan diff`: cost change per alternative and per line item, recommendation and limits changes,
OLD/NEW from files or git revisions (REV:PATH)."""
from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest

from conftest import SCENARIOS
from costplan import scenario
from costplan.compute.compare import compare
from costplan.errors import CostplanError
from costplan.report import diff_view

STEADY = (SCENARIOS / "steady_heavy_api.yaml").read_text()
ARM64_GB_S = Decimal("0.0000133334")  # pricing_data/lambda.yaml, duration_arm64, us-east-1, first 7.5B GB-s


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def _pair(tmp_path, extra=""):
    old = _write(tmp_path, "old.yaml", STEADY + extra)
    new = _write(tmp_path, "new.yaml", STEADY.replace("memory_mb: 1024MB", "memory_mb: 2048MB") + extra)
    return old, new


def test_memory_doubled_doubles_the_duration_line(cli, tmp_path):
    old, new = _pair(tmp_path, "free_tier: false\n")
    code, out, err = cli("diff", old, new, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    lam = next(o for o in d["options"] if o["name"] == "lambda")
    # 400 req/s × 730 h × 3,600 s = 1,051,200,000 requests × 0.15 s × 1 GB = 157,680,000 GB-seconds.
    gb_s = Decimal(400 * 730 * 3600) * Decimal("0.15")
    assert gb_s == 157_680_000
    # only the duration lines move (the requests' and the cold starts' INIT); requests do not depend on memory
    line, init = lam["lines"]
    assert line["name"] == "Duration (arm64) (first 7.5B GB-seconds)"
    # 60 environments (400 req/s × 0.15 s) replaced every 2 h for 730 h + 30.4 days × 30 more at the daily
    # peak (600 req/s × 0.15 s = 90): 21,900 + 912.5 = 22,812.5 cold starts × 100 ms × 1 GB → 2 GB
    assert init["name"].startswith("INIT duration, cold starts (arm64)")
    assert init["old_quantity"] == 2281.25 and init["new_quantity"] == 4562.5
    assert line["new_quantity"] == 2 * line["old_quantity"] == float(2 * gb_s)
    assert line["old_usd"] == 2102.41  # 157,680,000 × $0.0000133334 = $2,102.410512
    assert line["new_usd"] == 4204.82  # 315,360,000 × $0.0000133334 = $4,204.821024
    # + 2,281.25 GB-s more of INIT: cold starts bill their INIT at the function's memory, which doubled
    assert Decimal(str(lam["change_usd"])) == ((gb_s + Decimal("2281.25")) * ARM64_GB_S).quantize(Decimal("0.01")) \
        == Decimal("2102.44")
    # ECS tasks are sized from what a request needs: twice the memory buys twice the CPU (1,769 MB = 1 vCPU),
    # so at cpu_share 20 % each request keeps twice the vCPU busy and Fargate's vCPU-seconds double too.
    far = next(o for o in d["options"] if o["name"] == "fargate")
    vcpu = next(li for li in far["lines"] if li["name"] == "vCPU (linux/arm64)")
    assert vcpu["new_quantity"] == 2 * vcpu["old_quantity"]
    assert d["recommendation"]["old"] == d["recommendation"]["new"] and not d["recommendation"]["changed"]


def test_with_free_tier_the_change_is_the_same_to_the_cent(cli, tmp_path):
    old, new = _pair(tmp_path)
    code, out, err = cli("diff", old, new, "--format", "markdown")
    assert code == 0, err
    # The 400,000 free GB-seconds are used up either way, so the change is still all 157,680,000 GB-s
    # (and the 2,281.25 GB-s of INIT). Lambda before: duration, INIT, requests, logs (528.82) and data
    # transfer out (712.80), as compare prices it.
    assert "| Lambda | $3,548.78 | $5,651.22 | +$2,102.44 | +59.2% |" in out
    assert "157,280,000 → 314,960,000 GB-seconds" in out
    assert "Recommendation unchanged: ECS on EC2." in out


def test_recommendation_change_is_called_out(tmp_path):
    light = (SCENARIOS / "periodic_light_api.yaml").read_text()
    old = scenario.load(_write(tmp_path, "a.yaml", light))
    # 10,000× the volume of an I/O-bound API (a fifth of each request on CPU): ECS wins by more than the margin
    busy = light.replace("monthly_requests: 200k", "monthly_requests: 2B").replace(
        "  architecture: x86_64", "  cpu_share: 20%\n  architecture: x86_64")
    new = scenario.load(_write(tmp_path, "b.yaml", busy))
    d = diff_view.cost_diff(compare(old), compare(new), "a", "b")
    assert d.recommendation_changed and d.old_recommendation == "lambda"
    assert "**Recommendation changed: Lambda → " in diff_view.markdown(d)


def test_limits_checks_that_changed_state(tmp_path):
    old, new = _pair(tmp_path)
    a, b = compare(scenario.load(old)), compare(scenario.load(new))

    def res(status):
        return SimpleNamespace(findings=[
            SimpleNamespace(check="LAMBDA-CONCURRENCY", scenario="steady-heavy-api", status=status, message=status),
            SimpleNamespace(check="PAYLOAD-SIZE", scenario="steady-heavy-api", status="ok", message="fine")])

    d = diff_view.cost_diff(a, b, "old", "new", res("ok"), res("warn"))
    assert [(c.check, c.old, c.new) for c in d.checks] == [("LAMBDA-CONCURRENCY", "ok", "warn")]
    assert "| LAMBDA-CONCURRENCY | ok | warn | warn |" in diff_view.markdown(d)
    d = diff_view.cost_diff(a, b, "old", "new", None, None, "limits-check is not available")
    assert "Limits not compared: limits-check is not available" in diff_view.markdown(d)


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True)


def test_git_revision_of_the_same_file(cli, tmp_path, monkeypatch):
    _git(tmp_path, "init", "-q")
    _write(tmp_path, "s.yaml", STEADY)
    _git(tmp_path, "add", "s.yaml")
    _git(tmp_path, "commit", "-qm", "one")
    _write(tmp_path, "s.yaml", STEADY.replace("memory_mb: 1024MB", "memory_mb: 2048MB"))
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("diff", "HEAD:s.yaml", "s.yaml", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["old"] == "HEAD:s.yaml"
    assert next(o for o in d["options"] if o["name"] == "lambda")["change_usd"] == 2102.44
    code, _, err = cli("diff", "nosuchrev:s.yaml", "s.yaml")
    assert code == 2 and "git revision 'nosuchrev' does not exist" in err
    code, _, err = cli("diff", "HEAD:missing.yaml", "s.yaml")
    assert code == 2 and "missing.yaml is not in revision HEAD" in err


def test_revision_outside_a_git_repository(tmp_path):
    if subprocess.run(["git", "rev-parse"], cwd=tmp_path, capture_output=True).returncode == 0:
        pytest.skip("the temporary folder is inside a git repository")
    with pytest.raises(CostplanError, match="not in a git repository"):
        diff_view.load_spec("HEAD:s.yaml", cwd=tmp_path)


def test_table_output(cli, tmp_path):
    old, new = _pair(tmp_path)
    code, out, err = cli("diff", old, new)
    assert code == 0, err
    assert "+$2,102.44" in out and "Line items that changed" in out
