"""Across scenarios: what scenarios on one (account, Region) share — Lambda concurrency, API Gateway
RPS, EventBridge PutEvents — added up at coinciding peaks. Peaks coincide when the declared
traffic_windows overlap; an undeclared window coincides with everything (worst case)."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from costplan.limits.calc import ceil, floor, q
from costplan.limits.model import Check, Context, check
from costplan.limits.quotas import Limit, Resolver

ACCOUNT_CHECKS: list[Check] = []
NON_PROD = re.compile(r"(?<![a-z])(qa|test|tests|load|loadtest|staging|stage|dev|perf|sandbox)(?![a-z])", re.I)


def _account_check(*args, **kw):
    deco = check(*args, **kw)

    def wrap(fn):
        from costplan.limits.model import REGISTRY

        deco(fn)
        ACCOUNT_CHECKS.append(REGISTRY.pop())
        return fn

    return wrap


@lru_cache(maxsize=1024)
def minutes(window: str | None):
    """The set of UTC minutes a window covers (None = all day)."""
    if not window:
        return None
    from costplan.scenario import parse_window

    a, b = parse_window(window)
    a, b = a % 1440, b % 1440
    if a == b:
        return frozenset(range(1440))
    return frozenset(range(a, b)) if a < b else frozenset(range(a, 1440)) | frozenset(range(0, b))


def peak_sum(items: list[tuple[object, frozenset | None, Decimal]]):
    """Largest Σ value over scenarios active at one minute; returns (total, [(scenario, value)]).

    The load only rises where a window starts, so those minutes are the only candidates."""
    starts = {_start(m) for _, m, _ in items if m} or {0}
    best, best_set = Decimal(-1), []
    for p in sorted(starts):
        active = [(s, v) for s, m, v in items if m is None or p in m]
        total = sum((v for _, v in active), Decimal(0))
        if total > best:
            best, best_set = total, active
    return max(best, Decimal(0)), best_set


@lru_cache(maxsize=1024)
def _start(m: frozenset) -> int:
    return min((x for x in m if (x - 1) % 1440 not in m), default=0)


class _Group:
    def __init__(self, account, region, results, resolve, warn, critical):
        self.account, self.region, self.results = account, region, results
        self.resolve = resolve
        self.warn, self.critical = warn, critical


def _ctx(group, sc):
    from types import SimpleNamespace

    fake = sc.model_copy(update={"name": f"{group.account}/{group.region}"})
    ctx = Context(fake, SimpleNamespace(facts={}, stages=[]), group.resolve, group.warn, group.critical)
    return ctx


def _suspect(active):
    """The scenario to move or cap: a non-production one (QA, load test…) if any, else the largest."""
    named = [(s, v) for s, v in active if NON_PROD.search(f"{s.scenario.name} {s.scenario.description}")]
    pool = named or active
    return max(pool, key=lambda sv: sv[1])


def _windows(active) -> str:
    return " + ".join(f"{s.scenario.name} {q(v)} ({s.scenario.workload.traffic_window or 'any time'})"
                      for s, v in active)


def run(results, warn, critical, overrides, live) -> list:
    from costplan.limits.live import live_for

    groups: dict[tuple[str, str], list] = {}
    for r in results:
        if not r.unchecked:
            groups.setdefault((r.scenario.account, r.scenario.region), []).append(r)
    out = []
    for (account, region), rs in sorted(groups.items()):
        if len(rs) < 2:
            continue
        # The account's quotas: the smallest any of its scenarios declares (they describe one account).
        resolvers = [Resolver(region, r.scenario.quotas, overrides, live_for(live, r.scenario.account)) for r in rs]

        def resolve(qid, _resolvers=resolvers):
            return min((res(qid) for res in _resolvers), key=lambda lim: lim.value)

        g = _Group(account, region, rs, resolve, warn, critical)
        ctx = _ctx(g, rs[0].scenario)
        for c in ACCOUNT_CHECKS:
            ctx.current = c
            c.fn(ctx, g)
        for f in ctx.findings:
            f.level = "account"
            f.file = None
            f.account, f.region = account, region
        out.extend(ctx.findings)
    return out


def _items(g, key):
    return [(r, minutes(r.scenario.workload.traffic_window), r.shares.get(key, Decimal(0))) for r in g.results
            if r.shares.get(key)]


@_account_check("ACCOUNT-LAMBDA-CONCURRENCY", "Lambda concurrency shared by the account's scenarios",
                ("lambda.concurrent_executions", "lambda.unreserved_floor"),
                "Σ coinciding scenarios' unreserved concurrency ≤ quota − Σ reserved (all scenarios)",
                "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html")
def lambda_concurrency(ctx, g):
    items = _items(g, "lambda_concurrency")
    if len(items) < 1:
        return
    reserved = sum((r.shares.get("lambda_reserved", Decimal(0)) for r in g.results), Decimal(0))
    quota = ctx.limit("lambda.concurrent_executions")
    floor_ = ctx.limit("lambda.unreserved_floor").value
    avail = Limit(quota.value - reserved, quota.source, quota.quota)
    total, active = peak_sum(items)
    fix, dos = "", ""
    if total > avail.value and len(active) > 1:
        sus, v = _suspect(active)
        others = total - v
        n = min(avail.value - others, avail.value - floor_)
        name = sus.scenario.name
        fix = (f"move {name} to its own account, or cap it with reserved concurrency {q(floor(n))}" if n >= 1 else
               f"move {name} to its own account (the others alone need {q(others)} of {q(avail.value)})")
        fix += "; or request concurrency ≥ " + q(ceil(total + reserved))
        if NON_PROD.search(f"{sus.scenario.name} {sus.scenario.description}"):
            dos = f" — {name} starves production (DoSing yourself: the quota is per account and Region)"
    elif total > avail.value:
        fix = f"request concurrency ≥ {q(ceil(total + reserved))}"
    ctx.finding(total, avail, "concurrent executions",
                f"coinciding peaks: {_windows(active)} = {q(total)} against {q(quota.value)} {quota.source} quota − "
                f"{q(reserved)} reserved{dos}", fix)


@_account_check("ACCOUNT-LAMBDA-RESERVED", "Reserved concurrency across the account leaves ≥100 unreserved",
                ("lambda.concurrent_executions", "lambda.unreserved_floor"), "Σ reserved (all scenarios) ≤ quota − 100",
                "https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html")
def lambda_reserved(ctx, g):
    reserved = sum((r.shares.get("lambda_reserved", Decimal(0)) for r in g.results), Decimal(0))
    if not reserved:
        return
    quota = ctx.limit("lambda.concurrent_executions")
    fl = ctx.limit("lambda.unreserved_floor").value
    lim = Limit(max(Decimal(0), quota.value - fl), quota.source, quota.quota)
    ctx.finding(reserved, lim, "concurrent executions",
                f"{q(reserved)} reserved across {len(g.results)} scenarios; {q(fl)} must stay unreserved",
                f"lower reserved concurrency to ≤ {q(lim.value)} in total or request concurrency ≥ {q(reserved + fl)}")


def _shared_rate(ctx, g, key, qid, unit, what, fix_tail):
    items = _items(g, key)
    if not items:
        return
    lim = ctx.limit(qid)
    total, active = peak_sum(items)
    fix = ""
    if total > lim.value:
        sus, v = _suspect(active) if len(active) > 1 else (active[0][0], active[0][1])
        cap = lim.value - (total - v)
        fix = (f"move {sus.scenario.name} to its own account, or {fix_tail} {q(floor(cap))}/s" if cap >= 1 and
               len(active) > 1 else f"request {what} ≥ {q(ceil(total))}/s ({lim.quota.quota_code})")
    ctx.finding(total, lim, unit, f"coinciding peaks: {_windows(active)} = {q(total)}/s against {q(lim.value)}/s "
                f"{what}", fix)


@_account_check("ACCOUNT-APIGW-RPS", "API Gateway account rate shared by the account's scenarios",
                ("apigateway.account_rps",), "Σ coinciding scenarios' API requests/s ≤ account throttle",
                "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html")
def apigw(ctx, g):
    _shared_rate(ctx, g, "apigw_rps", "apigateway.account_rps", "requests/s", "API Gateway throttle",
                 "throttle its stage at")


@_account_check("ACCOUNT-EVENTBRIDGE-PUTEVENTS", "EventBridge PutEvents shared by the account's scenarios",
                ("eventbridge.put_events_tps",), "Σ coinciding scenarios' PutEvents/s ≤ Region quota",
                "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html")
def put_events(ctx, g):
    _shared_rate(ctx, g, "put_events_tps", "eventbridge.put_events_tps", "requests/s", "PutEvents TPS",
                 "limit its publishers to")
