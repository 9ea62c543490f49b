"""Pipes and filters: a Step Functions standard workflow chains reusable filters — Glue jobs or Lambda
functions — one state per step (the article's QA database refresh from production)."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import PatternSettings, derived, log_assumption, logs, num, stage, svc, timeout_for
from costplan.services.glue import billed_run_seconds
from costplan.scenario import KB, MB, Count, Fraction, Ms, Name, Number, Strict


class Step(Strict):
    name: Name = Field(..., min_length=1)
    kind: Literal["glue", "lambda"] = Field("lambda", description="a Glue job or a Lambda function")
    duration_ms: Ms = Field(..., description="average run time of the step")
    dpus: Number = Field(Decimal(2), description="Glue: DPUs per run")
    memory_mb: MB | None = Field(None, description="Lambda: memory (default: the workload's)")


DEFAULT_STEPS = (
    Step(name="restore", kind="glue", duration_ms=Decimal(20 * 60_000), dpus=Decimal(2)),
    Step(name="sanitise", kind="glue", duration_ms=Decimal(15 * 60_000), dpus=Decimal(4)),
    Step(name="seed-fixtures", kind="lambda", duration_ms=Decimal(45_000)),
    Step(name="dump", kind="glue", duration_ms=Decimal(10 * 60_000), dpus=Decimal(2)),
)


class Settings(PatternSettings):
    type: Literal["standard", "express"] = Field("standard", description="Step Functions workflow type")
    steps: list[Step] = Field(default_factory=lambda: list(DEFAULT_STEPS), description="the filters, in order")
    extra_transitions: Count = Field(Decimal(2), description="transitions per execution beyond one per step "
                                                             "(Choice, Succeed, status updates)")
    retry_share: Fraction = Field(Decimal("0.05"), description="extra transitions from retries, as a share")
    payload_kb: KB = Field(Decimal(4), description="state passed between steps (256 KB limit)")
    max_concurrent_runs: Count = Field(Decimal(1), description="Glue: job bookmark/max concurrent runs per job")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    runs = t.monthly_requests
    transitions_per = (len(s.steps) + s.extra_transitions) * (1 + s.retry_share)
    services = [svc("stepfunctions", {"type": "standard", "monthly_transitions": runs * transitions_per},
                    "workflow")]
    if s.type == "express":
        total_ms = sum((st.duration_ms for st in s.steps), Decimal(0))
        services = [svc("stepfunctions", {"type": "express", "monthly_requests": runs, "request_duration_ms": total_ms,
                                          "memory_mb": Decimal(64)}, "workflow")]
    stages, glue_jobs = [], 0
    for st in s.steps:
        if st.kind == "glue":
            glue_jobs += 1
            # DPU-hours passed pre-computed (per-second billing, 1-minute minimum) so the sum stays exact.
            dpu_hours = runs * st.dpus * billed_run_seconds(st.duration_ms / 60_000) / 3600
            services.append(svc("glue", {"dpu_hours": dpu_hours}, f"glue:{st.name}"))
        else:
            st_t = derived(t, runs, t.peak_rps, st.duration_ms)
            stages.append(stage(scenario, f"filter:{st.name}", "job", st_t, memory_mb=st.memory_mb,
                                timeout_s=timeout_for(st_t.p99_duration_ms), ecs_capable=False, primary=not stages))
    services += logs(stages, s)
    glue_log_note = " Glue jobs' own logs are not priced." if glue_jobs else ""
    assumptions = [
        f"Each run passes {len(s.steps)} steps; state transitions per run = ({len(s.steps)} steps + "
        f"{s.extra_transitions} other states) × (1 + {s.retry_share:.0%} retries) = {transitions_per:,.2f}.",
        "The filters are jobs started by the workflow: they stay on Lambda/Glue (no always-on ECS service).",
        "The databases the steps restore and dump (RDS snapshots, storage) are not priced here.",
        log_assumption(s) + glue_log_note,
    ]
    summary = (f"Pipes and filters: {num(runs)} workflow runs a month through Step Functions ({s.type}), chaining "
               + ", ".join(f"{st.name} ({st.kind}, {st.duration_ms / 60_000:,.1f} min)" for st in s.steps) + ".")
    facts = {
        "api": None,
        "sync": False,
        "payloads": [{"hop": "stepfunctions", "size_kb": s.payload_kb}],
        "stepfunctions": {"type": s.type, "states": len(s.steps) + int(s.extra_transitions),
                          "transitions_per_execution": transitions_per, "starts_peak_rps": t.peak_rps,
                          "history_events": int(transitions_per * 3) + 2, "payload_kb": s.payload_kb},
    }
    if glue_jobs:
        facts["glue"] = {"jobs": glue_jobs, "concurrent_runs": max(Decimal(1), t.peak_concurrency),
                         "max_concurrent_runs": s.max_concurrent_runs, "starts_peak_rps": t.peak_rps,
                         # each job's own run time sets its concurrent runs (limits-check GLUE-CONCURRENT-RUNS)
                         "steps": [{"name": st.name, "duration_s": st.duration_ms / 1000}
                                   for st in s.steps if st.kind == "glue"]}
    filters = ", ".join(f"{st.kind.capitalize()} {st.name}" for st in s.steps)
    lam = Design("lambda", f"Step Functions ({s.type}) → {filters}", None, stages, services)
    why = ("the filters are jobs the workflow starts and waits for, each run once per execution: as ECS they would "
           "be RunTask jobs, not long-running services, and Glue jobs have no ECS form")
    return Plan(scenario, "pipes_and_filters", summary, stages, services, assumptions, facts, lambda_design=lam,
                ecs_unavailable=why)
