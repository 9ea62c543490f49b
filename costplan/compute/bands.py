"""Break-even as bands: every volume between 0.001× and 1,000× today's where Lambda − the cheaper ECS
option changes sign, found the same way whatever today's volume is.

Cost of each alternative as a function of volume comes from its bill at today's volume: every line
item scales with the volume (requests, GB-seconds, LCUs, bytes), with the tasks or instances ECS
needs at that volume (re-sized, whole tasks), with the cold starts at that volume, or not at all
(load balancer and NAT hours). Priced in floats on the same tiers and free tiers, one volume costs a
few microseconds where re-planning and re-pricing the scenario cost a millisecond or more.

The scan works on a fixed grid of absolute volumes (2,048 points a decade: crossings to 0.11 %), so two
scenarios that differ only in today's volume see the same grid. Both totals only grow with volume, so
an interval [a, b] where Lambda at b is still cheaper than ECS at a (or the reverse) holds no crossing
and is not divided; only intervals near a crossing are, and every crossing is found.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

RANGE = 1000.0  # 0.001× to 1,000× today's volume
MAX_LEVEL = 11  # cells of 10^(1/2048) ≈ 1.0011: crossings to 0.11 %
ECS = ("fargate", "ec2")
CONSTANT_KEYS = ("alb.hours", "vpc.nat_gateway_hours")  # billed per hour whatever the volume
SIZING_PREFIXES = ("fargate.", "ec2.", "vpc.public_ipv4_hours", "ebs.")  # follow tasks / instances


class ModelError(Exception):
    """The float model does not reproduce the bill at today's volume: use the slow path."""


@dataclass
class _FP:
    key: str
    pool: str
    free: float
    tiers: list  # [(upto or inf, usd)]


def _fp(book, key: str, cache: dict) -> _FP:
    fp = cache.get(key)
    if fp is None:
        p = book.get(key)
        fp = _FP(key, p.free_pool or key, float(p.free_quantity),
                 [(math.inf if t.upto is None else float(t.upto), float(t.usd)) for t in p.tiers])
        cache[key] = fp
    return fp


def meter(items, free_left: dict | None, free_tier: bool, used: dict | None = None) -> float:
    """Cost of (price, quantity, may-use-free-tier) items laid end to end on one account meter, as
    price_components does. `free_left` and `used` are updated in place when given."""
    free = free_left if free_left is not None else {}
    used = used if used is not None else {}
    total = 0.0
    for fp, q, ok in items:
        if q <= 0:
            continue
        if free_tier and ok and fp.free > 0:
            left = free.get(fp.pool, fp.free)
            f = left if left < q else q
            free[fp.pool] = left - f
            q -= f
            if q <= 0:
                continue
        start = used.get(fp.key, 0.0)
        end = start + q
        used[fp.key] = end
        tiers = fp.tiers
        if len(tiers) == 1:
            total += q * tiers[0][1]
            continue
        lower = 0.0
        for upto, usd in tiers:
            lo = start if start > lower else lower
            hi = end if end < upto else upto
            if hi > lo:
                total += (hi - lo) * usd
            if end <= upto:
                break
            lower = upto
    return total


def _ceil(x: float) -> int:
    return math.ceil(x - 1e-9)


class OptionCurve:
    """One alternative's monthly cost at k × today's volume, from its bill at k = 1. The leading items
    that do not move with volume (the shared integration services) are priced once."""

    def __init__(self, name: str, items: list, free_start: dict | None, free_tier: bool):
        self.name, self.free_tier = name, free_tier
        self.drivers: dict = {}  # driver → f(k) / f(1)
        n = 0
        while n < len(items) and items[n][2] == "const":
            n += 1
        self.free0 = {p: float(v) for p, v in free_start.items()} if free_start else {}
        self.used0: dict = {}
        self.cost0 = meter([(fp, q, ok) for fp, q, _, ok in items[:n]], self.free0, free_tier, self.used0)
        self.items = items[n:]

    def cost(self, k: float) -> float:
        if self._compiled is None:
            self._compile()
        fns, items = self._compiled
        vals = [k, 1.0] + [fn(k) for fn in fns]
        self._last = (k, vals)
        free = self.free0.copy()
        used = self.used0.copy()
        total = self.cost0
        use_free = self.free_tier
        regime = 0  # which tier and free-tier state each item ends in: equal at two volumes, no kink between
        for fp, q1, idx, ok in items:  # meter() inlined: this runs a few hundred times per scenario
            q = q1 * vals[idx]
            if q <= 0:
                regime = regime * 3 + 1
                continue
            if use_free and ok and fp.free > 0:
                left = free.get(fp.pool, fp.free)
                f = left if left < q else q
                free[fp.pool] = left - f
                q -= f
                regime = regime * 3 + (2 if q > 0 else 0)
                if q <= 0:
                    continue
            tiers = fp.tiers
            if len(tiers) == 1:
                used[fp.key] = used.get(fp.key, 0.0) + q
                total += q * tiers[0][1]
                continue
            start = used.get(fp.key, 0.0)
            end = start + q
            used[fp.key] = end
            lower = 0.0
            for t, (upto, usd) in enumerate(tiers):
                lo = start if start > lower else lower
                hi = end if end < upto else upto
                if hi > lo:
                    total += (hi - lo) * usd
                if end <= upto:
                    regime = regime * 7 + t
                    break
                lower = upto
        self._regime = (k, regime)
        return total

    _regime = None

    def regime(self, k: float):
        r = self._regime
        return r[1] if r is not None and r[0] == k else None

    _compiled = None

    def sizing(self, k: float):
        """The value of the task / instance driver at k (a step function): equal at two volumes, no step
        between them."""
        if "sizing" not in self.drivers:
            return None
        last = self._last
        if last is not None and last[0] == k:
            return round(last[1][self._sizing_index], 9)
        return round(self.drivers["sizing"](k), 9)

    _last = None
    _sizing_index = 0

    def _compile(self) -> None:
        names = [d for d in self.drivers]
        index = {"k": 0, "const": 1, **{d: 2 + i for i, d in enumerate(names)}}
        self._sizing_index = index.get("sizing", 0)
        self._compiled = ([self.drivers[d] for d in names],
                          [(fp, q, index[d], ok) for fp, q, d, ok in self.items])


def _driver(li, name: str) -> str:
    key = li.price_key
    if li.name.startswith("INIT duration"):
        return f"init:{li.resource}"
    if key in CONSTANT_KEYS:
        return "const"
    if li.resource in ("load balancer", "internal load balancer", "NAT gateway") and key.startswith(
            "vpc.public_ipv4"):
        return "const"  # the ALB's nodes and the NAT gateways keep their addresses whatever the tasks do
    if name in ECS and key.startswith(SIZING_PREFIXES):
        return "sizing"
    return "k"


def common_prefix(options) -> int:
    """How many leading line items every alternative shares: the integration services priced first on
    each alternative's meter. They cost the same on every side at any volume, so they are held at
    today's quantities (keeping their place on the meter and their share of free tiers)."""
    n = 0
    for items in zip(*(o.line_items for o in options)):
        a = items[0]
        if any((b.price_key, b.name, b.quantity, b.resource) != (a.price_key, a.name, a.quantity, a.resource)
               for b in items[1:]):
            break
        n += 1
    return n


def option_curve(option, plan, book, free_tier: bool, free_start: dict | None, cache: dict,
                 shared: int = 0) -> OptionCurve:
    groups: dict = {}
    order: list = []
    for i, li in enumerate(option.line_items):
        d = "const" if i < shared else _driver(li, option.name)
        g = (li.price_key, d, li.free_tier)
        if g not in groups:
            groups[g] = 0.0
            order.append(g)
        groups[g] += float(li.quantity)
    items = [(_fp(book, key, cache), groups[(key, d, ok)], d, ok) for key, d, ok in order]
    curve = OptionCurve(option.name, items, free_start, free_tier)
    for _, _, d, _ in curve.items:
        if d.startswith("init:") and d not in curve.drivers:
            curve.drivers[d] = _init_ratio(plan, d[5:])
        elif d == "sizing" and d not in curve.drivers:
            curve.drivers[d] = _sizing_ratio(plan, option)
    real = float(option.monthly_usd)
    model = curve.cost(1.0)
    if abs(model - real) > 1e-6 * max(1.0, real) + 0.005:
        raise ModelError(f"{option.name}: model ${model:.4f} against ${real:.4f}")
    return curve


def _init_ratio(plan, stage_name: str):
    """Cold starts at k × volume over cold starts today (coldstart.total_f, the float twin of
    coldstart.cold_starts: tests hold them equal)."""
    from costplan.compute import coldstart

    stage = next((s for s in plan.stages if s.name == stage_name), None)
    if stage is None:
        raise ModelError(f"no stage {stage_name}")
    w = plan.scenario.workload
    t = stage.traffic
    hpd = float(w.active_hours_per_day)
    r, pc, ac, ar = (float(t.monthly_requests), float(t.peak_concurrency), float(t.average_concurrency),
                     float(t.average_rps))
    days, act = (float(t.active_seconds) / 3600 / hpd if hpd else 0.0), float(t.active_hours)
    base = coldstart.total_f(r, pc, ac, ar, hpd, days, act)
    if base <= 0:
        return lambda k: 1.0
    return lambda k: coldstart.total_f(r * k, pc * k, ac * k, ar * k, hpd, days, act) / base


def _dec(k: float):
    from decimal import Decimal

    return Decimal(repr(k))


def _sizing_ratio(plan, option):
    """What the ECS option's sizing costs at k × volume over what it costs today, from compute/sizing.py:
    the cheapest Fargate size (or EC2 type) is chosen again at each volume, with whole tasks through the
    day, min/max, scale-out lag and pre-scaling as billed. The lines it scales (Fargate vCPU, memory and
    task IPv4; EC2 instance hours, root volumes and IPv4) are flat-priced, so scaling their quantities by
    this ratio gives the sized cost exactly."""
    from dataclasses import replace

    from costplan.compute import sizing as S
    from costplan.pricing.book import PriceBook

    sc = plan.scenario
    ecs = sc.ecs
    design = getattr(plan, "ecs_design", None)
    stages = [s for s in (design.ecs_stages if design is not None else plan.stages) if s.ecs_capable]
    if not stages:
        raise ModelError("no ECS stages")
    book = PriceBook(sc.region)
    memo: dict = {}

    def usd(k: float) -> float:
        if k in memo:
            return memo[k]
        kk = _dec(k)
        scaled = [replace(st, traffic=st.traffic.scaled(kk)) for st in stages]
        if option.name == "fargate":
            v = sum(float(S.size_fargate(st, sc, book, ecs.architecture or st.architecture, runner_up=False)
                          .choice.monthly_usd) for st in scaled)
        else:
            v = float(S.size_ec2(scaled, sc, book, ecs.architecture or stages[0].architecture,
                                 runner_up=False).monthly_usd)
        memo[k] = v
        return v

    base = usd(1.0)
    if base <= 0:
        raise ModelError("no sized cost at today's volume")
    return lambda k: usd(k) / base


@dataclass
class Crossing:
    lo: float  # k just below (the old side holds)
    hi: float  # k at which the new side holds
    to: str  # "ecs": ECS no dearer above; "lambda": Lambda cheaper above
    against: str  # the ECS option at hi
    lambda_usd: float
    ecs_usd: float


@dataclass
class Bands:
    below: str  # "lambda" | "ecs": who is cheaper at 0.001×
    above: str  # at 1,000×
    crossings: list  # [Crossing], ascending
    evaluations: int = 0


class Curves:
    """Lambda and the cheaper ECS option as functions of k, memoised."""

    def __init__(self, lam: OptionCurve, ecs: list):
        self.lam, self.ecs = lam, ecs
        self.memo: dict = {}

    def at(self, k: float) -> tuple:
        """(Lambda, cheaper ECS, its name, the ECS sizing at k: tasks and instances of every option)."""
        r = self.memo.get(k)
        if r is None:
            L = self.lam.cost(k)
            E, name = min((c.cost(k), c.name) for c in self.ecs)
            sig = (name, self.lam.regime(k)) + tuple((c.sizing(k), c.regime(k)) for c in self.ecs)
            r = self.memo[k] = (L, E, name, sig)
        return r


def scan(at, base: float, level: int | None = None) -> Bands:
    """Every sign change of L − E for volume v in [base/RANGE, base·RANGE], where at(k) → (L, E, name)
    at k = v / base, both nondecreasing in v.

    Volumes are points of one absolute grid, v = 10^(i / 2^MAX_LEVEL) (the range's ends rounded out
    to it), so the answer depends on the costs, never on where the scan started. An interval whose
    ends already show one side cheaper throughout (Lambda at its top below ECS at its bottom, or the
    reverse) is done; one whose ends disagree is cut where the straight line between them crosses
    zero (both sides of that grid cell priced), and the pieces examined in turn; any other is halved.
    Every crossing ends in a cell one grid step wide."""
    n = 2 ** (MAX_LEVEL if level is None else level)
    i0 = math.floor(math.log10(base / RANGE) * n)
    i1 = math.ceil(math.log10(base * RANGE) * n)
    pts: dict = {}

    def vol(i: int) -> float:
        return 10.0 ** (i / n)

    def point(i: int):
        r = pts.get(i)
        if r is None:
            r = pts[i] = at(vol(i) / base)
        return r

    edges = [i0] + [d * n for d in range(i0 // n + 1, i1 // n + 1) if i0 < d * n < i1] + [i1]
    stack = list(zip(edges, edges[1:]))
    while stack:
        ia, ib = stack.pop()
        La, Ea = point(ia)[:2]
        Lb, Eb = point(ib)[:2]
        if ib - ia <= 1 or Lb < Ea or La >= Eb:
            continue  # one grid step, or the same side is cheaper throughout
        fa, fb = La - Ea, Lb - Eb
        if (fa >= 0) == (fb >= 0) and len(pts[ia]) > 3 and pts[ia][3] == pts[ib][3]:
            # Same side at both ends, and between them no ECS step, no change of cheaper ECS option, no
            # tier or free-tier boundary on either bill: both totals are straight lines (but for cold starts,
            # a few cents that step with the peak concurrency), so no crossing.
            continue
        if (fa >= 0) != (fb >= 0):
            va, vb = vol(ia), vol(ib)
            v = va + (vb - va) * fa / (fa - fb)
            j = min(max(math.floor(math.log10(v) * n) if v > 0 else ia, ia), ib - 1)
            parts = [(ia, j), (j, j + 1), (j + 1, ib)]
        else:
            mid = (ia + ib) // 2
            parts = [(ia, mid), (mid, ib)]
        stack.extend((a, b) for a, b in parts if b > a)
    idx = sorted(pts)
    side = ["ecs" if pts[i][0] >= pts[i][1] else "lambda" for i in idx]
    crossings = []
    for t in range(1, len(idx)):
        if side[t] != side[t - 1]:
            L, E, name = pts[idx[t]][:3]
            crossings.append(Crossing(vol(idx[t - 1]) / base, vol(idx[t]) / base, side[t], name, L, E))
    return Bands(side[0], side[-1], crossings, len(pts))
