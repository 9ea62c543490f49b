"""Across scenarios: what scenarios on one (account, Region) share — Lambda concurrency and invoke rate,
API Gateway RPS, SNS publish, EventBridge PutEvents and invocations, Step Functions starts and
transitions, WebSocket new connections, IoT connect and publish, Scheduler invocations, Fargate vCPU,
Glue runs — added up at coinciding peaks. Peaks coincide when they can fall on the same day (declared
traffic_days: weekdays or days of the month) and their traffic_windows overlap; an undeclared day or
window coincides with everything (the worst case, said in the finding)."""
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


@lru_cache(maxsize=1024)
def days(spec: str | None):
    """(kind, days) of a traffic_days declaration, None when undeclared (any day)."""
    if not spec:
        return None
    from costplan.scenario import parse_days

    return parse_days(spec)


def _active_on(d, weekday: int, monthday: int) -> bool:
    if d is None:
        return True
    kind, ds = d
    return (weekday if kind == "weekday" else monthday) in ds


def coinciding(items: list[tuple[object, frozenset | None, object, Decimal]]):
    """Largest Σ value over scenarios active on one day at one minute → (total, [(scenario, value)]).

    Days: every (weekday, day of month) pair happens in some month, so those 217 pairs are the
    candidate days; scenarios without declared days are on all of them. Scenarios with the same
    declaration are on the same days, so each distinct declaration is tested once per day."""
    specs = list(dict.fromkeys(it[2] for it in items))
    seen, best, best_set = set(), Decimal(-1), []
    for wd in range(7):
        for md in range(1, 32):
            on_specs = frozenset(sp for sp in specs if _active_on(sp, wd, md))
            if on_specs in seen or not on_specs:
                continue
            seen.add(on_specs)
            total, active = peak_sum([(it[0], it[1], it[3]) for it in items if it[2] in on_specs])
            if total > best:
                best, best_set = total, active
    return max(best, Decimal(0)), best_set


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


def _ctx(group):
    """A Context whose findings are the account's (named account/region, no file)."""
    from types import SimpleNamespace

    who = SimpleNamespace(name=f"{group.account}/{group.region}", region=group.region, account=group.account,
                          source_file=None)
    return Context(who, SimpleNamespace(facts={}, stages=[]), group.resolve, group.warn, group.critical)


def _suspect(active):
    """The scenario to move or cap: a non-production one (QA, load test…) if any, else the largest."""
    named = [(s, v) for s, v in active if NON_PROD.search(f"{s.scenario.name} {s.scenario.description}")]
    pool = named or active
    return max(pool, key=lambda sv: sv[1])


def _when(sc) -> str:
    w = sc.workload
    d = w.traffic_days or ("every day" if w.active_days_per_month >= 30 else
                           f"{q(w.active_days_per_month)} days a month, days undeclared")
    return f"{w.traffic_window or 'any time'}, {d}"


def _windows(active) -> str:
    text = " + ".join(f"{s.scenario.name} {q(v)} ({_when(s.scenario)})" for s, v in active)
    if len(active) > 1 and any(not s.scenario.workload.traffic_days and s.scenario.workload.active_days_per_month < 30
                               for s, _ in active):
        text += " [undeclared days assumed to coincide: declare traffic_days to separate them]"
    return text


def run(results, warn, critical, overrides, live) -> list:
    """The account-wide findings over checked scenarios: ScenarioResults, or the Members a Batch keeps
    (what these checks read: each scenario's shares, quotas, name and traffic window and days)."""
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
        ctx = _ctx(g)
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
    return [(r, minutes(r.scenario.workload.traffic_window), days(r.scenario.workload.traffic_days),
             r.shares.get(key, Decimal(0))) for r in g.results if r.shares.get(key)]


@_account_check("ACCOUNT-LAMBDA-CONCURRENCY", "Lambda concurrency shared by the account's scenarios",
                ("lambda.concurrent_executions", "lambda.unreserved_floor"),
                "Σ coinciding scenarios' unreserved concurrency (same day and window) ≤ quota − Σ reserved (all scenarios)",
                "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html",
                measures="Lambda concurrency: Σ unreserved concurrency of the account's scenarios at coinciding peaks "
                         "(same day, overlapping window)")
def lambda_concurrency(ctx, g):
    items = _items(g, "lambda_concurrency")
    if len(items) < 1:
        return
    reserved = sum((r.shares.get("lambda_reserved", Decimal(0)) for r in g.results), Decimal(0))
    quota = ctx.limit("lambda.concurrent_executions")
    floor_ = ctx.limit("lambda.unreserved_floor").value
    avail = Limit(quota.value - reserved, quota.source, quota.quota)
    total, active = coinciding(items)
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


def _shared_rate(ctx, g, key, qid, unit, what, fix_tail, per_unit: Decimal | None = None):
    items = _items(g, key)
    if len(items) < 2:
        return  # one scenario alone: its own check says it
    lim = ctx.limit(qid)
    if per_unit is not None:  # e.g. Lambda's invoke rate: 10 × the concurrency quota
        lim = Limit(lim.value * per_unit, lim.source, lim.quota)
    total, active = coinciding(items)
    fix = ""
    if total > lim.value:
        sus, v = _suspect(active) if len(active) > 1 else (active[0][0], active[0][1])
        cap = lim.value - (total - v)
        per = "/s" if unit.endswith("/s") else f" {unit}"
        ask = (f"request {what} ≥ {q(ceil(total / per_unit if per_unit else total))}"
               + ("" if per_unit else per) + (f" ({lim.quota.quota_code})" if lim.quota and lim.quota.quota_code else ""))
        fix = (f"move {sus.scenario.name} to its own account, or {fix_tail} {q(floor(cap))}{per}; or {ask}"
               if cap >= 1 and len(active) > 1 else ask)
    ctx.finding(total, lim, unit, f"coinciding peaks: {_windows(active)} = {q(total)} {unit} against "
                f"{q(lim.value)} {unit} {what}", fix)


# (check id, share key, quota id, unit, what, fix for the scenario to cap, multiplier of the quota)
SHARED_RATES = (
    ("ACCOUNT-LAMBDA-INVOKE-RATE", "lambda_invoke_rps", "lambda.concurrent_executions", "invocations/s",
     "Lambda concurrency (invoke rate 10 × the quota)", "cap its invocations at", "lambda.invoke_rps_per_concurrency"),
    ("ACCOUNT-APIGW-RPS", "apigw_rps", "apigateway.account_rps", "requests/s", "API Gateway throttle",
     "throttle its stage at", None),
    ("ACCOUNT-APIGW-BURST", "apigw_in_flight", "apigateway.account_burst", "requests in flight",
     "API Gateway burst bucket", "shorten its integration to keep in flight under", None),
    ("ACCOUNT-WEBSOCKET-CONNECT-RATE", "websocket_connect_rps", "apigateway.websocket_connect_rate", "connections/s",
     "WebSocket connect rate", "spread its reconnects to", None),
    ("ACCOUNT-SNS-PUBLISH", "sns_publish_rps", "sns.publish_tps", "messages/s", "SNS publish TPS",
     "limit its publishers to", None),
    ("ACCOUNT-EVENTBRIDGE-PUTEVENTS", "put_events_tps", "eventbridge.put_events_tps", "requests/s", "PutEvents TPS",
     "limit its publishers to", None),
    ("ACCOUNT-EVENTBRIDGE-INVOCATIONS", "eventbridge_invocations_rps", "eventbridge.invocations_tps", "invocations/s",
     "EventBridge invocations", "filter its rules down to", None),
    ("ACCOUNT-SCHEDULER-INVOCATIONS", "scheduler_invocations_rps", "eventbridge.scheduler_invocations_tps",
     "invocations/s", "Scheduler invocations", "spread its schedules to", None),
    ("ACCOUNT-SFN-STARTS", "sfn_starts_rps", "stepfunctions.start_rate", "starts/s", "StartExecution refill (Standard)",
     "start it through a queue at", None),
    ("ACCOUNT-SFN-TRANSITIONS", "sfn_transitions_rps", "stepfunctions.transition_rate", "transitions/s",
     "StateTransition refill", "start it through a queue below", None),
    ("ACCOUNT-IOT-CONNECT", "iot_connect_rps", "iot.connect_rate", "connects/s", "IoT CONNECT rate",
     "spread its reconnects to", None),
    ("ACCOUNT-IOT-PUBLISH-IN", "iot_inbound_rps", "iot.inbound_publish_rate", "messages/s", "IoT inbound publish",
     "batch its device messages to", None),
    ("ACCOUNT-IOT-PUBLISH-OUT", "iot_outbound_rps", "iot.outbound_publish_rate", "messages/s", "IoT outbound publish",
     "coalesce its topic updates to", None),
    ("ACCOUNT-FARGATE-VCPU", "fargate_vcpu", "fargate.on_demand_vcpu", "vCPU", "Fargate On-Demand vCPU",
     "cap its tasks at", None),
    ("ACCOUNT-GLUE-RUNS", "glue_runs", "glue.concurrent_runs_per_account", "runs", "Glue concurrent job runs",
     "stagger its starts to", None),
)


def _register_shared(cid, key, qid, unit, what, fix_tail, mult):
    def fn(ctx, g):
        per = ctx.limit(mult).value if mult else None
        _shared_rate(ctx, g, key, qid, unit, what, fix_tail, per)

    fn.__name__ = cid.lower().replace("-", "_")
    _account_check(cid, f"{what} shared by the account's scenarios", (qid,) + ((mult,) if mult else ()),
                   f"Σ coinciding scenarios' {unit} (same day and window) ≤ {what}", _QUOTA_URL.get(qid, ""),
                   measures=f"{what}: Σ {unit} of the account's scenarios at coinciding peaks (same day, "
                            "overlapping window)")(fn)


_QUOTA_URL = {}


def _init_urls():
    from costplan.limits.quotas import table

    for row in SHARED_RATES:
        q_ = table().get(row[2])
        if q_ is not None:
            _QUOTA_URL[row[2]] = q_.url or ""


_init_urls()
for _row in SHARED_RATES:
    _register_shared(*_row)
