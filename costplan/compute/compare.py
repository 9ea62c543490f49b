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
    """Smallest volume where the cheaper ECS option costs no more than Lambda: double (or halve) today's
    volume until the sign changes, then refine the bracket.

    Lambda's cost is continuous in volume; ECS's steps up with whole tasks, so the first crossing is
    where Lambda's line meets an ECS step from below and both totals agree there."""
    seen: dict = {}

    def diff(k: Decimal) -> tuple[Decimal, str, Decimal, Decimal]:
        if k in seen:
            return seen[k]
        seen[k] = _diff(k)
        return seen[k]

    def _diff(k: Decimal) -> tuple[Decimal, str, Decimal, Decimal]:
        # Integration services cost the same on every alternative: only compute decides the sign.
        c = _costs(scaled_scenario(sc, k), book, free_tier, fixed=False)
        ecs = [(c[n], n) for n in ECS if n in c]
        if not ecs:
            return Decimal(0), "", c["lambda"], Decimal(0)
        e, name = min(ecs)
        return c["lambda"] - e, name, c["lambda"], e

    d1, name, _, _ = diff(Decimal(1))
    if not name:
        return None, "no stage of this pattern can run on ECS"
    lo, hi = Decimal(1), Decimal(1)
    limit = Decimal(10) ** 6
    step = Decimal(4)  # a wide bracket is cheap: refine() narrows it by false position
    if d1 < 0:  # Lambda cheaper today: search upwards
        while True:
            lo, hi = hi, hi * step
            if hi > limit:
                return None, "ECS does not become cheaper below a million times today's volume"
            if diff(hi)[0] >= 0:
                break
    else:  # ECS already cheaper: search downwards
        while True:
            hi, lo = lo, lo / step
            if lo < 1 / limit:
                return None, "ECS is cheaper at every volume tried"
            if diff(lo)[0] < 0:
                break
    lo, hi = refine(lambda k: diff(k)[0], lo, hi)
    _, name, _, _ = diff(hi)
    totals = _costs(scaled_scenario(sc, hi), book, free_tier)
    return Breakeven(base * hi, name, hi, totals["lambda"], totals[name]), ""


def refine(f, lo: Decimal, hi: Decimal, width: Decimal = Decimal("1.001")) -> tuple[Decimal, Decimal]:
    """Narrow a bracket f(lo) < 0 <= f(hi) to hi/lo < width, by false position in log space with the
    Illinois correction, and a bisection step whenever two steps fail to halve the bracket.

    Lambda minus ECS is near-linear between ECS's steps, so this takes a few evaluations where
    bisection takes ten; the sign is all that is trusted, so a step in ECS's cost cannot mislead it.
    0.1 % in volume moves Lambda's total at most 0.1 % and ECS's cannot step down, so the two
    totals agree to within 0.1 % at `hi`, well inside the 1 % promised."""
    import math

    f_lo, f_hi = float(f(lo)), float(f(hi))
    side, checkpoint, steps = 0, hi / lo, 0
    for _ in range(100):
        if hi / lo < width:
            break
        a, b = math.log(lo), math.log(hi)
        x = b - f_hi * (b - a) / (f_hi - f_lo) if f_hi != f_lo else (a + b) / 2
        steps += 1
        if steps % 3 == 0:  # two steps since the checkpoint: did the bracket halve (in log space)?
            if math.log(hi / lo) > math.log(checkpoint) / 2:
                x = (a + b) / 2
            checkpoint = hi / lo
        k = Decimal(repr(math.exp(min(max(x, a), b))))
        if not lo < k < hi:
            k = (lo * hi).sqrt()
        fk = float(f(k))
        if fk < 0:
            lo, f_lo = k, fk
            if side == -1:
                f_hi /= 2
            side = -1
        else:
            hi, f_hi = k, fk
            if side == 1:
                f_lo /= 2
            side = 1
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
    return Comparison(sc, plan, options, be, note, rec, reason, free)


def compare_many(scenarios, free_tier: bool | None = None, region: str | None = None) -> list[Comparison]:
    """Compare every scenario, collecting every scenario's problems before raising."""
    from costplan.errors import CostplanError

    results, problems = [], []
    for sc in scenarios:
        try:
            results.append(compare(sc, free_tier=free_tier, region=region))
        except CostplanError as e:
            problems.extend(e.problems)
    if problems:
        raise CostplanError(problems)
    return results
