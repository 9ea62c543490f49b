"""Formulas against hand-worked numbers (reference §3)."""
from __future__ import annotations

from decimal import Decimal as D

from costplan.limits.accounts import minutes, peak_sum
from tests.test_limits_checks import consumer, queue
from tests.test_limits_helpers import finding, run_plan, scenario, stage


def test_littles_law_600_rps_times_150_ms_is_90():
    res = run_plan([stage("api", "api", rps=600, duration_ms=150)])
    f = finding(res, "LAMBDA-CONCURRENCY")
    assert f.needed == 90 and f.limit == 1000 and f.headroom_pct == 91


def test_burst_ramp_2500_from_cold_takes_30_s():
    # t = 10 s × ceil((2,500 − 0) / 1,000) = 30 s
    res = run_plan([stage("api", "api", rps=2500, duration_ms=1000)])
    f = finding(res, "LAMBDA-BURST-RAMP", "api")
    assert "≈ 30 s" in f.message and "provisioned concurrency" in f.fix and "1,500" in f.fix


def test_backlog_peak_drain_and_age():
    # μ = 10 × 10 / 1 s = 100/s; λ = 1,000/s for 3,600 s → Q = 900 × 3,600 = 3,240,000
    # after the peak λ = 0 (peak fills the 1-hour active day): drain = Q / 100 = 32,400 s = 9 h; age ≈ Q/μ = 9 h
    sc = scenario({"active_hours_per_day": 1})
    res = run_plan([consumer()], queue(), sc=sc)
    f = finding(res, "SQS-BACKLOG")
    assert f.needed == 32400 and f.limit == 345600 and f.limit_source == "default"
    assert "3,240,000 messages" in f.message and "drains in 9 h" in f.message
    assert f.fix == "queue drains in 9 h, under the 4 d retention"


def test_backlog_drains_against_later_arrivals():
    # peak 1 h inside a 24-h day; later arrivals 50/s: drain = 3,240,000 / (100 − 50) = 64,800 s = 18 h
    sc = scenario({"active_hours_per_day": 24})
    res = run_plan([consumer()], queue(arrival_average_rps=D(50)), sc=sc)
    assert "drains in 18 h" in finding(res, "SQS-BACKLOG").message


def test_esm_ramp_305_concurrent_takes_one_minute():
    # (305 − 5) / 300 per min = 1 min; within a 10-minute peak the ramp reaches 5 + 300 × 10 = 3,005
    facts = queue(max_concurrency=None, arrival_peak_rps=D(3050), peak_window_s=D(600))
    f = finding(run_plan([consumer(max_concurrency=None)], facts), "SQS-ESM-RAMP")
    assert (f.needed, f.limit, f.unit) == (305, 3005, "concurrent invokes")  # issue 12: the unit was "s"
    assert "full ramp ≈ 60 s" in f.message


def test_esm_ramp_longer_than_the_peak_is_a_backlog_delay():
    # 1,000 batches needed (λ 10,000/s × 1 s / 10), a 1-minute peak: reaches 305, full ramp 3.3 min
    facts = queue(max_concurrency=None, arrival_peak_rps=D(10000), peak_window_s=D(60))
    f = finding(run_plan([consumer(max_concurrency=None)], facts), "SQS-ESM-RAMP")
    assert (f.needed, f.limit, f.status) == (1000, 305, "warn")
    assert f.delay_s == 139  # (1,000 − 5) / 300 min = 199 s: the consumer catches up 139 s after the peak



def test_in_flight_is_concurrency_times_batch():
    f = finding(run_plan([consumer()], queue()), "SQS-IN-FLIGHT")
    assert f.needed == 100  # 10 concurrent × 10


def test_invoke_rate_limit_is_ten_times_concurrency():
    f = finding(run_plan([stage("api", "api", rps=10, duration_ms=10)],
                         sc=scenario(quotas={"lambda.concurrent_executions": 10})), "LAMBDA-INVOKE-RATE")
    assert f.limit == 100


def test_windows_wrap_past_midnight_and_touching_windows_do_not_overlap():
    assert minutes("23:00-01:00") == set(range(1380, 1440)) | set(range(0, 60))
    assert minutes(None) is None
    a, b = minutes("09:00-10:00"), minutes("10:00-11:00")
    assert not a & b
    total, active = peak_sum([("a", a, D(5)), ("b", b, D(7))])
    assert total == 7 and len(active) == 1
    total, _ = peak_sum([("a", a, D(5)), ("b", b, D(7)), ("c", None, D(1))])
    assert total == 8
