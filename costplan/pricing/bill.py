"""The bill: cost components (quantity + price key) → priced line items.

Free tiers and volume tiers apply across the account and region, not per resource: components
are laid end to end on one monthly meter per price key (free tier pools may span several keys,
e.g. Lambda's 400,000 GB-seconds shared by x86_64 and arm64), so the total is what AWS bills.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from costplan.pricing.book import PriceBook, Source
from costplan.pricing.tiers import split_interval, tier_name

ZERO = Decimal(0)


@dataclass
class Component:
    """What a service model returns: a name, a unit, a quantity and the price key to resolve."""

    name: str
    unit: str
    quantity: Decimal
    price_key: str
    free_tier: bool = True  # False where AWS says the free tier does not apply (e.g. PC functions)
    resource: str = ""  # which part of the architecture, e.g. "consumer"


@dataclass
class LineItem:
    name: str
    quantity: Decimal
    unit: str
    unit_price_usd: Decimal  # per unit
    monthly_usd: Decimal  # exact; round only when displaying
    price_key: str
    source: Source | None = None
    resource: str = ""
    free: bool = False  # the part of a component covered by a free tier
    price: object = field(default=None, repr=False, compare=False)  # the Price, for its label
    tier: int = 0
    free_tier: bool = field(default=True, repr=False)  # the component may draw on a free tier

    @property
    def price_display(self) -> str:
        """'$0.20 per 1M requests', or 'free'; built only when something renders it."""
        if self.free:
            return "free"
        return self.price.display(self.tier) if self.price is not None else ""

    def to_json(self) -> dict:
        d = {
            "name": self.name,
            "quantity": float(self.quantity),
            "unit": self.unit,
            "unit_price_usd": float(self.unit_price_usd),
            "monthly_usd": money(self.monthly_usd),
            "price_key": self.price_key,
        }
        if self.resource:
            d["resource"] = self.resource
        if self.source:
            d["source"] = {"url": self.source.url, "as_of": self.source.as_of}
        return d


def money(d: Decimal) -> float:
    """Round to the cent for display (JSON, tables)."""
    return float((d if type(d) is Decimal else Decimal(d)).quantize(_CENT))


_CENT = Decimal("0.01")


@dataclass
class _Meter:
    used: dict = field(default_factory=dict)  # price key → quantity already on the meter
    free_left: dict = field(default_factory=dict)  # free pool → quantity still free


# The account's free tier left, when several scenarios of one account are priced together: pool →
# quantity still free, shared by every price_components call made while it is set (see account_free_tier).
_ACCOUNT_FREE: ContextVar[dict | None] = ContextVar("costplan_account_free", default=None)


@contextmanager
def account_free_tier(pools: dict | None):
    """Price on the account's remaining free tier: components priced inside draw on `pools` (pool →
    quantity left; a pool not in it starts full) and leave in it what they did not use. The free tier
    is once per account and region, not once per scenario; None leaves each meter its full free tier."""
    token = _ACCOUNT_FREE.set(pools)
    try:
        yield
    finally:
        _ACCOUNT_FREE.reset(token)


def price_components(components: list[Component], book: PriceBook, free_tier: bool = True,
                     meter: _Meter | None = None) -> list[LineItem]:
    """Price components in order on one account meter; returns line items (free part and each tier)."""
    if meter is None:
        shared = _ACCOUNT_FREE.get()
        meter = _Meter(free_left=shared) if shared is not None else _Meter()
    items: list[LineItem] = []
    free_left, used = meter.free_left, meter.used
    for c in components:
        q = c.quantity
        if type(q) is not Decimal:
            q = Decimal(q)
        if q <= 0:
            continue
        key = c.price_key
        price = book.get(key)
        label = f"{c.name}"
        free_used = ZERO
        if free_tier and c.free_tier and price.free_quantity > 0:
            left = free_left.setdefault(price.free_pool, price.free_quantity)
            free_used = min(left, q)
            free_left[price.free_pool] = left - free_used
            if free_used > 0:
                items.append(LineItem(f"{label} (free tier)", free_used, c.unit, ZERO, ZERO, key,
                                      price.free_source or price.source, c.resource, True, None, 0, c.free_tier))
        billable = q - free_used
        if billable <= 0:
            continue
        start = used.get(key, ZERO)
        end = used[key] = start + billable
        tiers = price.tiers
        last = tiers[-1].upto
        if last is not None and end > last:
            from costplan.errors import PriceGap

            raise PriceGap(f"no price for {key} in {book.region} above {last:,} {price.unit} a "
                           f"month: the price book knows only the tiers below it "
                           f"(pricing_data/{price.service}.yaml)")
        tiered = len(tiers) > 1
        for i, part in split_interval(tiers, start, end):
            tname = _tier_name(price, i) if tiered else ""
            usd = tiers[i].usd
            items.append(LineItem(f"{label} ({tname})" if tname else label, part, c.unit, usd, part * usd, key,
                                  price.source, c.resource, False, price, i, c.free_tier))
    return items


_TIER_NAMES: dict = {}  # (id of the price, tier) → (the price, its tier's name): one a tier of a price book


def _tier_name(price, i: int) -> str:
    """tier_name of a price's tier i, worked out once for each price (human_count formats Decimals)."""
    hit = _TIER_NAMES.get((id(price), i))
    if hit is None or hit[0] is not price:
        if len(_TIER_NAMES) > 4096:
            _TIER_NAMES.clear()
        hit = _TIER_NAMES[(id(price), i)] = (price, tier_name(price.tiers, i, price.unit))
    return hit[1]


def total(items: list[LineItem]) -> Decimal:
    return sum((i.monthly_usd for i in items), ZERO)
