"""Tier maths ("first / next / over") in one small helper: the cost of an interval of usage."""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

ZERO = Decimal(0)


def split_interval(tiers: Sequence, start: Decimal, end: Decimal) -> list[tuple[int, Decimal]]:
    """Split usage [start, end) across tiers; returns (tier index, quantity) for each touched tier.

    `tiers` is a sequence of objects with `.upto` (cumulative upper bound, None for the last tier).
    Usage is cumulative across the account and region, so `start` is where this resource's usage
    begins on the account's monthly meter.
    """
    if len(tiers) == 1 and tiers[0].upto is None:  # one flat rate (most prices): one part, no loop
        lo = start if start > ZERO else ZERO
        return [(0, end - lo)] if end > lo else []
    out: list[tuple[int, Decimal]] = []
    lower = ZERO
    for i, tier in enumerate(tiers):
        upper = tier.upto
        lo = max(start, lower)
        hi = end if upper is None else min(end, upper)
        if hi > lo:
            out.append((i, hi - lo))
        if upper is None or end <= upper:
            break
        lower = upper
    return out


def interval_cost(tiers: Sequence, start: Decimal, end: Decimal) -> Decimal:
    """Exact cost of usage [start, end) on a tiered price (tiers carry `.upto` and `.usd` per unit)."""
    return sum((q * tiers[i].usd for i, q in split_interval(tiers, start, end)), ZERO)


def tier_name(tiers: Sequence, index: int, unit: str) -> str:
    """'first 6B GB-seconds', 'next 9B GB-seconds', 'over 15B GB-seconds'."""
    from costplan.units import human_count

    if len(tiers) == 1:
        return ""
    if index == 0:
        return f"first {human_count(tiers[0].upto)} {unit}"
    if tiers[index].upto is None:
        return f"over {human_count(tiers[index - 1].upto)} {unit}"
    return f"next {human_count(tiers[index].upto - tiers[index - 1].upto)} {unit}"
