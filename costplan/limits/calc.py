"""Small helpers the checks share: numbers from facts, stage lookups, readable quantities."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from costplan.limits.model import ceil, floor  # noqa: F401  (re-exported for checks)

INF = Decimal("Infinity")


def num(v, default=None) -> Decimal | None:
    """A fact as Decimal (None, '', bad values → default)."""
    if v.__class__ is Decimal:
        return v if v.is_finite() else default
    if v is None or isinstance(v, bool):
        return default
    try:
        d = v if isinstance(v, Decimal) else Decimal(str(v))
    except (InvalidOperation, ValueError):
        return default
    return d if d.is_finite() else default


def stage(plan, name):
    for s in plan.stages:
        if s.name == name:
            return s
    return None


def duration_s(st) -> Decimal:
    return Decimal(st.traffic.duration_ms) / 1000


def p99_s(st) -> Decimal:
    return Decimal(st.traffic.p99_duration_ms) / 1000


def caps(*values) -> Decimal:
    """The smallest of the given caps that are set (Infinity when none is)."""
    best = INF
    for v in values:
        if v is not None:
            d = num(v)
            if d is not None and d < best:
                best = d
    return best


def stage_need(st) -> Decimal:
    """Peak concurrency a stage can reach: Little's law, capped by its event source mapping."""
    return min(Decimal(st.traffic.peak_concurrency), caps(st.max_concurrency))


def q(d, places: int = 1) -> str:
    """1234.5 → '1,234.5'; integers without decimals."""
    if d is None:
        return "—"
    if d.__class__ is int:
        return f"{d:,}"
    if d.__class__ is not Decimal:
        d = Decimal(d)
    if d.is_infinite():
        return "∞"
    if d >= 100 or d <= -100 or d == d.to_integral_value():
        return f"{d:,.0f}"
    s = f"{d:,.{places + 1}f}".rstrip("0").rstrip(".")
    return s


def dur(seconds) -> str:
    """Seconds as a readable duration: '45 s', '12 min', '3.2 h', '4 d'."""
    s = Decimal(seconds)
    if s.is_infinite():
        return "never"
    if s < 120:
        return f"{q(s)} s"
    if s < 7200:
        return f"{q(s / 60)} min"
    if s < 172800:
        return f"{q(s / 3600)} h"
    return f"{q(s / 86400)} d"
