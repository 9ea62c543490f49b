"""Pipes and filters: Step Functions history events and start/transition rates, Glue concurrent runs."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import ask, ceil, num, q
from costplan.limits.model import check

F1 = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"
G1 = "https://docs.aws.amazon.com/general/latest/gr/glue.html"
G2 = "https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html"


def _sf(ctx):
    s = ctx.facts.get("stepfunctions") or {}
    return s if isinstance(s, dict) else {}


@check("SFN-HISTORY", "Execution history events (Standard, 25,000)", ("stepfunctions.history_events",),
       "events per execution < 25,000", F1)
def history(ctx):
    s = _sf(ctx)
    if not s or s.get("type") == "express":
        return
    ev = num(s.get("history_events"))
    if ev is None:
        if s:
            ctx.needs("stepfunctions.history_events")
        return
    ctx.finding(ev, ctx.limit("stepfunctions.history_events"), "events",
                f"{q(ev)} history events per execution; the execution fails at the limit",
                "split long loops into child executions (Map in distributed mode or StartExecution per batch)")


@check("SFN-RATES", "StartExecution and state transition rates (token buckets, account per Region)",
       ("stepfunctions.start_rate", "stepfunctions.start_bucket", "stepfunctions.express_start_rate",
        "stepfunctions.transition_rate", "stepfunctions.transition_bucket"),
       "starts/s ≤ refill (300 Standard in us-east-1/us-west-2/eu-west-1, 150 elsewhere; 6,000 Express); "
       "starts/s × transitions per execution ≤ refill (5,000 there, 800 elsewhere; Express unlimited)", F1,
       measures="executions started and state transitions per second at the peak against the account's buckets")
def rates(ctx):
    s = _sf(ctx)
    starts = num(s.get("starts_peak_rps"))
    if starts is None:
        return
    express = s.get("type") == "express"
    ctx.shares["sfn_starts_rps" if not express else "sfn_express_starts_rps"] = starts
    lim = ctx.limit("stepfunctions.express_start_rate" if express else "stepfunctions.start_rate")
    bucket = "" if express else f" (bucket {q(ctx.limit('stepfunctions.start_bucket').value)} for bursts)"
    ctx.finding(starts, lim, "starts/s", f"{q(starts)} executions started/s against a refill of {q(lim.value)}/s"
                f"{bucket} in {ctx.region}",
                f"request a StartExecution refill ≥ {ask(ctx, starts, '/s')} or start through a queue", subject="starts")
    per = num(s.get("transitions_per_execution"))
    if per is not None and not express:
        tr = starts * per
        ctx.shares["sfn_transitions_rps"] = tr
        lt = ctx.limit("stepfunctions.transition_rate")
        ctx.finding(tr, lt, "transitions/s", f"{q(starts)} starts/s × {q(per)} transitions = {q(tr)}/s against a "
                    f"refill of {q(lt.value)}/s (bucket {q(ctx.limit('stepfunctions.transition_bucket').value)}) in "
                    f"{ctx.region}; new accounts start lower",
                    f"request a StateTransition refill ≥ {ask(ctx, tr, '/s')}, or use Express for short steps "
                    f"(its transitions are not throttled)", subject="transitions")


@check("GLUE-CONCURRENT-RUNS", "Glue concurrent runs per job (from each step's duration) and per account",
       ("glue.max_concurrent_runs_per_job", "glue.concurrent_runs_per_account"),
       "per job: starts/s × that step's run time s ≤ MaxConcurrentRuns (default 1, max 1,000); Σ jobs ≤ account "
       "quota (50)", G1, measures="concurrent runs of each Glue job (starts × its own duration) and of the account")
def glue(ctx):
    g = ctx.facts.get("glue") or {}
    if not isinstance(g, dict) or not g:
        return
    setting = num(g.get("max_concurrent_runs"))
    per_job = setting if setting is not None else Decimal(1)
    src = "scenario" if setting is not None else "default"
    steps = g.get("steps")
    starts = num(g.get("starts_peak_rps"))
    if isinstance(steps, list) and steps and starts is not None:
        jobs = []
        for st in steps:
            d = num(st.get("duration_s"))
            if d is None:
                continue
            # Little's law per job: runs at once = starts/s × run time; a started run holds its slot to the end.
            runs = max(Decimal(1), starts * d)
            jobs.append((str(st.get("name") or "job"), d, runs))
    else:
        runs = num(g.get("concurrent_runs"))
        if runs is None:
            ctx.needs("glue.steps (each job's run time) or glue.concurrent_runs")
            return
        jobs = [(f"job{'' if n == 1 else ' × ' + str(n)}", None, runs)
                for n in (int(num(g.get("jobs"), Decimal(1))),)]
    mx = ctx.limit("glue.max_concurrent_runs_per_job")
    total = Decimal(0)
    for name, d, runs in jobs:
        need = ceil(runs)
        total += runs if d is not None else runs * num(g.get("jobs"), Decimal(1))
        how = f"{q(starts, 4)} starts/s × {q(d)} s = " if d is not None else ""
        # the number to set: what the peak needs, with the warning threshold's headroom
        target = max(need, ceil(runs * 100 / ctx.warn)) if ctx.warn > 0 else need
        fix = (f"set {name}'s MaxConcurrentRuns to ≥ {q(target)} (it is {q(per_job)}; a start beyond it fails)"
               if target <= mx.value else
               f"request Glue concurrent runs per job ≥ {q(target)} ({mx.quota.quota_code}), then set MaxConcurrentRuns")
        ctx.finding(runs, per_job, "runs", f"{name}: {how}{q(runs)} concurrent runs against MaxConcurrentRuns "
                    f"{q(per_job)}; StartJobRun fails with ConcurrentRunsExceededException beyond it", fix,
                    subject=name, quota="glue.max_concurrent_runs_per_job", source=src)
    acct = ctx.limit("glue.concurrent_runs_per_account")
    ctx.shares["glue_runs"] = total
    ctx.finding(total, acct, "runs", f"{len(jobs)} job(s) run {q(total)} at once in the account at the peak",
                f"request Glue max concurrent job runs per account ≥ {ask(ctx, total)} ({acct.quota.quota_code})",
                subject="account")
