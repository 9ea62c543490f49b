"""limits-check: every scenario at its peak against the quota table (pricing_data/quotas.yaml), and
scenarios sharing an account and Region added up at coinciding peaks.

Entry point: check(scenarios, warn=80, critical=100, overrides=None, live=None) -> LimitsResult.
"""
from __future__ import annotations

import importlib
from decimal import Decimal

from costplan.errors import CostplanError, Problem
from costplan.limits.model import REGISTRY, Check, Finding, LimitsResult, ScenarioResult

# One module per concern; each registers its checks when imported (static list: no discovery cost).
MODULES = ("lambda_", "apigateway", "sqs", "payloads", "fanout", "s3", "schedule", "iot", "websocket",
           "stepfunctions", "dynamodb", "accounts")
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


def check_one(scenario, warn: Decimal, critical: Decimal, overrides=None, live=None) -> ScenarioResult:
    from costplan import patterns

    if scenario.pattern not in patterns.REGISTRY:
        return ScenarioResult(scenario, [], [], unchecked=f"pattern {scenario.pattern!r} has no planner yet; "
                              "limits-check needs its stages and facts")
    return check_plan(scenario, patterns.plan(scenario), warn, critical, overrides, live)


def check_plan(scenario, plan, warn: Decimal, critical: Decimal, overrides=None, live=None) -> ScenarioResult:
    """Run every registered check on one planned scenario."""
    from costplan.limits.model import Context
    from costplan.limits.quotas import Resolver

    load_checks()
    ctx = Context(scenario, plan, Resolver(scenario.region, scenario.quotas, overrides, live), warn, critical)
    for c in REGISTRY:
        ctx.current = c
        try:
            c.fn(ctx)
        except CostplanError:
            raise
        except (ArithmeticError, TypeError, ValueError, KeyError, AttributeError) as e:
            # A fact of an unexpected shape: say which check could not run, never a traceback.
            ctx.missing.append(f"{c.id} could not run ({type(e).__name__}: {e})")
    return ScenarioResult(scenario, ctx.findings, ctx.missing, shares=ctx.shares)


def pool_account_quotas(scenarios) -> list:
    """A quota is a fact about an account: what one scenario declares under `quotas:` holds for every
    scenario checked with it on the same account and Region (the smaller value where two disagree)."""
    pooled: dict[tuple[str, str], dict] = {}
    for sc in scenarios:
        acct = pooled.setdefault((sc.account, sc.region), {})
        for qid, v in (sc.quotas or {}).items():
            acct[qid] = min(v, acct[qid]) if qid in acct else v
    out = []
    for sc in scenarios:
        merged = pooled[(sc.account, sc.region)]
        out.append(sc if merged == dict(sc.quotas or {}) else sc.model_copy(update={"quotas": dict(merged)}))
    return out


def check(scenarios, warn=80, critical=100, overrides=None, live=None) -> LimitsResult:
    """Check scenarios against quotas; scenarios on one account and Region also against each other.

    overrides: {quota id: value} or ["id=value", ...] (beat the scenario's and live values);
    live: {(region, quota id) | quota id: value} — the account's applied quotas (see limits.live).
    Raises CostplanError for bad input (unknown quota ids with file:line, bad thresholds).
    """
    from costplan.limits import accounts, quotas
    from costplan.limits.live import live_for

    load_checks()
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
    results = []
    for sc in scenarios:
        try:
            results.append(check_one(sc, w, c, overrides, live_for(live, sc.account)))
        except CostplanError as e:
            problems.extend(e.problems)
    if problems:
        raise CostplanError(problems)
    return LimitsResult(results, accounts.run(results, w, c, overrides, live), w, c)


__all__ = ["Check", "Finding", "LimitsResult", "ScenarioResult", "check", "check_one", "check_plan", "load_checks"]
