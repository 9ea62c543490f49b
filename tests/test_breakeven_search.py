"""Break-even as bands: the scan on known functions (every crossing, stable grid), and on real
scenarios (several crossings, each confirmed by re-planning and re-pricing; the same bands whatever
today's volume)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from costplan import patterns, scenario
from costplan.compute.options import price_options
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


_BUNDLED = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml")) + sorted(
    (Path(__file__).resolve().parent.parent / "scenarios" / "alternatives").glob("*.yaml"))
DENSE = [10 ** (e / 4) for e in range(-12, 13)]  # 0.001× to 1,000×, four volumes a decade


@pytest.mark.parametrize("path", _BUNDLED, ids=lambda p: p.stem)
def test_model_matches_re_planning_on_every_bundled_scenario(path):
    """The float model against full re-planning and re-pricing at 25 volumes across the range scanned:
    every alternative's total to the cent (or 1e-6 of it), and no bundled scenario falls back."""
    sc = scenario.load(str(path))
    c = compare(sc)
    if c.bands is None:
        assert not any(o.name in ECS for o in c.options)
        return
    assert not c.bands.repriced
    book = PriceBook(sc.region)
    cs = B.curves(c.plan, c.options, book, sc.free_tier)
    for k in DENSE:
        real = {o.name: float(o.monthly_usd) for o in price_options(
            patterns.plan(scaled_scenario(sc, Decimal(repr(k)))), book, sc.free_tier, warm=False)}
        for curve in [cs.lam, *cs.ecs]:
            assert curve.cost(k) == pytest.approx(real[curve.name], abs=0.01 + 1e-6 * real[curve.name]), (
                curve.name, k)


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


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=12, deadline=None)
@given(requests=st.sampled_from(["1M", "20M", "300M", "5B"]), duration=st.sampled_from(["50ms", "300ms", "2s"]),
       memory=st.sampled_from(["128MB", "1GB", "3GB"]), k=st.sampled_from([0.002, 0.07, 3.0, 400.0]))
def test_model_matches_re_planning_on_random_workloads(requests, duration, memory, k):
    sc = cli_like(requests, duration, memory)
    c = compare(sc)
    assert not c.bands.repriced
    book = PriceBook(sc.region)
    cs = B.curves(c.plan, c.options, book, True)
    real = {o.name: float(o.monthly_usd) for o in price_options(
        patterns.plan(scaled_scenario(sc, Decimal(repr(k)))), book, True, warm=False)}
    for curve in [cs.lam, *cs.ecs]:
        assert curve.cost(k) == pytest.approx(real[curve.name], abs=0.01 + 1e-6 * real[curve.name])


def test_the_fallback_starts_from_the_free_tier_the_account_has_left():
    """Re-pricing at k on the free tier left by earlier scenarios of the account gives today's bill at
    k = 1 (as the model does): the fallback and the model agree on where the meter starts."""
    from costplan.compute.compare import _slow_at, iter_compare

    root = Path(__file__).resolve().parent.parent / "scenarios"
    scs = [scenario.load(str(root / "periodic_light_api.yaml")), scenario.load(str(root / "steady_heavy_api.yaml"))]
    ledger: dict = {}
    first = next(iter_compare([scs[0]], share_free_tier=False))
    price_options(first.plan, PriceBook(scs[0].region), True, ledger=ledger)
    import copy

    start = copy.deepcopy(ledger)
    second = list(iter_compare(scs, total=2))[1]
    L, E, name = _slow_at(scs[1], PriceBook(scs[1].region), True, start)(1.0)
    assert L == pytest.approx(float(second.option("lambda").monthly_usd), abs=0.005)
    assert E == pytest.approx(float(second.option(name).monthly_usd), abs=0.005)


SPARSE = [10 ** (e / 3) for e in range(-9, 10)]  # 0.001× to 1,000×, three volumes a decade


def _sized_alike(sc, fallbacks_allowed: bool = False) -> tuple[int, int]:
    """The float sizing the scan runs at each volume (sizing.VolumeSizer, tables built once) against
    size_fargate / size_ec2 in Decimal on the stages' traffic at that volume: the same monthly cost.
    Returns (volumes the floats answered, volumes tried) over the ECS options."""
    from dataclasses import replace

    from costplan.compute import sizing as S

    c = compare(sc)
    if c.bands is None:
        return 0, 0
    answered = tried = 0
    stages = [s for s in c.plan.ecs_design.ecs_stages if s.ecs_capable]
    shapes, book = B.Shapes(c.plan), PriceBook(sc.region)
    for o in (o for o in c.options if o.name in ECS):
        traffic = {s.name: shapes.traffic(o.name, s.name) for s in stages}
        fast = S.VolumeSizer(stages, sc, book, o.name)
        for k in SPARSE:
            got = fast.usd([traffic[s.name].floats(k) for s in stages])
            scaled = [replace(s, traffic=traffic[s.name](B._dec(k))) for s in stages]
            if o.name == "fargate":
                want = sum(S.size_fargate(s, sc, book, sc.ecs.architecture or s.architecture, runner_up=False)
                           .choice.monthly_usd for s in scaled)
            else:
                want = S.size_ec2(scaled, sc, book, sc.ecs.architecture or stages[0].architecture,
                                  runner_up=False).monthly_usd
            assert got is not None or fallbacks_allowed, (o.name, k)
            tried += 1
            if got is not None:
                assert got == pytest.approx(float(want), rel=1e-12), (o.name, k)
                answered += 1
    return answered, tried


@pytest.mark.parametrize("path", _BUNDLED, ids=lambda p: p.stem)
def test_the_scan_sizes_ecs_as_size_fargate_and_size_ec2_do(path):
    """... on every bundled scenario, with no fallback at any volume."""
    sc = scenario.load(str(path))
    answered, tried = _sized_alike(sc)
    assert answered == tried
    assert tried > 0 or sc.pattern in ("scheduled_cron", "pipes_and_filters")  # the two with no ECS design


@pytest.mark.parametrize("extra", [
    # pre-scaled to a declared window with a 5-minute rush: parts of the day shorter than lag + scale-in
    # wait, where the search prices every size and type
    {"workload": {"traffic_window": "19:00-20:00", "peak_window_s": "300s", "peak_to_average": 20}},
    {"workload": {"traffic_window": "08:00-18:00", "peak_to_average": 4}, "ecs": {"max_tasks": 6}},
    {"workload": {"peak_to_average": 3, "memory_mb": "3GB"}, "ecs": {"min_tasks": 3, "scale_in_delay_s": "2h"}},
    {"ecs": {"requests_per_second_per_task": 40}, "ec2": {"min_instances": 2}},
    {"ecs": {"vcpu": 2, "memory_gb": 4, "scaling": "peak"}},
], ids=["rush", "capped", "long-wait", "measured", "peak"])
def test_the_scan_sizes_ecs_alike_on_other_settings(extra):
    base = {"version": 1, "name": "grid", "workload": {"monthly_requests": "300M", "duration_ms": "300ms",
                                                        "memory_mb": "1GB"}}
    for part, values in extra.items():
        base.setdefault(part, {}).update(values)
    answered, tried = _sized_alike(scenario.from_dict(base), fallbacks_allowed=True)
    assert answered > 0 and tried == 2 * len(SPARSE)  # both ECS options at every volume; most in floats


def test_a_count_the_floats_cannot_be_sure_of_goes_to_the_decimal_sizing():
    from costplan.compute.sizing import _counts_f

    # 15 req/s on tasks serving 5 each is 3 tasks; a float a few parts in 10^16 over could ceil to 4
    assert _counts_f([("active", 60.0, 15.000000000000002)], 5.0, 1, None) is None
    assert _counts_f([("active", 60.0, 14.9), ("idle", 1380.0, 0.0)], 5.0, 1, None) == [3, 1]
    # a busy part of the day at about zero req/s: Decimal may hold a remainder the floats lost
    assert _counts_f([("active", 60.0, 0.0)], 5.0, 0, None) is None
    assert _counts_f([("active", 60.0, 40.0)], 3.0, 1, 10) == [10]  # max_tasks


class _FakeShapes(B.Shapes):
    """Shapes over a function of k instead of plans: plan_at(k) is k itself, and counts its calls."""

    def __init__(self):
        self._plans, self.calls = {}, 0

    def plan_at(self, k):
        self.calls += 1
        return k


@pytest.mark.parametrize("bend", [0.0042, 0.4545, 3.7, 212.0])
def test_a_capped_line_is_read_at_its_bend_exactly_with_few_re_plans(bend):
    # requests grow with volume; the consumer's rate is capped at its concurrency from `bend` on (as
    # queue_load_leveling's peak rate is): both values are straight, one with a bend
    shapes = _FakeShapes()
    f = shapes.piecewise(lambda k: [300000.0 * k, round(250.0 * min(k, bend), 6)])
    for k in (0.001, bend * 0.7, bend * 0.999, bend, bend * 1.001, bend * 1.3, 999.0):
        assert f(k)[0] == pytest.approx(300000.0 * k, rel=1e-9)
        assert f(k)[1] == pytest.approx(250.0 * min(k, bend), abs=2e-3)
    # halving to pieces 0.1 % wide took about 30 re-plans for one bend; located where the two lines
    # meet, it takes under 20
    assert shapes.calls < 20


def test_two_bends_in_one_interval_fall_back_to_halving_and_stay_exact():
    shapes = _FakeShapes()
    g = lambda k: [min(max(k, 0.01), 0.05) * 100.0]  # noqa: E731 — a floor and a cap: two bends
    f = shapes.piecewise(g)
    for k in (0.001, 0.009, 0.0101, 0.02, 0.0499, 0.0501, 0.3, 10.0):
        assert f(k)[0] == pytest.approx(g(k)[0], abs=2e-3)


def test_the_purchase_break_even_is_a_cell_a_tenth_of_a_percent_wide_around_a_sign_change():
    from costplan.compute.purchase import _refine

    calls = []

    def counted(fn):
        def f(k):
            calls.append(k)
            return fn(k)
        return f

    # straight: two re-pricings past the ends (halving took ten)
    lo, hi = _refine(counted(lambda k: 3 * k - Decimal("7.3")), Decimal(2), Decimal(4))
    assert lo < Decimal("7.3") / 3 <= hi and hi / lo < Decimal("1.001")
    assert len(calls) <= 4
    # a step function with several sign changes: still a cell around one of them
    step = lambda k: (k * 10 - (50 if k < Decimal("5.8") else 70))  # noqa: E731
    lo, hi = _refine(step, Decimal(4), Decimal(8))
    assert step(lo) < 0 <= step(hi) and hi / lo < Decimal("1.001")


@pytest.mark.parametrize("path", _BUNDLED, ids=lambda p: p.stem)
def test_without_the_shared_lines_lambda_minus_ecs_and_the_bands_are_unchanged(path):
    """The scan runs on each side without the integration services both designs price alike
    (curves(shared=False)): Lambda − each ECS option equals full re-planning and re-pricing's at 25
    volumes, the totals are smaller, and the crossings are the very same as on the whole bills."""
    sc = scenario.load(str(path))
    c = compare(sc)
    if c.bands is None:
        return
    book = PriceBook(sc.region)
    try:
        red = B.curves(c.plan, c.options, book, sc.free_tier, shared=False)
    except B.ModelError:
        # only where no line is priced alike on both sides
        from costplan.compute.options import fixed_components

        assert fixed_components(c.plan, c.plan.lambda_design) == fixed_components(
            c.plan, c.plan.lambda_design, shared=False)
        return
    full = B.curves(c.plan, c.options, book, sc.free_tier)
    for k in DENSE:
        real = {o.name: float(o.monthly_usd) for o in price_options(
            patterns.plan(scaled_scenario(sc, Decimal(repr(k)))), book, sc.free_tier, warm=False)}
        L = red.lam.cost(k)
        assert L < real["lambda"] or real["lambda"] == 0
        for curve in red.ecs:
            assert L - curve.cost(k) == pytest.approx(real["lambda"] - real[curve.name],
                                                      abs=0.01 + 1e-6 * real["lambda"]), (curve.name, k)
    base = float(c.bands.base)
    a, b = B.scan(full.at, base), B.scan(red.at, base)
    assert [(x.lo, x.hi, x.to, x.against) for x in a.crossings] == [(x.lo, x.hi, x.to, x.against) for x in b.crossings]
    assert b.evaluations <= a.evaluations


def test_the_shared_lines_are_kept_when_the_account_has_not_the_same_free_tier_left_on_both_sides():
    sc = scenario.load(str(_BUNDLED[0].parent / "user_registration_fanout.yaml"))
    c = compare(sc)
    book = PriceBook(sc.region)
    from costplan.compute.options import fixed_components

    left_out = ({x.price_key for x in fixed_components(c.plan, c.plan.lambda_design)}
                - {x.price_key for x in fixed_components(c.plan, c.plan.lambda_design, shared=False)})
    pool = book.get(sorted(left_out)[0]).free_pool or sorted(left_out)[0]
    B.curves(c.plan, c.options, book, sc.free_tier, {"lambda": {pool: Decimal(5)}, "fargate": {pool: Decimal(5)},
                                                      "ec2": {pool: Decimal(5)}}, shared=False)
    with pytest.raises(B.ModelError, match="free tier"):
        B.curves(c.plan, c.options, book, sc.free_tier, {"lambda": {pool: Decimal(0)}}, shared=False)


def test_one_account_of_every_bundled_scenario_gets_the_same_bands_with_and_without_the_shared_lines(monkeypatch):
    """In one account the free tier each scenario starts from is what the earlier ones left: the scan
    leaves the shared lines out only where both sides have the same left, and the bands are the very
    same as when it prices the whole bills."""
    from costplan.compute.compare import iter_compare

    scs = [scenario.load(str(p)).model_copy(update={"account": "one"}) for p in _BUNDLED]
    reduced = [(c.scenario.name, c.bands.summary if c.bands else None, c.breakeven and c.breakeven.monthly_requests)
               for c in iter_compare(scs)]
    whole = B.curves
    calls = {"shared=False": 0}

    def only_whole(*a, shared=True, **k):
        if not shared:
            calls["shared=False"] += 1
            raise B.ModelError("whole bills only")
        return whole(*a, **k)
    monkeypatch.setattr(B, "curves", only_whole)
    full = [(c.scenario.name, c.bands.summary if c.bands else None, c.breakeven and c.breakeven.monthly_requests)
            for c in iter_compare(scs)]
    assert calls["shared=False"] > 0
    assert reduced == full
