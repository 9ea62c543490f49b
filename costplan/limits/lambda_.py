"""Lambda: account concurrency (shared by every function in the account and Region), reserved
concurrency and the unreserved floor, burst ramp per function, invoke rate, timeouts."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import caps, ceil, dur, p99_s, q, stage_need
from costplan.limits.model import check
from costplan.limits.quotas import Limit

L1 = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
L2 = "https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html"
L3 = "https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html"
L4 = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html"


def shares(plan) -> dict:
    """What the scenario adds to its account's Lambda pool at its peak."""
    unreserved = sum((stage_need(s) for s in plan.stages if s.reserved_concurrency is None), Decimal(0))
    reserved = sum((Decimal(s.reserved_concurrency) for s in plan.stages if s.reserved_concurrency is not None),
                   Decimal(0))
    return {"lambda_concurrency": unreserved, "lambda_reserved": reserved}


def request_fix(ctx, total: Decimal) -> str:
    lim = ctx.limit("lambda.concurrent_executions")
    comfortable = ceil(total * 100 / ctx.warn) if ctx.warn > 0 else ceil(total)
    return (f"request concurrency ≥ {q(ceil(total))} (≥ {q(comfortable)} to stay under {q(ctx.warn)} %) via "
            f"Service Quotas {lim.quota.quota_code}, or level the load with a queue and cap the consumer")


@check("LAMBDA-CONCURRENCY", "Lambda account concurrency at the peak",
       ("lambda.concurrent_executions", "lambda.unreserved_floor"),
       "Σ unreserved stages min(peak rps × duration s, ESM cap) ≤ quota − Σ reserved", L4)
def concurrency(ctx):
    plan = ctx.plan
    if not plan.stages:
        return
    sh = shares(plan)
    ctx.shares.update(sh)
    quota = ctx.limit("lambda.concurrent_executions")
    avail = Limit(quota.value - sh["lambda_reserved"], quota.source, quota.quota)
    parts = ", ".join(f"{s.name} {q(s.traffic.peak_rps)}/s × {q(s.traffic.duration_ms / 1000, 2)} s"
                      + (f" (cap {q(s.max_concurrency)})" if s.max_concurrency is not None else "")
                      for s in plan.stages if s.reserved_concurrency is None)
    need = sh["lambda_concurrency"]
    msg = (f"peak concurrency {q(need)} ({parts or 'all stages reserved'}) against "
           f"{q(quota.value)} {quota.source} quota − {q(sh['lambda_reserved'])} reserved")
    ctx.finding(need, avail, "concurrent executions", msg, request_fix(ctx, need + sh["lambda_reserved"]))


@check("LAMBDA-RESERVED", "A stage's reserved concurrency covers its peak",
       ("lambda.concurrent_executions",), "min(peak rps × duration s, ESM cap) ≤ reserved concurrency", L4)
def reserved(ctx):
    for s in ctx.plan.stages:
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
                    status="ok" if capped else None)


@check("LAMBDA-UNRESERVED-FLOOR", "Reserved concurrency leaves ≥100 unreserved",
       ("lambda.concurrent_executions", "lambda.unreserved_floor"), "Σ reserved ≤ quota − 100", L2)
def floor_check(ctx):
    total = sum((Decimal(s.reserved_concurrency) for s in ctx.plan.stages if s.reserved_concurrency is not None),
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


@check("LAMBDA-BURST-RAMP", "Per-function scaling ramp to the peak (1,000 per 10 s)",
       ("lambda.burst_step",), "t ≈ 10 s × ceil((N − C₀) / 1,000), N = peak concurrency, C₀ = warm copies",
       L3, severity="warning")
def burst(ctx):
    step = ctx.limit("lambda.burst_step")
    for s in ctx.plan.stages:
        if s.role == "consumer":
            continue  # SQS consumers ramp through their event source mapping (SQS-ESM-RAMP)
        n = min(stage_need(s), caps(s.reserved_concurrency))
        c0 = Decimal(getattr(s.warm, "copies", 0) or 0) if s.warm is not None else Decimal(0)
        c0 = min(c0, n)
        steps = max(0, ceil((n - c0) / step.value)) if step.value > 0 else 0
        t = 10 * steps
        status = "ok" if n - c0 <= step.value else "warn"
        extra = ceil(n - c0 - step.value) if status == "warn" else 0
        ctx.finding(n - c0, step, "environments per 10 s",
                    f"{s.name}: reaching {q(n)} concurrent from {q(c0)} takes ≈ {dur(t)} at "
                    f"+{q(step.value)} per 10 s; faster arrivals get 429 during the ramp",
                    f"pre-warm ≥ {q(extra)} with provisioned concurrency before the peak, or put a queue in "
                    f"front" if extra else "", subject=s.name, status=status)


@check("LAMBDA-INVOKE-RATE", "Invocation rate vs 10 × concurrency quota",
       ("lambda.concurrent_executions", "lambda.invoke_rps_per_concurrency"),
       "Σ stages peak invocations/s ≤ 10 × concurrency quota", L4)
def invoke_rate(ctx):
    if not ctx.plan.stages:
        return
    rps = sum((Decimal(s.traffic.peak_rps) for s in ctx.plan.stages), Decimal(0))
    quota = ctx.limit("lambda.concurrent_executions")
    k = ctx.limit("lambda.invoke_rps_per_concurrency")
    lim = Limit(quota.value * k.value, quota.source, quota.quota)
    ctx.finding(rps, lim, "invocations/s",
                f"{q(rps)} invocations/s at the peak against {q(k.value)} × {q(quota.value)} concurrency quota",
                f"request concurrency ≥ {q(ceil(rps / k.value))} (invoke rate is 10 × the concurrency quota)")


@check("LAMBDA-TIMEOUT", "p99 duration within the function timeout and the 900 s maximum",
       ("lambda.timeout",), "p99 ≤ function timeout ≤ 900 s", L1)
def timeout(ctx):
    mx = ctx.limit("lambda.timeout")
    for s in ctx.plan.stages:
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
