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
              designs=None) -> ScenarioResult:
    from costplan import patterns

    if scenario.pattern not in patterns.REGISTRY:
        return ScenarioResult(scenario, [], [], unchecked=f"pattern {scenario.pattern!r} has no planner yet; "
                              "limits-check needs its stages and facts")
    return check_plan(scenario, patterns.plan(scenario), warn, critical, overrides, live, designs)


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
               designs=None) -> ScenarioResult:
    """Run every registered check on one planned scenario, for each design to check."""
    from costplan.limits.model import Context
    from costplan.limits.quotas import Resolver

    load_checks()
    ctx = Context(scenario, plan, Resolver(scenario.region, scenario.quotas, overrides, live), warn, critical)
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


def check(scenarios, warn=80, critical=100, overrides=None, live=None, designs=None) -> LimitsResult:
    """Check scenarios against quotas; scenarios on one account and Region also against each other.

    overrides: {quota id: value} or ["id=value", ...] (beat the scenario's and live values);
    live: {(region, quota id) | quota id: value} — the account's applied quotas (see limits.live).
    Raises CostplanError for bad input (unknown quota ids with file:line, bad thresholds).
    """
    from costplan.limits import accounts, quotas
    from costplan.limits.live import live_for

    load_checks()
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
    problems: list[Problem] = []
    for sc in scenarios:
        problems.extend(quotas.scenario_problems(sc))
    if problems:
        raise CostplanError(problems)
    scenarios = pool_account_quotas(scenarios)
    _BOOKS.clear()  # price files may have changed since the last run (COSTPLAN_PRICING_DIR, refresh)
    results = []
    for sc in scenarios:
        try:
            results.append(check_one(sc, w, c, overrides, live_for(live, sc.account), designs))
        except CostplanError as e:
            problems.extend(e.problems)
    if problems:
        raise CostplanError(problems)
    return LimitsResult(results, accounts.run(results, w, c, overrides, live), w, c)


__all__ = ["Check", "Finding", "LimitsResult", "ScenarioResult", "check", "check_one", "check_plan", "load_checks"]
