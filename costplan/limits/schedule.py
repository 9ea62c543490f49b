"""Scheduling precision: EventBridge schedules fire to the minute; DynamoDB TTL deletes within ~48 h."""
from __future__ import annotations

import re

from costplan.limits.calc import dur, num, q
from costplan.limits.model import check

E2 = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html"
D1 = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html"


@check("SCHEDULE-PRECISION", "EventBridge schedule precision (1 minute) vs the tolerance",
       ("eventbridge.schedule_precision",), "60 s ≤ required precision; rate() in whole minutes", E2)
def schedule(ctx):
    s = ctx.facts.get("schedule") or {}
    if not s:
        return
    prec = ctx.limit("eventbridge.schedule_precision")
    if s.get("service") == "scheduler":
        job = next((st for st in ctx.plan.stages if st.role == "job"), None)
        if job is not None:
            ctx.shares["scheduler_invocations_rps"] = job.traffic.peak_rps
    expr = str(s.get("expression") or "")
    m = re.match(r"rate\(\s*(\d+)\s+(second|seconds)\s*\)", expr)
    if m:
        ctx.finding(None, prec, "s", f"{expr}: EventBridge rates are whole minutes",
                    "use rate(1 minute) or run a long-lived worker for sub-minute work", status="fail")
    req = num(s.get("required_precision_s"))
    if req is None:
        ctx.needs("schedule.required_precision_s (how late a run may fire)")
        return
    ctx.finding(prec.value, req, "s", f"schedules fire within {dur(prec.value)}; the scenario tolerates {dur(req)}",
                "sub-minute timing needs a long-running worker (e.g. ECS), not a schedule",
                quota="eventbridge.schedule_precision", source="scenario")


@check("TTL-PRECISION", "DynamoDB TTL as a timer: ~48 h deletion delay vs the tolerance",
       ("dynamodb.ttl_deletion_delay", "eventbridge.schedule_precision", "eventbridge.scheduler_invocations_tps"),
       "TTL delay (≤ 48 h, best-effort) ≤ required precision, else EventBridge Scheduler (1 min)", D1)
def ttl(ctx):
    t = ctx.facts.get("ttl") or {}
    if not t:
        return
    req = num(t.get("required_precision_s"))
    delay = ctx.limit("dynamodb.ttl_deletion_delay")
    if req is None:
        ctx.needs("ttl.required_precision_s (how late an expiry may fire)")
        return
    fix = ("use EventBridge Scheduler one-time schedules (1-minute precision) for the expiry; keep TTL for "
           "clean-up only")
    rate = num(t.get("expiry_peak_rps"))
    if rate is not None:
        sched = ctx.limit("eventbridge.scheduler_invocations_tps")
        fix += (f" ({q(rate)} expiries/s at the peak, within Scheduler's {q(sched.value)} invocations/s)"
                if rate <= sched.value else
                f" ({q(rate)} expiries/s at the peak is over Scheduler's {q(sched.value)} invocations/s: "
                f"request an increase first)")
    ctx.finding(delay.value, req, "s", f"TTL deletes expired items typically within {dur(delay.value)} "
                f"(best-effort); the scenario tolerates {dur(req)}", fix,
                quota="dynamodb.ttl_deletion_delay", source="scenario")
