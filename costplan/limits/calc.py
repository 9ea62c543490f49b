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


_Q: dict = {}  # q() of the Decimals checks show again and again (quotas, thresholds, common needs)


def q(d, places: int = 1) -> str:
    """1234.5 → '1,234.5'; integers without decimals."""
    if d is None:
        return "—"
    if d.__class__ is int:
        return f"{d:,}"
    if d.__class__ is Decimal and places == 1 and d:  # (a zero may be -0, shown as "-0")
        hit = _Q.get(d)  # equal Decimals (1E+3, 1000.0) show the same: the text is of the value
        if hit is None:
            if len(_Q) > 8192:
                _Q.clear()
            hit = _Q[d] = _q(d, 1)
        return hit
    return _q(d, places)


def _q(d, places: int) -> str:
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


# Stages Lambda invokes asynchronously (SNS, S3, IoT rules, EventBridge): a throttled event goes back
# to Lambda's queue and is retried for up to 6 hours, so being over a quota delays it, not loses it.
ASYNC_ROLES = {"subscriber"}
ASYNC_BY_PATTERN = {"claim_check": {"consumer", "job", "publisher", "subscriber"},
                    "mqtt_notify": {"publisher"}, "scheduled_cron": {"job"}, "pubsub": {"subscriber"}}


def invoked_async(plan, st) -> bool:
    """True when Lambda retries the stage's throttled invocations itself (asynchronous invocation).
    A pattern may list them in facts["async_stages"]; otherwise the pattern and role tell."""
    listed = (plan.facts or {}).get("async_stages")
    if listed is not None:
        return st.name in listed
    if st.role in ASYNC_ROLES:
        return True
    return st.role in ASYNC_BY_PATTERN.get(getattr(plan, "pattern", ""), set())


def peak_window_s(scenario) -> Decimal:
    """How long the peak lasts: the workload's peak_window_s if it declares one, else the active hours
    ÷ peak_to_average (the time the peak would take to carry the day's traffic)."""
    w = scenario.workload
    declared = num(getattr(w, "peak_window_s", None))
    if declared:
        return declared
    p2a = num(getattr(w, "peak_to_average", None), Decimal(1)) or Decimal(1)
    return Decimal(w.active_hours_per_day) * 3600 / max(p2a, Decimal(1))


def overload_delay(window_s: Decimal, need: Decimal, capacity: Decimal) -> Decimal:
    """How late the last event of a peak runs when `need` arrives for `window_s` at `capacity`:
    the backlog (need − capacity) × window drains at `capacity` once the peak has passed."""
    if capacity <= 0:
        return INF
    return max(Decimal(0), window_s * (need - capacity) / capacity)


def ask(ctx, need, unit: str = "") -> str:
    """The value to request: '26,000/s (≥ 32,500/s to stay under 80 %)' — what the peak needs and what
    keeps it under the warning threshold, so a fix never asks for less than the quota already is."""
    from costplan.limits.model import ceil as _ceil

    n = _ceil(need)
    comfy = _ceil(Decimal(need) * 100 / ctx.warn) if ctx.warn > 0 else n
    return f"{q(n)}{unit}" + (f" (≥ {q(comfy)}{unit} to stay under {q(ctx.warn)} %)" if comfy > n else "")
