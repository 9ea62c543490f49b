"""Lambda: account concurrency (shared by every function in the account and Region), reserved
concurrency and the unreserved floor, burst ramp per function, invoke rate, timeouts."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import caps, ceil, dur, invoked_async, overload_delay, p99_s, peak_window_s, q, stage_need
from costplan.limits.model import check
from costplan.limits.quotas import Limit

DESIGNS = ("lambda", "fargate", "ec2")  # on an ECS design: the stages it leaves on Lambda

L1 = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
L2 = "https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html"
L3 = "https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html"
L4 = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html"


def shares(stages) -> dict:
    """What the scenario adds to its account's Lambda pool at its peak."""
    unreserved = sum((stage_need(s) for s in stages if s.reserved_concurrency is None), Decimal(0))
    reserved = sum((Decimal(s.reserved_concurrency) for s in stages if s.reserved_concurrency is not None),
                   Decimal(0))
    rps = sum((Decimal(s.traffic.peak_rps) for s in stages), Decimal(0))
    return {"lambda_concurrency": unreserved, "lambda_reserved": reserved, "lambda_invoke_rps": rps}


def _async_delay(ctx, stages, need: Decimal, capacity: Decimal, per_stage) -> Decimal | None:
    """When only asynchronously invoked stages push `need` over `capacity`, how late their events run
    (Lambda retries them for up to 6 h); None when a synchronous stage is throttled too."""
    sync_need = sum((per_stage(s) for s in stages if not invoked_async(ctx.plan, s)), Decimal(0))
    if need <= capacity or sync_need >= capacity:
        return None
    return overload_delay(peak_window_s(ctx.scenario), need - sync_need, capacity - sync_need)


def _delay_note(delay) -> str:
    return (f"; only asynchronously invoked stages are over it: Lambda retries their throttled events for up to "
            f"6 h, so they run up to ≈ {dur(delay)} late (a backlog, not lost requests)" if delay is not None else "")


def request_fix(ctx, total: Decimal) -> str:
    lim = ctx.limit("lambda.concurrent_executions")
    comfortable = ceil(total * 100 / ctx.warn) if ctx.warn > 0 else ceil(total)
    return (f"request concurrency ≥ {q(ceil(total))} (≥ {q(comfortable)} to stay under {q(ctx.warn)} %) via "
            f"Service Quotas {lim.quota.quota_code}, or level the load with a queue and cap the consumer")


@check("LAMBDA-CONCURRENCY", "Lambda account concurrency at the peak",
       ("lambda.concurrent_executions", "lambda.unreserved_floor"),
       "Σ unreserved stages min(peak rps × duration s, ESM cap) ≤ quota − Σ reserved", L4, designs=DESIGNS,
       measures="peak concurrency of every function (Little's law) against the account pool")
def concurrency(ctx):
    stages = ctx.stages
    if not stages:
        return
    sh = shares(stages)
    ctx.shares.update(sh)
    quota = ctx.limit("lambda.concurrent_executions")
    avail = Limit(quota.value - sh["lambda_reserved"], quota.source, quota.quota)
    unreserved = [s for s in stages if s.reserved_concurrency is None]
    parts = ", ".join(f"{s.name} {q(s.traffic.peak_rps)}/s × {q(s.traffic.duration_ms / 1000, 2)} s"
                      + (f" (cap {q(s.max_concurrency)})" if s.max_concurrency is not None else "")
                      for s in unreserved)
    need = sh["lambda_concurrency"]
    delay = _async_delay(ctx, unreserved, need, avail.value, stage_need)
    msg = (f"peak concurrency {q(need)} ({parts or 'all stages reserved'}) against "
           f"{q(quota.value)} {quota.source} quota − {q(sh['lambda_reserved'])} reserved{_delay_note(delay)}")
    ctx.finding(need, avail, "concurrent executions", msg, request_fix(ctx, need + sh["lambda_reserved"]),
                delay_s=delay)


@check("LAMBDA-RESERVED", "A stage's reserved concurrency covers its peak",
       ("lambda.concurrent_executions",), "min(peak rps × duration s, ESM cap) ≤ reserved concurrency", L4,
       designs=DESIGNS, measures="each function's peak concurrency against its own reserved concurrency")
def reserved(ctx):
    for s in ctx.stages:
        if s.reserved_concurrency is None:
            continue
        need = stage_need(s)
        r = Decimal(s.reserved_concurrency)
        capped = s.max_concurrency is not None and Decimal(s.max_concurrency) <= r
        if capped:
            fix = ""  # the event source never asks for more than is reserved: excess waits in the queue
        else:
            fix = (f"raise {s.name}'s reserved concurrency to ≥ {q(ceil(need))}, or cap its event source at "
                   f"{q(r)} concurrent so excess waits in the queue instead of being throttled")
        ctx.finding(need, r, "concurrent executions",
                    f"{s.name} reaches {q(need)} concurrent against {q(r)} reserved; above it Lambda throttles",
                    fix, subject=s.name, quota="lambda.concurrent_executions", source="scenario",
                    status="ok" if capped else None,
                    delay_s=overload_delay(peak_window_s(ctx.scenario), need, r) if invoked_async(ctx.plan, s)
                    and not capped else None)


@check("LAMBDA-UNRESERVED-FLOOR", "Reserved concurrency leaves ≥100 unreserved",
       ("lambda.concurrent_executions", "lambda.unreserved_floor"), "Σ reserved ≤ quota − 100", L2, designs=DESIGNS,
       measures="reserved concurrency leaves the 100 unreserved that PutFunctionConcurrency requires")
def floor_check(ctx):
    total = sum((Decimal(s.reserved_concurrency) for s in ctx.stages if s.reserved_concurrency is not None),
                Decimal(0))
    if total == 0:
        return
    quota = ctx.limit("lambda.concurrent_executions")
    fl = ctx.limit("lambda.unreserved_floor")
    lim = Limit(max(Decimal(0), quota.value - fl.value), quota.source, quota.quota)
    ctx.finding(total, lim, "concurrent executions",
                f"{q(total)} reserved of a {q(quota.value)} quota must leave {q(fl.value)} unreserved "
                f"(PutFunctionConcurrency refuses otherwise)",
                f"lower reserved concurrency to ≤ {q(lim.value)} in total, or request concurrency ≥ "
                f"{q(total + fl.value)}")


def _warm(s, n: Decimal) -> Decimal:
    c0 = Decimal(getattr(s.warm, "copies", 0) or 0) if s.warm is not None else Decimal(0)
    return min(c0, n)


@check("LAMBDA-BURST-RAMP", "Per-function scaling ramp to the peak (1,000 per 10 s)",
       ("lambda.burst_step",), "t ≈ 10 s × ceil((N − C₀) / 1,000), N = peak concurrency, C₀ = warm copies",
       L3, designs=DESIGNS, measures="execution environments one function must add in its first 10 s")
def burst(ctx):
    step = ctx.limit("lambda.burst_step")
    for s in ctx.stages:
        if s.role == "consumer":
            continue  # SQS consumers ramp through their event source mapping (SQS-ESM-RAMP)
        n = min(stage_need(s), caps(s.reserved_concurrency))
        c0 = _warm(s, n)
        steps = max(0, ceil((n - c0) / step.value)) if step.value > 0 else 0
        t = 10 * steps
        extra = ceil(n - c0 - step.value) if n - c0 > step.value else 0
        asyn = invoked_async(ctx.plan, s)
        ctx.finding(n - c0, step, "environments per 10 s",
                    f"{s.name}: reaching {q(n)} concurrent from {q(c0)} takes ≈ {dur(t)} at "
                    f"+{q(step.value)} per 10 s; " + (
                        f"events arriving faster are throttled and retried (asynchronous), up to ≈ {dur(t)} late"
                        if asyn else "faster arrivals get 429 during the ramp"),
                    f"pre-warm ≥ {q(extra)} with provisioned concurrency before the peak, or put a queue in "
                    f"front" if extra else "", subject=s.name, delay_s=t if asyn else None)


@check("LAMBDA-INVOKE-RAMP", "Per-function request-rate ramp to the peak (10,000 RPS per 10 s)",
       ("lambda.invoke_rps_step",), "t ≈ 10 s × ceil(peak rps / 10,000) per function", L3, designs=DESIGNS,
       measures="requests per second one function must add in its first 10 s (short functions hit this first)")
def invoke_ramp(ctx):
    step = ctx.limit("lambda.invoke_rps_step")
    for s in ctx.stages:
        if s.role == "consumer" or step.value <= 0:
            continue
        rps = Decimal(s.traffic.peak_rps)
        if rps <= 0:
            continue
        t = 10 * max(1, ceil(rps / step.value))
        asyn = invoked_async(ctx.plan, s)
        ctx.finding(rps, step, "requests/s per 10 s",
                    f"{s.name}: {q(rps)} requests/s from idle takes ≈ {dur(t)} at +{q(step.value)}/s per 10 s",
                    f"ramp the traffic up over ≥ {dur(t)} (or pre-warm with provisioned concurrency), or put a "
                    f"queue in front", subject=s.name, delay_s=t if asyn else None)


@check("LAMBDA-INVOKE-RATE", "Invocation rate vs 10 × concurrency quota",
       ("lambda.concurrent_executions", "lambda.invoke_rps_per_concurrency"),
       "Σ stages peak invocations/s ≤ 10 × concurrency quota", L4, designs=DESIGNS,
       measures="invocations per second of every function against 10 × the concurrency quota")
def invoke_rate(ctx):
    stages = ctx.stages
    if not stages:
        return
    rps = sum((Decimal(s.traffic.peak_rps) for s in stages), Decimal(0))
    ctx.shares["lambda_invoke_rps"] = rps
    quota = ctx.limit("lambda.concurrent_executions")
    k = ctx.limit("lambda.invoke_rps_per_concurrency")
    lim = Limit(quota.value * k.value, quota.source, quota.quota)
    delay = _async_delay(ctx, stages, rps, lim.value, lambda s: Decimal(s.traffic.peak_rps))
    ctx.finding(rps, lim, "invocations/s",
                f"{q(rps)} invocations/s at the peak against {q(k.value)} × {q(quota.value)} concurrency quota"
                f"{_delay_note(delay)}",
                f"request concurrency ≥ {q(ceil(rps / k.value))} (invoke rate is 10 × the concurrency quota)",
                delay_s=delay)


@check("LAMBDA-TIMEOUT", "p99 duration within the function timeout and the 900 s maximum",
       ("lambda.timeout",), "p99 ≤ function timeout ≤ 900 s", L1, designs=DESIGNS,
       measures="p99 duration against the function timeout and Lambda's 15-minute maximum")
def timeout(ctx):
    mx = ctx.limit("lambda.timeout")
    for s in ctx.stages:
        p99 = p99_s(s)
        t = Decimal(s.timeout_s)
        if t > mx.value:
            ctx.finding(t, mx, "s", f"{s.name}: timeout {q(t)} s is above Lambda's {q(mx.value)} s maximum",
                        "split the work into Step Functions steps or run it on ECS", subject=s.name)
            continue
        ctx.finding(p99, t, "s", f"{s.name}: p99 {q(p99, 2)} s against a {q(t)} s timeout",
                    f"raise the timeout to ≥ {q(ceil(p99 * 2))} s (max {q(mx.value)} s)" if p99 * 2 <= mx.value
                    else "split the work into Step Functions steps or run it on ECS",
                    subject=s.name, quota="lambda.timeout",
                    source="scenario" if ctx.scenario.lambda_.timeout_s is not None else "config")
