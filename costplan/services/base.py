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
    parse.options = frozenset(options)  # for planned_usage
    return parse


def within(parse: Callable[[Any], Any], lo: Decimal, hi: Decimal, unit: str) -> Callable[[Any], Any]:
    """A parser that also refuses values outside what AWS lets you configure (e.g. Lambda memory)."""
    def check(value: Any):
        v = parse(value)
        if not lo <= v <= hi:
            raise units.UnitError(f"must be {lo:,}–{hi:,} {unit}, got {v:,} {unit}")
        return v

    check.__name__ = parse.__name__
    check.within = (parse, lo, hi)  # for planned_usage
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


def planned_usage(service: str, keys: tuple[UsageKey, ...], raw: Mapping[str, Any]) -> dict[str, Any]:
    """parse_usage for usage the planner built itself (Decimals and ints, the parsers' own strings),
    priced many times a scenario: the same values, without parse_usage's bookkeeping. A value outside
    what the fast twins below take (a string with a unit, a float, anything a parser refuses) goes
    through parse_usage, so every result and every error is parse_usage's."""
    spec = _SPECS.get(id(keys))
    if spec is None or spec[0] is not keys:
        spec = _SPECS[id(keys)] = (keys, {k.name: _twin(k.parse) for k in keys},
                                   tuple((k.name, _default(k)) for k in keys))
    twins = spec[1]
    out: dict[str, Any] = {}
    try:
        for name, value in raw.items():
            v = twins[name](value)
            if v is _SLOW:
                return parse_usage(service, keys, raw)
            out[name] = v
    except (KeyError, units.UnitError, ValueError, TypeError, ArithmeticError):
        return parse_usage(service, keys, raw)
    for name, d in spec[2]:
        if name not in out:
            out[name] = d
    return out


_SPECS: dict = {}
_SLOW = object()  # a twin's "ask parse_usage"


def _number(value):
    """units.number for a Decimal or int (units._split's checks); _SLOW for anything else."""
    t = type(value)
    if t is int:
        value = Decimal(value)
    elif t is not Decimal:
        return _SLOW
    if not value.is_finite() or (value and not -30 <= value.adjusted() <= 30):
        return _SLOW
    return value


def _scaled(mult, ceiling: Decimal, div=None):
    """The units parser that reads a bare number as value × mult (checked against ceiling, then ÷ div),
    for a Decimal or int: units._split's checks, the same multiplication, units._nonneg's checks."""
    def twin(value):
        value = _number(value)
        if value is _SLOW:
            return _SLOW
        v = value * mult
        if v < 0 or v > ceiling:
            return _SLOW
        return v if div is None else v / div
    return twin


def _twin(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A parser's fast twin: the same value for the inputs it takes, _SLOW for the rest (parse_usage then
    parses them). Parsers without a twin are called as they are."""
    u = units
    twins = {
        u.count: _scaled(1, u.MAX_COUNT),
        u.duration_ms: _scaled(u._DURATION["ms"], u.MAX_DURATION_MS),
        u.duration_s: _scaled(u._DURATION["s"], u.MAX_DURATION_MS, 1000),
        u.duration_h: _scaled(u._DURATION["h"], u.MAX_DURATION_MS, 3_600_000),
        u.size_mb: _scaled(u._SIZE["mb"], u.MAX_BYTES, 1024**2),
        u.size_kb: _scaled(u._SIZE["kb"], u.MAX_BYTES, 1024),
        u.size_gb: _scaled(u._SIZE["gb"], u.MAX_BYTES, 1024**3),
        u.number: _number,
    }
    if parse in twins:
        return twins[parse]
    if parse is u.rate_per_s:  # a value without "/" is a count
        c = twins[u.count]
        return lambda value: c(value) if type(value) is not str else parse(value)
    if parse is boolean:
        return lambda value: value if type(value) is bool else boolean(value)
    options = getattr(parse, "options", None)
    if options is not None:  # choice(): the planner passes the option itself
        return lambda value: value if type(value) is str and value in options else parse(value)
    inner = getattr(parse, "within", None)
    if inner is not None:
        twin, lo, hi = _twin(inner[0]), inner[1], inner[2]

        def bounded(value):
            v = twin(value)
            return v if v is _SLOW or lo <= v <= hi else _SLOW
        return bounded
    return parse


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


__all__ = ["Component", "UsageKey", "boolean", "choice", "chunks", "parse_usage", "planned_usage", "positive_int"]
