"""Purchase options: Savings Plans and Spot as a transformation of priced options.

compare prices every alternative on-demand; this module re-prices the same line items under the
scenario's `purchase:` (or `compare --purchase`), by price key, and finds the break-even under it.

The commitment model (AWS Savings Plans User Guide, "Understanding how Savings Plans apply"):
- A Savings Plan is an hourly commitment in dollars of Savings Plans rates. In each hour, eligible
  usage is covered at its Savings Plans rate, highest savings percentage first, until the commitment
  is used up; the rest is billed on-demand. Monthly usage is treated as an average hour (÷ 730 h).
- With no `commitment_usd_per_hour`, the organisation buys a new commitment sized to this option's
  average hour, so all its eligible usage is covered. An hour busier than the average would spill
  over to on-demand and a quieter one leave commitment unused; that is assumed absorbed by the
  account's other eligible usage (stated in the output).
- With `commitment_usd_per_hour` (a commitment the organisation already has or will buy for several
  workloads) and `commitment_share` (the fraction of it other workloads already use), this workload
  gets only the headroom, commitment × (1 − share) per hour: the marginal rate a new workload
  really sees. Headroom left unused is not charged to this workload.
- Upfront payments (partial: half, all: the whole term) are amortised evenly over the term's
  months; amortised plus recurring equals the commitment × 730 h every month.
- Spot: stages listed in `spot_stages` run on Fargate Spot (or, when every ECS stage is listed, the
  EC2 cluster on Spot) at on-demand × (1 − spot_discount). Savings Plans never cover Spot usage.
  The synchronous API is refused unless `allow_api_on_spot` is set.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

from costplan import units
from costplan.errors import CostplanError, Problem, did_you_mean

HOURS = units.HOURS_PER_MONTH
HOURS_PER_YEAR = Decimal(8760)
ON_DEMAND = "on-demand"
ZERO = Decimal(0)


@dataclass(frozen=True)
class PlanType:
    name: str  # "compute-sp-1y-no-upfront"
    type: str  # on_demand | compute | ec2_instance
    term_years: int = 0
    payment: str = ""  # no_upfront | partial_upfront | all_upfront
    upfront_share: Decimal = ZERO

    @property
    def title(self) -> str:
        if self.type == "on_demand":
            return "On-demand"
        kind = "Compute Savings Plan" if self.type == "compute" else "EC2 Instance Savings Plan"
        pay = self.payment.replace("_", " ").capitalize()
        return f"{kind}, {self.term_years} year, {pay}"


@lru_cache(maxsize=1)
def _data() -> dict:
    from costplan.pricing.book import read_data_file

    data, _ = read_data_file("savings_plans.yaml")
    return data


def plans() -> dict[str, PlanType]:
    data = _data()
    pays = data.get("payments", {})
    out = {}
    for name, p in data["plans"].items():
        share = Decimal(str(pays.get(p.get("payment", ""), {}).get("upfront_share", 0)))
        out[name] = PlanType(name, p["type"], int(p.get("term_years", 0)), p.get("payment", ""), share)
    return out


def plan(name: str) -> PlanType:
    known = plans()
    key = str(name).strip().lower()
    if key not in known:
        raise CostplanError(Problem(f"unknown purchase option {name!r}{did_you_mean(key, known)}; expected one of "
                                    f"{', '.join(known)}", field="purchase.option"))
    return known[key]


def eligible(key: str, plan_type: str) -> bool:
    for pat in _data().get("eligible", {}).get(plan_type, []):
        if pat == key or (pat.endswith(".*") and key.startswith(pat[:-1])):
            return True
    return False


@dataclass(frozen=True)
class Rate:
    key: str
    plan: str
    region: str
    usd_per_unit: Decimal  # per unit of the on-demand price key
    shown: str  # "$0.032384 per vCPU-hour"
    source: object  # pricing.book.Source
    note: str = ""


def rate(key: str, plan_name: str, region: str) -> Rate | None:
    """The Savings Plans rate of a price key under a plan in a region; None is a gap."""
    entry = _data().get("rates", {}).get(key)
    if not entry:
        return None
    r = (entry.get("regions", {}).get(region) or {}).get(plan_name)
    if r is None:
        return None
    if not isinstance(r, dict):
        r = {"usd": r}
    from costplan.pricing.book import _source

    per = Decimal(str(entry.get("per", 1)))
    usd = Decimal(str(r["usd"]))
    unit = entry.get("unit", "")
    if per == 3600 and unit.endswith("-seconds"):
        shown = f"${usd.normalize():f} per {unit[:-len('-seconds')]}-hour"
    else:
        shown = f"${usd.normalize():f} per {unit[:-1] if unit.endswith('s') else unit}"
    src = _source(_data().get("sources", {}), r.get("source", entry.get("source", "")), key)
    return Rate(key, plan_name, region, usd / per, shown, src, r.get("note", entry.get("note", "")))


def price_rows(region: str) -> list[dict]:
    """Every bundled Savings Plans rate in a region, for `costplan pricing show savings_plans`."""
    rows = []
    for key, entry in _data().get("rates", {}).items():
        for plan_name in (entry.get("regions", {}).get(region) or {}):
            r = rate(key, plan_name, region)
            rows.append({"key": f"{key} ({plan_name})", "description": entry.get("offer_usagetype", ""),
                         "price": r.shown, "source": r.source.url, "as_of": r.source.as_of,
                         "grade": r.source.grade, "origin": "savings_plans.yaml"})
    spot = _data().get("spot", {})
    ec2 = spot.get("ec2", {})
    if (ec2.get("regions", {}).get(region) or {}):
        from costplan.pricing.book import _source

        src = _source(_data().get("sources", {}), ec2.get("source", ""), "spot.ec2")
        for itype, t in ec2["regions"][region].items():
            rows.append({"key": f"spot.ec2.{itype}", "description": f"EC2 Spot, interruption {t['interruption']}",
                         "price": f"{Decimal(str(t['savings'])):.0%} off on-demand", "source": src.url,
                         "as_of": src.as_of, "grade": src.grade, "origin": "savings_plans.yaml"})
    if not rows:
        rows.append({"key": "", "description": "", "price": "gap",
                     "source": f"no Savings Plans rate bundled for {region} (pricing_data/savings_plans.yaml)",
                     "as_of": "", "origin": ""})
    return rows


# ---- Spot ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SpotTerms:
    discount: Decimal | None  # None: unknown (a gap)
    basis: str  # where the discount comes from
    interruption: str


def spot_terms(capacity: str, purchase, instance_type: str = "", region: str = "") -> SpotTerms:
    """The Spot discount for 'fargate' or 'ec2': the scenario's spot_discount, else the bundled default
    (Fargate: one figure; EC2: the instance type's Spot Instance Advisor savings in the region)."""
    s = _data().get("spot", {}).get(capacity, {})
    inter = s.get("interruption", "")
    if purchase.spot_discount is not None:
        return SpotTerms(Decimal(purchase.spot_discount), f"purchase.spot_discount {purchase.spot_discount:.0%}",
                         inter)
    if capacity == "ec2":
        return _ec2_spot_terms(s, instance_type, region, inter)
    d = s.get("default")
    if d:
        from costplan.pricing.book import _source

        src = _source(_data().get("sources", {}), d["source"], f"spot.{capacity}")
        band = s.get("band", {})
        up_to = f"; AWS: up to {Decimal(str(band['max_discount'])):.0%}" if band.get("max_discount") else ""
        return SpotTerms(Decimal(str(d["discount"])),
                         f"bundled default {Decimal(str(d['discount'])):.2%} ({d.get('note', '')}; "
                         f"{src.title.split(':')[0]} {src.url}, {src.as_of}){up_to}", inter)
    return SpotTerms(None, s.get("gap", f"no bundled {capacity} Spot discount"), inter)


def _ec2_spot_terms(s: dict, instance_type: str, region: str, inter: str) -> SpotTerms:
    types = (s.get("regions", {}).get(region) or {})
    t = types.get(instance_type)
    if not t:
        return SpotTerms(None, f"{instance_type or 'the instance type'} in {region or 'this region'}: "
                               f"{s.get('gap', 'no bundled EC2 Spot discount')}", inter)
    from costplan.pricing.book import _source

    src = _source(_data().get("sources", {}), s.get("source", ""), "spot.ec2")
    family = instance_type.split(".")[0]
    band = sorted(Decimal(str(v["savings"])) for k, v in types.items() if k.split(".")[0] == family)
    d = Decimal(str(t["savings"]))
    return SpotTerms(d, f"bundled default {d:.0%} for {instance_type} in {region} (AWS Spot Instance Advisor, "
                        f"{src.as_of}: savings over on-demand {d:.0%}, interruption frequency {t['interruption']}; "
                        f"{family} family {band[0]:.0%}-{band[-1]:.0%}; {src.title.split(':')[0]} {src.url})", inter)


# ---- the transformation ------------------------------------------------------------------------

@dataclass
class Priced:
    """One line item under the purchase option."""

    item: object  # the on-demand LineItem
    how: str  # "on-demand" | "savings plan" | "part savings plan" | "spot" | "not covered (gap)"
    committed_usd: Decimal
    rate: str = ""  # the rate applied, for display

    def to_json(self) -> dict:
        from costplan.pricing.bill import money

        d = self.item.to_json()
        d.update({"on_demand_usd": money(self.item.monthly_usd), "committed_usd": money(self.committed_usd),
                  "pricing": self.how})
        if self.rate:
            d["rate"] = self.rate
        return d


@dataclass
class PurchasedOption:
    name: str
    title: str
    on_demand_usd: Decimal
    monthly_usd: Decimal  # under the purchase option
    items: list[Priced]
    eligible_on_demand_usd: Decimal = ZERO  # on-demand value of the usage the commitment covers
    covered_sp_usd: Decimal = ZERO  # that usage at Savings Plans rates (what the commitment pays for)
    needed_per_hour: Decimal = ZERO  # hourly commitment that covers this option's eligible usage
    commitment_per_hour: Decimal = ZERO  # the commitment in play (bought, or the headroom used)
    upfront_usd: Decimal = ZERO
    upfront_monthly_usd: Decimal = ZERO
    recurring_monthly_usd: Decimal = ZERO
    spot_saving_usd: Decimal = ZERO
    gaps: list[str] = field(default_factory=list)

    @property
    def saving_usd(self) -> Decimal:
        return self.on_demand_usd - self.monthly_usd

    def to_json(self) -> dict:
        from costplan.pricing.bill import money

        return {"name": self.name, "title": self.title, "on_demand_usd": money(self.on_demand_usd),
                "committed_usd": money(self.monthly_usd), "saving_usd": money(self.saving_usd),
                "covered_on_demand_usd": money(self.eligible_on_demand_usd),
                "covered_at_savings_plan_rates_usd": money(self.covered_sp_usd),
                "commitment_needed_usd_per_hour": float(self.needed_per_hour.quantize(Decimal("0.0001"))),
                "commitment_used_usd_per_hour": float(self.commitment_per_hour.quantize(Decimal("0.0001"))),
                "upfront_usd": money(self.upfront_usd), "upfront_amortised_monthly_usd": money(self.upfront_monthly_usd),
                "recurring_monthly_usd": money(self.recurring_monthly_usd),
                "spot_saving_usd": money(self.spot_saving_usd), "gaps": self.gaps,
                "line_items": [p.to_json() for p in self.items]}


def _spot_stages(plan_obj, purchase) -> tuple[set[str], list[Problem]]:
    """Validated names of the stages allowed on Spot."""
    sc = plan_obj.scenario
    names = {s.name: s for s in plan_obj.stages}
    problems, ok = [], set()
    for i, n in enumerate(purchase.spot_stages):
        s = names.get(n)
        if s is None:
            problems.append(sc.problem(f"no stage {n!r} in this {sc.pattern} plan{did_you_mean(n, names)}; "
                                       f"stages: {', '.join(names)}", "purchase", "spot_stages", i))
        elif s.role == "api" and not purchase.allow_api_on_spot:
            problems.append(sc.problem(f"stage {n!r} is the synchronous API: a Spot interruption drops requests in "
                                       f"flight; set purchase.allow_api_on_spot: true to price it on Spot anyway",
                                       "purchase", "spot_stages", i))
        elif not s.ecs_capable:
            problems.append(sc.problem(f"stage {n!r} runs only on Lambda, which has no Spot capacity",
                                       "purchase", "spot_stages", i))
        else:
            ok.add(n)
    return ok, problems


def transform(options, plan_obj, purchase, region: str) -> list[PurchasedOption]:
    """Every option re-priced under the purchase option, line item by line item."""
    pt = plan(purchase.option)
    spot, problems = _spot_stages(plan_obj, purchase)
    if problems:
        raise CostplanError(problems)
    ecs_stages = {s.name for s in plan_obj.stages if s.ecs_capable}
    cluster_on_spot = bool(ecs_stages) and ecs_stages <= spot
    terms = {"fargate": spot_terms("fargate", purchase)} if spot else {}
    out = []
    for o in options:
        out.append(_transform_one(o, pt, purchase, region, spot, cluster_on_spot, terms))
    return out


def _transform_one(o, pt: PlanType, purchase, region, spot, cluster_on_spot, terms) -> PurchasedOption:
    priced: list[Priced] = []
    candidates = []  # (savings %, index, sp cost)
    gaps: list[str] = []
    spot_saving = ZERO
    for li in o.line_items:
        key = li.price_key
        cap = "fargate" if key.startswith("fargate.") else "ec2" if key.startswith("ec2.") else ""
        on_spot = li.monthly_usd > 0 and ((cap == "fargate" and o.name == "fargate" and li.resource in spot
                                           and ("vcpu" in key or "memory" in key))
                                          or (cap == "ec2" and o.name == "ec2" and cluster_on_spot))
        if on_spot:
            t = terms[cap] if cap == "fargate" else spot_terms("ec2", purchase, key[len("ec2."):], region)
            if t.discount is None:
                gaps.append(f"{li.resource}: {t.basis}; priced on-demand")
                priced.append(Priced(li, "on-demand (Spot discount unknown)", li.monthly_usd))
                continue
            cost = li.monthly_usd * (1 - t.discount)
            spot_saving += li.monthly_usd - cost
            priced.append(Priced(li, "spot", cost, f"on-demand × (1 − {t.discount:.2%})"))
            continue
        if pt.type == "on_demand" or li.monthly_usd <= 0 or not eligible(key, pt.type):
            priced.append(Priced(li, "on-demand", li.monthly_usd))
            continue
        r = rate(key, pt.name, region)
        if r is None:
            gaps.append(f"no {pt.name} rate for {key} in {region} (pricing_data/savings_plans.yaml); "
                        f"priced on-demand")
            priced.append(Priced(li, "on-demand (no Savings Plans rate: gap)", li.monthly_usd))
            continue
        sp_cost = li.quantity * r.usd_per_unit
        if sp_cost >= li.monthly_usd:  # a commitment never makes usage dearer: AWS skips it
            priced.append(Priced(li, "on-demand", li.monthly_usd))
            continue
        candidates.append((1 - sp_cost / li.monthly_usd, len(priced), sp_cost))
        priced.append(Priced(li, "savings plan", sp_cost, r.shown))
    need = sum((c[2] for c in candidates), ZERO)
    po = PurchasedOption(o.name, o.title, o.monthly_usd, ZERO, priced, gaps=sorted(set(gaps)),
                         spot_saving_usd=spot_saving, needed_per_hour=need / HOURS)
    # Cover the highest savings percentage first, up to the headroom (AWS's order).
    if purchase.commitment_usd_per_hour is not None:
        headroom = Decimal(purchase.commitment_usd_per_hour) * (1 - Decimal(purchase.commitment_share)) * HOURS
    else:
        headroom = need
    left = headroom
    for _pct, i, sp_cost in sorted(candidates, key=lambda c: (-c[0], c[2])):
        p = priced[i]
        od = p.item.monthly_usd
        if left >= sp_cost:
            left -= sp_cost
            po.eligible_on_demand_usd += od
            po.covered_sp_usd += sp_cost
        elif left > 0:
            share = left / sp_cost
            p.committed_usd = sp_cost * share + od * (1 - share)
            p.how = f"part savings plan ({share:.0%} covered)"
            po.eligible_on_demand_usd += od * share
            po.covered_sp_usd += left
            left = ZERO
        else:
            p.committed_usd = od
            p.how = "on-demand (commitment used up)"
    used = po.covered_sp_usd / HOURS
    po.commitment_per_hour = used if purchase.commitment_usd_per_hour is not None else po.needed_per_hour
    if purchase.commitment_usd_per_hour is None and pt.term_years:
        c = po.commitment_per_hour
        po.upfront_usd = c * HOURS_PER_YEAR * pt.term_years * pt.upfront_share
        po.upfront_monthly_usd = po.upfront_usd / (12 * pt.term_years)
        po.recurring_monthly_usd = c * HOURS * (1 - pt.upfront_share)
    po.monthly_usd = sum((p.committed_usd for p in priced), ZERO)
    return po


def as_options(purchased: list[PurchasedOption], originals) -> list:
    """Option objects whose line items carry the committed cost, for compare's recommend()."""
    out = []
    for po, o in zip(purchased, originals):
        items = [replace(p.item, monthly_usd=p.committed_usd) for p in po.items]
        out.append(replace(o, line_items=items))
    return out


# ---- the result compare shows ------------------------------------------------------------------

@dataclass
class PurchaseResult:
    plan: PlanType
    purchase: object  # scenario.Purchase
    options: list[PurchasedOption]
    breakeven: object  # Breakeven (below) | None
    breakeven_note: str
    recommendation: str
    reason: str
    on_demand_recommendation: str
    assumptions: list[str]

    @property
    def label(self) -> str:
        """'compute-sp-1y-no-upfront', 'Spot for consumer', or both."""
        spot = f"Spot for {', '.join(self.purchase.spot_stages)}" if self.purchase.spot_stages else ""
        if self.plan.type == "on_demand":
            return spot or self.plan.name
        return f"{self.plan.name} + {spot}" if spot else self.plan.name

    @property
    def changes_answer(self) -> bool:
        return self.recommendation != self.on_demand_recommendation

    def option(self, name: str) -> PurchasedOption | None:
        return next((o for o in self.options if o.name == name), None)

    @property
    def gaps(self) -> list[str]:
        return sorted({g for o in self.options for g in o.gaps})

    def to_json(self) -> dict:
        be = self.breakeven
        p = self.purchase
        return {
            "option": self.plan.name, "label": self.label, "title": self.plan.title, "type": self.plan.type,
            "term_years": self.plan.term_years or None, "payment": self.plan.payment or None,
            "commitment_usd_per_hour": None if p.commitment_usd_per_hour is None else float(p.commitment_usd_per_hour),
            "commitment_share": float(p.commitment_share),
            "spot_stages": list(p.spot_stages),
            "options": [o.to_json() for o in self.options],
            "breakeven": None if be is None else {
                "monthly_requests": float(be.monthly_requests.quantize(Decimal(1))),
                "average_rps": float(be.average_rps.quantize(Decimal("0.001"))),
                "against": be.against, "factor": float(be.factor.quantize(Decimal("0.0001")))},
            "breakeven_note": self.breakeven_note or None,
            "recommendation": self.recommendation, "reason": self.reason,
            "on_demand_recommendation": self.on_demand_recommendation,
            "changes_answer": self.changes_answer,
            "assumptions": self.assumptions, "gaps": self.gaps,
        }


def active(purchase) -> bool:
    return purchase is not None and (purchase.option != ON_DEMAND or bool(purchase.spot_stages))


def committed_costs(sc, book, free_tier: bool, fixed: bool = True) -> dict[str, Decimal]:
    """Each option's monthly cost under the scenario's purchase option (break-even search)."""
    from costplan import patterns
    from costplan.compute.options import price_options

    p = patterns.plan(sc)
    opts = price_options(p, book, free_tier, warm=False, fixed=fixed)
    return {po.name: po.monthly_usd for po in transform(opts, p, sc.purchase, book.region)}


@dataclass
class Breakeven:
    """Where the cheaper ECS option comes to cost no more than Lambda, under the purchase option.
    Its own type and search (not compare's), so it does not depend on how compare finds its bands."""

    monthly_requests: Decimal
    against: str  # "fargate" | "ec2"
    factor: Decimal  # × today's volume

    @property
    def average_rps(self) -> Decimal:
        return self.monthly_requests / units.SECONDS_PER_MONTH

    @property
    def shown_requests(self) -> Decimal:
        return _significant(self.monthly_requests)

    @property
    def shown_factor(self) -> Decimal:
        return _significant(self.factor, 2)


def _significant(d: Decimal, digits: int = 3) -> Decimal:
    if d == 0:
        return d
    return Decimal(format(Decimal(f"{d:.{digits - 1}e}"), "f"))


LIMIT = Decimal(10) ** 6  # no further than a million times (or a millionth of) today's volume


def find_breakeven(sc, book, free_tier: bool, base: Decimal) -> tuple[Breakeven | None, str]:
    """Walk out from today's volume by doubling (or halving) until Lambda − cheapest ECS changes sign,
    then bisect (in log space) to 0.1 %; the crossing reported is the one the walk meets first."""
    from costplan.compute.compare import ECS, scaled_scenario

    seen: dict = {}

    def diff(k: Decimal) -> tuple[Decimal, str]:
        if k not in seen:
            c = committed_costs(scaled_scenario(sc, k), book, free_tier, fixed=False)
            ecs = [(c[n], n) for n in ECS if n in c]
            seen[k] = (c["lambda"] - min(ecs)[0], min(ecs)[1]) if ecs else (ZERO, "")
        return seen[k]

    d1, name = diff(Decimal(1))
    if not name:
        return None, "no stage of this pattern can run on ECS"
    up = d1 < 0  # Lambda cheaper today: ECS may win at a higher volume
    step = Decimal(2) if up else Decimal("0.5")
    lo = hi = Decimal(1)
    while True:
        k = (hi if up else lo) * step
        if (up and k > LIMIT) or (not up and k < 1 / LIMIT):
            return None, ("ECS does not become cheaper below a million times today's volume" if up
                          else "ECS is cheaper at every volume tried")
        crossed = diff(k)[0] >= 0 if up else diff(k)[0] < 0
        if up:
            lo, hi = hi, k
        else:
            lo, hi = k, lo
        if crossed:
            break
    lo, hi = _refine(lambda k: diff(k)[0], lo, hi)
    return Breakeven(base * hi, diff(hi)[1], hi), ""


_CELL = Decimal("1.001")  # the crossing is reported to 0.1 %
_HALF_CELL = Decimal("1.000499")


def _refine(f, lo: Decimal, hi: Decimal, guesses: int = 3) -> tuple[Decimal, Decimal]:
    """Narrow [lo, hi] with f(lo) < 0 <= f(hi) to a cell under 0.1 % wide that keeps the sign change.
    Both bills are close to straight lines in volume between ECS's steps, so first try a cell around
    where the straight line between the ends crosses zero (two re-pricings, and usually done); after
    `guesses` such tries, halve (in log space) as before. Each re-pricing costs about a millisecond."""
    flo, fhi = f(lo), f(hi)
    while hi / lo >= _CELL:
        if guesses > 0 and fhi > flo:
            guesses -= 1
            m = lo + (hi - lo) * (-flo / (fhi - flo))
            a, b = max(lo, m / _HALF_CELL), min(hi, m * _HALF_CELL)
            if not lo < a < b < hi:
                guesses = 0
                continue
            fa = f(a)
            if fa >= 0:  # the change is at or below a
                hi, fhi = a, fa
                continue
            lo, flo = a, fa
            fb = f(b)
            if fb >= 0:
                hi, fhi = b, fb
            else:
                lo, flo = b, fb
            continue
        mid = (lo * hi).sqrt()
        fm = f(mid)
        if fm < 0:
            lo, flo = mid, fm
        else:
            hi, fhi = mid, fm
    return lo, hi


def evaluate(comparison, book) -> PurchaseResult:
    """The comparison's options under the scenario's purchase option, its break-even and recommendation."""
    from costplan.compute import compare as cmp
    from costplan.compute.traffic import Traffic

    sc = comparison.scenario
    purchase = sc.purchase
    pt = plan(purchase.option)
    purchased = transform(comparison.options, comparison.plan, purchase, book.region)
    base = Traffic.from_workload(sc.workload).monthly_requests
    be, note = find_breakeven(sc, book, comparison.free_tier, base) if base > 0 else (None, "no traffic")
    rec, reason = cmp.recommend(as_options(purchased, comparison.options), be)
    assumptions = []
    if pt.type != "on_demand":
        gapped = [p for o in purchased for p in o.items if p.how.startswith("on-demand (no Savings Plans rate")]
        if gapped and all(o.needed_per_hour == 0 for o in purchased):
            assumptions.append(
                f"{pt.title}: no bundled rate covers this scenario's compute ({len(gapped)} line(s), each a gap "
                f"below), so the committed column equals on-demand; `costplan pricing refresh-savings-plans` "
                f"reads the missing rates from AWS's Savings Plans offer file")
        if purchase.commitment_usd_per_hour is None:
            assumptions.append(
                f"{pt.title}: a new commitment sized to each option's average hour (monthly usage ÷ 730 h); "
                f"busier hours above it run on-demand and quieter hours leave it unused, assumed absorbed by "
                f"the account's other eligible usage")
        else:
            assumptions.append(
                f"{pt.title}: an existing commitment of ${purchase.commitment_usd_per_hour:,} an hour, "
                f"{purchase.commitment_share:.0%} already used by other workloads, leaves "
                f"${purchase.commitment_usd_per_hour * (1 - purchase.commitment_share):,.4f} an hour for this one; "
                f"usage beyond it is billed on-demand (the marginal rate)")
        if pt.upfront_share:
            assumptions.append(f"{pt.payment.replace('_', ' ')}: {pt.upfront_share:.0%} of the term's commitment is "
                               f"paid at purchase and shown amortised over {12 * pt.term_years} months")
        assumptions.append("Savings Plans cover Lambda duration and provisioned concurrency, Fargate vCPU and "
                           "memory and EC2 instance usage; Lambda requests, storage, load balancers and the "
                           "integration services stay on-demand")
    if purchase.spot_stages:
        spot, _ = _spot_stages(comparison.plan, purchase)
        ec2_types = sorted({p.item.price_key[len("ec2."):] for o in purchased if o.name == "ec2"
                            for p in o.items if p.item.price_key.startswith("ec2.")})
        for cap in ("fargate", "ec2"):
            if cap == "ec2" and not ({s.name for s in comparison.plan.stages if s.ecs_capable} <= spot):
                continue
            t = spot_terms(cap, purchase, ec2_types[0] if ec2_types else "", book.region)
            where = ", ".join(sorted(spot)) + (" on Fargate Spot" if cap == "fargate" else " on EC2 Spot (the cluster)")
            if t.discount is None:
                assumptions.append(f"{where}: the discount is unknown ({t.basis}), so ECS on EC2 is priced on-demand")
            else:
                assumptions.append(f"{where}: discount {t.basis}. Interruption: {t.interruption}")
            if cap == "fargate":
                arm = sorted({p.item.resource for o in purchased if o.name == "fargate" for p in o.items
                              if p.how == "spot" and "_arm64" in p.item.price_key})
                if arm:
                    arch = _data().get("spot", {}).get("fargate", {}).get("architecture", {})
                    assumptions.append(f"{', '.join(arm)} on Fargate Spot stays arm64: {arch.get('note', '')} "
                                       f"({arch.get('url', '')}); the discount applies to the arm64 rate")
        api = [s.name for s in comparison.plan.stages if s.role == "api" and s.name not in spot]
        if api:
            assumptions.append(f"{', '.join(api)} stays on on-demand capacity: a synchronous API is never put on "
                               f"Spot unless purchase.allow_api_on_spot is set")
    return PurchaseResult(pt, purchase, purchased, be, note, rec, reason, comparison.recommendation, assumptions)


def with_option(sc, option: str | None):
    """The scenario with `compare --purchase NAME` applied (keeps the rest of its purchase: section)."""
    if option is None:
        return sc
    plan(option)  # a clear error for an unknown name
    from costplan.scenario import Purchase

    current = sc.purchase or Purchase()
    return sc.model_copy(update={"purchase": current.model_copy(update={"option": option.strip().lower()})})
