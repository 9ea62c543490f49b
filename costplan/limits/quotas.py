"""The quota table (pricing_data/quotas.yaml), loaded once on first use, and how a limit resolves:
--quota override > scenario `quotas:` > the account's applied value (--live) > bundled default."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from costplan.errors import CostplanError, Problem, did_you_mean

FILE = "quotas.yaml"


@dataclass(frozen=True)
class Quota:
    id: str
    service: str
    name: str
    default: Decimal
    unit: str
    adjustable: bool
    quota_code: str | None
    service_code: str | None
    regions: dict
    source_key: str
    url: str | None
    as_of: str
    note: str = ""
    checked: str = ""  # the date the value was last checked against the source
    gap: str = ""  # what is not confirmed (e.g. Regions whose tier is unknown)
    scope: str = "account"  # "resource": one table's or subnet's value, not shared by the account

    def value(self, region: str) -> Decimal:
        return self.regions.get(region, self.default)


@dataclass(frozen=True)
class Limit:
    """An effective limit: its value and where it came from (default | scenario | override | live)."""

    value: Decimal
    source: str
    quota: Quota | None = None

    @property
    def url(self) -> str | None:
        return self.quota.url if self.quota else None


def _dec(v) -> Decimal:
    return v if isinstance(v, Decimal) else Decimal(str(v))


@lru_cache(maxsize=1)
def table() -> dict[str, Quota]:
    from costplan.pricing.book import read_data_file

    data, _origin = read_data_file(FILE)
    sources = data.get("sources") or {}
    out = {}
    for qid, q in (data.get("quotas") or {}).items():
        src = sources.get(q.get("source")) or {}
        out[qid] = Quota(
            id=qid, service=q["service"], name=q["name"], default=_dec(q["default"]), unit=q["unit"],
            adjustable=bool(q.get("adjustable")), quota_code=q.get("quota_code"),
            service_code=q.get("service_code"),
            regions={r: _dec(v) for r, v in (q.get("regions") or {}).items()},
            source_key=q.get("source", ""), url=src.get("url"), as_of=str(src.get("as_of", "undated")),
            note=q.get("note", ""), checked=str(q.get("checked") or src.get("checked") or ""),
            gap=q.get("gap", ""), scope=q.get("scope", "account"))
    return out


def get(qid: str) -> Quota:
    try:
        return table()[qid]
    except KeyError:
        raise CostplanError(f"unknown quota id {qid!r}{suggest(qid)}") from None


def suggest(qid: str) -> str:
    """' (did you mean "x"?)': the closest id of the same service first, else the closest overall."""
    import difflib

    known = table()
    service = str(qid).split(".", 1)[0]
    same = [k for k in known if k.split(".", 1)[0] == service]
    if same:
        best = max(same, key=lambda k: difflib.SequenceMatcher(None, qid, k).ratio())
        if difflib.SequenceMatcher(None, qid, best).ratio() >= 0.5:
            return f' (did you mean "{best}"?)'
    return did_you_mean(qid, known)


def scenario_problems(scenario) -> list[Problem]:
    """Unknown ids in a scenario's `quotas:` section, each with file:line and a did-you-mean."""
    known = table()
    return [scenario.problem(f"unknown quota id{suggest(k) or '; ids are listed in pricing_data/quotas.yaml'}",
                             "quotas", k)
            for k in scenario.quotas if k not in known]


def parse_overrides(items: list[str] | None) -> dict[str, Decimal]:
    """['lambda.concurrent_executions=10'] → {id: Decimal}; unknown ids and bad numbers are problems."""
    from costplan import units

    out, problems = {}, []
    known = table()
    for item in items or []:
        qid, sep, raw = item.partition("=")
        qid = qid.strip()
        if not sep:
            problems.append(Problem(f"expected ID=VALUE, got {item!r}", field="--quota"))
            continue
        if qid not in known:
            problems.append(Problem(f"unknown quota id {qid!r}{suggest(qid)}", field="--quota"))
            continue
        try:
            value = units.count(raw.strip())
        except ValueError as e:
            problems.append(Problem(f"{qid}: {e}", field="--quota"))
            continue
        if qid in out and out[qid] != value:  # the last one silently won: a CI gate checked a quota nobody chose
            problems.append(Problem(f"{qid}: given twice ({units.plain(out[qid])} and {units.plain(value)}); give it "
                                    "once", field="--quota"))
            continue
        out[qid] = value
    if problems:
        raise CostplanError(problems)
    return out


@lru_cache(maxsize=4096)
def _default(region: str, qid: str) -> Limit:
    q = get(qid)
    return Limit(q.value(region), "default", q)


class Resolver:
    """Effective limits for one scenario."""

    def __init__(self, region: str, scenario_quotas: dict | None = None, overrides: dict | None = None,
                 live: dict | None = None):
        self.region = region
        self.scenario_quotas = scenario_quotas or {}
        self.overrides = overrides or {}
        self.live = live or {}
        self._cache: dict[str, Limit] = {}

    def __call__(self, qid: str) -> Limit:
        hit = self._cache.get(qid)
        if hit is None:
            hit = self._cache[qid] = self._resolve(qid)
        return hit

    def _resolve(self, qid: str) -> Limit:
        if not (self.overrides or self.scenario_quotas or self.live):
            return _default(self.region, qid)
        q = get(qid)
        if qid in self.overrides:
            return Limit(_dec(self.overrides[qid]), "override", q)
        if qid in self.scenario_quotas:
            return Limit(_dec(self.scenario_quotas[qid]), "scenario", q)
        for key in ((self.region, qid), qid):
            if key in self.live:
                v = self.live[key]
                src = getattr(v, "source", "live")
                return Limit(_dec(getattr(v, "value", v)), src if src in ("live", "aws-default") else "live", q)
        return Limit(q.value(self.region), "default", q)
