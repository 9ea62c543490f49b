"""Lambda vs ECS: the bundled rule-of-thumb scenarios, the break-even, sizing and free tiers."""
from decimal import Decimal
from pathlib import Path

import pytest

from costplan import scenario
from costplan.compute.compare import compare, scaled_scenario
from costplan.compute.options import price_options, size_tasks
from costplan.pricing.book import PriceBook

ROOT = Path(__file__).resolve().parent.parent


def load(name):
    return scenario.load(ROOT / "scenarios" / name)


def sc(**w):
    base = {"monthly_requests": "3M", "duration_ms": "120ms", "memory_mb": 512}
    base.update(w)
    return scenario.from_dict({"version": 1, "name": "t", "workload": base})


def test_steady_heavy_recommends_ecs():
    c = compare(load("steady_heavy_api.yaml"))
    assert c.recommendation in ("fargate", "ec2")
    assert c.option("lambda").monthly_usd > 2 * c.cheapest.monthly_usd


def test_periodic_light_recommends_lambda():
    c = compare(load("periodic_light_api.yaml"))
    assert c.recommendation == "lambda"
    assert c.cheapest.name.startswith("lambda")


@pytest.mark.parametrize("name", ["steady_heavy_api.yaml", "db_refresh_async.yaml"])  # both cross within 1,000×
def test_breakeven_prices_equal_within_one_percent(name):
    s = load(name)
    c = compare(s)
    be = c.breakeven
    assert be is not None
    scaled = scaled_scenario(s, be.factor)
    book = PriceBook(s.region)
    from costplan import patterns

    opts = {o.name: o.monthly_usd for o in price_options(patterns.plan(scaled), book, warm=False)}
    lam, ecs = opts["lambda"], opts[be.against]
    assert abs(lam - ecs) / ecs < Decimal("0.01")
    # just below the break-even Lambda is cheaper than that ECS option
    below = scaled_scenario(s, be.factor * Decimal("0.9"))
    opts = {o.name: o.monthly_usd for o in price_options(patterns.plan(below), book, warm=False)}
    assert opts["lambda"] < min(opts["fargate"], opts["ec2"])


def test_breakeven_volume_is_scaled_scenario_volume():
    from costplan.compute.traffic import Traffic

    s = load("db_refresh_async.yaml")
    c = compare(s)
    t = Traffic.from_workload(s.workload)
    assert c.breakeven.monthly_requests == pytest.approx(t.monthly_requests * c.breakeven.factor)
    # req/s while the workload is active (its hours on its days), not averaged over the whole month
    w = s.workload
    assert w.active_hours_per_day * w.active_days_per_month < 730
    assert c.breakeven.average_rps == pytest.approx(
        c.breakeven.monthly_requests / (w.active_hours_per_day * 3600 * w.active_days_per_month))


def test_periodic_light_has_no_crossing_within_a_thousand_times():
    c = compare(load("periodic_light_api.yaml"))
    assert c.breakeven is None and "1,000×" in c.breakeven_note


def test_lambda_option_matches_hand_arithmetic():
    # 3M × 120 ms × 0.5 GB = 180,000 GB-s: under the 400,000 free; requests 2M billable × $0.20/M.
    # Logs: 3M × 1 KB = 3,000,000 / 1024² GB ingested (under the 5 GB free), kept 30 days at $0.03/GB-month.
    log_gb = (Decimal(3_000_000) / 1024 / 1024).quantize(Decimal("0.000001"))
    c = compare(sc())
    assert c.option("lambda").monthly_usd == Decimal("0.40") + log_gb * Decimal("0.03")
    c = compare(sc(), free_tier=False)
    # + the logs, + the responses leaving through the function URL: 3M × 1 KB = 3,000,000 / 1024² GB at $0.09
    # + INIT: traffic around the clock at 0.14 concurrent keeps one environment, replaced every 2 h:
    # 730 / 2 = 365 cold starts × 100 ms (python default) × 0.5 GB = 18.25 GB-s, billed as duration
    expected = (Decimal("0.60") + (Decimal(180_000) + Decimal("18.25")) * Decimal("0.0000166667")
                + log_gb * Decimal("0.50") + log_gb * Decimal("0.03")
                + Decimal(3_000_000) / 1024 / 1024 * Decimal("0.09"))
    assert c.option("lambda").monthly_usd == expected


def test_fargate_tasks_follow_littles_law():
    # 100 req/s peak, 200 ms: 20 concurrent; 10 per task at 70 % → per task 50 req/s × 0.7 = 35 → 3 tasks
    s = scenario.from_dict({"version": 1, "name": "t",
                            "workload": {"peak_rps": 100, "peak_to_average": 1, "duration_ms": 200},
                            "ecs": {"concurrent_requests_per_task": 10, "scaling": "peak", "min_tasks": 1}})
    from costplan import patterns

    z = size_tasks(patterns.plan(s).stages[0], s.ecs, s)
    assert z.per_task_rps == 50 and z.tasks_peak == 3
    assert z.task_hours == 3 * 730


def test_min_tasks_floor_and_autoscale_hours():
    s = scenario.from_dict({"version": 1, "name": "t",
                            "workload": {"monthly_requests": "1k", "active_hours_per_day": 6,
                                         "duration_ms": 100},
                            "ecs": {"min_tasks": 2}})
    from costplan import patterns

    z = size_tasks(patterns.plan(s).stages[0], s.ecs, s)
    assert z.tasks_peak == 2 and z.tasks_average == 2
    assert z.task_hours == 2 * 730


def test_fargate_price_is_vcpu_plus_memory_per_second():
    s = scenario.from_dict({"version": 1, "name": "t",
                            "workload": {"peak_rps": 10, "duration_ms": 100},
                            "ecs": {"vcpu": 1, "memory_gb": 2, "min_tasks": 1, "scaling": "peak",
                                    "load_balancer": "none", "public_ipv4": False}})
    c = compare(s)
    seconds = Decimal(730 * 3600)
    expected = seconds * Decimal("0.000011244") + 2 * seconds * Decimal("0.000001235")
    fargate = [li for li in c.option("fargate").line_items if li.price_key.startswith("fargate.")]
    assert sum(li.monthly_usd for li in fargate) == expected


def test_free_tier_applies_once_across_functions():
    # The warmer option has the API function (900k) and 50 × 8,760 warm-up pings (438k): together
    # over the 1M free requests, which are granted once, not once per function.
    s = scenario.from_dict({"version": 1, "name": "t",
                            "workload": {"monthly_requests": "900k", "duration_ms": 100},
                            "lambda": {"warm": {"copies": 50}}})
    c = compare(s)
    warm = c.option("lambda_warmer")
    free_requests = sum(li.quantity for li in warm.line_items if li.free and li.price_key == "lambda.requests")
    assert free_requests == 1_000_000
    total_requests = sum(li.quantity for li in warm.line_items if li.price_key == "lambda.requests")
    assert total_requests == 900_000 + 50 * 8760


def test_no_free_tier_removes_it():
    s = load("periodic_light_api.yaml")
    with_free = compare(s)
    without = compare(s, free_tier=False)
    assert not any(li.free for o in without.options for li in o.line_items)
    assert without.option("lambda").monthly_usd > with_free.option("lambda").monthly_usd


def test_provisioned_concurrency_option_has_no_free_tier_and_bills_pc():
    c = compare(load("periodic_light_api.yaml"))
    pc = c.option("lambda_provisioned")
    keys = {li.price_key for li in pc.line_items}
    assert "lambda.provisioned_concurrency_x86_64" in keys
    assert not any(li.free and li.resource == "api" for li in pc.line_items)
    # 2 copies × 0.5 GB × 730 h × 3600 s × $0.0000041667
    pc_cost = sum(li.monthly_usd for li in pc.line_items
                  if li.price_key == "lambda.provisioned_concurrency_x86_64")
    assert pc_cost == Decimal(2) * Decimal("0.5") * 730 * 3600 * Decimal("0.0000041667")


def test_ec2_architecture_mismatch_is_a_clear_error():
    from costplan.errors import CostplanError

    with pytest.raises(CostplanError) as e:  # refused at load, by the one validation pipeline
        scenario.from_dict({"version": 1, "name": "t", "workload": {"peak_rps": 10, "duration_ms": 100},
                            "ec2": {"instance_type": "m7g.large"}})
    assert "m7g.large is arm64 but the tasks are x86_64" in str(e.value)


def test_eu_west_1_ephemeral_storage_is_priced_at_the_regional_rate():
    # once a gap, now the regional reference's rate (AWS price map, eu-west-1: $0.000000034 per GB-second)
    s = scenario.from_dict({"version": 1, "name": "t", "region": "eu-west-1",
                            "workload": {"monthly_requests": "1M", "duration_ms": 100},
                            "settings": {"log_kb_per_request": 0},  # the logs' gap would come first
                            "lambda": {"ephemeral_storage_mb": 1024}})
    items = [li for li in compare(s).option("lambda").line_items if li.price_key == "lambda.ephemeral_storage"]
    gb_seconds = Decimal(1_000_000) * Decimal("0.1") * Decimal(512) / 1024  # above the free 512 MB
    assert sum(li.quantity for li in items) == gb_seconds
    assert sum(li.monthly_usd for li in items) == gb_seconds * Decimal("0.000000034")


def test_long_fractions_on_one_meter_do_not_break_the_bill():
    # 1/3-hour quantities on one key sum past Decimal's 28 digits; the bill must still price them.
    from costplan.pricing.bill import Component, price_components

    third = Decimal(1) / Decimal(3)
    comps = [Component("a", "GB-seconds", Decimal(10**9) * third, "lambda.duration_x86_64"),
             Component("b", "GB-seconds", Decimal(10**9) * third * 7, "lambda.duration_x86_64")]
    items = price_components(comps, PriceBook("us-east-1"))
    assert sum(li.quantity for li in items) == pytest.approx(Decimal(10**9) * third * 8)


@pytest.mark.parametrize("value,shown", [(Decimal("11651809.4"), "11,700,000"), (Decimal("164.43"), "164"),
                                         (Decimal("0.0391"), "0.0391"), (Decimal("3289713122"), "3,290,000,000")])
def test_breakeven_is_shown_to_three_significant_figures(value, shown):
    from costplan.compute.compare import significant

    assert f"{significant(value):,}" == shown


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_integration_services_cancel_out_of_lambda_minus_ecs(path):
    """The break-even search prices compute only: valid because every alternative pays the same for
    the integration services (priced first on each option's own meter)."""
    from costplan import patterns

    s = scenario.load(path)
    plan = patterns.plan(s)
    book = PriceBook(s.region)
    full = {o.name: o.monthly_usd for o in price_options(plan, book, warm=False)}
    compute = {o.name: o.monthly_usd for o in price_options(plan, book, warm=False, fixed=False)}
    for name in full:
        # equal to the last of 28 significant digits Decimal keeps (instance-hours ÷ 730 need not terminate)
        assert abs((full["lambda"] - full[name]) - (compute["lambda"] - compute[name])) < Decimal("1e-9")


def _ec2_sizing(ecs: dict, ec2: dict):
    s = scenario.from_dict({"version": 1, "name": "t", "workload": {"peak_rps": 400, "duration_ms": "100ms",
                                                                     "memory_mb": 512, "architecture": "arm64"},
                            "ecs": ecs, "ec2": ec2})
    return compare(s).option("ec2")


@pytest.mark.parametrize("vcpu,mem,itype,trunking,per_instance,eni_binds", [
    (0.25, "0.5GB", "m7g.large", False, 2, True),    # CPU/memory hold 8; 3 ENIs leave 2 for tasks
    (0.25, "0.5GB", "m7g.large", True, 8, False),    # trunking: CPU/memory decide
    (0.25, "0.5GB", "m7g.xlarge", False, 3, True),   # 4 ENIs
    (0.25, "0.5GB", "m7g.medium", False, 1, True),   # 2 ENIs
    (1, "2GB", "m7g.large", False, 2, False),        # CPU and ENIs agree
    (2, "4GB", "m7g.xlarge", False, 2, False),       # CPU binds (4 vCPU), not the 3 free ENIs
])
def test_awsvpc_tasks_per_instance_are_capped_by_network_interfaces(vcpu, mem, itype, trunking, per_instance,
                                                                     eni_binds):
    opt = _ec2_sizing({"vcpu": vcpu, "memory_gb": mem, "concurrent_requests_per_task": 10},
                      {"instance_type": itype, "eni_trunking": trunking})
    assert opt.sizing["cluster"]["tasks_per_instance"] == per_instance
    note = next(n for n in opt.notes if "task(s) of" in n)
    assert note.startswith(f"api: {per_instance} task(s)")
    assert ("network interfaces bind" in note) == eni_binds


def test_every_bundled_instance_type_states_its_network_interfaces():
    from costplan.services import ec2

    assert all(isinstance(ec2.instance_enis(t), int) and ec2.instance_enis(t) >= 2 for t in ec2.instance_types())
