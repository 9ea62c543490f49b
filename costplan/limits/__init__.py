"""limits-check: every scenario at its peak against the quota table (pricing_data/quotas.yaml), and
scenarios sharing an account and Region added up at coinciding peaks.

Entry point: check(scenarios, warn=80, critical=100, overrides=None, live=None, designs=None) -> LimitsResult.

Designs: the Lambda design and each ECS design `compare` prices (Fargate, EC2) are checked; checks that
are the same on every design (API Gateway, queues, tables, payloads) run once. `designs` narrows it:
["lambda"], ["fargate"], ["ec2"] or ["recommended"] (the one `compare` recommends).
"""
from __future__ import annotations

import importlib
from decimal import Decimal

from costplan.errors import CostplanError, Problem
from costplan.limits.model import REGISTRY, Check, Finding, LimitsResult, ScenarioResult

# One module per concern; each registers its checks when imported (static list: no discovery cost).
MODULES = ("lambda_", "apigateway", "sqs", "payloads", "fanout", "s3", "schedule", "iot", "websocket",
           "stepfunctions", "dynamodb", "ecs", "accounts")
DESIGNS = ("lambda", "fargate", "ec2")
DESIGN_CHOICES = (*DESIGNS, "recommended")
_loaded = False


def load_checks() -> list[Check]:
    global _loaded
    if not _loaded:
        for m in MODULES:
            importlib.import_module(f"costplan.limits.{m}")
        _loaded = True
    from costplan.limits.accounts import ACCOUNT_CHECKS

    return [*REGISTRY, *ACCOUNT_CHECKS]


def _pct(v, name) -> Decimal:
    try:
        d = Decimal(str(v))
    except Exception:
        raise CostplanError(Problem(f"expected a percentage, got {v!r}", field=name)) from None
    if not d.is_finite() or d <= 0:
        raise CostplanError(Problem(f"must be a percentage above 0, got {v}", field=name))
    return d


def check_one(scenario, warn: Decimal, critical: Decimal, overrides=None, live=None,
              designs=None, quotas=None) -> ScenarioResult:
    """Check one scenario; `quotas` (when given) stand for the scenario's own `quotas:` (its account's
    pooled quotas, see pool_account_quotas)."""
    from costplan import patterns
    from costplan.validate import planned

    if scenario.pattern not in patterns.REGISTRY:
        return ScenarioResult(scenario, [], [], unchecked=f"pattern {scenario.pattern!r} has no planner yet; "
                              "limits-check needs its stages and facts")
    return check_plan(scenario, planned(scenario), warn, critical, overrides, live, designs, quotas)


_BOOKS: dict = {}


def _book(region: str):
    """One price book per Region for a run (a book caches the prices it has parsed)."""
    from costplan.pricing.book import PriceBook

    book = _BOOKS.get(region)
    if book is None:
        book = _BOOKS[region] = PriceBook(region)
    return book


def design_options(scenario, plan, designs=None) -> tuple[dict, str | None, str]:
    """({design: sized design or None}, recommended design or None, why a design is not checked) for the
    designs to check: every design `compare` prices unless `designs` names some. The Lambda design needs
    no sizing; an ECS design is sized as compare sizes it (limits.designs: Option.sizing without the
    prices), so limits-check checks what compare priced."""
    from costplan.limits import designs as sized_designs

    wanted = list(designs or DESIGNS)
    need_ecs = any(d != "lambda" for d in wanted)
    need_rec = "recommended" in wanted or not designs
    options, recommended, why = {"lambda": None}, None, ""
    if need_ecs and any(getattr(s, "ecs_capable", True) for s in plan.stages):
        try:
            book = _book(scenario.region)
            ecs = sized_designs.ecs_designs(plan, book)
            if need_rec:
                recommended = sized_designs.recommended(plan, book, scenario.free_tier, ecs)
            options.update(ecs)
        except CostplanError as e:  # e.g. a Region the price book does not cover: quotas still apply
            recommended = None
            why = f"the ECS designs are not checked: compare cannot size them here ({e.problems[0].message})"
        except ArithmeticError as e:  # an extreme accepted value (1e-30 requests per task): compare refuses it
            recommended = None       # as bad input; the Lambda design's quotas are still checked
            why = f"the ECS designs are not checked: their sizing overflows ({type(e).__name__}); see `costplan compare`"
    if recommended is None and need_rec:
        recommended = "lambda"
    out = {}
    for d in wanted:
        d = recommended if d == "recommended" else d
        if d in options and d not in out:
            out[d] = options[d]
    if not out:  # an ECS design asked for where there is none: say so, check the rest on Lambda
        out["lambda"] = None
        why = why or f"no {', '.join(wanted)} design for this pattern's compute: the Lambda design is checked"
    return out, recommended, why


def check_plan(scenario, plan, warn: Decimal, critical: Decimal, overrides=None, live=None,
               designs=None, quotas=None) -> ScenarioResult:
    """Run every registered check on one planned scenario, for each design to check (`quotas`: as in
    check_one)."""
    from costplan.limits.model import Context
    from costplan.limits.quotas import Resolver

    load_checks()
    ctx = Context(scenario, plan, Resolver(scenario.region, scenario.quotas if quotas is None else quotas, overrides,
                                          live), warn, critical)
    chosen, recommended, why = design_options(scenario, plan, designs)
    if why:
        ctx.missing.append(why)
    shared_done, shares = False, None
    for design, option in chosen.items():
        if shares is not None:
            ctx.shares = {}  # the account adds up the first design checked (see accounts.py)
        ctx.design, ctx.option = design, option
        for c in REGISTRY:
            if c.designs:
                if design not in c.designs:
                    continue
            elif shared_done:
                continue  # the same on every design: checked once
            ctx.current = c
            try:
                c.fn(ctx)
            except CostplanError:
                raise
            except (ArithmeticError, TypeError, ValueError, KeyError, AttributeError) as e:
                # A fact of an unexpected shape: say which check could not run, never a traceback.
                ctx.missing.append(f"{c.id} could not run ({type(e).__name__}: {e})")
        shared_done = True
        if shares is None:
            shares = ctx.shares
    # The exit code gates on the designs asked for; by default on the one compare recommends (the others
    # are shown so the reviewer sees which passes).
    gating = list(chosen) if designs else [recommended or "lambda"]
    return ScenarioResult(scenario, ctx.findings, ctx.missing, shares=shares if shares is not None else {},
                          designs=list(chosen), recommended=recommended, gating=gating)


def pool_account_quotas(scenarios) -> list:
    """A quota is a fact about an account: what one scenario declares under `quotas:` holds for every
    scenario checked with it on the same account and Region (the smaller value where two disagree)."""
    from costplan.limits.quotas import table

    known = table()

    def shared(qid) -> bool:  # a table's pre-warmed throughput or a subnet's size is not the account's
        return known[qid].scope != "resource" if qid in known else True

    pooled: dict[tuple[str, str], dict] = {}
    for sc in scenarios:
        acct = pooled.setdefault((sc.account, sc.region), {})
        for qid, v in (sc.quotas or {}).items():
            if shared(qid):
                acct[qid] = min(v, acct[qid]) if qid in acct else v
    out = []
    for sc in scenarios:
        own = {k: v for k, v in (sc.quotas or {}).items() if not shared(k)}
        merged = {**pooled[(sc.account, sc.region)], **own}
        out.append(sc if merged == dict(sc.quotas or {}) else sc.model_copy(update={"quotas": merged}))
    return out


def _thresholds(warn, critical, overrides, designs):
    """(warn %, critical %, overrides as {id: value}) checked: bad input raises CostplanError."""
    from costplan.limits import quotas

    for d in designs or ():
        if d not in DESIGN_CHOICES:
            from costplan.errors import did_you_mean

            raise CostplanError(Problem(f"unknown design {d!r}{did_you_mean(d, DESIGN_CHOICES)}; expected one of "
                                        f"{', '.join(DESIGN_CHOICES)}", field="--design"))
    w, c = _pct(warn, "--warn"), _pct(critical, "--critical")
    if w > c:
        raise CostplanError(Problem(f"warning threshold {w}% is above critical {c}%", field="--warn"))
    if isinstance(overrides, list | tuple):
        overrides = quotas.parse_overrides(list(overrides))
    elif overrides:
        for k in overrides:
            quotas.get(k)
    return w, c, overrides


class Member:
    """What the account-wide checks (accounts.run) read of one checked scenario: its shares of the
    account's quotas (the non-zero ones: a zero adds nothing) and when its peak falls, not its findings
    or plan (a folder of thousands holds one of these per scenario, a few hundred bytes)."""

    __slots__ = ("scenario", "shares", "unchecked")

    def __init__(self, result, quotas):
        sc = result.scenario
        self.scenario = _Who(sc, quotas)
        self.shares = {k: v for k, v in result.shares.items() if v}
        self.unchecked = result.unchecked


class _Who:
    """The scenario as the account-wide checks name it and place its peak."""

    __slots__ = ("name", "description", "account", "region", "quotas", "workload")

    def __init__(self, sc, quotas):
        self.name, self.description, self.account, self.region = sc.name, sc.description, sc.account, sc.region
        self.quotas = quotas
        self.workload = _When(sc.workload)


class _When:
    __slots__ = ("traffic_window", "traffic_days", "active_days_per_month")

    def __init__(self, w):
        self.traffic_window, self.traffic_days = w.traffic_window, w.traffic_days
        self.active_days_per_month = w.active_days_per_month


class Batch:
    """limits-check over any number of scenarios in flat memory: each is checked as it arrives and its
    result handed back at once (the caller writes it and lets it go); only each scenario's Member is kept
    for the account-wide checks.

    A quota declared under one scenario's `quotas:` holds for its whole account (pool_account_quotas), so
    a scenario later in the folder can lower a quota an earlier one was checked with. Each scenario is
    checked with its account's quotas as pooled so far; when the pool of its account changed after, it
    is checked again at the end (`reload(index)` gives the scenario back) and run() yields its index a
    second time with the new result, which replaces the first. The results are those of
    pool_account_quotas over the whole list.

    Problems: those of scenario quotas, then of checking (each list in file order); the first kind found
    stops the checking (its problems are the ones reported), as check() does."""

    def __init__(self, warn=80, critical=100, overrides=None, live=None, designs=None):
        self.warn, self.critical, self.overrides = _thresholds(warn, critical, overrides, designs)
        self.live, self.designs = live, designs
        self.quota_problems: list[Problem] = []
        self.check_problems: list[Problem] = []
        self.members: list[Member | None] = []
        self.account_findings: list = []
        self._pool: dict[tuple[str, str], dict] = {}
        self._version: dict[tuple[str, str], int] = {}
        self._seen: list[tuple] = []  # per scenario: (account, region), the pool version it was checked with
        load_checks()
        _BOOKS.clear()  # price files may have changed since the last run (COSTPLAN_PRICING_DIR, refresh)

    @property
    def problems(self) -> list[Problem]:
        return self.quota_problems or self.check_problems

    def _pooled(self, sc, key):
        """The scenario's quotas: its account's pooled so far, and its own resource-scoped ones."""
        from costplan.limits.quotas import table

        known = table()
        pool = self._pool.setdefault(key, {})
        own = sc.quotas or {}
        changed = False
        for qid, v in own.items():
            if known[qid].scope != "resource" if qid in known else True:
                if qid not in pool or v < pool[qid]:
                    pool[qid] = v
                    changed = True
        if changed:
            self._version[key] = self._version.get(key, 0) + 1
        if not pool:
            return own
        merged = {**pool, **{k: v for k, v in own.items() if k in known and known[k].scope == "resource"}}
        return own if merged == dict(own) else merged

    def _one(self, sc, quotas):
        from costplan.limits.live import live_for

        try:
            r = check_one(sc, self.warn, self.critical, self.overrides, live_for(self.live, sc.account),
                          self.designs, quotas)
        except CostplanError as e:
            self.check_problems.extend(e.problems)
            return None
        if quotas is not (sc.quotas or {}) and quotas != dict(sc.quotas or {}):
            r.scenario = sc.model_copy(update={"quotas": quotas})  # as pool_account_quotas gives it
        return r

    def run(self, scenarios, reload=None, halted=lambda: False):
        """Yield (index, ScenarioResult) per scenario of the iterable, then (index, result) again for
        those checked again (see the class). halted(): the caller has found problems of its own (a file
        that does not load): the rest are only looked at for quota problems."""
        from costplan.limits import quotas as quota_mod

        for i, sc in enumerate(scenarios):
            key = (sc.account, sc.region)
            self.members.append(None)
            self.quota_problems.extend(quota_mod.scenario_problems(sc))
            pooled = self._pooled(sc, key)
            self._seen.append((key, self._version.get(key, 0)))
            if halted() or self.problems:
                continue
            r = self._one(sc, pooled)
            if r is not None:
                self.members[i] = Member(r, pooled)
                yield i, r
        if halted() or self.problems:
            return
        for i, (key, version) in enumerate(self._seen):
            if self._version.get(key, 0) != version:
                sc = reload(i)
                r = self._one(sc, self._pooled(sc, key))
                if r is not None:
                    self.members[i] = Member(r, r.scenario.quotas)
                    yield i, r
        if not self.check_problems:
            from costplan.limits import accounts

            self.account_findings = accounts.run(self.members, self.warn, self.critical, self.overrides,
                                                 self.live)


def check(scenarios, warn=80, critical=100, overrides=None, live=None, designs=None) -> LimitsResult:
    """Check scenarios against quotas; scenarios on one account and Region also against each other.

    overrides: {quota id: value} or ["id=value", ...] (beat the scenario's and live values);
    live: {(region, quota id) | quota id: value} — the account's applied quotas (see limits.live).
    Raises CostplanError for bad input (unknown quota ids with file:line, bad thresholds).
    """
    scenarios = list(scenarios)
    batch = Batch(warn, critical, overrides, live, designs)
    results: list = [None] * len(scenarios)
    for i, r in batch.run(scenarios, scenarios.__getitem__):
        results[i] = r
    if batch.problems:
        raise CostplanError(batch.problems)
    return LimitsResult(results, batch.account_findings, batch.warn, batch.critical)


__all__ = ["Batch", "Check", "Finding", "LimitsResult", "ScenarioResult", "check", "check_one", "check_plan", "load_checks"]
