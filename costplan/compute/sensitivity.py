"""Sensitivity: price one scenario across a range of one input (traffic, duration or memory) and report
each alternative's total and the recommendation at every step; also the series the charts draw."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from costplan import units
from costplan.compute.compare import recommend, scaled_scenario
from costplan.errors import CostplanError, Problem

# field → (parser for absolute values, unit shown)
VARIABLES = {
    "monthly_requests": (units.count, "requests"),
    "duration_ms": (units.duration_ms, "ms"),
    "memory_mb": (units.size_mb, "MB"),
    # purchase: inputs (compute/purchase.py): absolute values, stepped evenly, zero allowed
    "spot_discount": (units.percent, "%"),
    "commitment_share": (units.percent, "%"),
}
PURCHASE_FIELDS = ("spot_discount", "commitment_share")
MEMORY_RANGE = (Decimal(128), Decimal(10240))


@dataclass(frozen=True)
class Vary:
    """`monthly_requests=0.5x..4x` (factors of today's value) or `duration_ms=100ms..400ms` (values)."""

    field: str
    lo: Decimal
    hi: Decimal
    relative: bool  # lo/hi are factors (×) rather than values


def parse_vary(text: str) -> Vary:
    name, eq, rng = (text or "").partition("=")
    ends = rng.split("..")
    if not eq or len(ends) != 2 or not all(e.strip() for e in ends):
        raise CostplanError(Problem(f"expected FIELD=LOW..HIGH, e.g. monthly_requests=0.5x..4x, got {text!r}",
                                    field="--vary"))
    name, a, b = name.strip(), ends[0].strip(), ends[1].strip()
    if name not in VARIABLES:
        from costplan.errors import did_you_mean

        raise CostplanError(Problem(f"cannot vary {name!r}{did_you_mean(name, VARIABLES)}; "
                                    f"expected one of {', '.join(VARIABLES)}", field="--vary"))
    rel = [s.lower().endswith("x") for s in (a, b)]
    if name in PURCHASE_FIELDS:
        if any(rel):
            raise CostplanError(Problem(f"give {name} as values, e.g. {name}=0%..100%", field="--vary"))
        try:
            lo, hi = units.percent(a), units.percent(b)
        except (ArithmeticError, ValueError, CostplanError) as e:
            raise CostplanError(Problem(f"bad range {a}..{b}: {e}", field="--vary")) from None
        top = Decimal("0.99") if name == "spot_discount" else Decimal(1)
        if lo < 0 or hi > top or hi < lo:
            raise CostplanError(Problem(f"{name} must run from 0% up to {top:.0%}, increasing, got {a}..{b}",
                                        field="--vary"))
        return Vary(name, lo, hi, False)
    if rel[0] != rel[1]:
        raise CostplanError(Problem("give both ends as factors (0.5x..4x) or both as values", field="--vary"))
    try:
        if rel[0]:
            lo, hi = units.number(a[:-1]), units.number(b[:-1])  # finite, in range: never NaN
        else:
            parse = VARIABLES[name][0]
            lo, hi = parse(a), parse(b)
    except (ArithmeticError, ValueError, CostplanError) as e:
        raise CostplanError(Problem(f"bad range {a}..{b}: {e}", field="--vary")) from None
    if lo <= 0 or hi <= 0 or hi < lo:
        raise CostplanError(Problem(f"the range must be positive and increasing, got {a}..{b}", field="--vary"))
    return Vary(name, lo, hi, rel[0])


def base_value(sc, name: str) -> Decimal:
    """Today's value of the varied input (monthly requests are derived from rates when not given)."""
    if name == "monthly_requests":
        from costplan.compute.traffic import Traffic

        return Traffic.from_workload(sc.workload).monthly_requests
    if name in PURCHASE_FIELDS:
        p = getattr(sc, "purchase", None)
        if p is None:
            raise CostplanError(sc.problem(f"--vary {name} needs a purchase: section (spot_stages for spot_discount, "
                                           f"commitment_usd_per_hour for commitment_share)", "purchase"))
        v = getattr(p, name)
        if v is None:  # spot_discount left to the bundled default
            from costplan.compute.purchase import spot_terms

            v = spot_terms("fargate", p).discount or Decimal(0)
        return Decimal(v)
    return getattr(sc.workload, name)


def varied(sc, name: str, k: Decimal):
    """The scenario with one input multiplied by k. Scaling duration scales its p99 too (same spread)."""
    if name == "monthly_requests":
        return scaled_scenario(sc, k)
    if name in PURCHASE_FIELDS:  # k is the value itself
        base_value(sc, name)  # a clear error without a purchase: section
        return sc.model_copy(update={"purchase": sc.purchase.model_copy(update={name: k})})
    w = sc.workload
    upd = {name: getattr(w, name) * k}
    if name == "duration_ms":  # to the microsecond: Lambda bills whole milliseconds anyway
        upd[name] = upd[name].quantize(Decimal("0.001"))
    if name == "duration_ms" and w.p99_duration_ms is not None:
        upd["p99_duration_ms"] = w.p99_duration_ms * k
    if name == "duration_ms" and not 0 < upd[name] <= 900_000:
        raise CostplanError(sc.problem(f"{upd[name] / 1000:,f} s is outside a Lambda invocation's 0–900 s",
                                       "workload", "duration_ms"))
    if name == "memory_mb":  # Lambda takes whole megabytes
        upd[name] = upd[name].to_integral_value()
        lo, hi = MEMORY_RANGE
        if not lo <= upd[name] <= hi:
            raise CostplanError(sc.problem(f"{upd[name]:,.0f} MB is outside Lambda's {lo:,.0f}–{hi:,.0f} MB",
                                           "workload", "memory_mb"))
    return sc.model_copy(update={"workload": w.model_copy(update=upd)})


def factors(lo: Decimal, hi: Decimal, steps: int, exact: bool = False) -> list[Decimal]:
    """`steps` points from lo to hi, evenly spaced on a log scale (each step the same ratio), both ends in."""
    if steps < 2 or lo == hi:
        return [lo] if lo == hi else [lo, hi][:max(steps, 1)]
    ratio = (hi / lo) ** (Decimal(1) / (steps - 1))
    out = [lo * ratio ** i for i in range(steps - 1)] + [hi]
    if exact:
        return out
    return [f.quantize(Decimal("0.0001")) if f < 1000 else f.to_integral_value() for f in out]


@dataclass
class Point:
    factor: Decimal
    value: Decimal  # the varied input at this step
    totals: dict[str, Decimal]  # option name → monthly USD (exact)
    recommendation: str


@dataclass
class Sweep:
    scenario: object
    field: str
    unit: str
    base: Decimal
    titles: dict[str, str]  # option name → title, in compare's order
    points: list[Point] = field(default_factory=list)

    def series(self, option: str) -> list[Decimal]:
        return [p.totals.get(option) for p in self.points]

    @property
    def values(self) -> list[Decimal]:
        return [p.value for p in self.points]

    @property
    def changes(self) -> list[tuple[Point, Point]]:
        """Consecutive steps where the recommendation flips."""
        return [(a, b) for a, b in zip(self.points, self.points[1:]) if a.recommendation != b.recommendation]


def price_point(sc, book, free: bool, warm: bool = True):
    """The options compare() would price for this scenario (same book, same free tier)."""
    from costplan import patterns
    from costplan.compute.options import price_options

    plan = patterns.plan(sc)
    opts = price_options(plan, book, free, warm=warm)
    p = getattr(sc, "purchase", None)
    if p is not None:
        from costplan.compute import purchase

        if purchase.active(p):  # totals under the purchase option, as compare shows them
            opts = purchase.as_options(purchase.transform(opts, plan, p, book.region), opts)
    return opts


def sweep(sc, name: str, ks: list[Decimal], free_tier: bool | None = None, region: str | None = None,
          warm: bool = True) -> Sweep:
    """Price the scenario at each factor k of one input. Totals equal compare(varied(sc, name, k))."""
    from costplan.pricing.book import PriceBook

    if name not in VARIABLES:
        raise CostplanError(Problem(f"cannot vary {name!r}; expected one of {', '.join(VARIABLES)}"))
    free = sc.free_tier if free_tier is None else free_tier
    book = PriceBook(region or sc.region)
    base = base_value(sc, name)
    out = Sweep(sc, name, VARIABLES[name][1], base, {})
    for k in ks:
        vsc = varied(sc, name, k)
        opts = price_point(vsc, book, free, warm)
        for o in opts:
            out.titles.setdefault(o.name, o.title)
        # The recommended alternative does not depend on the break-even (only its wording does).
        rec, _ = recommend(opts, None)
        out.points.append(Point(k, base_value(vsc, name), {o.name: o.monthly_usd for o in opts}, rec))
    return out


def sensitivity(sc, vary: Vary, steps: int = 8, free_tier: bool | None = None,
                region: str | None = None) -> Sweep:
    if steps < 2 or steps > 200:
        raise CostplanError(Problem(f"--steps must be 2–200, got {steps}", field="--steps"))
    base = base_value(sc, vary.field)
    if vary.field in PURCHASE_FIELDS:
        n = steps - 1
        values = [vary.lo + (vary.hi - vary.lo) * i / n for i in range(n)] + [vary.hi]
        return sweep(sc, vary.field, values, free_tier, region)
    if vary.relative:
        lo, hi = vary.lo, vary.hi
    else:
        if base <= 0:
            raise CostplanError(Problem(f"{vary.field} is zero today: give factors, not values", field="--vary"))
        lo, hi = vary.lo / base, vary.hi / base
    return sweep(sc, vary.field, factors(lo, hi, steps, exact=not vary.relative), free_tier, region)


def cost_curve(sc, breakeven=None, points: int = 41, free_tier: bool | None = None,
               region: str | None = None) -> Sweep:
    """Monthly cost of Lambda, Fargate and EC2 against monthly requests, wide enough to show the
    break-even (from compare) inside the range: log-spaced from ~1/10 of min(today, break-even) to
    ~10× max(today, break-even)."""
    lo, hi = Decimal("0.1"), Decimal(10)
    if breakeven is not None:
        lo = min(lo, breakeven.factor / 10)
        hi = max(hi, breakeven.factor * 10)
    return sweep(sc, "monthly_requests", factors(lo, hi, points), free_tier, region, warm=False)


# ---- queue backlog -----------------------------------------------------------------------------

@dataclass
class Backlog:
    queue: str
    arrival_peak_rps: Decimal
    after_rps: Decimal  # arrivals once the peak window is over
    drain_rps: Decimal  # what the consumer can take off the queue per second
    window_s: Decimal
    times_s: list[Decimal]
    depth: list[Decimal]  # messages waiting at each time
    drained_at_s: Decimal | None  # when the backlog is back to zero; None = never (drain ≤ arrivals)
    basis: str  # how the drain rate was derived


def drain_rate(q: dict, plan) -> tuple[Decimal | None, str]:
    """Messages per second the consumer removes: declared by the pattern, else concurrency × batch ÷
    duration of one batch (concurrency = the event source cap, else reserved, else the account's 1,000)."""
    for key in ("drain_rps", "consumer_capacity_rps", "consumer_rps"):
        if q.get(key) is not None:
            return Decimal(q[key]), f"{key} from the plan"
    stage = next((s for s in getattr(plan, "stages", []) if s.name == q.get("consumer")), None)
    if stage is None:
        return None, "no consumer stage"
    batch = Decimal(q.get("batch_size") or stage.batch_size or 1)
    conc = q.get("max_concurrency") or stage.max_concurrency or stage.reserved_concurrency
    basis = "event source maximum concurrency" if q.get("max_concurrency") or stage.max_concurrency else (
        "reserved concurrency" if stage.reserved_concurrency else "account concurrency 1,000 (default quota)")
    conc = Decimal(conc or 1000)
    seconds = stage.traffic.duration_ms / 1000
    if seconds <= 0:
        return None, "consumer duration is zero"
    return conc * batch / seconds, f"{conc:,.0f} concurrent × {batch:,.0f} per batch ÷ {seconds} s ({basis})"


def backlog(q: dict, plan, samples: int = 60) -> Backlog | None:
    """Queue depth while the peak window's arrivals exceed the drain rate, then while it drains."""
    a = q.get("arrival_peak_rps")
    window = q.get("peak_window_s")
    if a is None or not window:
        return None
    a, window = Decimal(a), Decimal(window)
    after = Decimal(q.get("arrival_average_rps") or 0)
    after = min(after, a)
    d, basis = drain_rate(q, plan)
    if d is None:
        return None
    peak_depth = max(Decimal(0), (a - d) * window)
    if peak_depth == 0:
        drained, end = window, window
    elif d > after:
        drained = window + peak_depth / (d - after)
        end = drained
    else:
        drained, end = None, window * 2
    end = max(end * Decimal("1.1"), window * Decimal("1.1"))
    times = [end * i / samples for i in range(samples + 1)]
    if drained is not None and drained not in times:
        times = sorted(times + [window, drained])
    else:
        times = sorted(set(times + [window]))

    def depth(t: Decimal) -> Decimal:
        if t <= window:
            return max(Decimal(0), (a - d) * t)
        return max(Decimal(0), peak_depth - (d - after) * (t - window))

    return Backlog(str(q.get("name", "queue")), a, after, d, window, times, [depth(t) for t in times],
                   drained, basis)


# ---- output shapes (rendered by the CLI through report.render) ---------------------------------------

def _show(v: Decimal, unit: str) -> str:
    if unit == "%":
        return f"{float(v * 100):.4g}%"
    if unit == "requests":
        return f"{v:,.0f}"
    return f"{v:,.0f} {unit}" if v >= 100 else f"{v.normalize():f} {unit}"


def rows(sw: Sweep) -> tuple[list[str], list[list[str]], str]:
    """(headers, rows, align): one row per step — the input, its factor, each total, the recommendation."""
    from costplan.report.render import usd

    names = list(sw.titles)
    headers = [sw.field, "×today"] + [sw.titles[n] for n in names] + ["recommended"]
    out = []
    for p in sw.points:
        cheapest = min((p.totals[n], n) for n in names if n in p.totals)[1]
        cells = [usd(p.totals[n]) + (" *" if n == cheapest else "") if n in p.totals else "—" for n in names]
        factor = "" if sw.field in PURCHASE_FIELDS else f"{float(p.factor):.4g}"
        out.append([_show(p.value, sw.unit), factor] + cells + [sw.titles.get(p.recommendation,
                                                                                                     p.recommendation)])
    return headers, out, "rr" + "r" * len(names) + "l"


def csv_rows(sw: Sweep) -> tuple[list[str], list[list]]:
    """Plain numbers for spreadsheets: the input, the factor, each total in USD (exact), the recommendation."""
    names = list(sw.titles)
    rows = [[f"{p.value.normalize():f}", f"{p.factor.normalize():f}"]
            + [f"{p.totals[n]:.6f}" if n in p.totals else "" for n in names] + [p.recommendation] for p in sw.points]
    return [sw.field, "factor"] + [f"{n}_usd" for n in names] + ["recommendation"], rows


def as_dict(sw: Sweep) -> dict:
    from costplan.pricing.bill import money

    return {"scenario": sw.scenario.name, "field": sw.field, "unit": sw.unit, "today": float(sw.base),
            "alternatives": sw.titles,
            "points": [{"factor": float(p.factor), "value": float(p.value),
                        "totals_usd": {n: money(v) for n, v in p.totals.items()},
                        "recommendation": p.recommendation} for p in sw.points],
            "recommendation_changes": [{"from": a.recommendation, "to": b.recommendation,
                                        "between": [float(a.value), float(b.value)]} for a, b in sw.changes]}


def summary(sw: Sweep) -> str:
    if not sw.changes:
        rec = sw.points[0].recommendation if sw.points else ""
        return f"The recommendation is {sw.titles.get(rec, rec)} across the whole range."
    return " ".join(f"The recommendation changes from {sw.titles.get(a.recommendation, a.recommendation)} to "
                    f"{sw.titles.get(b.recommendation, b.recommendation)} between {_show(a.value, sw.unit)} and "
                    f"{_show(b.value, sw.unit)}." for a, b in sw.changes)


# ---- notification cost against audience ----------------------------------------------------------

NOTIFY_TITLES = {"polling": "HTTP polling", "websocket": "WebSocket API", "mqtt": "IoT Core MQTT"}


@dataclass
class NotifyCurve:
    series: dict[str, list[tuple[Decimal, Decimal]]]  # title → [(audience, monthly USD)]
    crossovers: dict[str, Decimal | None]  # title → audience where polling becomes dearer
    audience: Decimal  # the scenario's


def notify_curve(sc, free_tier: bool | None = None, region: str | None = None,
                 points: int = 13) -> tuple[NotifyCurve | None, str]:
    """Polling, WebSocket and MQTT monthly cost from 1/100 to 100× the scenario's audience, through
    costplan.patterns.notify.price_notify; (None, why) when the scenario has no audience or the module is absent."""
    if not sc.notify and not sc.pattern.endswith("_notify"):
        return None, ""
    try:
        from costplan.patterns.notify import price_notify, settings_of
    except ImportError:
        return None, "no notify chart: notification pricing (costplan.patterns.notify) is not in this build"
    from costplan.pricing.book import PriceBook

    free = sc.free_tier if free_tier is None else free_tier
    base = settings_of(sc).audience
    auds = [(base * k).to_integral_value() or Decimal(1) for k in factors(Decimal("0.01"), Decimal(100), points)]
    r = price_notify(sc, PriceBook(region or sc.region), free, audiences=auds)
    series = {NOTIFY_TITLES.get(m, m): [(row["audience"], row[m]) for row in r.rows] for m in r.methods}
    cross = {NOTIFY_TITLES.get(m, m): v for m, v in r.crossovers.items()}
    return NotifyCurve(series, cross, base), ""
