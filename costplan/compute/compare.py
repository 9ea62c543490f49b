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
    """The headline crossing: the one nearest today's volume in the direction that would change the
    answer (up when Lambda is cheaper today, down when ECS is)."""

    monthly_requests: Decimal
    against: str  # "fargate" | "ec2"
    factor: Decimal  # × today's volume
    totals: object = field(repr=False, compare=False)  # () → (Lambda, ECS) monthly totals at the crossing
    active_seconds: Decimal = units.SECONDS_PER_MONTH  # seconds a month with traffic
    _priced: tuple | None = field(default=None, repr=False, compare=False)

    def _both(self) -> tuple[Decimal, Decimal]:
        """Both totals at the crossing, re-planned and re-priced in full: only when something shows them
        (a chart), so a batch of comparisons does not pay for it."""
        if self._priced is None:
            self._priced = self.totals()
        return self._priced

    @property
    def lambda_usd(self) -> Decimal:
        return self._both()[0]

    @property
    def ecs_usd(self) -> Decimal:
        return self._both()[1]

    @property
    def average_rps(self) -> Decimal:
        """Requests per second while traffic flows (the active hours), not over the whole month."""
        return self.monthly_requests / self.active_seconds

    @property
    def shown_requests(self) -> Decimal:
        """The volume to three significant figures: the scan is exact to 0.06 %, no finer, and
        monthly volumes in a design review are estimates."""
        return significant(self.monthly_requests)

    @property
    def shown_rps(self) -> Decimal:
        return significant(self.shown_requests / self.active_seconds)

    @property
    def shown_factor(self) -> Decimal:
        return significant(self.factor, 2)


@dataclass
class Band:
    """A range of volumes and who is cheaper across it: "lambda", "ecs" or "mixed"."""

    side: str
    lo: Decimal | None  # monthly requests; None = from the bottom of the range scanned
    hi: Decimal | None  # None = to the top of the range scanned
    crossings: int = 0  # sign changes inside a mixed band


@dataclass
class Bands:
    base: Decimal  # today's monthly requests
    crossings: list  # [(monthly requests, to side, against)], ascending
    bands: list  # [Band]
    summary: str
    repriced: bool = False  # found by re-planning at each volume (the float model could not follow the bill)


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
    bands: Bands | None = None
    free_tier_sharing: dict | None = None  # how the account's free tier was shared in this run

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


def _slow_at(sc, book, free_tier: bool, start: dict | None = None):
    """Lambda and the cheaper ECS option at k × today's volume by re-planning and re-pricing, on the free
    tier the account had left before this scenario (`start`): the fallback when the float model does
    not reproduce today's bill."""
    import copy

    def at(k: float) -> tuple[float, float, str]:
        from costplan import patterns

        plan = patterns.plan(scaled_scenario(sc, Decimal(repr(k))))
        ledger = copy.deepcopy(start) if start is not None else None
        c = {o.name: o.monthly_usd for o in price_options(plan, book, free_tier, warm=False, ledger=ledger)}
        e, name = min((c[n], n) for n in ECS if n in c)
        return float(c["lambda"]), float(e), name
    return at


def find_bands(sc, plan, options, book, free_tier: bool, base: Decimal, active_seconds: Decimal,
               ledger: dict | None = None) -> tuple[Bands | None, Breakeven | None, str]:
    """Every crossing of Lambda − the cheaper ECS option within 0.001×–1,000× today's volume, the bands
    they make, and the headline crossing for the recommendation."""
    from costplan.compute import bands as B

    if not any(o.name in ECS for o in options):
        return None, None, "no stage of this pattern can run on ECS"
    start = (ledger or {}).get("start")
    repriced = False
    try:
        try:  # without the lines both designs price alike: the same crossings, found with fewer volumes
            at = B.curves(plan, options, book, free_tier, start, shared=False).at
        except B.ModelError:
            at = B.curves(plan, options, book, free_tier, start).at
        res = B.scan(at, float(base))
    except Exception:  # noqa: BLE001 — ModelError (the model does not reproduce today's bill, or a line is
        # not a straight line in volume) or a sizing it cannot redo: re-plan and re-price at each volume
        # instead, slower but exact
        at, repriced = _slow_at(sc, book, free_tier, start), True
        res = B.scan(at, float(base), SLOW_LEVEL)
    bands = _bands(res, base, options, repriced)
    L1, E1 = at(1.0)[:2]
    head = None
    if L1 < E1:  # Lambda cheaper today: the first volume above today where ECS becomes no dearer
        head = next((c for c in res.crossings if c.to == "ecs" and c.hi > 1), None)
        note = "" if head else "ECS does not become cheaper below 1,000× today's volume"
    else:  # ECS cheaper today: the nearest volume below today where it became so
        head = next((c for c in reversed(res.crossings) if c.to == "ecs" and c.hi <= 1), None)
        note = "" if head else "ECS is cheaper at every volume down to 0.001× today's"
    if head is None:
        return bands, None, note
    k = Decimal(repr(head.hi))

    def totals(k=k, name=head.against):
        c = _costs(scaled_scenario(sc, k), book, free_tier)
        return c["lambda"], c[name]

    return bands, Breakeven(base * k, head.against, k, totals, active_seconds), ""


# Re-pricing costs a millisecond or two a volume: its grid is 2^7 cells a decade (1.8 %), not 2^11.
SLOW_LEVEL = 7


def _bands(res, base: Decimal, options, repriced: bool) -> Bands:
    def title(side: str, against: str = "") -> str:
        if side == "lambda":
            return "Lambda"
        o = next((o for o in options if o.name == against), None)
        return o.title if o else "ECS"

    def vol(k: float) -> Decimal:
        return significant(base * Decimal(repr(k)))

    xs = [(vol(c.hi), c.to, c.against) for c in res.crossings]
    lo, hi = significant(base / 1000), significant(base * 1000)
    if not xs:
        side = res.below
        who = title(side, min((o for o in options if o.name in ECS), key=lambda o: o.monthly_usd).name)
        summary = f"{who} is cheaper at every volume from {lo:,.0f} to {hi:,.0f} requests a month (0.001×–1,000× today)"
        return Bands(base, [], [Band(side, None, None)], summary, repriced)
    # Crossings less than MIXED_GAP apart form one mixed band (ECS's whole tasks stepping across
    # Lambda's line); between such clusters one side is cheaper throughout.
    clusters: list = [[res.crossings[0]]]
    for c in res.crossings[1:]:
        if c.hi / clusters[-1][-1].hi < MIXED_GAP:
            clusters[-1].append(c)
        else:
            clusters.append([c])
    bands: list = []
    parts: list = []
    side, against, start = res.below, res.crossings[0].against, None
    for cl in clusters:
        a, b = vol(cl[0].hi), vol(cl[-1].hi)
        bands.append(Band(side, start, a))
        who = title(side, against)
        parts.append(f"{who} cheaper below {a:,.0f}" if start is None else f"{who} cheaper {start:,.0f}–{a:,.0f}")
        if len(cl) > 1:
            bands.append(Band("mixed", a, b, len(cl)))
            parts.append(f"mixed {a:,.0f}–{b:,.0f} ({len(cl)} crossings)")
        side, against, start = cl[-1].to, cl[-1].against, b
    bands.append(Band(side, start, None))
    parts.append(f"{title(side, against)} cheaper from {start:,.0f}")
    summary = "; ".join(parts) + " requests a month"
    return Bands(base, xs, bands, summary, repriced)


MIXED_GAP = 1.5  # crossings closer than ×1.5 apart are one mixed band


def recommend(options: list[Option], be: Breakeven | None, bands: Bands | None = None) -> tuple[str, str]:
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
            if bands is not None and len(bands.crossings) > 1:
                why += f" ({bands.summary})"
        return "lambda", why + ": light or periodic load is cheaper without idle capacity."
    saving = (L - E) / L
    if saving < CLOSE:
        return "lambda", (f"{best_ecs.title} is cheaper by ${L - E:,.2f} a month ({saving:.0%}), under the "
                          f"{CLOSE:.0%} margin that would pay for running and patching a cluster.")
    why = (f"{best_ecs.title} costs ${E:,.2f} a month against ${L:,.2f} on Lambda ({saving:.0%} less): "
           f"steady, heavy load keeps tasks busy")
    if be is not None:
        why += f"; the break-even is {be.shown_requests:,.0f} requests a month ({be.shown_factor:,}× today)"
        if bands is not None and len(bands.crossings) > 1:
            why += f" ({bands.summary})"
    return best_ecs.name, why + "."


def compare(sc, free_tier: bool | None = None, region: str | None = None, ledger: dict | None = None,
            sharing: dict | None = None, books: dict | None = None) -> Comparison:
    """Price one scenario. `ledger` is the account's free-tier ledger when several scenarios of one
    account are priced together (see compare_many); `sharing` describes it for the output."""
    from costplan import patterns
    from costplan.compute.traffic import Traffic
    from costplan.pricing.book import PriceBook

    free = sc.free_tier if free_tier is None else free_tier
    where = region or sc.region
    book = books.get(where) if books is not None else None
    if book is None:  # one price book per region for a whole run: each parses its prices once
        book = PriceBook(where)
        if books is not None:
            books[where] = book
    plan = patterns.plan(sc)
    start = None
    if ledger is not None:
        import copy

        start = copy.deepcopy(ledger)  # what the free tier had left before this scenario
    options = price_options(plan, book, free, ledger=ledger)
    t = Traffic.from_workload(sc.workload)
    base = t.monthly_requests
    if base > 0:
        bands, be, note = find_bands(sc, plan, options, book, free, base, t.active_seconds,
                                     {"start": start} if start is not None else None)
    else:
        bands, be, note = None, None, "no traffic"
    rec, reason = recommend(options, be, bands)
    result = Comparison(sc, plan, options, be, note, rec, reason, free, bands=bands, free_tier_sharing=sharing)
    if getattr(sc, "purchase", None) is not None:  # Savings Plans / Spot: compute/purchase.py
        from costplan.compute import purchase

        if purchase.active(sc.purchase):
            result.extra["purchase"] = purchase.evaluate(result, book)
    return result


def _account_key(sc, region: str | None) -> tuple[str, str]:
    return sc.account, region or sc.region


def iter_compare(scenarios, free_tier: bool | None = None, region: str | None = None, problems: list | None = None,
                 share_free_tier: bool = True, total: int | None = None):
    """Compare scenarios one at a time (a generator over a list or a lazy iterable: nothing is kept, so
    memory does not grow with N).

    The free tier is granted once per account and region across all scenarios priced together,
    allocated in file order: each scenario's alternatives get what the earlier scenarios of the same
    account left on that alternative (the account running all of them on Lambda gets one Lambda free
    tier). Problems are appended to `problems` instead of raised, so every scenario is tried.
    share_free_tier=False prices each on its own (two versions of one design, as `diff` compares).
    `total` is how many scenarios there are (len(scenarios) when it has one)."""
    from costplan.errors import CostplanError

    if total is None:
        total = len(scenarios) if hasattr(scenarios, "__len__") else 2
    shared = share_free_tier and total > 1
    ledgers: dict = {}
    seen: dict = {}
    books: dict = {}
    for sc in scenarios:
        key = _account_key(sc, region)
        seen[key] = seen.get(key, 0) + 1
        ledger = ledgers.setdefault(key, {}) if shared else None
        sharing = ({"account": key[0], "region": key[1], "rule": "file order", "position": seen[key]}
                   if shared else None)
        try:
            yield compare(sc, free_tier=free_tier, region=region, ledger=ledger, sharing=sharing, books=books)
        except CostplanError as e:  # name the file: a folder of scenarios must say which one has the gap
            from costplan.errors import in_file

            if problems is None:
                raise CostplanError(in_file(e.problems, sc.source_file)) from None
            problems.extend(in_file(e.problems, sc.source_file))


def compare_many(scenarios, free_tier: bool | None = None, region: str | None = None,
                 share_free_tier: bool = True) -> list[Comparison]:
    """Compare every scenario, collecting every scenario's problems before raising."""
    from costplan.errors import CostplanError, in_file

    problems: list = []
    results = list(iter_compare(scenarios, free_tier, region, problems, share_free_tier))
    if problems:
        raise CostplanError(problems)
    return results
