"""Cold starts in money (INIT billed as duration since 2025-08-01), provisioned concurrency scheduled to
the active hours, the warmer's coverage in numbers, and the free tier once per account."""
from __future__ import annotations

import json
from decimal import Decimal

from costplan import scenario
from costplan.compute import coldstart
from costplan.compute.compare import compare, compare_many

X86_GB_S = Decimal("0.0000166667")  # us-east-1 tier 1, the same price as the invocation's duration


def sc(name="t", account="default", lam=None, **w):
    base = {"monthly_requests": "3M", "duration_ms": "120ms", "memory_mb": "1024MB"}
    base.update(w)
    d = {"version": 1, "name": name, "account": account, "workload": base}
    if lam:
        d["lambda"] = lam
    return scenario.from_dict(d)


def init_items(option):
    return [li for li in option.line_items if li.name.startswith("INIT duration")]


def test_init_billed_is_rate_times_init_ms_times_gb():
    # 3M requests around the clock (1.14 req/s × 0.12 s: one environment), replaced every 2 h:
    # 730 / 2 = 365 cold starts × 800 ms × 1 GB = 292 GB-seconds × $0.0000166667
    c = compare(sc(lam={"init_duration_ms": "800ms"}), free_tier=False)
    (item,) = init_items(c.option("lambda"))
    assert item.quantity == Decimal(365) * Decimal("0.8") * 1
    assert item.monthly_usd == Decimal(292) * X86_GB_S
    assert item.price_key == "lambda.duration_x86_64"
    assert any("365 cold starts" in n and "INIT 800 ms" in n for n in c.option("lambda").notes)


def test_init_default_comes_from_the_runtime():
    java = compare(sc(lam={"runtime": "java"}), free_tier=False)
    (item,) = init_items(java.option("lambda"))
    assert item.quantity == 365 * coldstart.INIT_MS_BY_RUNTIME["java"] / 1000


def test_sparse_traffic_starts_cold_after_idle_gaps():
    # 1,000 requests a month, 8 h on 22 days: one every ~10 min, beyond the 5-minute reuse window
    w = {"monthly_requests": 1000, "active_hours_per_day": "8h", "active_days_per_month": 22}
    c = compare(sc(**w), free_tier=False)
    cs = coldstart.cold_starts(c.plan.stages[0].traffic, c.scenario.workload)
    assert cs.idle > 500 and cs.total <= 1000


def test_provisioned_hours_are_the_active_hours_when_a_window_is_set():
    w = {"monthly_requests": "200k", "active_hours_per_day": "8h", "active_days_per_month": 22,
         "duration_ms": "300ms", "memory_mb": "512MB"}
    lam = {"warm": {"copies": 2}}
    windowed = compare(sc(lam=lam, traffic_window="09:00-17:00", **w))
    allmonth = compare(sc(lam=lam, **w))

    def pc(c):
        (li,) = [li for li in c.option("lambda_provisioned").line_items
                 if li.price_key == "lambda.provisioned_concurrency_x86_64"]
        return li.quantity

    assert pc(windowed) == 2 * Decimal("0.5") * 8 * 22 * 3600  # 176 h, not 730 h
    assert pc(allmonth) == 2 * Decimal("0.5") * 730 * 3600
    assert any("176.0 h a month" in n for n in windowed.option("lambda_provisioned").notes)


def test_warmer_coverage_is_stated_in_numbers():
    # peak 20 req/s × 0.5 s = 10 concurrent; the warmer keeps 2: 8 short, the daily ramp above 2 is cold
    w = {"monthly_requests": "2M", "active_hours_per_day": "8h", "peak_rps": 20, "duration_ms": "500ms"}
    c = compare(sc(lam={"warm": {"copies": 2}}, **w))
    note = next(n for n in c.option("lambda_warmer").notes if "keeps 2 environment(s) warm" in n)
    assert "peak concurrency of 10" in note and "8 short of the peak" in note
    before, left = coldstart.cold_starts(c.plan.stages[0].traffic, c.scenario.workload).total, \
        coldstart.cold_starts(c.plan.stages[0].traffic, c.scenario.workload, Decimal(2)).total
    assert 0 < left < before and f"cold starts {before:,.0f} → {left:,.0f}" in note
    assert init_items(c.option("lambda_warmer"))  # the INIT the warmer leaves is still billed


def free_requests(c) -> Decimal:
    return sum((li.quantity for li in c.option("lambda").line_items
                if li.free and li.price_key == "lambda.requests"), Decimal(0))


def test_free_tier_is_granted_once_across_two_scenarios_of_one_account():
    a, b = compare_many([sc("a", "prod", monthly_requests="800k"), sc("b", "prod", monthly_requests="800k")])
    assert free_requests(a) == 800_000 and free_requests(b) == 200_000  # 1M free requests, in file order
    assert b.free_tier_sharing == {"account": "prod", "region": "us-east-1", "rule": "file order", "position": 2}


def test_free_tier_is_granted_twice_across_two_accounts():
    a, b = compare_many([sc("a", "prod", monthly_requests="800k"), sc("b", "dev", monthly_requests="800k")])
    assert free_requests(a) == free_requests(b) == 800_000
    assert a.free_tier_sharing["position"] == b.free_tier_sharing["position"] == 1  # first of each account


def test_sharing_is_said_in_the_output(cli, tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(
            f"version: 1\nname: {name}\naccount: prod\nworkload:\n  monthly_requests: 800k\n  duration_ms: 100ms\n")
    code, out, err = cli("compare", str(tmp_path), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [d["free_tier_sharing"]["position"] for d in data] == [1, 2]
    code, out, err = cli("compare", str(tmp_path), "--brief")
    assert "allocated in file order; this is the 2nd of account prod in us-east-1" in out


def test_a_bad_file_in_a_folder_exits_2_with_no_partial_json(cli, tmp_path):
    (tmp_path / "a.yaml").write_text("version: 1\nname: a\nworkload:\n  monthly_requests: 1M\n  duration_ms: 100ms\n")
    (tmp_path / "b.yaml").write_text("version: 1\nname: b\nworkload:\n  monthly_requests: 1M\n  duration_ms: 1\n"
                                     "  memroy_mb: 512MB\n")
    code, out, err = cli("compare", str(tmp_path), "--format", "json")
    assert code == 2 and out == "" and "b.yaml" in err and "memory_mb" in err


def test_the_float_cold_start_model_used_by_the_scan_equals_the_billed_one():
    import math

    for w in ({}, {"active_hours_per_day": "8h", "active_days_per_month": 22, "peak_rps": 40},
              {"monthly_requests": 500, "active_hours_per_day": "2h"}):
        s = sc(**w)
        t = compare(s).plan.stages[0].traffic
        for k in (Decimal("0.01"), Decimal(1), Decimal(70)):
            tk = t.scaled(k)
            hpd = float(s.workload.active_hours_per_day)
            f = coldstart.total_f(float(tk.monthly_requests), float(tk.peak_concurrency),
                                  float(tk.average_concurrency), float(tk.average_rps), hpd,
                                  float(tk.active_seconds) / 3600 / hpd, float(tk.active_hours))
            assert math.isclose(f, float(coldstart.cold_starts(tk, s.workload).total), rel_tol=1e-9, abs_tol=1e-9)
