"""Across scenarios: one (account, Region) adds up Lambda concurrency, API Gateway RPS and PutEvents
at coinciding peaks; the QA load test on the production account is the article's self-DoS."""
from __future__ import annotations

from pathlib import Path

import pytest

from costplan import limits
from costplan.scenario import load
from tests.test_limits_helpers import scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def api(name, rps, window=None, account="prod", region="us-east-1", **extra):
    w = {"peak_rps": rps, "duration_ms": "1s"}
    if window:
        w["traffic_window"] = window
    return scenario(w, name=name, account=account, region=region, **extra)


def acct(res, check):
    return [f for f in res.account_findings if f.check == check]


def test_each_fits_alone_but_not_together():
    a, b = api("shop", 600, "18:00-20:00"), api("qa-load-test", 600, "19:00-21:00")
    res = limits.check([a, b], designs=["lambda"])
    assert all(f.status != "fail" for f in res.findings if f.level == "scenario")
    [f] = acct(res, "ACCOUNT-LAMBDA-CONCURRENCY")
    assert f.status == "fail" and f.needed == 1200 and f.scenario == "prod/us-east-1"
    assert "move qa-load-test to its own account, or cap it with reserved concurrency 400" in f.fix
    assert "DoSing yourself" in f.message
    assert res.exit_code() == 1


def test_windows_that_do_not_overlap_do_not_add_up():
    res = limits.check([api("a", 600, "08:00-09:00"), api("b", 600, "09:00-10:00")], designs=["lambda"])
    [f] = acct(res, "ACCOUNT-LAMBDA-CONCURRENCY")
    assert f.needed == 600 and f.status == "ok"


def test_undeclared_window_coincides_with_everything():
    res = limits.check([api("a", 600, "08:00-09:00"), api("b", 600)], designs=["lambda"])
    assert acct(res, "ACCOUNT-LAMBDA-CONCURRENCY")[0].status == "fail"


@pytest.mark.parametrize("other", [{"account": "qa"}, {"region": "eu-west-1"}])
def test_other_accounts_or_regions_do_not_share(other):
    res = limits.check([api("a", 600), api("b", 600, **other)], designs=["lambda"])
    assert not acct(res, "ACCOUNT-LAMBDA-CONCURRENCY")


def test_shared_api_gateway_rps():
    a = api("a", 6000, settings={"api": "http"})
    b = api("b", 6000, settings={"api": "http"})
    res = limits.check([a, b], designs=["lambda"], overrides={"lambda.concurrent_executions": 100000})
    [f] = acct(res, "ACCOUNT-APIGW-RPS")
    assert f.status == "fail" and f.needed == 12000


def test_account_quota_is_the_smallest_declared():
    a = api("a", 5, quotas={"lambda.concurrent_executions": 10})
    b = api("b", 6)
    [f] = acct(limits.check([a, b], designs=["lambda"]), "ACCOUNT-LAMBDA-CONCURRENCY")
    assert f.limit == 10 and f.limit_source == "scenario" and f.status == "fail"


def test_reserved_across_scenarios_keeps_100_unreserved():
    a = api("a", 1, **{"lambda": {"reserved_concurrency": 500}})
    b = api("b", 1, **{"lambda": {"reserved_concurrency": 450}})
    [f] = acct(limits.check([a, b], designs=["lambda"]), "ACCOUNT-LAMBDA-RESERVED")
    assert f.status == "fail" and f.needed == 950 and f.limit == 900


# ---- the bundled scenarios --------------------------------------------------------------------

def bundled(*names):
    paths = [SCENARIOS / n for n in names]
    if not all(p.exists() for p in paths):
        pytest.skip(f"bundled scenarios not there yet: {names}")
    return [load(p) for p in paths]


def status(res, name, check):
    return {f.status for f in res.findings if f.scenario == name and f.check == check}


def test_vote_without_queue_fails_lambda_concurrency_and_api_gateway_rps():
    [direct] = bundled("alternatives/global_vote_direct.yaml")
    res = limits.check([direct], designs=["lambda"])
    # 25,000 votes/s × 60 ms = 1,500 concurrent against 1,000; every vote is an API Gateway request.
    assert status(res, "global-vote-direct", "LAMBDA-CONCURRENCY") == {"fail"}
    assert status(res, "global-vote-direct", "APIGW-RPS") == {"fail"}
    assert status(res, "global-vote-direct", "LAMBDA-INVOKE-RATE") == {"fail"}
    f = next(f for f in res.findings if f.check == "LAMBDA-CONCURRENCY")
    assert f.needed == 1500 and f.limit == 1000


def test_vote_with_queue_and_capped_consumer_passes_and_reports_backlog():
    [vote] = bundled("global_vote.yaml")
    res = limits.check([vote], designs=["lambda"])
    # The only warning: the vote table's first peak against a new/idle on-demand table (issue 12).
    assert {(f.check, f.status) for f in res.findings if f.status != "ok"} == {("DYNAMODB-WARM-THROUGHPUT", "warn")}
    assert res.exit_code(strict=False) == 0
    f = next(f for f in res.findings if f.check == "SQS-BACKLOG")
    assert "backlog peaks at" in f.message and "drains in" in f.message and "retention" in f.fix


def test_global_vote_reports_the_warm_throughput_risk_with_the_pre_warm_number():
    """Issue 12: the vote writes 11,364 WRU/s once a month into an idle table that serves 4,000 at once."""
    [vote] = bundled("global_vote.yaml")
    res = limits.check([vote], designs=["lambda"])
    f = next(f for f in res.findings if f.check == "DYNAMODB-WARM-THROUGHPUT" and f.quota.endswith("wru"))
    assert (f.needed.quantize(1), f.limit, f.status) == (11364, 4000, "warn")  # queue-fed: throttled writes wait
    assert f.delay_s == 3600  # 4,000 → 8,000 → 16,000: two 30-minute doublings
    assert "pre-warm table to 14,205 WRU/s" in f.fix  # 11,364 ÷ 80 %
    # Declaring the pre-warmed table clears it.
    warmed = vote.model_copy(update={"quotas": {**vote.quotas, "dynamodb.on_demand_initial_wru": 14205}})
    res = limits.check([warmed], designs=["lambda"])
    assert next(f for f in res.findings if f.check == "DYNAMODB-WARM-THROUGHPUT").status == "ok"


def test_direct_vote_tally_is_a_hot_key():
    [direct] = bundled("alternatives/global_vote_direct.yaml")
    res = limits.check([direct], designs=["lambda"])
    f = next(f for f in res.findings if f.check == "DYNAMODB-HOT-KEY")
    # 25,000 votes/s × 40 % for the favourite × 1 WRU on one tally item, against one partition's 1,000
    assert (f.needed, f.limit, f.status) == (10000, 1000, "fail")
    assert "shard tally#<leading candidate> over ≥ 13 keys" in f.fix


def test_qa_load_test_on_prod_dos_production():
    scs = bundled("global_vote.yaml", "qa_load_test.yaml", "steady_heavy_api.yaml")
    res = limits.check(scs, designs=["lambda"])
    for name in ("qa-load-test", "global-vote", "steady-heavy-api"):  # each fits on its own
        assert "fail" not in status(res, name, "LAMBDA-CONCURRENCY"), name
    [f] = acct(res, "ACCOUNT-LAMBDA-CONCURRENCY")
    # 3,600/s × 0.25 s + 600/s × 0.15 s + the vote consumer's cap of 25 = 900 + 90 + 25
    assert f.needed == 1015 and f.status == "fail" and "DoSing yourself" in f.message
    assert "move qa-load-test to its own account, or cap it with reserved concurrency 885" in f.fix


def test_a_quota_declared_by_one_scenario_holds_for_its_whole_account():
    from costplan import scenario as sc_mod

    def mk(name, quotas=None, account="prod"):
        return sc_mod.from_dict({"version": 1, "name": name, "account": account, "pattern": "sync_api",
                                 "workload": {"peak_rps": 6000, "duration_ms": 10}, "settings": {"api": "http"},
                                 "quotas": quotas or {}})

    a, b = mk("a", {"apigateway.account_rps": 20000}), mk("b")
    res = limits.check([a, b], designs=["lambda"])
    # b declares nothing but shares a's account: it is checked against the 20,000 a recorded
    fb = next(f for f in res.findings if f.scenario == "b" and f.check == "APIGW-RPS")
    assert fb.limit == 20000 and fb.status == "ok"
    [acc] = acct(res, "ACCOUNT-APIGW-RPS")
    assert acc.needed == 12000 and acc.limit == 20000 and acc.status == "ok"
    # another account keeps the default
    c = mk("c", account="qa")
    fc = next(f for f in limits.check([a, c], designs=["lambda"]).findings if f.scenario == "c" and f.check == "APIGW-RPS")
    assert fc.limit == 10000


def dayed(name, rps, days, window="18:00-20:00", active_days=4):
    return scenario({"peak_rps": rps, "duration_ms": "1s", "traffic_window": window, "traffic_days": days,
                     "active_days_per_month": active_days}, name=name, account="prod")


@pytest.mark.parametrize("days_a,days_b,together", [
    ("sat", "sat", True),            # the vote's Saturday is one of QA's Saturdays
    ("sat", "mon-fri", False),       # same window, never the same day
    ("1", "15", False),              # days of the month that differ
    ("1", "sat", True),              # the 1st is a Saturday in some month
    (None, "mon-fri", True),         # undeclared days: the worst case
])
def test_peaks_coincide_only_on_a_shared_day(days_a, days_b, together):
    """Issue 12: windows matched by time of day only; the vote runs one day a month, the QA test four."""
    res = limits.check([dayed("vote", 600, days_a), dayed("qa-load-test", 600, days_b)], designs=["lambda"])
    [f] = acct(res, "ACCOUNT-LAMBDA-CONCURRENCY")
    assert f.needed == (1200 if together else 600)
    assert (f.status == "fail") == together


def test_undeclared_days_are_named_in_the_finding():
    res = limits.check([dayed("vote", 600, None, active_days=1), dayed("qa-load-test", 600, "sat")],
                       designs=["lambda"])
    [f] = acct(res, "ACCOUNT-LAMBDA-CONCURRENCY")
    assert "vote 600 (18:00-20:00, 1 days a month, days undeclared)" in f.message
    assert "declare traffic_days" in f.message


def test_traffic_days_are_validated():
    from costplan.errors import CostplanError

    with pytest.raises((CostplanError, ValueError)):
        dayed("x", 1, "mon-fri,15")


@pytest.mark.parametrize("other_window,expected", [("18:00-19:00", "fail"), ("06:00-07:00", "ok")])
def test_every_rate_quota_is_added_up_across_the_account(other_window, expected):
    """Lambda's invoke rate is account-wide too (10 × the concurrency quota), not only concurrency."""
    fast = {"duration_ms": "10ms"}
    a = scenario({"peak_rps": 6000, **fast, "traffic_window": "18:00-19:00"}, name="a", account="prod")
    b = scenario({"peak_rps": 6000, **fast, "traffic_window": other_window}, name="b", account="prod")
    res = limits.check([a, b], designs=["lambda"])
    [f] = acct(res, "ACCOUNT-LAMBDA-INVOKE-RATE")
    assert f.status == expected and f.limit == 10000
    assert all(x.status == "ok" for x in res.findings if x.level == "scenario" and x.check == "LAMBDA-INVOKE-RATE")


def test_a_pre_warmed_table_is_not_the_whole_accounts():
    """quotas: dynamodb.on_demand_initial_wru describes one table: it must not loosen the account's others."""
    [vote, ledger] = bundled("global_vote.yaml", "order_ledger_convoy.yaml")
    warmed = vote.model_copy(update={"quotas": {**vote.quotas, "dynamodb.on_demand_initial_wru": 14205}})
    res = limits.check([warmed, ledger], designs=["lambda"])
    lim = {f.scenario: f.limit for f in res.findings if f.check == "DYNAMODB-WARM-THROUGHPUT"}
    assert lim == {"global-vote": 14205, "order-ledger-convoy": 4000}
    rps = {f.scenario: f.limit for f in res.findings if f.check == "APIGW-RPS"}
    assert rps.get("global-vote") == 35000  # an account quota still holds account-wide
