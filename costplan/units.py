"""Human units → numbers: "3M", "1.5s", "512MB", "2KB", "1h". One 730-hour month for everything."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

HOURS_PER_MONTH = Decimal(730)
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
DAYS_PER_MONTH = HOURS_PER_MONTH / 24

def price_text(d: Decimal) -> str:
    """A price as the price files and the output write it: at least two decimals ($1 → 1.00, $0.5 → 0.50),
    finer rates exactly as they are (0.0000166667), no exponent."""
    s = format(d.normalize(), "f")
    if "." not in s:
        return s + ".00"
    if len(s.split(".")[1]) < 2:
        return s + "0"
    return s


_NUM = r"(?P<num>[+-]?(?:\d[\d_,]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
_RE = re.compile(rf"^\s*{_NUM}\s*(?P<unit>[A-Za-z/%]*)\s*$")

_COUNT = {"": 1, "k": 10**3, "K": 10**3, "m": 10**6, "M": 10**6, "mm": 10**6, "b": 10**9, "B": 10**9,
          "bn": 10**9, "g": 10**9, "G": 10**9, "t": 10**12, "T": 10**12}
# durations → milliseconds
_DURATION = {"ms": Decimal(1), "s": Decimal(1000), "sec": Decimal(1000), "m": Decimal(60_000),
             "min": Decimal(60_000), "h": Decimal(3_600_000), "hr": Decimal(3_600_000),
             "d": Decimal(86_400_000), "day": Decimal(86_400_000), "days": Decimal(86_400_000),
             "us": Decimal("0.001")}
# sizes → bytes (KB/MB/GB are binary, as AWS bills them: "GB = 1024^3 bytes")
_SIZE = {"b": 1, "byte": 1, "bytes": 1, "kb": 1024, "kib": 1024, "mb": 1024**2, "mib": 1024**2,
         "gb": 1024**3, "gib": 1024**3, "tb": 1024**4, "tib": 1024**4}


# Ceilings far above any real workload, so that arithmetic on plans stays inside Decimal's 28 digits:
# a quadrillion requests a month, a year-long duration, an exabyte.
# What Lambda lets you configure (pricing_data/quotas.yaml has memory as lambda.memory_min/max):
# scenario files and `costplan price lambda` refuse values outside these.
LAMBDA_MEMORY_MB = (Decimal(128), Decimal(10240))
LAMBDA_EPHEMERAL_MB = (Decimal(512), Decimal(10240))
MAX_COUNT = Decimal(10) ** 15
MAX_DURATION_MS = Decimal(366 * 86_400_000)
MAX_BYTES = Decimal(1024) ** 6


class UnitError(ValueError):
    """A value that is not a number in the expected unit."""


def _split(value) -> tuple[Decimal, str]:
    num, unit = _split_raw(value)
    if not num.is_finite():  # NaN and infinities are never a quantity (and NaN cannot be compared)
        raise UnitError(f"must be finite, got {_shown(value)}")
    if num and not -30 <= num.adjusted() <= 30:  # keeps later arithmetic inside Decimal's range
        raise UnitError(f"is out of range ({_shown(value)}); costplan reads numbers from 1e-30 to 1e30")
    return num, unit


def _split_raw(value) -> tuple[Decimal, str]:
    if isinstance(value, bool):
        raise UnitError(f"expected a number, got {_shown(value)}")
    if isinstance(value, Decimal):  # already a number (the planner passes Decimals): no round trip
        return value, ""
    if isinstance(value, int):
        return Decimal(value), ""
    if isinstance(value, float):
        return Decimal(str(value)), ""
    if not isinstance(value, str):
        raise UnitError(f"expected a number, got {type(value).__name__}")
    if len(value) > 100:
        raise UnitError(f"expected a number with an optional unit, got {_shown(value)}")
    m = _RE.match(value)
    if not m:
        raise UnitError(f"expected a number with an optional unit, got {_shown(value)}")
    try:
        num = Decimal(m.group("num").replace("_", "").replace(",", ""))
    except InvalidOperation:
        raise UnitError(f"expected a number, got {_shown(value)}") from None
    return num, m.group("unit")


def _shown(value) -> str:
    """The user's value as they wrote it: '3M' quoted, numbers plain (never Decimal('3')); a very long
    value is shortened so that the message stays one line."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else f"{text[:20]}…({len(text):,} characters)"


def _nonneg(num: Decimal, value, ceiling: Decimal = MAX_COUNT, what: str = "1e15") -> Decimal:
    if not num.is_finite():  # first: comparing NaN raises InvalidOperation
        raise UnitError(f"must be finite, got {_shown(value)}")
    if num < 0:
        raise UnitError(f"must not be negative, got {_shown(value)}")
    if num > ceiling:
        raise UnitError(f"is implausibly large ({_shown(value)}); costplan accepts up to {what}")
    return num


def count(value) -> Decimal:
    """'3M' → 3000000; '1.5k' → 1500; 10 → 10. Counts are never negative."""
    num, unit = _split(value)
    if unit not in _COUNT:
        raise UnitError(f"expected a count like 3M or 250k, got unit {unit!r} in {_shown(value)}")
    return _nonneg(num * _COUNT[unit], value)


def duration_ms(value, default_unit: str = "ms") -> Decimal:
    """'120ms' → 120; '1.5s' → 1500; '2h' → 7200000. A bare number is in `default_unit`."""
    num, unit = _split(value)
    unit = unit or default_unit
    if unit not in _DURATION:
        raise UnitError(f"expected a duration like 250ms, 1.5s or 2h, got unit {unit!r} in {_shown(value)}")
    return _nonneg(num * _DURATION[unit], value, MAX_DURATION_MS, "366 days")


def duration_s(value, default_unit: str = "s") -> Decimal:
    return duration_ms(value, default_unit) / 1000


def duration_h(value, default_unit: str = "h") -> Decimal:
    return duration_ms(value, default_unit) / 3_600_000


def size_bytes(value, default_unit: str = "b") -> Decimal:
    num, unit = _split(value)
    unit = (unit or default_unit).lower()
    if unit not in _SIZE:
        raise UnitError(f"expected a size like 512MB or 2KB, got unit {unit!r} in {_shown(value)}")
    return _nonneg(num * _SIZE[unit], value, MAX_BYTES, "1 EB")


def size_mb(value) -> Decimal:
    """'1.5GB' → 1536; '512MB' → 512; a bare number is MB."""
    return size_bytes(value, "mb") / 1024**2


def size_kb(value) -> Decimal:
    """'2KB' → 2; '1MB' → 1024; a bare number is KB."""
    return size_bytes(value, "kb") / 1024


def size_gb(value) -> Decimal:
    """'4GB' → 4; '512MB' → 0.5; a bare number is GB."""
    return size_bytes(value, "gb") / 1024**3


def rate_per_s(value) -> Decimal:
    """'500/s' or '500' → 500 per second; '30k/min' → 500; '1.8M/h' → 500."""
    if isinstance(value, str) and "/" in value:
        amount, _, per = value.partition("/")
        per_ms = duration_ms("1" + per.strip(), "s") if per.strip() and not per.strip()[0].isdigit() \
            else duration_ms(per.strip(), "s")
        if per_ms <= 0:
            raise UnitError(f"the period after '/' must be more than zero, got {_shown(value)}")
        return count(amount.strip()) * 1000 / per_ms
    return count(value)


def number(value) -> Decimal:
    num, unit = _split(value)
    if unit:
        raise UnitError(f"expected a plain number, got {_shown(value)}")
    return num


def percent(value) -> Decimal:
    """'70%' or 70 → 0.70; 0.7 → 0.7 (a bare number ≤ 1 is a fraction)."""
    num, unit = _split(value)
    if unit == "%":
        return num / 100
    if unit:
        raise UnitError(f"expected a percentage like 70%, got {_shown(value)}")
    return num if num <= 1 else num / 100


def human_count(n) -> str:
    """3000000 → '3M' (used for tier names and short labels)."""
    n = Decimal(n)
    for div, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "k")):
        if n >= div:
            q = n / div
            return (f"{q:.2f}".rstrip("0").rstrip(".")) + suffix
    return f"{n:.2f}".rstrip("0").rstrip(".")


def plain(n, places: int = 2) -> str:
    """A number for a message: thousands separated, at most `places` decimals (three significant
    digits below 1), never an exponent: 8333.3333 → '8,333.33', 0.0011111 → '0.00111', 2E-7 → '0.0000002'."""
    d = Decimal(n)
    if not d.is_finite():
        return str(d)
    if d == d.to_integral_value():
        return f"{d:,.0f}"
    if abs(d) >= 1:
        return f"{d:,.{places}f}".rstrip("0").rstrip(".")
    q = Decimal(1).scaleb(d.adjusted() - 2)  # three significant digits
    return f"{d.quantize(q):f}".rstrip("0").rstrip(".")
