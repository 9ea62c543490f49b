"""Break-even as bands: every volume between 0.001× and 1,000× today's where Lambda − the cheaper ECS
option changes sign, found the same way whatever today's volume is.

Cost of each alternative as a function of volume k (× today's): each bill line's quantity is read
from the plan re-planned (not priced) at five volumes (Shapes): a straight line a + b·k for most
(requests, GB-seconds, bytes, and the fixed parts: empty long polls, stream polling, storage, hours);
the plan itself between its kinks where a line bends (a consumer capped by its concurrency); ALB LCUs
as the largest of their dimensions; cold starts and the tasks or instances ECS needs (compute/sizing.py
again at each volume) from each stage's traffic at k. Priced in floats on the same tiers and free
tiers, one volume costs microseconds (a sizing: a fraction of a millisecond). The model must give
today's bill to the cent, else the scan re-plans and re-prices at each volume (compare.py `_slow_at`);
tests hold it to full re-pricing at 25 volumes on every bundled scenario.

The scan works on a fixed grid of absolute volumes (2,048 points a decade: crossings to 0.11 %), so two
scenarios that differ only in today's volume see the same grid. Both totals only grow with volume, so
an interval [a, b] where Lambda at b is still cheaper than ECS at a (or the reverse) holds no crossing
and is not divided; nor is one where ECS's steps add less than the gap between the bills
(`_no_crossing`); only intervals near a crossing are, and every crossing is found.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

RANGE = 1000.0  # 0.001× to 1,000× today's volume
MAX_LEVEL = 11  # cells of 10^(1/2048) ≈ 1.0011: crossings to 0.11 %
ECS = ("fargate", "ec2")
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
    """One alternative's monthly cost at k × today's volume. Each line is a + b·k (its shape read from
    the plan at two volumes), or today's quantity × a driver's ratio (cold starts; the tasks or
    instances ECS runs)."""

    def __init__(self, name: str, items: list, free_start: dict | None, free_tier: bool):
        self.name, self.free_tier = name, free_tier
        self.drivers: dict = {}  # driver → f(k) / f(1)
        self.free0 = {p: float(v) for p, v in free_start.items()} if free_start else {}
        self.items = items  # [(price, a, b, driver, may use the free tier)]: quantity a + b·driver(k)

    def cost(self, k: float) -> float:
        if self._compiled is None:
            self._compile()
        fns, items = self._compiled
        vals = [k] + [fn(k) for fn in fns]
        self._last = (k, vals)
        free = self.free0.copy()
        used: dict = {}
        total = 0.0
        use_free = self.free_tier
        regime = 0  # which tier and free-tier state each item ends in: equal at two volumes, no kink between
        for fp, a, b, idx, ok in items:  # meter() inlined: this runs a few hundred times per scenario
            q = a + b * vals[idx]
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
        self._regime = (k, (regime, tuple(p(k) for p in self._pieces)) if self._pieces else regime)
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
    sized_usd = 0.0  # the sized lines' cost today (flat prices, no free tier): × the sizing ratio at k

    def sized(self, k: float) -> float:
        if "sizing" not in self.drivers:
            return 0.0
        last = self._last
        r = last[1][self._sizing_index] if last is not None and last[0] == k else self.drivers["sizing"](k)
        return self.sized_usd * r

    _pieces: tuple = ()

    def _compile(self) -> None:
        names = [d for d in self.drivers]
        # drivers that bend (a kink in the plan, the largest LCU dimension, traffic between kinks): their
        # piece is part of the regime, so the scan never takes a bend for a straight line
        self._pieces = tuple(getattr(f, "piece") for f in self.drivers.values() if hasattr(f, "piece"))
        index = {"k": 0, **{d: 1 + i for i, d in enumerate(names)}}
        self._sizing_index = index.get("sizing", 0)
        self._compiled = ([self.drivers[d] for d in names],
                          [(fp, a, b, index[d], ok) for fp, a, b, d, ok in self.items])


def _sizing_line(li, name: str) -> bool:
    """A line that follows the tasks or instances ECS runs (Fargate vCPU and memory, EC2 hours, root
    volumes, the tasks' public IPv4), not the load balancer's or NAT's own addresses."""
    if name not in ECS or not li.price_key.startswith(SIZING_PREFIXES):
        return False
    return not (li.resource in ("load balancer", "internal load balancer", "NAT gateway")
                and li.price_key.startswith("vpc.public_ipv4"))


def _init(c) -> bool:
    return c.name.startswith("INIT duration")


def _affine(qs: list, ks: tuple, tol: float = 5e-6) -> tuple[float, float] | None:
    """a, b of q = a + b·k from q at k = 1 and 2, or None if q at the other probes is off that line."""
    b = qs[1] - qs[0]
    a = qs[0] - b
    for q, k in zip(qs[2:], ks[2:]):
        # usage is kept to 6 decimals: the line through two rounded points drifts by ~1e-6 per unit of k
        if abs(a + b * k - q) > tol * (1 + k) + 1e-9 * abs(q):
            return None
    return a, b


class Shapes:
    """Every line of every alternative as a function of k, read from the plan re-planned (not priced: a
    fraction of a millisecond) at today's volume, at 2×, ½× and at both ends of the range scanned.
    Most lines are a + b·k through all five. One that is not (a min or max in the pattern: a consumer
    capped by its concurrency, a stream polled at a fixed rate) takes its quantity from the plan
    re-planned at each volume. Cold starts, ALB capacity units (the largest of its dimensions) and the
    tasks or instances ECS runs have their own drivers, from each stage's traffic at k."""

    KS = (1.0, 2.0, 0.5, 1.0 / RANGE, RANGE)

    def __init__(self, plan, shared: bool = True):
        """shared=False: without the integration services both designs price alike (fixed_components),
        for the difference Lambda − ECS (curves(shared=False))."""
        self.plan = plan
        self.shared = shared
        self._plans = {1.0: plan}
        self.plans = [self.plan_at(k) for k in self.KS]

    def plan_at(self, k: float):
        p = self._plans.get(k)
        if p is None:
            from costplan import patterns
            from costplan.compute.compare import scaled_scenario

            p = self._plans[k] = patterns.plan(scaled_scenario(self.plan.scenario, _dec(k)))
        return p

    @staticmethod
    def design(plan, name: str):
        return plan.lambda_design if name == "lambda" else plan.ecs_design

    def lines(self, name: str) -> list:
        """[(component, a, b, driver)] for option `name`: quantity a + b × driver(k). Fargate and EC2
        have the same lines here (their sizing lines are added apart), so they share one fit."""
        kind = "lambda" if name == "lambda" else "ecs"
        memo = self.__dict__.setdefault("_lines", {})
        if kind not in memo:
            memo[kind] = self._lines_fit(kind)
        return memo[kind]

    def _lines_fit(self, name: str) -> list:
        from costplan.compute.options import volume_components

        probes = [volume_components(p, name, self.shared) for p in self.plans]
        if len({len(c) for c in probes}) != 1:
            raise ModelError(f"{name}: the lines change with volume")
        out = []
        memo: dict = {}
        for i, cs in enumerate(zip(*probes)):
            c1 = cs[0]
            if len({(c.price_key, c.name, c.resource) for c in cs}) != 1:
                raise ModelError(f"{name}: the lines change with volume")
            if c1.name.startswith("INIT duration"):
                out.append((c1, 0.0, float(c1.quantity), f"init:{c1.resource}"))
            elif c1.price_key == "alb.lcu_hours" and c1.resource in ("load balancer", "internal load balancer"):
                out.append((c1, 0.0, 1.0, "lcu"))
            else:
                fit = _affine([float(c.quantity) for c in cs], self.KS)
                if fit is not None:
                    out.append((c1, fit[0], fit[1], "k"))
                else:
                    out.append((c1, 0.0, 1.0, self._line(name, i, memo)))
        return out

    def _line(self, name: str, i: int, memo: dict):
        """Driver of line i: its quantity from the plan re-planned at k, as a piecewise straight line."""
        from costplan.compute.options import volume_components

        def g(p):
            cs = memo.get(id(p))
            if cs is None:
                cs = memo[id(p)] = (p, volume_components(p, name, self.shared))
            return [float(cs[1][i].quantity)]

        f = self.piecewise(g)
        at = lambda k: f(k)[0]  # noqa: E731
        at.key = f"line:{name}:{i}"
        at.piece = f.piece
        return at

    def piecewise(self, g):
        """k → g(plan at k) (a list of floats) for a g that is straight between a few kinks (a min or max
        in the pattern): re-planned at the probes and then wherever the middle of a piece is off the
        line between its ends, until pieces are 0.1 % wide; between those points, interpolated."""
        import bisect

        pts = {k: g(self.plan_at(k)) for k in self.KS}
        ks = sorted(pts)
        stack = list(zip(ks, ks[1:]))

        def straight(a, b, m, vm) -> bool:
            t = (m - a) / (b - a)
            return all(abs(x + (y - x) * t - v) <= 1e-3 + 1e-9 * abs(v)  # plans keep 3 to 6 decimals
                       for x, y, v in zip(pts[a], pts[b], vm))

        while stack:
            a, b = stack.pop()
            if b / a < 1.001:
                continue
            m = math.sqrt(a * b)
            vm = pts[m] = g(self.plan_at(m))
            if straight(a, b, m, vm):
                continue
            c = self._kink(g, pts, a, b) if b / a > 1.01 else None
            if c is not None:  # one bend (a min or max of two lines): a straight piece each side of it
                stack += [(a, c), (c, b)]
                continue
            stack += [(a, m), (m, b)]
        ks = sorted(pts)
        vs = [pts[k] for k in ks]

        def at(k: float) -> list:
            j = bisect.bisect_left(ks, k)
            if j < len(ks) and ks[j] == k:
                return vs[j]
            j = min(max(j, 1), len(ks) - 1)
            a, b = ks[j - 1], ks[j]
            t = (k - a) / (b - a)
            return [x + (y - x) * t for x, y in zip(vs[j - 1], vs[j])]
        # which piece k is on: the scan treats two volumes on different pieces as a possible bend between.
        # A piece is a run of points all on the line between its ends (most points read on the way to a
        # bend are not bends), so only real bends part two volumes.
        bends: list = []
        start = 0
        for i in range(2, len(ks)):
            a, b = ks[start], ks[i]
            if not all(all(abs(x + (y - x) * (ks[j] - a) / (b - a) - v) <= 1e-3 + 1e-9 * abs(v)
                           for x, y, v in zip(vs[start], vs[i], vs[j])) for j in range(start + 1, i)):
                start = i - 1
                bends.append(ks[start])
        at.piece = lambda k: bisect.bisect_left(bends, k)
        return at

    def _kink(self, g, pts: dict, a: float, b: float) -> float | None:
        """Where the one bend between a and b lies when each value is the min or max of two straight
        lines (a consumer capped by its concurrency): the line through a and the volume read before it
        meets the line through b and the one read after it, at one volume for every value that bends.
        The plan is read there and must lie on both lines; the caller then checks each side is straight
        (else halves as before). None when the points read so far do not show one such bend."""
        import bisect

        ks = sorted(pts)
        i, j = bisect.bisect_left(ks, a), bisect.bisect_left(ks, b)
        if i == 0 or j + 1 >= len(ks):
            return None
        a0, b1 = ks[i - 1], ks[j + 1]

        def on(x0, y0, x1, y1, x, y) -> bool:  # (x, y) on the line through (x0, y0) and (x1, y1)
            return abs(y0 + (y1 - y0) * (x - x0) / (x1 - x0) - y) <= 1e-3 + 1e-9 * abs(y)

        at, bent = None, []
        for n, (y0, ya, yb, y1) in enumerate(zip(pts[a0], pts[a], pts[b], pts[b1])):
            if on(a0, y0, b1, y1, a, ya) and on(a0, y0, b1, y1, b, yb):
                continue  # one straight line from a0 to b1
            s0, s1 = (ya - y0) / (a - a0), (y1 - yb) / (b1 - b)
            if s0 == s1:
                return None
            c = (yb - s1 * b - (ya - s0 * a)) / (s0 - s1)
            if not a < c < b or (at is not None and abs(c - at) > 1e-6 * c):
                return None
            at = c
            bent.append(n)
        if at is None:
            return None
        vc = pts[at] = g(self.plan_at(at))
        return at if all(on(a0, pts[a0][n], a, pts[a][n], at, vc[n]) and on(b, pts[b][n], b1, pts[b1][n], at, vc[n])
                         for n in bent) else None

    def traffic(self, name: str, stage: str):
        """k → the stage's Traffic at k × today's volume: monthly requests and peak rate as straight
        lines in k where they are, else from the plan re-planned at k. Fargate and EC2 run one ECS
        design, so they share each stage's fit (and its re-plans)."""
        key = ("lambda" if name == "lambda" else "ecs", stage)
        memo = self.__dict__.setdefault("_traffic", {})
        if key not in memo:
            memo[key] = self._traffic_fit(name, stage)
        return memo[key]

    def _traffic_fit(self, name: str, stage: str):
        from dataclasses import replace

        def find(p):
            st = next((s for s in self.design(p, name).stages if s.name == stage), None)
            if st is None:
                raise ModelError(f"no stage {stage}")
            return st.traffic

        ts = [find(p) for p in self.plans]
        t1 = ts[0]
        # every field but the two that move with volume is the same at every probe (what Traffic's equality
        # compares, without a replace() a probe)
        rest = _still(t1)
        same = all(_still(t) == rest for t in ts)
        # traffic is kept to 3 decimals (patterns/common.py derived)
        m = _affine([float(t.monthly_requests) for t in ts], self.KS, 1e-3)
        r = _affine([float(t.peak_rps) for t in ts], self.KS, 1e-3)
        if not same:
            raise ModelError(f"{stage}: traffic changes shape with volume")
        if not (m and r):
            f = self.piecewise(lambda p: [float(find(p).monthly_requests), float(find(p).peak_rps)])

            def bent(k):
                v = f(float(k))
                return replace(t1, monthly_requests=_dec(max(v[0], 0.0)), peak_rps=_dec(max(v[1], 0.0)))
            bent.piece = f.piece
            bent.floats = lambda k: tuple(max(x, 0.0) for x in f(float(k)))
            return bent
        bm = ts[1].monthly_requests - t1.monthly_requests
        br = ts[1].peak_rps - t1.peak_rps
        am, ar = t1.monthly_requests - bm, t1.peak_rps - br

        def at(k):
            kk = k if not isinstance(k, float) else _dec(k)
            return replace(t1, monthly_requests=max(am + bm * kk, _ZERO), peak_rps=max(ar + br * kk, _ZERO))
        fm, fbm, fr, fbr = float(am), float(bm), float(ar), float(br)
        # (monthly requests, peak req/s) at k in floats, for the sizing in the scan
        at.floats = lambda k: (max(fm + fbm * k, 0.0), max(fr + fbr * k, 0.0))
        return at

    def lcu(self, name: str):
        """k → the ECS design's ALB LCU-hours: Σ hours × the largest dimension, each a straight line in k
        (else the plan re-planned at k)."""
        from costplan.compute.options import lcu_terms

        def terms(p):
            d = self.design(p, name)
            return lcu_terms(d.load_balancer, d) if d.load_balancer is not None else []

        def exact(k: float) -> float:
            return sum(float(h) * float(max(dims)) for h, dims in terms(self.plan_at(k)))

        probes = [terms(p) for p in self.plans]
        if len({len(t) for t in probes}) != 1:
            return exact
        fit = []
        for group in zip(*probes):
            if len({len(d) for _, d in group}) != 1:
                return exact
            h = _affine([float(x[0]) for x in group], self.KS)
            dims = [_affine([float(x[1][j]) for x in group], self.KS) for j in range(len(group[0][1]))]
            if h is None or any(d is None for d in dims):
                return exact
            fit.append((h, dims))

        def at(k: float) -> float:
            return sum((ha + hb * k) * max(a + b * k for a, b in dims) for (ha, hb), dims in fit)
        # which dimension is the largest in each term: the LCU line bends where that changes
        at.piece = lambda k: tuple(max(range(len(dims)), key=lambda j: dims[j][0] + dims[j][1] * k)
                                   for _, dims in fit)
        return at


def option_curve(option, plan, book, free_tier: bool, free_start: dict | None, cache: dict,
                 shapes: Shapes | None = None, check: bool = True) -> OptionCurve:
    """check: the model must give the option's bill today (else ModelError); curves() checks a model
    without the shared lines on its differences instead."""
    shapes = shapes or Shapes(plan)
    groups: dict = {}
    order: list = []

    def add(key, d, ok, a, b):
        g = (key, d, ok)
        if g not in groups:
            groups[g] = [0.0, 0.0]
            order.append(g)
        groups[g][0] += a
        groups[g][1] += b

    fns: dict = {}
    for c, a, b, d in shapes.lines(option.name):
        if callable(d):  # a line re-planned at each volume
            fns[d.key] = d
            d = d.key
        add(c.price_key, d, c.free_tier, a, b)
    for li in option.line_items:
        if _sizing_line(li, option.name):
            fp = _fp(book, li.price_key, cache)
            if len(fp.tiers) != 1 or (free_tier and li.free_tier and fp.free > 0):
                raise ModelError(f"{li.price_key}: a sizing line with tiers or a free tier")
            add(li.price_key, "sizing", li.free_tier, 0.0, float(li.quantity))
    items = [(_fp(book, key, cache), groups[(key, d, ok)][0], groups[(key, d, ok)][1], d, ok)
             for key, d, ok in order]
    curve = OptionCurve(option.name, items, free_start, free_tier)
    curve.sized_usd = sum(b * fp.tiers[0][1] for fp, a, b, d, ok in items if d == "sizing")
    for _, _, _, d, _ in curve.items:
        if d in curve.drivers or d == "k":
            continue
        if d.startswith("line:"):
            curve.drivers[d] = fns[d]
            continue
        if d.startswith("init:"):
            curve.drivers[d] = _init_ratio(plan, shapes.traffic(option.name, d[5:]))
        elif d == "lcu":
            curve.drivers[d] = shapes.lcu(option.name)
        elif d == "sizing":
            curve.drivers[d] = _sizing_ratio(plan, option, shapes, book)
    if check:
        real = float(option.monthly_usd)
        model = curve.cost(1.0)
        if abs(model - real) > 1e-6 * max(1.0, real) + 0.005:
            raise ModelError(f"{option.name}: model ${model:.4f} against ${real:.4f}")
    return curve


def curves(plan, options, book, free_tier: bool, start: dict | None = None, shared: bool = True) -> "Curves":
    """Lambda and the ECS options as functions of k: the model the scan runs on. Raises ModelError when
    it does not reproduce today's bill of every option (the one check made at run time; tests check
    it against full re-planning and re-pricing at many volumes).

    shared=False: each side without the integration services both designs price alike (an SQS queue
    or a table both keep, fixed_components(shared=False)). Those lines cost the same on both sides at
    every volume, so Lambda − ECS is unchanged (a crossing is where the two bills meet), while the
    totals the scan bounds an interval with are smaller and grow more slowly: most intervals are
    settled without being divided. Only where the account's free tier has the same left on both sides
    for those services, else ModelError; checked on today's bill as Lambda − each ECS option."""
    start = start or {}
    cache: dict = {}
    lam = next(o for o in options if o.name == "lambda")
    ecs = [o for o in options if o.name in ECS]
    if shared:
        shapes = Shapes(plan)
        return Curves(option_curve(lam, plan, book, free_tier, start.get("lambda"), cache, shapes),
                      [option_curve(o, plan, book, free_tier, start.get(o.name), cache, shapes) for o in ecs])
    from costplan.compute.options import fixed_components

    full = fixed_components(plan, plan.lambda_design)
    own = fixed_components(plan, plan.lambda_design, shared=False)
    left_out = {c.price_key for c in full} - {c.price_key for c in own}
    if not left_out:
        raise ModelError("no line is shared by both designs")
    pools = {book.get(key).free_pool or key for key in left_out}
    if any((start.get("lambda") or {}).get(p) != (start.get(o.name) or {}).get(p) for o in ecs for p in pools):
        raise ModelError("the free tier has not the same left on both sides for the shared lines")
    shapes = Shapes(plan, shared=False)
    c = Curves(option_curve(lam, plan, book, free_tier, start.get("lambda"), cache, shapes, check=False),
               [option_curve(o, plan, book, free_tier, start.get(o.name), cache, shapes, check=False) for o in ecs])
    L = c.lam.cost(1.0)
    for o, curve in zip(ecs, c.ecs):
        real = float(lam.monthly_usd - o.monthly_usd)
        if abs(L - curve.cost(1.0) - real) > 1e-6 * max(1.0, float(lam.monthly_usd)) + 0.005:
            raise ModelError(f"{o.name}: the model's Lambda − ECS ${L - curve.cost(1.0):.4f} against ${real:.4f}")
    return c


def _init_ratio(plan, traffic):
    """Cold starts at k × volume over cold starts today (coldstart.total_f, the float twin of
    coldstart.cold_starts: tests hold them equal), from the stage's traffic at k."""
    from costplan.compute import coldstart

    w = plan.scenario.workload
    hpd = float(w.active_hours_per_day)
    floats = getattr(traffic, "floats", None)
    if floats is not None:  # (requests, peak req/s) at k in floats; the rest of the traffic does not move
        t1 = traffic(1.0)
        act_s, dur_s = float(t1.active_seconds), float(t1.duration_ms) / 1000
        act_h, days1 = act_s / 3600, (act_s / 3600 / hpd if hpd else 0.0)

    def total(k: float) -> float:
        if floats is not None:
            monthly, peak = floats(k)
            avg = monthly / act_s if act_s else 0.0
            return coldstart.total_f(monthly, peak * dur_s, avg * dur_s, avg, hpd, days1, act_h)
        t = traffic(k)
        days = float(t.active_seconds) / 3600 / hpd if hpd else 0.0
        return coldstart.total_f(float(t.monthly_requests), float(t.peak_concurrency), float(t.average_concurrency),
                                 float(t.average_rps), hpd, days, float(t.active_hours))

    base = total(1.0)
    if base <= 0:
        return lambda k: 1.0
    ratio = lambda k: total(k) / base  # noqa: E731
    if hasattr(traffic, "piece"):
        ratio.piece = traffic.piece
    return ratio


_ZERO = __import__("decimal").Decimal(0)


def _traffic_still():
    from dataclasses import fields
    from operator import attrgetter

    from costplan.compute.traffic import Traffic

    return attrgetter(*(f.name for f in fields(Traffic) if f.name not in ("monthly_requests", "peak_rps")))


_still = _traffic_still()  # a Traffic's fields that do not move with volume, as a tuple


def _dec(k: float):
    from decimal import Decimal

    return Decimal(repr(k))


def _sizing_ratio(plan, option, shapes: "Shapes", book):
    """What the ECS option's sizing costs at k × volume over what it costs today, from compute/sizing.py:
    the cheapest Fargate size (or EC2 type) is chosen again at each volume, with whole tasks through the
    day, min/max, scale-out lag and pre-scaling as billed. The lines it scales (Fargate vCPU, memory and
    task IPv4; EC2 instance hours, root volumes and IPv4) are flat-priced, so scaling their quantities by
    this ratio gives the sized cost exactly. Sized on the run's price book (the one every option is priced
    on), so the tables built once per book serve every scenario of the run."""
    from dataclasses import replace

    from costplan.compute import sizing as S

    sc = plan.scenario
    ecs = sc.ecs
    design = plan.ecs_design
    stages = [s for s in design.ecs_stages if s.ecs_capable] if design is not None else []
    if not stages:
        raise ModelError("no ECS stages")
    traffic = {s.name: shapes.traffic(option.name, s.name) for s in stages}
    memo: dict = {}
    # the same choice in floats, from tables built once (sizing.VolumeSizer); the Decimal functions
    # answer where it cannot be sure of a whole count
    fast = S.VolumeSizer(stages, sc, book, option.name)
    floats = [traffic[st.name].floats for st in stages]

    def usd(k: float) -> float:
        if k in memo:
            return memo[k]
        v = fast.usd([f(k) for f in floats])
        if v is not None:
            memo[k] = v
            return v
        kk = _dec(k)
        scaled = [replace(st, traffic=traffic[st.name](kk)) for st in stages]
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
    ratio = lambda k: usd(k) / base  # noqa: E731
    bends = [t.piece for t in traffic.values() if hasattr(t, "piece")]
    if bends:
        ratio.piece = lambda k: tuple(p(k) for p in bends)
    return ratio


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
        """(Lambda, cheaper ECS, its name, the ECS sizing at k: tasks and instances of every option,
        and for the bound in scan: Lambda's regime and each ECS option's (total, sized part, regime))."""
        r = self.memo.get(k)
        if r is None:
            L = self.lam.cost(k)
            costs = [(c.cost(k), c.name) for c in self.ecs]
            E, name = min(costs)
            sig = (name, self.lam.regime(k)) + tuple((c.sizing(k), c.regime(k)) for c in self.ecs)
            parts = (self.lam.regime(k), tuple((e, c.sized(k), c.regime(k)) for (e, _), c in zip(costs, self.ecs)))
            r = self.memo[k] = (L, E, name, sig, parts)
        return r


def _no_crossing(pa, pb) -> bool:
    """Between two volumes where Lambda and each ECS option keep their tiers and free tiers (straight
    lines but for the sized part of ECS, which only grows), can Lambda − ECS change sign? Each ECS
    option lies between its straight part plus its sized part at the lower end and plus it at the upper
    end; with Lambda a straight line, the extremes are at the ends."""
    La, Lb = pa[0], pb[0]
    ra, rb = pa[4], pb[4]
    if ra[0] is None or ra[0] != rb[0]:
        return False
    opts = list(zip(ra[1], rb[1]))
    if any(a[2] is None or a[2] != b[2] or b[1] < a[1] for a, b in opts):
        return False
    if La < pa[1]:  # Lambda cheaper at the lower end: cheaper than every option throughout?
        return all(max(La - (ca - sa + sa), Lb - (cb - sb + sa)) < 0 for (ca, sa, _), (cb, sb, _) in opts)
    # ECS cheaper at the lower end: one option no dearer than Lambda throughout?
    return any(min(La - (ca - sa + sb), Lb - (cb - sb + sb)) >= 0 for (ca, sa, _), (cb, sb, _) in opts)


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
        if (fa >= 0) == (fb >= 0) and len(pts[ia]) > 3 and (
                pts[ia][3] == pts[ib][3] or (len(pts[ia]) > 4 and _no_crossing(pts[ia], pts[ib]))):
            # Same side at both ends, and between them no ECS step, no change of cheaper ECS option, no
            # tier or free-tier boundary on either bill: both totals are straight lines (but for cold starts,
            # a few cents that step with the peak concurrency), so no crossing. Or ECS steps, but by less
            # than the gap between the two bills (_no_crossing).
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
