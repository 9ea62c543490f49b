"""ECS sized from what one request needs: the Fargate size table, per-task concurrency, the cheapest
size and instance type, tasks through the day with the scale-out lag, network costs, and parity with
Lambda when a task holds what one Lambda environment holds."""
from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import SCENARIOS
from costplan import patterns, scenario
from costplan.compute import sizing as Z
from costplan.compute.options import price_options
from costplan.errors import CostplanError
from costplan.pricing.book import PriceBook
from costplan.services import fargate as F

BOOK = PriceBook("us-east-1")


def sc(workload: dict, ecs: dict | None = None, ec2: dict | None = None, **top):
    data = {"version": 1, "name": "t", "workload": workload, "ecs": ecs or {}, "ec2": ec2 or {}}
    data.update(top)
    return scenario.from_dict(data)


def options(s) -> dict:
    return {o.name: o for o in price_options(patterns.plan(s), BOOK, warm=False)}


# ---- the size table ----------------------------------------------------------------------------

def test_fargate_size_table_matches_the_ecs_documentation():
    sizes = F.fargate_sizes()
    by_vcpu = {}
    for v, m in sizes:
        by_vcpu.setdefault(v, []).append(m)
    assert by_vcpu[Decimal("0.25")] == [Decimal("0.5"), 1, 2]
    assert by_vcpu[Decimal("0.5")] == [1, 2, 3, 4]
    assert by_vcpu[Decimal(1)] == list(range(2, 9))
    assert by_vcpu[Decimal(2)] == list(range(4, 17))
    assert by_vcpu[Decimal(4)] == list(range(8, 31))
    assert by_vcpu[Decimal(8)] == list(range(16, 61, 4))
    assert by_vcpu[Decimal(16)] == list(range(32, 121, 8))
    assert len(sizes) == 74


@pytest.mark.parametrize("args, msg", [
    (["vcpu=0.25", "memory_gb=8"], "0.25 vCPU takes 0.5, 1 or 2 GB"),
    (["vcpu=1", "memory_gb=1"], "1 vCPU takes 2–8 GB in 1 GB steps"),
    (["vcpu=3", "memory_gb=8"], "vCPU must be one of 0.25, 0.5, 1, 2, 4, 8, 16"),
    (["vcpu=8", "memory_gb=18"], "8 vCPU takes 16–60 GB in 4 GB steps"),
])
def test_price_fargate_refuses_sizes_fargate_does_not_sell(cli, args, msg):
    code, out, err = cli("price", "fargate", *args)
    assert code == 2
    assert msg in err and "Traceback" not in out + err


def test_scenario_task_size_is_validated_against_the_table():
    with pytest.raises(CostplanError) as e:  # refused when the scenario is read, with the sizes on offer
        options(sc({"monthly_requests": "1M", "duration_ms": 100}, {"vcpu": 0.25, "memory_gb": "4GB"}))
    assert "4 GB with 0.25 vCPU is not a Fargate size" in str(e.value) and "(0.5, 1, 2)" in str(e.value)


# ---- per-task concurrency ----------------------------------------------------------------------

def test_one_request_needs_its_lambda_cpu_share_and_working_set():
    # 1,769 MB = 1 vCPU; CPU-bound → 1 vCPU per request; 2 vCPU / 4 GB task: 2 by CPU,
    # (4,096 − 256) ÷ 1,024 = 3 by memory → 2
    s = sc({"monthly_requests": "1M", "duration_ms": 100, "memory_mb": 1769, "cpu_share": "100%",
            "working_set_mb": 1024})
    stage = patterns.plan(s).stages[0]
    need = Z.request_need(stage, s.workload, s.ecs)
    assert need.vcpu == 1 and need.working_set_mb == 1024 and need.overhead_mb == 256
    assert Z.concurrency(need, Decimal(2), Decimal(4096)) == (2, 2, 3)
    # the default working set is what the function was given
    s2 = sc({"monthly_requests": "1M", "duration_ms": 100, "memory_mb": 512})
    assert Z.request_need(patterns.plan(s2).stages[0], s2.workload, s2.ecs).working_set_mb == 512


def test_measured_concurrency_wins_over_the_model():
    s = sc({"peak_rps": 100, "peak_to_average": 1, "duration_ms": 200},
           {"concurrent_requests_per_task": 10, "vcpu": 1, "memory_gb": 2, "min_tasks": 1, "scaling": "peak"})
    f = options(s)["fargate"]
    # 100 req/s × 0.2 s = 20 in flight; 10 per task at 70 % → 7 usable → 3 tasks all month
    assert f.sizing["api"]["tasks_peak"] == 3 and f.sizing["api"]["per_task_rps"] == 50
    assert f.sizing["api"]["limited_by"] == "measured"
    assert f.sizing["api"]["task_hours"] == 3 * 730


def test_cheapest_fargate_size_is_no_dearer_than_any_size_the_table_offers():
    w = {"monthly_requests": "20M", "duration_ms": 300, "memory_mb": 1024, "architecture": "arm64",
         "active_hours_per_day": 12, "peak_to_average": 2}
    chosen = options(sc(w, {"load_balancer": "none"}))["fargate"]
    pick = chosen.sizing["api"]
    compute = lambda o: sum(li.monthly_usd for li in o.line_items if li.price_key.startswith("fargate."))  # noqa: E731
    ipv4 = lambda o: sum(li.monthly_usd for li in o.line_items if li.price_key == "vpc.public_ipv4_hours")  # noqa: E731
    best = compute(chosen) + ipv4(chosen)
    for v in ("0.25", "0.5", "1", "2", "4"):
        for m in F.fargate_memory_choices(Decimal(v))[:6]:
            try:
                o = options(sc(w, {"load_balancer": "none", "vcpu": v, "memory_gb": f"{m}GB"}))["fargate"]
            except CostplanError:
                continue  # this size cannot hold one request
            assert compute(o) + ipv4(o) >= best, (v, m, pick)


def test_three_gb_one_second_tasks_hold_their_requests():
    """compare --executions 100M --duration 1s --memory 3GB: each request keeps its function's
    3,072 ÷ 1,769 = 1.74 vCPU and 3,072 MB; every task holds that many requests' CPU and memory, and
    the old price (10 requests per 1 vCPU / 2 GB task, $263) is far below."""
    s = sc({"monthly_requests": "100M", "duration_ms": "1s", "memory_mb": "3GB"})
    o = options(s)
    z = o["fargate"].sizing["api"]
    conc = Decimal(str(z["per_task_concurrency"]))
    assert conc * Decimal(3072) / 1769 <= Decimal(str(z["vcpu"]))
    assert conc * 3072 + 256 <= Decimal(str(z["memory_gb"])) * 1024
    # 38 requests in flight need 66 vCPU and 114 GB at least, before the 70 % target
    assert o["fargate"].monthly_usd > 3000
    ec2 = o["ec2"].sizing["api"]
    assert Decimal(str(ec2["per_task_concurrency"])) * Decimal(3072) / 1769 <= Decimal(str(ec2["task_vcpu"]))


def test_sensitivity_on_memory_moves_ecs_totals():
    from costplan.compute.sensitivity import parse_vary, sensitivity

    res = sensitivity(scenario.load(SCENARIOS / "steady_heavy_api.yaml"), parse_vary("memory_mb=128MB..3GB"),
                      steps=3)
    for name in ("fargate", "ec2"):
        totals = res.series(name)
        assert totals[0] < totals[1] < totals[2]


# ---- parity with Lambda ------------------------------------------------------------------------

def test_parity_a_task_that_holds_one_lambda_environment_bills_the_same_seconds():
    """One request per task, steady 2 req/s of 1 s, 100 % target: 2 tasks all month, the same
    5,256,000 seconds Lambda bills; both priced from the book to the cent."""
    s = sc({"average_rps": 2, "duration_ms": "1s", "memory_mb": 2048, "architecture": "arm64"},
           {"concurrent_requests_per_task": 1, "vcpu": 1, "memory_gb": 2, "target_utilization": "100%",
            "min_tasks": 1, "load_balancer": "none", "public_ipv4": False},
           free_tier=False)
    plan = patterns.plan(s)
    opts = {o.name: o for o in price_options(plan, BOOK, free_tier=False, warm=False, fixed=False)}
    lam, far = opts["lambda"], opts["fargate"]
    seconds = Decimal(2) * 730 * 3600
    # the requests' GB-seconds (INIT of cold starts is Lambda's own extra, priced on its own line)
    lam_gb_s = sum(li.quantity for li in lam.line_items if li.price_key == "lambda.duration_arm64"
                   and not li.name.startswith("INIT"))
    far_vcpu_s = sum(li.quantity for li in far.line_items if li.price_key == "fargate.vcpu_linux_arm64")
    far_gb_s = sum(li.quantity for li in far.line_items if li.price_key == "fargate.memory_linux_arm64")
    assert lam_gb_s == seconds * 2 and far_vcpu_s == seconds and far_gb_s == seconds * 2
    cent = Decimal("0.01")
    rate = lambda k: BOOK.get(k).tiers[0].usd  # noqa: E731
    assert far.monthly_usd.quantize(cent) == (seconds * rate("fargate.vcpu_linux_arm64")
                                              + seconds * 2 * rate("fargate.memory_linux_arm64")).quantize(cent)
    lam_duration = sum(li.monthly_usd for li in lam.line_items if li.price_key == "lambda.duration_arm64")
    assert lam_duration.quantize(cent) == (seconds * 2 * rate("lambda.duration_arm64")).quantize(cent)


# ---- scaling through the day -------------------------------------------------------------------

def _qa(window: bool):
    s = scenario.load(SCENARIOS / "qa_load_test.yaml")
    if not window:
        s = s.model_copy(update={"workload": s.workload.model_copy(update={"traffic_window": None})})
    return s


def test_declared_window_is_prescaled_and_priced():
    """The QA soak test starts at a known time: a scheduled action starts its tasks 4 min early."""
    s = _qa(window=True)
    f = options(s)["fargate"]
    z = f.sizing["api"]
    n, floor, days = z["tasks_peak"], 2, Decimal(4)
    assert z["scheduled_scaling"] is True and z["lag_shortfall"] is None
    # a day: 120 min at n, +4 min pre-scale at n − 2, +15 min scale-in wait at n − 2, the rest at 2
    day = 120 * n + 4 * (n - floor) + 15 * (n - floor) + (1440 - 120) * floor
    assert Decimal(str(z["task_hours"])) == (days * day / 60 + (730 - days * 24) * floor).quantize(Decimal("0.01"))
    assert not any(n.startswith("warning") for n in f.notes)


def test_undeclared_step_the_lag_cannot_follow_is_flagged():
    f = options(_qa(window=False))["fargate"]
    z = f.sizing["api"]
    assert z["scheduled_scaling"] is False
    assert "queue or fail" in z["lag_shortfall"]
    assert any(n.startswith("warning: api: the step to 3,600.0 req/s") for n in f.notes)


def test_rush_is_billed_at_its_own_task_count_not_the_average():
    """global_vote_direct: the 5-minute opening rush at 25,000 req/s gets the tasks it needs."""
    s = scenario.load(SCENARIOS / "alternatives" / "global_vote_direct.yaml")
    z = options(s)["fargate"].sizing["api"]
    peak = next(g for g in z["segments"] if g["name"] == "peak")
    assert peak["minutes_per_day"] == 5 and peak["rps"] == 25000
    usable = Decimal(str(z["per_task_rps"])) * Decimal("0.7")
    from costplan.compute.traffic import ceil

    assert peak["tasks"] == ceil(Decimal(25000) / usable)
    assert z["tasks_peak"] == peak["tasks"] > 2 * next(g["tasks"] for g in z["segments"] if g["name"] == "active")
    assert len(z["tasks_by_hour"]) == 24 and z["tasks_by_hour"][19] > z["tasks_by_hour"][18] > 2
    # the one active day's hours (pre-scale at 18:56, the rush, scale-in waits) + 706 idle hours at 2
    assert sum(z["tasks_by_hour"]) + (730 - 24) * 2 == pytest.approx(z["task_hours"], abs=0.1)


# ---- ECS on EC2 --------------------------------------------------------------------------------

def test_cheapest_instance_type_is_no_dearer_than_any_other_that_holds_the_tasks():
    from costplan.services import ec2

    w = {"monthly_requests": "50M", "duration_ms": 200, "memory_mb": 1024, "architecture": "arm64"}
    chosen = options(sc(w))["ec2"]
    itype = chosen.sizing["cluster"]["instance_type"]
    assert ec2.instance_spec(itype)[2] == "arm64"
    cluster = lambda o: sum(li.monthly_usd for li in o.line_items if li.resource == "cluster")  # noqa: E731
    for t in ec2.instance_types():
        if ec2.instance_spec(t)[2] != "arm64" or ec2.instance_baseline_cpu(t) is not None:
            continue
        try:
            other = options(sc(w, ec2={"instance_type": t}))["ec2"]
        except CostplanError:
            continue
        assert cluster(other) >= cluster(chosen), t


def test_ec2_root_volumes_and_reserved_memory_are_counted():
    s = sc({"monthly_requests": "1M", "duration_ms": 100, "memory_mb": 512, "architecture": "arm64"},
           ec2={"instance_type": "m7g.large", "min_instances": 2})
    o = options(s)["ec2"]
    ebs = [li for li in o.line_items if li.price_key == "ebs.gp3_storage"]
    # 2 instances all month × 30 GB × $0.08
    assert sum(li.quantity for li in ebs) == 60 and sum(li.monthly_usd for li in ebs) == Decimal("4.80")
    assert o.sizing["cluster"]["reserved_memory_mb"] == 8 * 1024 * 0.05


# ---- network -----------------------------------------------------------------------------------

def test_every_option_sends_its_responses_to_the_internet():
    s = scenario.load(SCENARIOS / "steady_heavy_api.yaml")
    o = options(s)
    gb = Decimal(400) * 730 * 3600 * 8 / 1024 / 1024  # 1,051,200,000 responses × 8 KB
    for name in ("lambda", "fargate", "ec2"):
        dto = [li for li in o[name].line_items if li.price_key == "data_transfer.out_internet"]
        assert sum(li.quantity for li in dto) == gb
        assert sum(li.monthly_usd for li in dto) == (gb - 100) * Decimal("0.09")


def test_alb_public_ipv4_per_az_and_nat_per_gb():
    s = sc({"monthly_requests": "10M", "duration_ms": 100, "request_size_kb": 2, "response_size_kb": 6},
           {"nat_gateways": 2, "public_ipv4": False, "availability_zones": 3})
    f = options(s)["fargate"]
    lb_ip = [li for li in f.line_items if li.resource == "load balancer" and li.price_key == "vpc.public_ipv4_hours"]
    assert sum(li.quantity for li in lb_ip) == 3 * 730
    nat_gb = sum(li.quantity for li in f.line_items if li.price_key == "vpc.nat_gateway_data")
    assert nat_gb == Decimal(10_000_000) * 8 / 1024 / 1024
    net_ip = sum(li.quantity for li in f.line_items if li.resource == "NAT gateway"
                 and li.price_key == "vpc.public_ipv4_hours")
    assert net_ip == 2 * 730  # the NAT gateways' own addresses; tasks in private subnets have none


def test_readme_worked_example_redone_by_hand():
    """README "How ECS is sized": 15 tasks of 0.25 vCPU / 0.5 GB, $108.13; next 0.5 vCPU / 1 GB at $115.34."""
    from conftest import ROOT

    s = scenario.load(ROOT / "docs" / "examples" / "ecs_sizing.yaml")
    f = options(s)["fargate"]
    z = f.sizing["api"]
    assert (z["vcpu"], z["memory_gb"], z["per_task_concurrency"], z["tasks_peak"]) == (0.25, 0.5, 1, 15)
    assert z["task_hours"] == 15 * 730
    seconds = Decimal(15 * 730 * 3600)
    fargate = sum(li.monthly_usd for li in f.line_items if li.price_key.startswith("fargate."))
    assert fargate == seconds * Decimal("0.25") * Decimal("0.0000089944") + seconds * Decimal("0.5") * Decimal(
        "0.0000009889")
    assert f"{fargate:.2f}" == "108.13"
    nxt = Decimal(8 * 730 * 3600) * (Decimal("0.5") * Decimal("0.0000089944") + Decimal("0.0000009889"))
    assert f"{nxt:.2f}" == "115.34"
    assert any("next 0.5 vCPU / 1 GB at $115.34" in n for n in f.notes)


def test_a_task_size_that_cannot_hold_one_request_is_an_error_with_the_arithmetic():
    # a 512 MB function's request holds 512 MB; 0.25 vCPU / 0.5 GB keeps 256 MB after the overhead
    s = sc({"monthly_requests": "1M", "duration_ms": 100, "memory_mb": 512}, {"vcpu": 0.25, "memory_gb": "0.5GB"})
    with pytest.raises(CostplanError) as e:
        options(s)
    msg = str(e.value)
    assert "no Fargate task size holds one request of api" in msg
    assert "512 MB + 256 MB task overhead" in msg and "0.25 vCPU / 0.5 GB" in msg


def test_a_measured_figure_the_task_memory_cannot_hold_is_a_visible_warning():
    s = sc({"monthly_requests": "1M", "duration_ms": 100, "memory_mb": 512},
           {"vcpu": 1, "memory_gb": 2, "concurrent_requests_per_task": 20})
    f = options(s)["fargate"]
    warn = [n for n in f.notes if n.startswith("warning: api: the measured 20 requests")]
    assert warn and "(≤ 89.6 MB fits)" in warn[0]  # (2,048 − 256) ÷ 20


def test_ecs_option_with_a_huge_working_set_picks_a_task_with_room_for_it():
    # 10 GB function, working set 10 GB: the smallest task that holds it has ≥ 10 GB + 256 MB
    s = sc({"monthly_requests": "100k", "duration_ms": "1s", "memory_mb": "10GB", "cpu_share": "10%"})
    z = options(s)["fargate"].sizing["api"]
    assert z["memory_gb"] * 1024 >= 10240 + 256 and z["per_task_concurrency"] >= 1


@pytest.mark.parametrize("name", ["steady_heavy_api.yaml", "avatar_resize_claim_check.yaml", "global_vote.yaml"])
def test_ecs_compute_usd_is_what_the_option_bills_for_its_sizing(name):
    """The entry point a volume search uses: equal to the sizing-driven lines of the option, at today's
    volume and at 3× (where it re-sizes, as the option priced on a 3× scenario does)."""
    from costplan.compute.compare import scaled_scenario

    s = scenario.load(SCENARIOS / name)
    sized = ("fargate.", "ec2.", "ebs.")
    for k in (Decimal(1), Decimal(3)):
        opts = options(scaled_scenario(s, k))
        for opt in ("fargate", "ec2"):
            o = opts[opt]
            lines = sum(li.monthly_usd for li in o.line_items
                        if li.price_key.startswith(sized) or (li.price_key == "vpc.public_ipv4_hours"
                                                              and li.resource in ("network", "cluster")))
            got = Z.ecs_compute_usd(patterns.plan(scaled_scenario(s, k)), BOOK, opt)
            assert abs(got - lines) < Decimal("0.000001"), (name, opt, k)


def test_no_instance_type_big_enough_leaves_ec2_out_and_says_why():
    # a 10 GB CPU-bound function needs 5.8 vCPU a request: no bundled type (4 vCPU at most) holds one
    s = sc({"monthly_requests": "10M", "duration_ms": "1s", "memory_mb": "10GB"})
    o = options(s)
    assert "ec2" not in o and "fargate" in o
    assert any(n.startswith("ECS on EC2 is not priced: no instance type in the price book holds one task")
               for n in o["fargate"].notes)
    # pinned by the scenario, the same is an input error naming the type
    with pytest.raises(CostplanError) as e:
        options(sc({"monthly_requests": "10M", "duration_ms": "1s", "memory_mb": "10GB"},
                   ec2={"instance_type": "m5.xlarge"}))
    assert "m5.xlarge cannot hold one task" in str(e.value)


def test_sizing_json_keys_are_the_documented_ones():
    """The README lists these keys (i12's quota checks read vcpu, memory_gb, tasks_peak): keep them stable."""
    s = scenario.load(SCENARIOS / "steady_heavy_api.yaml")
    o = options(s)
    assert set(o["fargate"].sizing["api"]) == {
        "vcpu", "memory_gb", "size_chosen_by", "per_task_concurrency", "per_task_rps", "limited_by", "tasks_min",
        "tasks_peak", "tasks_needed_peak", "tasks_average", "task_hours", "tasks_by_hour", "segments",
        "scheduled_scaling", "scale_out_lag_s", "lag_shortfall"}
    assert set(o["ec2"].sizing["api"]) == {
        "tasks_min", "tasks_peak", "tasks_needed_peak", "tasks_per_instance", "task_vcpu", "task_memory_gb",
        "per_task_concurrency", "per_task_rps", "segments", "scheduled_scaling", "scale_out_lag_s"}
    assert set(o["ec2"].sizing["cluster"]) == {
        "instance_type", "instance_chosen_by", "instances_min", "instances_peak", "tasks_per_instance",
        "instance_hours", "instances_by_hour", "reserved_memory_mb", "root_volume_gb"}


@pytest.mark.parametrize("extra", [
    {"workload": {"traffic_window": "08:00-18:00", "peak_to_average": 4}, "ecs": {"max_tasks": 20}},
    {"workload": {"peak_to_average": 6, "active_hours_per_day": 4}, "ecs": {"scale_out_lag_s": "20min"}},
], ids=["capped", "long-lag"])
def test_the_size_search_finds_the_cheapest_when_tasks_are_capped_or_lag(extra):
    """The search stops at the first size whose lower bound is above the best so far: with max_tasks or a long
    scale-out lag the tasks serve less than the demand, so the bound must not count it (it once did, and a
    capped workload was priced at $886.87 where a $454.38 size existed). Every size on offer, priced alone,
    is no cheaper than the one chosen."""
    w = {"monthly_requests": "300M", "duration_ms": "300ms", "memory_mb": "1GB", **extra.get("workload", {})}
    e = {"load_balancer": "none", **extra.get("ecs", {})}
    s = sc(w, e)
    stage = patterns.plan(s).stages[0]
    arch = s.ecs.architecture or stage.architecture
    chosen = Z.size_fargate(stage, s, BOOK, arch, runner_up=False).choice.monthly_usd
    priced = []
    for v, m in Z.fargate_sizes():
        one = sc(w, {**e, "vcpu": str(v), "memory_gb": f"{m}GB"})
        try:
            priced.append((Z.size_fargate(patterns.plan(one).stages[0], one, BOOK, arch, runner_up=False)
                           .choice.monthly_usd, v, m))
        except CostplanError:
            continue  # this size cannot hold one request
    assert len(priced) > 20
    if "max_tasks" in e:  # under the cap: the cheapest of the sizes that carry the peak within max_tasks
        carry = []
        for usd, v, m in priced:
            one = sc(w, {**e, "vcpu": str(v), "memory_gb": f"{m}GB"})
            if not Z.size_fargate(patterns.plan(one).stages[0], one, BOOK, arch, runner_up=False).plan.capped:
                carry.append((usd, v, m))
        assert carry and len(carry) < len(priced)  # the cap binds some sizes, not all
        priced = carry
    assert chosen == min(priced)[0], (chosen, min(priced))
