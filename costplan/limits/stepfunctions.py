"""Pipes and filters: Step Functions history events and start/transition rates, Glue concurrent runs."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import ceil, num, q
from costplan.limits.model import check

F1 = "https://github.com/awsdocs/aws-step-functions-developer-guide/blob/main/doc_source/limits-overview.md"
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


@check("SFN-RATES", "StartExecution and state transition rates", ("stepfunctions.start_rate",
       "stepfunctions.express_start_rate", "stepfunctions.transition_rate"),
       "starts/s ≤ refill (300 Standard in large Regions, 6,000 Express); starts/s × transitions ≤ refill", F1)
def rates(ctx):
    s = _sf(ctx)
    starts = num(s.get("starts_peak_rps"))
    if starts is None:
        return
    express = s.get("type") == "express"
    lim = ctx.limit("stepfunctions.express_start_rate" if express else "stepfunctions.start_rate")
    ctx.finding(starts, lim, "starts/s", f"{q(starts)} executions started/s against a refill of {q(lim.value)}/s",
                f"request a StartExecution refill ≥ {q(ceil(starts))}/s or start through a queue", subject="starts")
    per = num(s.get("transitions_per_execution"))
    if per is not None and not express:
        tr = starts * per
        lt = ctx.limit("stepfunctions.transition_rate")
        ctx.finding(tr, lt, "transitions/s", f"{q(starts)} starts/s × {q(per)} transitions = {q(tr)}/s",
                    f"request a StateTransition refill ≥ {q(ceil(tr))}/s, or use Express for short steps",
                    subject="transitions")


@check("GLUE-CONCURRENT-RUNS", "Glue concurrent runs per job and per account",
       ("glue.max_concurrent_runs_per_job", "glue.concurrent_runs_per_account"),
       "concurrent runs ≤ job MaxConcurrentRuns (default 1) and ≤ account quota", G2)
def glue(ctx):
    g = ctx.facts.get("glue") or {}
    if not isinstance(g, dict) or not g:
        return
    runs = num(g.get("concurrent_runs"))
    if runs is None:
        ctx.needs("glue.concurrent_runs")
        return
    per_job = num(g.get("max_concurrent_runs"), Decimal(1))
    ctx.finding(runs, per_job, "runs", f"{q(runs)} concurrent runs of a job with MaxConcurrentRuns {q(per_job)}",
                f"set MaxConcurrentRuns ≥ {q(ceil(runs))}", subject="per job",
                quota="glue.max_concurrent_runs_per_job", source="scenario" if "max_concurrent_runs" in g else "default")
    jobs = num(g.get("jobs"), Decimal(1))
    acct = ctx.limit("glue.concurrent_runs_per_account")
    total = runs * jobs
    ctx.finding(total, acct, "runs", f"{q(jobs)} jobs × {q(runs)} runs = {q(total)} concurrent in the account",
                f"request Glue concurrent runs ≥ {q(ceil(total))}", subject="account")
