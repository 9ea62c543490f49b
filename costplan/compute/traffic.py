"""The traffic profile: monthly volume, active time, average and peak rates, concurrency (Little's law)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from costplan import units


_FIELDS: dict = {}


def evolve(obj, **changes):
    """dataclasses.replace for the plain dataclasses plans are built of (Traffic, ComputeStage: every field
    set by __init__, no __post_init__), without __init__'s per-field cost: a scenario is planned a dozen
    times. A name that is not a field is refused, as replace() refuses it."""
    cls = type(obj)
    spec = _FIELDS.get(cls)
    if spec is None:
        from dataclasses import fields

        names = tuple(f.name for f in fields(cls))
        spec = _FIELDS[cls] = (names, frozenset(names))
    if not changes.keys() <= spec[1]:
        raise TypeError(f"{cls.__name__} has no field {sorted(changes.keys() - spec[1])[0]!r}")
    src = obj.__dict__
    new = object.__new__(cls)
    new.__dict__.update({n: src[n] for n in spec[0]}, **changes)
    return new


def ceil(d: Decimal) -> int:
    return int(Decimal(d).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Traffic:
    monthly_requests: Decimal
    active_seconds: Decimal  # seconds per month with traffic
    peak_rps: Decimal
    duration_ms: Decimal
    p99_duration_ms: Decimal
    request_size_kb: Decimal = Decimal(1)
    response_size_kb: Decimal = Decimal(1)

    @classmethod
    def from_workload(cls, w) -> "Traffic":
        active = w.active_hours_per_day * 3600 * w.active_days_per_month
        if w.monthly_requests is not None:
            monthly = w.monthly_requests
        elif w.average_rps is not None:
            monthly = w.average_rps * active
        else:
            monthly = w.peak_rps / w.peak_to_average * active
        avg = monthly / active
        peak = w.peak_rps if w.peak_rps is not None else avg * w.peak_to_average
        peak = max(peak, avg)
        p99 = w.p99_duration_ms if w.p99_duration_ms is not None else w.duration_ms
        return cls(monthly, active, peak, w.duration_ms, max(p99, w.duration_ms), w.request_size_kb,
                   w.response_size_kb)

    @property
    def active_hours(self) -> Decimal:
        return self.active_seconds / 3600

    @property
    def average_rps(self) -> Decimal:
        """Mean rate while traffic flows."""
        return self.monthly_requests / self.active_seconds if self.active_seconds else Decimal(0)

    @property
    def month_average_rps(self) -> Decimal:
        return self.monthly_requests / units.SECONDS_PER_MONTH

    @property
    def peak_concurrency(self) -> Decimal:
        """Little's law: concurrency = arrival rate × time in system."""
        return self.peak_rps * self.duration_ms / 1000

    @property
    def average_concurrency(self) -> Decimal:
        return self.average_rps * self.duration_ms / 1000

    def scaled(self, k: Decimal) -> "Traffic":
        """Same shape, k times the volume."""
        return evolve(self, monthly_requests=self.monthly_requests * k, peak_rps=self.peak_rps * k)

    def with_rate(self, monthly: Decimal, peak_rps: Decimal) -> "Traffic":
        return evolve(self, monthly_requests=monthly, peak_rps=peak_rps)
