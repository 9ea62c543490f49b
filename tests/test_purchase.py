"""Purchase options: Savings Plans and Spot re-price compare's line items (costplan.compute.purchase)."""
import copy
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from costplan import scenario as sc_mod
from costplan.cli.app import app
from costplan.compute import purchase
from costplan.compute.compare import compare
from costplan.compute.options import Option
from costplan.errors import CostplanError
from costplan.pricing.bill import LineItem

ROOT = Path(__file__).resolve().parent.parent
CENT = Decimal("0.01")


def cents(d) -> Decimal:
    return Decimal(d).quantize(CENT)


# The bundled Savings Plans rates cover one EC2 type the planner may pick, m7g.large (every other type is
# an explicit gap); compare alone picks the cheapest type (c6g.large for the steady API), so the tests of
# committed EC2 pin m7g.large, as a team that already runs it would.
# The task size and per-task load are the load-tested ones (1 vCPU / 2 GB, 50 in flight), so the
# cluster is 2 × m7g.large all month (1,460 instance-hours) and the Savings Plans arithmetic is by hand.
def _pinned(data: dict, name: str) -> dict:
    if name == "steady_heavy_api.yaml":
        data.setdefault("ec2", {})["instance_type"] = "m7g.large"
        data["ecs"].update({"vcpu": 1, "memory_gb": "2GB", "concurrent_requests_per_task": 50})
    return data


_TMP = Path(tempfile.mkdtemp(prefix="costplan-purchase-"))
STEADY_M7G = _TMP / "steady_heavy_api.yaml"
STEADY_M7G.write_text(yaml.safe_dump(_pinned(yaml.safe_load((ROOT / "scenarios" / "steady_heavy_api.yaml")
                                                            .read_text()), "steady_heavy_api.yaml")))


def bundled(name: str, **purchase_section) -> sc_mod.Scenario:
    data = _pinned(yaml.safe_load((ROOT / "scenarios" / name).read_text()), name)
    if purchase_section:
        data["purchase"] = purchase_section
    return sc_mod.from_dict(data, name)


def x86_api(**purchase_section):
    """The README's flip example: 150M requests of 120 ms at 512 MB on x86_64."""
    data = {"version": 1, "name": "x86-api", "workload": {"monthly_requests": "150M", "duration_ms": "120ms",
                                                           "memory_mb": "512MB", "architecture": "x86_64"}}
    if purchase_section:
        data["purchase"] = purchase_section
    return sc_mod.from_dict(data, "x86-api")


# ---- AWS's worked example ----------------------------------------------------------------------
# AWS Savings Plans User Guide, "Understanding how Savings Plans apply to your AWS usage"
# (https://docs.aws.amazon.com/savingsplans/latest/userguide/sp-applying.html), Savings Plans example
# (rates there are illustrative): in one hour, 4 r5.4xlarge Linux instances (on-demand $1.00, Compute
# Savings Plans $0.70 an hour), 400 vCPU of Fargate ($0.04 → $0.03 per vCPU-hour) and 1 million Lambda
# requests of 3 s at 512 MB ($0.000015 → $0.00001275 per GB-second).

def _example_rates(monkeypatch):
    data = copy.deepcopy(purchase._data())
    data["rates"] = {
        "ec2.r5.4xlarge": {"unit": "instance-hours", "regions": {"us-east-1": {
            "compute-sp-1y-no-upfront": {"usd": "0.70", "source": "SP-GUIDE"}}}},
        "fargate.vcpu_linux_x86_64": {"unit": "vCPU-seconds", "per": 3600, "regions": {"us-east-1": {
            "compute-sp-1y-no-upfront": {"usd": "0.03", "source": "SP-GUIDE"}}}},
        "lambda.duration_x86_64": {"unit": "GB-seconds", "regions": {"us-east-1": {
            "compute-sp-1y-no-upfront": {"usd": "0.00001275", "source": "SP-GUIDE"}}}},
    }
    monkeypatch.setattr(purchase, "_data", lambda: data)


def _example_option():
    gb_s = Decimal(1_000_000) * 3 * Decimal("0.5")  # 1M requests × 3 s × 0.5 GB
    items = [
        LineItem("r5.4xlarge", Decimal(4), "instance-hours", Decimal("1.00"), Decimal("4.00"), "ec2.r5.4xlarge",
                 resource="cluster"),
        LineItem("Fargate vCPU", Decimal(400 * 3600), "vCPU-seconds", Decimal("0.04") / 3600, Decimal("16.00"),
                 "fargate.vcpu_linux_x86_64", resource="tasks"),
        LineItem("Lambda duration", gb_s, "GB-seconds", Decimal("0.000015"), gb_s * Decimal("0.000015"),
                 "lambda.duration_x86_64", resource="fn"),
    ]
    return Option("example", "AWS example hour", items)


class _Plan:
    stages = []
    scenario = None


def test_savings_plan_rates_match_aws_worked_example_to_the_cent(monkeypatch):
    _example_rates(monkeypatch)
    p = sc_mod.Purchase(option="compute-sp-1y-no-upfront")
    [po] = purchase.transform([_example_option()], _Plan(), p, "us-east-1")
    got = {pr.item.price_key: pr.committed_usd for pr in po.items}  # exact, finer than the cent
    assert got == {"ec2.r5.4xlarge": Decimal("2.80"),  # 4 × $0.70
                   "fargate.vcpu_linux_x86_64": Decimal("12.00"),  # 400 vCPU × $0.03
                   "lambda.duration_x86_64": Decimal("19.125")}  # 1,500,000 GB-s × $0.00001275
    # a new commitment sized to cover the hour: the sum of the Savings Plans rates × usage, per hour
    assert po.needed_per_hour * purchase.HOURS == Decimal("2.80") + Decimal("12.00") + Decimal("19.125")


def test_commitment_goes_to_the_highest_savings_percentage_first(monkeypatch):
    """AWS: Savings Plans apply to the usage with the highest savings percentage first, then on-demand.
    A $10/hour commitment (here: the month's usage is this one hour, so ÷ 730) covers r5 (30 % off) in
    full, 60 % of Fargate (25 % off) with the $7.20 left, and none of Lambda (15 % off)."""
    _example_rates(monkeypatch)
    p = sc_mod.Purchase(option="compute-sp-1y-no-upfront", commitment_usd_per_hour=Decimal(10) / purchase.HOURS)
    [po] = purchase.transform([_example_option()], _Plan(), p, "us-east-1")
    got = {pr.item.price_key: (cents(pr.committed_usd), pr.how) for pr in po.items}
    assert got["ec2.r5.4xlarge"] == (Decimal("2.80"), "savings plan")
    assert got["fargate.vcpu_linux_x86_64"] == (Decimal("13.60"), "part savings plan (60% covered)")  # 7.20 + 40 % × 16
    assert got["lambda.duration_x86_64"] == (Decimal("22.50"), "on-demand (commitment used up)")


# ---- the bundled rates -------------------------------------------------------------------------

def test_bundled_rates_price_lambda_fargate_and_ec2_to_the_cent():
    """Compute Savings Plan 1 year No Upfront, us-east-1 (SP-CL, a copy of AWS's offer file):
    Lambda x86_64 $0.0000147 per GB-second, Fargate x86_64 $0.032384 per vCPU-hour and $0.003556 per
    GB-hour, m7g.large $0.0599 per hour."""
    plan = "compute-sp-1y-no-upfront"
    lam = purchase.rate("lambda.duration_x86_64", plan, "us-east-1")
    vcpu = purchase.rate("fargate.vcpu_linux_x86_64", plan, "us-east-1")
    mem = purchase.rate("fargate.memory_linux_x86_64", plan, "us-east-1")
    ec2 = purchase.rate("ec2.m7g.large", plan, "us-east-1")
    assert cents(Decimal(1_000_000) * lam.usd_per_unit) == Decimal("14.70")  # 1M GB-seconds
    # one 1 vCPU / 2 GB task all month (730 h): 23.64032 + 5.19176
    assert cents(Decimal(730 * 3600) * vcpu.usd_per_unit) == Decimal("23.64")
    assert cents(Decimal(2 * 730 * 3600) * mem.usd_per_unit) == Decimal("5.19")
    assert cents(Decimal(1460) * ec2.usd_per_unit) == Decimal("87.45")  # two instances all month
    assert vcpu.shown == "$0.032384 per vCPU-hour" and vcpu.source.grade == "S"
    assert purchase.rate("lambda.duration_arm64", plan, "us-east-1") is None  # an explicit gap
    assert purchase.rate("lambda.duration_x86_64", plan, "eu-west-1") is None


def test_compare_steady_heavy_api_shows_on_demand_and_committed_side_by_side():
    c = compare(bundled("steady_heavy_api.yaml", option="compute-sp-1y-no-upfront"))
    r = c.extra["purchase"]
    ec2 = r.option("ec2")
    assert ec2.on_demand_usd == c.option("ec2").monthly_usd
    cluster = next(p for p in ec2.items if p.item.price_key == "ec2.m7g.large")
    assert cents(cluster.committed_usd) == Decimal("87.45")  # 1,460 h × $0.0599
    assert cents(ec2.on_demand_usd - ec2.monthly_usd) == cents(cluster.item.monthly_usd - cluster.committed_usd)
    assert ec2.needed_per_hour == cluster.committed_usd / 730
    # arm64 Lambda and Fargate have no bundled rate: on-demand, and said so
    assert r.option("lambda").monthly_usd == c.option("lambda").monthly_usd
    assert any("lambda.duration_arm64" in g for g in r.gaps)
    assert any("fargate.vcpu_linux_arm64" in g for g in r.gaps)


def test_steady_heavy_api_as_planned_names_every_gap_and_discounts_nothing():
    """As the planner sizes it (c6g.large, arm64 Lambda and Fargate), no bundled rate applies: the
    committed column equals on-demand and each missing rate is named, never a made-up discount."""
    data = yaml.safe_load((ROOT / "scenarios" / "steady_heavy_api.yaml").read_text())
    data["purchase"] = {"option": "compute-sp-1y-no-upfront"}
    c = compare(sc_mod.from_dict(data, "steady_heavy_api.yaml"))
    r = c.extra["purchase"]
    for name in ("lambda", "fargate", "ec2"):
        assert r.option(name).monthly_usd == c.option(name).monthly_usd
        assert r.option(name).needed_per_hour == 0
    for key in ("ec2.c6g.large", "lambda.duration_arm64", "fargate.vcpu_linux_arm64", "fargate.memory_linux_arm64"):
        assert any(key in g for g in r.gaps), key
    assert any("no bundled rate covers this scenario's compute" in a for a in r.assumptions)


def test_json_carries_on_demand_and_committed():
    res = CliRunner().invoke(app, ["compare", str(STEADY_M7G), "--purchase",
                                   "compute-sp-1y-no-upfront", "--format", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    p = d["purchase"]
    assert p["option"] == "compute-sp-1y-no-upfront" and p["term_years"] == 1 and p["payment"] == "no_upfront"
    ec2 = next(o for o in p["options"] if o["name"] == "ec2")
    assert ec2["on_demand_usd"] == next(o for o in d["options"] if o["name"] == "ec2")["monthly_usd"]
    assert ec2["committed_usd"] == round(ec2["on_demand_usd"] - ec2["saving_usd"], 2)
    assert ec2["commitment_needed_usd_per_hour"] == pytest.approx(87.454 / 730, abs=1e-4)
    item = next(li for li in ec2["line_items"] if li["price_key"] == "ec2.m7g.large")
    assert (item["on_demand_usd"], item["committed_usd"], item["pricing"]) == (119.14, 87.45, "savings plan")
    assert p["gaps"] and p["recommendation"] == d["recommendation"] and p["changes_answer"] is False


def test_table_shows_commitment_and_break_even_under_it():
    res = CliRunner().invoke(app, ["compare", str(STEADY_M7G), "--purchase",
                                   "compute-sp-1y-no-upfront"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "Purchase option: Compute Savings Plan, 1 year, No upfront (compute-sp-1y-no-upfront)" in out
    # The EC2 row shows the same figures as the JSON (only the m7g.large hours are discounted).
    js = CliRunner().invoke(app, ["compare", str(STEADY_M7G), "--purchase",
                                  "compute-sp-1y-no-upfront", "--format", "json"]).stdout
    ec2 = next(o for o in json.loads(js)["purchase"]["options"] if o["name"] == "ec2")
    after = out.split("Purchase option:", 1)[1]
    row = next(line for line in after.splitlines() if line.startswith("ECS on EC2"))
    assert row.split() == ["ECS", "on", "EC2", f"${ec2['on_demand_usd']:,.2f}", f"${ec2['committed_usd']:,.2f}",
                           f"${ec2['saving_usd']:,.2f}", f"${ec2['commitment_needed_usd_per_hour']:.4f}", "—"]
    assert ec2["saving_usd"] == 31.68  # 1,460 h × ($0.0816 − $0.0599): the Savings Plans discount on m7g.large
    assert "Break-even under compute-sp-1y-no-upfront:" in out
    assert "gap: no compute-sp-1y-no-upfront rate for lambda.duration_arm64 in us-east-1" in out


# ---- the recommendation flips ------------------------------------------------------------------

def test_a_three_year_commitment_flips_the_recommendation():
    c = compare(x86_api(option="compute-sp-3y-no-upfront"))
    r = c.extra["purchase"]
    assert c.recommendation == "lambda"  # on-demand: Fargate is cheaper by under the 10 % margin
    assert r.recommendation == "fargate" and r.changes_answer
    assert r.breakeven.monthly_requests < c.breakeven.monthly_requests
    fg = r.option("fargate")
    assert cents(fg.monthly_usd) < cents(fg.on_demand_usd)


# ---- commitment share: the marginal rate -------------------------------------------------------

def test_commitment_already_used_by_others_leaves_on_demand():
    full = compare(x86_api(option="compute-sp-3y-no-upfront", commitment_usd_per_hour="1",
                           commitment_share="100%")).extra["purchase"]
    for o in full.options:
        assert o.monthly_usd == o.on_demand_usd  # no headroom: the marginal rate is on-demand
    free = compare(x86_api(option="compute-sp-3y-no-upfront", commitment_usd_per_hour="1",
                           commitment_share="0%")).extra["purchase"]
    new = compare(x86_api(option="compute-sp-3y-no-upfront")).extra["purchase"]
    # $1/hour of headroom covers this workload entirely: the same as a commitment bought for it
    assert [o.monthly_usd for o in free.options] == [o.monthly_usd for o in new.options]
    half = compare(x86_api(option="compute-sp-3y-no-upfront", commitment_usd_per_hour="0.10",
                           commitment_share="50%")).extra["purchase"].option("fargate")
    assert half.commitment_per_hour == Decimal("0.05")  # the headroom, all used
    assert new.option("fargate").monthly_usd < half.monthly_usd < half.on_demand_usd


def test_upfront_is_amortised_monthly(monkeypatch):
    data = copy.deepcopy(purchase._data())
    data["rates"]["ec2.m7g.large"]["regions"]["us-east-1"]["compute-sp-3y-all-upfront"] = {"usd": "0.0400",
                                                                                          "source": "SP-CL"}
    data["rates"]["ec2.m7g.large"]["regions"]["us-east-1"]["compute-sp-1y-partial-upfront"] = {
        "usd": "0.0500", "source": "SP-CL"}
    monkeypatch.setattr(purchase, "_data", lambda: data)
    ec2 = compare(bundled("steady_heavy_api.yaml", option="compute-sp-3y-all-upfront")).extra["purchase"].option("ec2")
    assert ec2.commitment_per_hour == Decimal("0.08")  # 1,460 h × $0.04 ÷ 730 h
    assert ec2.upfront_usd == Decimal("0.08") * 8760 * 3  # the whole term at purchase
    assert cents(ec2.upfront_monthly_usd) == Decimal("58.40") and ec2.recurring_monthly_usd == 0
    part = compare(bundled("steady_heavy_api.yaml", option="compute-sp-1y-partial-upfront")).extra["purchase"]
    e = part.option("ec2")
    assert e.upfront_usd == Decimal("0.10") * 8760 / 2
    assert e.upfront_monthly_usd + e.recurring_monthly_usd == Decimal("0.10") * 730  # = the commitment


# ---- Spot --------------------------------------------------------------------------------------

def test_global_vote_consumer_on_fargate_spot():
    c = compare(bundled("global_vote.yaml", spot_stages=["consumer"]))
    r = c.extra["purchase"]
    fg = r.option("fargate")
    spot = [p for p in fg.items if p.how == "spot"]
    assert {p.item.price_key for p in spot} == {"fargate.vcpu_linux_arm64", "fargate.memory_linux_arm64"}
    # Fargate Spot has run ARM64 tasks since September 2024 (AWS What's New, SPOT-ARCH): the arm64
    # consumer stays arm64 and the discount applies to its own on-demand line.
    for p in spot:
        assert p.item.resource == "consumer"
        assert p.committed_usd == p.item.monthly_usd * (1 - Decimal("0.6704"))
    vcpu = next(p for p in spot if "vcpu" in p.item.price_key)
    # 1,319,970 vCPU-seconds × $0.0000089944 = $11.8723 on-demand; × (1 − 67.04 %) = $3.91
    assert vcpu.item.quantity == 1_319_970 and cents(vcpu.committed_usd) == Decimal("3.91")
    assert fg.monthly_usd == fg.on_demand_usd - fg.spot_saving_usd
    text = " ".join(r.assumptions)
    assert "consumer on Fargate Spot" in text and "two-minute warning" in text
    assert "consumer on Fargate Spot stays arm64" in text and "graviton-based-spot-compute-fargate" in text
    assert r.option("lambda").monthly_usd == c.option("lambda").monthly_usd  # Lambda has no Spot
    # the scenario's own discount wins over the bundled band
    r2 = compare(bundled("global_vote.yaml", spot_stages=["consumer"], spot_discount="50%")).extra["purchase"]
    assert cents(r2.option("fargate").spot_saving_usd / Decimal("0.5")) == cents(fg.spot_saving_usd / Decimal("0.6704"))


def test_ec2_cluster_on_spot_uses_the_instance_types_advisor_savings():
    """Spot Instance Advisor, us-east-1 Linux, as copied by spotinfo on 2025-06-28 (SPOT-ADV):
    m7g.large 64 % savings over on-demand, interruption frequency 10-15 %; m7g family 62-66 %."""
    c = compare(bundled("global_vote.yaml", spot_stages=["consumer"]))
    r = c.extra["purchase"]
    cluster = next(p for p in r.option("ec2").items if p.item.price_key == "ec2.m7g.large")
    assert cluster.how == "spot"
    assert cluster.committed_usd == cluster.item.monthly_usd * Decimal("0.36")
    assert cents(cluster.item.quantity * Decimal("0.0816") * Decimal("0.36")) == cents(cluster.committed_usd)
    text = " ".join(r.assumptions)
    assert "64% for m7g.large in us-east-1" in text and "interruption frequency 10-15%" in text
    assert "m7g family 62%-66%" in text and "2025-06-28" in text
    # the scenario's own figure wins; a region the advisor copy does not cover is a gap, priced on-demand
    r2 = compare(bundled("global_vote.yaml", spot_stages=["consumer"], spot_discount="50%")).extra["purchase"]
    c2 = next(p for p in r2.option("ec2").items if p.item.price_key == "ec2.m7g.large")
    assert c2.committed_usd == c2.item.monthly_usd * Decimal("0.5")
    t = purchase.spot_terms("ec2", sc_mod.Purchase(), "m7g.large", "eu-west-1")
    assert t.discount is None and "eu-west-1" in t.basis


def test_the_api_never_goes_on_spot_unless_asked():
    with pytest.raises(CostplanError) as e:
        compare(bundled("steady_heavy_api.yaml", spot_stages=["api"]))
    assert "synchronous API" in str(e.value) and "allow_api_on_spot" in str(e.value)
    c = compare(bundled("steady_heavy_api.yaml", spot_stages=["api"], allow_api_on_spot=True, spot_discount="60%"))
    fg = c.extra["purchase"].option("fargate")
    assert any(p.how == "spot" for p in fg.items)
    # without spot_stages nothing is on Spot, whatever the plan
    r = compare(bundled("global_vote.yaml", option="compute-sp-1y-no-upfront")).extra["purchase"]
    assert not any(p.how == "spot" for o in r.options for p in o.items)


def test_unknown_stage_on_spot_is_one_clear_problem():
    with pytest.raises(CostplanError) as e:
        compare(bundled("global_vote.yaml", spot_stages=["consumr"]))
    [p] = e.value.problems
    assert "did you mean" in p.message and p.field == "purchase.spot_stages.0"


# ---- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("section, expected", [
    ({"option": "compute-sp-1y-noupfront"}, 'did you mean "compute-sp-1y-no-upfront"'),
    ({"commitment_share": "20%"}, "commitment_share needs commitment_usd_per_hour"),
    ({"spot_discount": "120%"}, "spot_discount must be"),
    ({"optoin": "on-demand"}, 'did you mean "option"'),
])
def test_bad_purchase_section(section, expected, tmp_path):
    data = yaml.safe_load((ROOT / "scenarios" / "global_vote.yaml").read_text())
    data["purchase"] = section
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(data))
    res = CliRunner().invoke(app, ["compare", str(f)])
    assert res.exit_code == 2
    assert expected in res.output and "Traceback" not in res.output


def test_unknown_purchase_flag_is_exit_2():
    res = CliRunner().invoke(app, ["compare", "scenarios/global_vote.yaml", "--purchase", "compute-1y"])
    assert res.exit_code == 2 and "unknown purchase option" in res.output


# ---- sensitivity -------------------------------------------------------------------------------

def test_sensitivity_varies_commitment_share_like_any_input():
    from costplan.compute import sensitivity as sens

    sc = x86_api(option="compute-sp-3y-no-upfront", commitment_usd_per_hour="0.10")
    sw = sens.sensitivity(sc, sens.parse_vary("commitment_share=0%..100%"), steps=3)
    assert [p.value for p in sw.points] == [Decimal(0), Decimal("0.5"), Decimal(1)]
    for p in sw.points:
        c = compare(sc.model_copy(update={"purchase": sc.purchase.model_copy(update={"commitment_share": p.value})}))
        r = c.extra["purchase"]
        assert p.totals["fargate"] == r.option("fargate").monthly_usd
        assert p.recommendation == r.recommendation
    assert sw.changes  # all headroom used by others: back to Lambda


def test_sensitivity_varies_spot_discount():
    from costplan.compute import sensitivity as sens

    sc = bundled("global_vote.yaml", spot_stages=["consumer"])
    sw = sens.sensitivity(sc, sens.parse_vary("spot_discount=0%..60%"), steps=2)
    od = compare(bundled("global_vote.yaml")).option("fargate").monthly_usd
    assert sw.points[0].totals["fargate"] == od
    assert sw.points[1].totals["fargate"] < od
    with pytest.raises(CostplanError):
        sens.sensitivity(bundled("global_vote.yaml"), sens.parse_vary("spot_discount=0%..60%"))


def test_pricing_show_lists_savings_plans_rates_with_sources():
    res = CliRunner().invoke(app, ["pricing", "show", "savings_plans", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {r["key"]: r for r in json.loads(res.stdout)["prices"]}
    r = rows["ec2.m7g.large (compute-sp-1y-no-upfront)"]
    assert r["price"] == "$0.0599 per instance-hour" and r["as_of"] == "2026-10-01" and r["grade"] == "S"
    res = CliRunner().invoke(app, ["pricing", "show", "savings_plans", "-r", "eu-west-1", "--format", "json"])
    assert json.loads(res.stdout)["prices"][0]["price"] == "gap"
