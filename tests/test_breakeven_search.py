"""Break-even as bands: the scan on known functions (every crossing, stable grid), and on real
scenarios (several crossings, each confirmed by re-planning and re-pricing; the same bands whatever
today's volume)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from costplan import scenario
from costplan.compute import bands as B
from costplan.compute.compare import ECS, _costs, compare, scaled_scenario
from costplan.pricing.book import PriceBook


def scan(lam, ecs, base=1.0):
    """scan over L(v), E(v) given as functions of absolute volume v."""
    return B.scan(lambda k: (lam(k * base), ecs(k * base), "fargate"), base)


@pytest.mark.parametrize("root", [1.7, 3.0, 96.0, 0.62, 0.039])
def test_one_linear_crossing_to_a_tenth_of_a_percent(root):
    res = scan(lambda v: 3.0 * v, lambda v: 3.0 * root)
    (c,) = res.crossings
    assert c.lo < root <= c.hi and c.hi / c.lo < 1.0012
    assert (res.below, res.above, c.to) == ("lambda", "ecs", "ecs")


def test_every_crossing_of_a_step_is_found():
    # Lambda $10·v; ECS $50 below v = 5.8 and $70 from there: ECS cheaper from 5, Lambda again over
    # 5.8–7, ECS from 7 on: three crossings, all reported.
    res = scan(lambda v: 10.0 * v, lambda v: 50.0 if v < 5.8 else 70.0)
    got = [(round(c.hi, 2), c.to) for c in res.crossings]
    assert [t for _, t in got] == ["ecs", "lambda", "ecs"]
    assert [pytest.approx(v, rel=2e-3) for v, _ in got] == [5.0, 5.8, 7.0]


def test_no_crossing_in_range():
    res = scan(lambda v: v, lambda v: 1e9)
    assert res.crossings == [] and res.below == res.above == "lambda"


@pytest.mark.parametrize("base", [0.3, 1.0, 4.2, 17.0, 123.0])
def test_the_grid_is_absolute_so_crossings_do_not_depend_on_the_starting_volume(base):
    # Many small ECS steps (a task per 0.8 of volume) near Lambda's line: many crossings between 40 and 60.
    def ecs(v):
        import math

        return 12.0 * math.ceil(v / 0.8) * 0.8 * 0.98 + 4.0

    def crossings(b):  # absolute volumes
        return [(c.lo * b, c.hi * b) for c in scan(lambda v: 12.0 * v, ecs, b).crossings]

    ref, got = crossings(50.0), crossings(base)
    lo, hi = max(50.0, base) / 1000, min(50.0, base) * 1000  # where both ranges overlap
    assert len(ref) > 3
    assert [(pytest.approx(a), pytest.approx(b)) for a, b in got if lo < a and b < hi] == \
        [x for x in ref if lo < x[0] and x[1] < hi]


def cli_like(executions: str, duration: str, memory: str) -> scenario.Scenario:
    return scenario.from_dict({"version": 1, "name": "grid", "workload": {
        "monthly_requests": executions, "duration_ms": duration, "memory_mb": memory}})


def test_128mb_1s_reports_every_crossing_and_each_is_real():
    # The case: at 128 MB / 1 s Lambda − ECS changes sign many times between ~180M and ~485M.
    sc = cli_like("300M", "1s", "128MB")
    c = compare(sc)
    assert len(c.bands.crossings) > 3
    assert [b.side for b in c.bands.bands][:2] == ["lambda", "mixed"]
    assert "; mixed " in c.bands.summary and "crossings)" in c.bands.summary
    # each crossing the float model found is where the real, re-planned and re-priced totals swap
    book = PriceBook(sc.region)
    lam = c.option("lambda")
    ecs = [o for o in c.options if o.name in ECS]
    curves = B.curves(c.plan, [lam, *ecs], book, True)
    res = B.scan(curves.at, 300e6)
    assert len(res.crossings) == len(c.bands.crossings)

    def side(k):
        t = _costs(scaled_scenario(sc, Decimal(repr(k))), book, True)
        return "ecs" if t["lambda"] >= min(t[n] for n in ECS) else "lambda"

    for x in res.crossings:
        assert side(x.lo) != side(x.hi) == x.to


@pytest.mark.parametrize("start", ["30M", "100M", "300M", "1B"])
def test_bands_are_the_same_from_any_starting_volume(start):
    ref = compare(cli_like("300M", "1s", "128MB")).bands
    got = compare(cli_like(start, "1s", "128MB")).bands
    base = Decimal(start.replace("M", "000000").replace("B", "000000000"))
    lo, hi = max(base, ref.base) / 1000, min(base, ref.base) * 1000  # the overlap of the two ranges
    assert [x for x in got.crossings if lo < x[0] < hi] == [x for x in ref.crossings if lo < x[0] < hi]
    assert len([x for x in ref.crossings if lo < x[0] < hi]) > 3


def test_model_matches_re_planning_on_the_bundled_scenarios():
    """The float model (bills scaled, not re-planned) against full re-planning and re-pricing: where the
    model is used (not repriced) it matches; where it would not, compare noticed and re-priced instead."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "scenarios"
    used = 0
    for sc in scenario.load_many([str(root), str(root / "alternatives")]):
        c = compare(sc)
        if c.bands is None or c.bands.repriced:
            continue
        used += 1
        book = PriceBook(sc.region)
        lam = c.option("lambda")
        ecs = [o for o in c.options if o.name in ECS]
        shared = B.common_prefix([lam, *ecs])
        curves = B.Curves(B.option_curve(lam, c.plan, book, True, None, {}, shared),
                          [B.option_curve(o, c.plan, book, True, None, {}, shared) for o in ecs])
        for k in (0.05, 3.0, 40.0):
            real = _costs(scaled_scenario(sc, Decimal(repr(k))), book, True)
            L, E = curves.at(k)[:2]
            diff_real = float(real["lambda"] - min(real[n] for n in ECS if n in real))
            assert L - E == pytest.approx(diff_real, abs=0.003 * max(float(real["lambda"]), 1.0)), (sc.name, k)
    assert used >= 6  # the fast model serves most bundled scenarios


def test_a_bill_the_model_cannot_follow_falls_back_to_re_pricing(monkeypatch):
    """If the float model cannot reproduce a bill (a sizing it does not know), the bands come from
    re-planning and re-pricing at each volume: the same crossings, marked repriced."""
    sc = scenario.load(str(__import__("pathlib").Path(__file__).resolve().parent.parent / "scenarios" /
                           "steady_heavy_api.yaml"))
    fast = compare(sc).bands

    def broken(*a, **k):
        raise TypeError("sizing changed")

    monkeypatch.setattr(B, "_sizing_ratio", broken)
    slow = compare(sc).bands
    assert slow.repriced and not fast.repriced
    # the same crossings, to the re-pricing grid's precision (cells of 10^(1/128) ≈ 1.8 %)
    assert [(to, name) for _, to, name in slow.crossings] == [(to, name) for _, to, name in fast.crossings]
    for (a, _, _), (b, _, _) in zip(slow.crossings, fast.crossings):
        assert abs(a - b) / b < Decimal("0.04")
