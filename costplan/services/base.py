"""What a service model is: declared usage keys (unit last) and a pure usage → components function."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from functools import cache
from typing import Any, Callable, Mapping

from costplan import units
from costplan.errors import CostplanError, Problem, did_you_mean, suggest
from costplan.pricing.bill import Component


@dataclass(frozen=True)
class UsageKey:
    name: str
    parse: Callable[[Any], Any]
    default: Any
    help: str
    choices: tuple[str, ...] | None = None


def choice(*options: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        v = str(value).strip().lower()
        if v not in options:
            raise units.UnitError(f"expected one of {', '.join(options)}, got {value!r}"
                                  f"{did_you_mean(v, options)}")
        return v

    parse.__name__ = "choice"
    return parse


def within(parse: Callable[[Any], Any], lo: Decimal, hi: Decimal, unit: str) -> Callable[[Any], Any]:
    """A parser that also refuses values outside what AWS lets you configure (e.g. Lambda memory)."""
    def check(value: Any):
        v = parse(value)
        if not lo <= v <= hi:
            raise units.UnitError(f"must be {lo:,}–{hi:,} {unit}, got {v:,} {unit}")
        return v

    check.__name__ = parse.__name__
    return check


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in ("true", "yes", "1", "on"):
        return True
    if v in ("false", "no", "0", "off"):
        return False
    raise units.UnitError(f"expected true or false, got {value!r}")


def parse_usage(service: str, keys: tuple[UsageKey, ...], raw: Mapping[str, Any],
                where: str | None = None) -> dict[str, Any]:
    """Validate user usage against a service's declared keys; every problem is reported at once."""
    known = {k.name: k for k in keys}
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in known:
            problems.append(Problem(f"unknown usage key for {service}{suggest(name, list(known))}",
                                    file=where, field=name))
            continue
        try:
            out[name] = known[name].parse(value)
        except (units.UnitError, ValueError, TypeError) as e:
            problems.append(Problem(str(e), file=where, field=name))
    if problems:
        raise CostplanError(problems)
    for k in keys:
        if k.name not in out:
            out[k.name] = _default(k)
    return out


@cache
def _default(k: UsageKey) -> Any:
    """A key's parsed default, parsed once: compare prices each option many times while it searches
    for the break-even, and re-parsing the same default strings was a third of that time."""
    return k.parse(k.default) if k.default is not None else None


def positive_int(value: Any) -> int:
    d = units.count(value)
    if d != d.to_integral_value():
        raise units.UnitError(f"expected a whole number, got {value!r}")
    return int(d)


def chunks(size_kb: Decimal, chunk_kb: int) -> int:
    """Billing units per message where AWS meters in fixed chunks (64 KB for SQS/SNS/EventBridge):
    a 65 KB message counts as 2. Zero-size messages still count as one request."""
    if size_kb <= 0:
        return 1
    # Decimal's // truncates toward zero (unlike int's floor), so -(-a // b) is not a ceiling here.
    return int((Decimal(size_kb) / chunk_kb).to_integral_value(rounding=ROUND_CEILING))


__all__ = ["Component", "UsageKey", "boolean", "choice", "chunks", "parse_usage", "positive_int"]
