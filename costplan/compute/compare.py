"""The article's calculator: price a scenario on every alternative, find the break-even volume where
ECS becomes cheaper than Lambda, and recommend one with its reason."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from costplan import units
from costplan.compute.options import Option, price_options

ECS = ("fargate", "ec2")
CLOSE = Decimal("0.10")  # within 10 %, prefer Lambda: no servers, no idle capacity to manage


@dataclass
class Breakeven:
    monthly_requests: Decimal
    against: str  # "fargate" | "ec2"
    factor: Decimal  # × today's volume
    lambda_usd: Decimal
    ecs_usd: Decimal

    @property
    def average_rps(self) -> Decimal:
        return self.monthly_requests / units.SECONDS_PER_MONTH

    @property
    def shown_requests(self) -> Decimal:
        """The volume to three significant figures: the search is exact to 0.1 %, no finer, and
        monthly volumes in a design review are estimates."""
        return significant(self.monthly_requests)

    @property
    def shown_rps(self) -> Decimal:
        return significant(self.shown_requests / units.SECONDS_PER_MONTH)

    @property
    def shown_factor(self) -> Decimal:
        return significant(self.factor, 2)


def significant(d: Decimal, digits: int = 3) -> Decimal:
    if d == 0:
        return d
    return Decimal(format(Decimal(f"{d:.{digits - 1}e}"), "f"))  # 1.6E+2 → 160


@dataclass
class Comparison:
    scenario: object
    plan: object
    options: list[Option]
    breakeven: Breakeven | None
    breakeven_note: str
    recommendation: str
    reason: str
    free_tier: bool = True
    extra: dict = field(default_factory=dict)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    @property
    def cheapest(self) -> Option:
        return min(self.options, key=lambda o: o.monthly_usd)


def scaled_scenario(sc, k: Decimal):
    """The same scenario with k times the traffic (same shape)."""
    w = sc.workload
    upd = {}
    for f in ("monthly_requests", "average_rps", "peak_rps"):
        v = getattr(w, f)
        if v is not None:
            upd[f] = v * k
    return sc.model_copy(update={"workload": w.model_copy(update=upd)})


def _costs(sc, book, free_tier: bool, fixed: bool = True) -> dict[str, Decimal]:
    from costplan import patterns

    plan = patterns.plan(sc)
    return {o.name: o.monthly_usd for o in price_options(plan, book, free_tier, warm=False, fixed=fixed)}


def find_breakeven(sc, book, free_tier: bool, base: Decimal) -> tuple[Breakeven | None, str]:
    """The volume where the cheaper ECS option comes to cost no more than Lambda: walk out from
    today's volume until the sign changes, then refine the bracket.

    Lambda's cost is continuous in volume; ECS's steps up with whole tasks (or instances), so the
    crossing is where Lambda's line meets an ECS step from below and both totals agree there. Where
    a step makes the two cross, uncross and cross again within a few per cent (a volume at which one
    more EC2 instance is briefly cheap), the crossing reported is the one the walk brackets, which
    need not be the lowest: avatar_resize_claim_check has EC2 cheaper over 3.89–4.0× only, and
    ECS stays cheaper from 4.42× (Fargate), which is the one reported."""
    seen: dict = {}

    def diff(k: Decimal) -> tuple[Decimal, str, Decimal, Decimal]:
        if k in seen:
            return seen[k]
        seen[k] = _diff(k)
        return seen[k]

    def _diff(k: Decimal) -> tuple[Decimal, str, Decimal, Decimal]:
        # Lines both designs pay alike are left out (fixed=False): only what differs decides the sign.
        c = _costs(scaled_scenario(sc, k), book, free_tier, fixed=False)
        ecs = [(c[n], n) for n in ECS if n in c]
        if not ecs:
            return Decimal(0), "", c["lambda"], Decimal(0)
        e, name = min(ecs)
        return c["lambda"] - e, name, c["lambda"], e

    d1, name, _, _ = diff(Decimal(1))
    if not name:
        return None, "no stage of this pattern can run on ECS"
    found = bracket(lambda k: diff(k)[0], d1)
    if isinstance(found, str):
        return None, found
    lo, hi = refine(lambda k: diff(k)[0], *found)
    _, name, _, _ = diff(hi)
    totals = _costs(scaled_scenario(sc, hi), book, free_tier)
    return Breakeven(base * hi, name, hi, totals["lambda"], totals[name]), ""


LIMIT = Decimal(10) ** 6  # search no further than a million times (or a millionth of) today's volume


def bracket(f, f1: Decimal) -> tuple[Decimal, Decimal] | str:
    """From k = 1 (f(1) = f1), walk towards the sign change of f = Lambda − ECS and return (lo, hi)
    with f(lo) < 0 <= f(hi); or say why there is none within LIMIT.

    Up when Lambda is cheaper today, down when ECS is. Each step aims where the line through the
    last two points crosses zero, 2 % beyond it so that the step usually crosses, and moves at least
    ×1.25 and at most ×64: Lambda − ECS is close to linear in volume, so the walk usually brackets
    the crossing in two or three prices where doubling took up to ten."""
    import math

    up = f1 < 0
    edge = LIMIT if up else 1 / LIMIT
    k_prev, f_prev = Decimal(1), float(f1)
    k = Decimal(2) if up else Decimal("0.5")
    while True:
        fk = float(f(k))
        if (fk >= 0) if up else (fk < 0):
            return (k_prev, k) if up else (k, k_prev)
        if k == edge:
            return ("ECS does not become cheaper below a million times today's volume" if up
                    else "ECS is cheaper at every volume tried")
        a, b = float(k_prev), float(k)
        root = b - fk * (b - a) / (fk - f_prev) if fk != f_prev else math.nan
        ratio = root / b if up else (b / root if root > 0 else math.nan)
        step = 8.0 if not ratio > 1 else min(max(ratio * 1.02, 1.25), 64.0)  # nan or wrong way: ×8
        k_prev, f_prev = k, fk
        nxt = Decimal(repr(b * step if up else b / step))
        k = min(nxt, edge) if up else max(nxt, edge)


def refine(f, lo: Decimal, hi: Decimal, width: Decimal = Decimal("1.001")) -> tuple[Decimal, Decimal]:
    """Narrow a bracket f(lo) < 0 <= f(hi) to hi/lo < width.

    Each round estimates the crossing by false position (linear in volume) and prices two points
    just either side of it, 0.07 % apart: when the estimate is good, as it is wherever Lambda − ECS
    is near-linear between ECS's steps, that closes the bracket in two prices. A round that does not
    halve the bracket (in log space) adds a bisection, so a step in ECS's cost, where the line is
    no guide, still costs only a few more. The sign is all that is trusted: 0.1 % in volume moves
    Lambda's total at most 0.1 % and ECS's cannot step down, so the two totals agree to within
    0.1 % at `hi`, well inside the 1 % promised."""
    import math

    f_lo, f_hi = float(f(lo)), float(f(hi))
    half = (float(width) - 1) / 3

    def probe(k: Decimal) -> None:
        nonlocal lo, hi, f_lo, f_hi
        if not lo < k < hi:
            return
        fk = float(f(k))
        if fk < 0:
            lo, f_lo = k, fk
        else:
            hi, f_hi = k, fk

    for _ in range(200):
        if hi / lo < width:
            break
        before = math.log(hi / lo)
        a, b = float(lo), float(hi)
        x = b - f_hi * (b - a) / (f_hi - f_lo) if f_hi != f_lo else (a + b) / 2
        x = min(max(x, a), b)
        probe(Decimal(repr(x * (1 - half))))
        probe(Decimal(repr(x * (1 + half))))
        if hi / lo >= width and math.log(hi / lo) > before / 2:
            probe((lo * hi).sqrt())
    return lo, hi


def recommend(options: list[Option], be: Breakeven | None) -> tuple[str, str]:
    lam = next(o for o in options if o.name == "lambda")
    ecs = [o for o in options if o.name in ECS]
    if not ecs:
        return "lambda", "only the Lambda design applies to this pattern's compute"
    best_ecs = min(ecs, key=lambda o: o.monthly_usd)
    L, E = lam.monthly_usd, best_ecs.monthly_usd
    if L <= E:
        why = f"Lambda costs ${L:,.2f} a month against ${E:,.2f} for {best_ecs.title}"
        if be is not None:
            why += (f"; ECS becomes cheaper only at {be.shown_requests:,.0f} requests a month "
                    f"({be.shown_factor:,}× today's volume)")
        return "lambda", why + ": light or periodic load is cheaper without idle capacity."
    saving = (L - E) / L
    if saving < CLOSE:
        return "lambda", (f"{best_ecs.title} is cheaper by ${L - E:,.2f} a month ({saving:.0%}), under the "
                          f"{CLOSE:.0%} margin that would pay for running and patching a cluster.")
    why = (f"{best_ecs.title} costs ${E:,.2f} a month against ${L:,.2f} on Lambda ({saving:.0%} less): "
           f"steady, heavy load keeps tasks busy")
    if be is not None:
        why += f"; the break-even is {be.shown_requests:,.0f} requests a month ({be.shown_factor:,}× today)"
    return best_ecs.name, why + "."


def compare(sc, free_tier: bool | None = None, region: str | None = None) -> Comparison:
    from costplan import patterns
    from costplan.pricing.book import PriceBook

    free = sc.free_tier if free_tier is None else free_tier
    book = PriceBook(region or sc.region)
    plan = patterns.plan(sc)
    options = price_options(plan, book, free)
    from costplan.compute.traffic import Traffic

    base = Traffic.from_workload(sc.workload).monthly_requests
    be, note = find_breakeven(sc, book, free, base) if base > 0 else (None, "no traffic")
    rec, reason = recommend(options, be)
    result = Comparison(sc, plan, options, be, note, rec, reason, free)
    if getattr(sc, "purchase", None) is not None:  # Savings Plans / Spot: compute/purchase.py
        from costplan.compute import purchase

        if purchase.active(sc.purchase):
            result.extra["purchase"] = purchase.evaluate(result, book)
    return result


def compare_many(scenarios, free_tier: bool | None = None, region: str | None = None) -> list[Comparison]:
    """Compare every scenario, collecting every scenario's problems before raising."""
    from costplan.errors import CostplanError, in_file

    results, problems = [], []
    for sc in scenarios:
        try:
            results.append(compare(sc, free_tier=free_tier, region=region))
        except CostplanError as e:  # name the file: a folder of scenarios must say which one has the gap
            problems.extend(in_file(e.problems, sc.source_file))
    if problems:
        raise CostplanError(problems)
    return results
