"""Checks, findings and the result: a check declares its id, title, severity, quota ids, formula and
source; it reads a Plan through a Context and returns findings with needed vs limit and a fix.

Status rule (documented, tested at the boundary): used % = needed ÷ limit × 100; a quota is the
largest value that still works, so `fail` only when used % > critical (default 100), `warn` when
used % ≥ warning (default 80), else `ok`. needed == limit is therefore `warn`, one unit over `fail`.
A finding over the critical threshold is `fail` whatever the check's severity, with one exception:
when going over only delays the work (an asynchronous invocation Lambda retries for up to 6 hours,
an EventBridge invocation it delays, a queue that waits for its consumer to ramp) the finding says
so with `delay_s` and is `warn` — unless the delay outlasts the retries, which loses events: `fail`.
Rules that are AWS advice rather than capacity (visibility ≥ 6 × timeout, MaximumConcurrency ≤
reserved) are pass/fail: meeting the advice exactly is `ok`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from json.encoder import encode_basestring as _encode_str
from typing import Any, Callable

from costplan.limits.quotas import Limit

STATUSES = ("ok", "warn", "fail")


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    severity: str  # "error" (may fail) | "warning" (at most warn)
    quotas: tuple[str, ...]
    formula: str
    source: str  # the primary source URL, in the AWS docs
    fn: Callable = field(compare=False, repr=False)
    module: str = ""
    designs: tuple[str, ...] = ()  # the designs it checks ("lambda", "fargate", "ec2"); () = every design
    measures: str = ""  # what it measures, in a phrase (the README check table)


REGISTRY: list[Check] = []


def check(id: str, title: str, quotas: tuple[str, ...] | list[str], formula: str, source: str = "",
          severity: str = "error", designs: tuple[str, ...] = (), measures: str = ""):
    """Register a check function `fn(ctx) -> None` that calls ctx.finding(...) / ctx.needs(...)."""

    def deco(fn):
        REGISTRY.append(Check(id, title, severity, tuple(quotas), formula, source, fn, fn.__module__,
                              tuple(designs), measures or title))
        return fn

    return deco


@dataclass
class Finding:
    check: str
    title: str
    scenario: str  # scenario name, or "account:region" for account-level findings
    status: str
    needed: Decimal | None
    limit: Decimal | None
    unit: str
    headroom_pct: Decimal | None
    used_pct: Decimal | None
    limit_source: str  # default | scenario | override | live | config
    quota: str | None
    message: str
    fix: str
    formula: str
    source_url: str | None
    severity: str = "error"
    subject: str = ""  # stage, queue or hop the finding is about
    file: str | None = None
    account: str = ""
    region: str = ""
    level: str = "scenario"  # scenario | account
    design: str = ""  # lambda | fargate | ec2 ("" = the same on every design)
    delay_s: Decimal | None = None  # how late the work runs when over the quota (async retries, ramps)

    def to_dict(self) -> dict:
        d = dict(self.__dict__)  # flat fields: no deep copy needed
        for k in ("needed", "limit", "headroom_pct", "used_pct", "delay_s"):
            v = d[k]
            d[k] = None if v is None or not v.is_finite() else float(_round(v))  # JSON has no Infinity
        return d


_NUMS: dict = {}  # JSON text of the numbers findings repeat (quotas, thresholds, common needs)


def _num_json(v) -> str:
    if v is None or not v.is_finite():  # JSON has no Infinity
        return "null"
    if v.__class__ is not Decimal or not v:  # (a zero may be -0: "-0.0", which equals 0)
        return float.__repr__(float(v.quantize(_CENT) if -_BIG < v < _BIG else v))
    hit = _NUMS.get(v)  # equal Decimals (1E+3, 1000.00) give the same text: float of the same value
    if hit is None:
        if len(_NUMS) > 8192:
            _NUMS.clear()
        hit = _NUMS[v] = float.__repr__(float(v.quantize(_CENT) if -_BIG < v < _BIG else v))
    return hit


_CHUNKS: dict = {}  # JSON text of the runs of fields findings repeat (check and title, formula and URL, ...)


def finding_json(f: Finding, dump) -> str:
    """json.dumps(f.to_dict(), ensure_ascii=False) without building the dict (a folder has tens of
    thousands of findings); a field of an unexpected type takes the dict and dump. The runs of string
    fields that recur from finding to finding (those of a check; those of a scenario) are encoded once,
    keyed by their values."""
    e, n, memo = _encode_str, _num_json, _CHUNKS
    if len(memo) > 4096:  # each scenario adds a few runs of its own (its name, its file): stay small
        memo.clear()
    try:
        k1 = (f.check, f.title)
        a = memo.get(k1)
        if a is None:
            a = memo[k1] = f'{{"check": {e(f.check)}, "title": {e(f.title)}, "scenario": '
        k2 = (f.scenario, f.status)
        b = memo.get(k2)
        if b is None:
            b = memo[k2] = f'{e(f.scenario)}, "status": {e(f.status)}, "needed": '
        k3 = (f.unit, f.limit_source, f.quota)
        c = memo.get(k3)
        if c is None:
            c = memo[k3] = (f'"unit": {e(f.unit)}, ', f'"limit_source": {e(f.limit_source)}, '
                                                      f'"quota": {"null" if f.quota is None else e(f.quota)}, "message": ')
        k4 = (f.formula, f.source_url, f.severity, f.subject)
        d = memo.get(k4)
        if d is None:
            d = memo[k4] = (f'"formula": {e(f.formula)}, '
                            f'"source_url": {"null" if f.source_url is None else e(f.source_url)}, '
                            f'"severity": {e(f.severity)}, "subject": {e(f.subject)}, "file": ')
        k5 = (f.file, f.account, f.region, f.level, f.design)
        g = memo.get(k5)
        if g is None:
            g = memo[k5] = (f'{"null" if f.file is None else e(f.file)}, "account": {e(f.account)}, '
                            f'"region": {e(f.region)}, "level": {e(f.level)}, "design": {e(f.design)}, "delay_s": ')
        return (f'{a}{b}{n(f.needed)}, "limit": {n(f.limit)}, {c[0]}"headroom_pct": {n(f.headroom_pct)}, '
                f'"used_pct": {n(f.used_pct)}, {c[1]}{e(f.message)}, "fix": {e(f.fix)}, {d}{g}'
                f'{"null" if f.delay_s is None else n(f.delay_s)}}}')
    except (TypeError, AttributeError):
        return dump(f.to_dict())


_CENT, _BIG = Decimal("0.01"), Decimal(10**12)


def _round(v: Decimal) -> Decimal:
    return v.quantize(_CENT) if abs(v) < _BIG else v


def ceil(d) -> int:
    return int(Decimal(d).to_integral_value(rounding=ROUND_CEILING))


def floor(d) -> int:
    return int(Decimal(d).to_integral_value(rounding=ROUND_FLOOR))


def status_for(needed: Decimal, limit: Decimal, warn: Decimal, critical: Decimal, severity: str = "error"):
    """(status, used %, headroom %) per the rule in the module docstring. A limit of 0 with a need
    has no percentage (used and headroom are None), and fails."""
    if needed.is_infinite() or limit.is_infinite():
        used = Decimal(0) if limit.is_infinite() and not needed.is_infinite() else Decimal("Infinity")
        head = Decimal(100) if used == 0 else None
    elif limit <= 0:
        used = Decimal(0) if needed <= 0 else Decimal("Infinity")
        head = None
    else:
        used = needed * 100 / limit
        head = (limit - needed) * 100 / limit
    if used > critical:
        st = "fail"
    elif used >= warn:
        st = "warn"
    else:
        st = "ok"
    return st, (None if used.is_infinite() else used), head


class Context:
    """What a check sees: the scenario, its plan and facts, effective limits, thresholds."""

    def __init__(self, scenario, plan, resolve, warn: Decimal, critical: Decimal):
        self.scenario = scenario
        self.plan = plan
        self.facts: dict[str, Any] = plan.facts or {}
        self.resolve = resolve
        self.region = scenario.region
        self.warn = warn
        self.critical = critical
        self.findings: list[Finding] = []
        self.missing: list[str] = []
        self.current: Check | None = None
        self.shares: dict = {}  # what the scenario adds to its account's shared quotas
        self.design = "lambda"  # the design being checked
        self.option = None  # an ECS design (limits.designs.Sized: its name and sizing)

    @property
    def stages(self):
        """The stages that run on Lambda in the design being checked: all of them on the Lambda design,
        the ones an ECS design leaves on Lambda (ecs_capable False) otherwise."""
        if self.design == "lambda":
            return self.plan.stages
        return [s for s in self.plan.stages if not getattr(s, "ecs_capable", True)]

    def limit(self, qid: str) -> Limit:
        return self.resolve(qid)

    def needs(self, what: str) -> None:
        """Record that the current check cannot run without a number the scenario does not give."""
        cid = self.current.id if self.current else "?"
        self.missing.append(f"{cid} needs {what}")

    def finding(self, needed, limit: Limit | Decimal, unit: str, message: str, fix: str = "",
                subject: str = "", quota: str | None = None, status: str | None = None,
                source: str | None = None, delay_s=None) -> Finding:
        """Record a finding; `limit` a resolved Limit or a plain configured number (source 'config').
        delay_s: going over only delays the work by this long (see the status rule)."""
        c = self.current
        if isinstance(limit, Limit):
            lim, src, url, qid = limit.value, limit.source, limit.url, limit.quota.id if limit.quota else None
        else:
            lim, src, url, qid = Decimal(limit), source or "config", c.source, quota
        needed = None if needed is None else Decimal(needed)
        if needed is None:
            st, used, head = status or "ok", None, None
        else:
            st, used, head = status_for(needed, lim, self.warn, self.critical, c.severity)
            if status is not None:
                st = status
        delay = None if delay_s is None else Decimal(delay_s)
        if delay is not None and st == "fail":
            st = "fail" if delay > self.limit("lambda.async_max_event_age").value else "warn"
        if st == "ok":
            fix = ""  # a fix is advice for warn/fail; checks may set an "ok" note afterwards
        f = Finding(c.id, c.title, self.scenario.name, st, needed, lim, unit, head, used, src,
                    qid or (c.quotas[0] if c.quotas else None), message, fix, c.formula, url or c.source,
                    c.severity, subject, self.scenario.source_file, self.scenario.account,
                    self.scenario.region, design=self.design if c.designs else "", delay_s=delay)
        self.findings.append(f)
        return f


@dataclass
class ScenarioResult:
    scenario: Any
    findings: list[Finding]
    missing: list[str]  # numbers the scenario must give for the skipped checks
    unchecked: str = ""  # why the scenario could not be checked at all
    shares: dict = field(default_factory=dict)  # what it adds to the account's shared quotas
    designs: list = field(default_factory=lambda: ["lambda"])  # the designs checked
    recommended: str | None = None  # the design compare recommends (when asked for)
    gating: list = field(default_factory=lambda: ["lambda"])  # designs whose failures set the exit code

    def gates(self, f) -> bool:
        return not f.design or f.design in self.gating

    def gated_worst(self) -> str:
        """The worst status of its findings on the designs that gate (the exit code reads it)."""
        rank = {"ok": 0, "warn": 1, "fail": 2}
        return STATUSES[max((rank[f.status] for f in self.findings if self.gates(f)), default=0)]

    def design_status(self) -> dict[str, str]:
        """Each checked design's worst status over its own findings and the shared ones."""
        rank = {"ok": 0, "warn": 1, "fail": 2}
        shared = max((rank[f.status] for f in self.findings if not f.design), default=0)
        out = {}
        for d in self.designs:
            own = max((rank[f.status] for f in self.findings if f.design == d), default=0)
            out[d] = STATUSES[max(shared, own)]
        return out


@dataclass
class LimitsResult:
    scenarios: list[ScenarioResult]
    account_findings: list[Finding]
    warn: Decimal
    critical: Decimal
    warnings: list[str] = field(default_factory=list)  # e.g. live lookups that fell back to defaults

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.scenarios for f in s.findings] + self.account_findings

    def by_scenario(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for s in self.scenarios:
            out.setdefault(s.scenario.name, []).extend(s.findings)
        return out

    def by_account(self) -> dict[tuple[str, str], list[Finding]]:
        return by_account(self.account_findings)

    def counts(self) -> dict[str, int]:
        return counts_of(self.findings)

    def exit_code(self, strict: bool = False) -> int:
        """1 when a finding fails (or warns, with strict) on a design that gates: the designs asked for with
        --design, else the one compare recommends; account findings always gate."""
        gated = [f for s in self.scenarios for f in s.findings if s.gates(f)] + self.account_findings
        if any(f.status == "fail" for f in gated) or (strict and any(f.status == "warn" for f in gated)):
            return 1
        return 0

    def to_dict(self) -> dict:
        return {
            "thresholds": {"warning_pct": float(self.warn), "critical_pct": float(self.critical)},
            "summary": self.counts(),
            "scenarios": [scenario_dict(s) for s in self.scenarios],
            "accounts": [{"account": a, "region": r, "findings": [f.to_dict() for f in fs]}
                         for (a, r), fs in self.by_account().items()],
            "warnings": self.warnings,
        }

    def to_json(self) -> str:
        from costplan.report.limits_view import json_text

        return json_text(self)


def by_account(account_findings) -> dict[tuple[str, str], list[Finding]]:
    """Account-level findings by (account, Region), in the order found."""
    out: dict[tuple[str, str], list[Finding]] = {}
    for f in account_findings:
        out.setdefault((f.account, f.region), []).append(f)
    return out


def scenario_dict(s: ScenarioResult, findings: bool = True) -> dict:
    """One scenario's entry of LimitsResult.to_dict()["scenarios"] (without "findings" if not asked)."""
    d = {"scenario": s.scenario.name, "file": s.scenario.source_file, "account": s.scenario.account,
         "region": s.scenario.region, "pattern": s.scenario.pattern,
         "unchecked": s.unchecked or None, "needs": s.missing,
         "designs": s.design_status(), "recommended": s.recommended, "gating": s.gating}
    if findings:
        d["findings"] = [f.to_dict() for f in s.findings]
    return d


def counts_of(findings) -> dict[str, int]:
    c = {s: 0 for s in STATUSES}
    for f in findings:
        c[f.status] += 1
    return c
