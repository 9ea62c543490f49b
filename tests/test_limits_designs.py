"""limits-check sizes the ECS designs without pricing them (limits.designs): the sizing it checks and the
design it gates on must be exactly what `compare` prices and recommends, at today's volume and scaled."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from costplan import patterns, scenario
from costplan.compute.compare import recommend, scaled_scenario
from costplan.compute.options import price_options
from costplan.limits import designs
from costplan.pricing.book import PriceBook

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "scenarios" / "alternatives").glob("*.yaml"))
BOOK = PriceBook("us-east-1")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_sizing_and_recommendation_match_compares_priced_options(path):
    base = scenario.load(path)
    seen = set()
    for k in ("0.01", "1", "40"):  # light (Lambda recommended), today, heavy (ECS recommended where it can)
        sc = scaled_scenario(base, D(k))
        plan = patterns.plan(sc)
        priced = price_options(plan, BOOK, sc.free_tier, warm=False)
        sized = designs.ecs_designs(plan, BOOK)
        compared = {o.name: o.sizing for o in priced if o.name != "lambda"}
        assert set(sized) == set(compared)
        for name, d in sized.items():  # what the checks read: compare's values, key for key
            assert set(d.sizing) == set(compared[name])
            for part, read in d.sizing.items():
                full = compared[name][part]
                assert read == {k: full[k] if k != "segments" else [{f: g[f] for f in ("rps", "tasks")}
                                                                    for g in full[k]] for k in read}
                assert "tasks_by_hour" not in read and "instances_by_hour" not in read
        for o in priced:  # the compute alone is less than the design's total (the bound `recommended` uses)
            if o.name in sized:
                assert sized[o.name].compute_usd <= o.monthly_usd
        rec = designs.recommended(plan, BOOK, sc.free_tier, sized)
        assert rec == recommend(priced, None)[0]
        seen.add(rec)
    assert seen  # each scale ran


def test_both_answers_are_reached():
    """The shortcut (Lambda cheaper than the ECS compute alone) and the full pricing both occur."""
    sc = scenario.load(ROOT / "scenarios" / "steady_heavy_api.yaml")
    light = patterns.plan(scaled_scenario(sc, D("0.01")))
    heavy = patterns.plan(sc)
    assert designs.recommended(light, BOOK, True, designs.ecs_designs(light, BOOK)) == "lambda"
    assert designs.recommended(heavy, BOOK, True, designs.ecs_designs(heavy, BOOK)) != "lambda"


def test_a_region_without_prices_still_checks_the_lambda_design(tmp_path):
    """The price book is opened inside the guard: a Region it lacks leaves the ECS designs unchecked, says
    why, and checks the Lambda design's quotas (they need no prices)."""
    from costplan import limits
    from costplan.aws.regions import aws_regions
    from costplan.pricing.book import regions

    region = sorted(r for r in aws_regions() - set(regions()) if r.count("-") == 2)[0]
    f = tmp_path / "elsewhere.yaml"
    f.write_text(f"version: 1\nname: x\nregion: {region}\nworkload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n")
    res = limits.check([scenario.load(f)])
    s = res.scenarios[0]
    assert s.designs == ["lambda"] and s.recommended == "lambda" and s.findings
    assert any("the ECS designs are not checked" in m for m in s.missing)
