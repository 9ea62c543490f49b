"""Async request-reply: POST /start returns a job id and a valet key at once; the job runs in Step
Functions (or a Glue job) and records progress in a DynamoDB status store; clients poll GET /status
every N seconds until it is done (the article's long DB refresh)."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import (ECS_FRONT_DOOR_HELP, EcsFrontDoor, PatternSettings, api_front_door, derived,
                                      ecs_api_door, ecs_facts, log_assumption, logs, marked, num, on_ecs, rru, stage,
                                      svc, table, wru)
from costplan.scenario import KB, Count, Ms, Number, Seconds
from costplan.services.glue import billed_run_seconds


class Settings(PatternSettings):
    api: Literal["http", "rest"] = Field("http", description="API Gateway type for /start and /status")
    engine: Literal["stepfunctions", "glue"] = Field("stepfunctions", description="what runs the long job")
    job_minutes: Number = Field(Decimal(15), description="how long one job runs")
    steps: Count = Field(Decimal(5), description="Step Functions: states per job (Lambda task steps)")
    step_duration_ms: Ms = Field(Decimal(2000), description="Step Functions: Lambda time per step "
                                                             "(the rest is waiting on the database)")
    glue_dpus: Number = Field(Decimal(2), description="Glue: DPUs per run")
    clients_per_job: Count = Field(Decimal(1), description="clients polling each job's status")
    polling_interval_s: Seconds = Field(Decimal(10), description="seconds between /status calls")
    status_updates_per_job: Count = Field(Decimal(7), description="status writes per job (start, each step, end)")
    status_item_kb: KB = Field(Decimal(1), description="status item size")
    valet_key: bool = Field(True, description="/status takes a signed, expiring token: no user lookup per poll")
    ecs_front_door: EcsFrontDoor = Field("alb", description=ECS_FRONT_DOOR_HELP)


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    jobs = t.monthly_requests
    polls_per_job = s.job_minutes * 60 / s.polling_interval_s * s.clients_per_job
    polls = jobs * polls_per_job
    api_requests = jobs + polls
    concurrent_jobs = t.peak_rps * s.job_minutes * 60
    polling_rps = concurrent_jobs * s.clients_per_job / s.polling_interval_s
    api = stage(scenario, "api", "api", derived(t, api_requests, t.peak_rps + polling_rps), primary=True)
    stages = [api]
    gateway = svc(f"apigateway_{s.api}", {"monthly_requests": api_requests}, "api")
    services = []
    if s.engine == "stepfunctions":
        worker = stage(scenario, "job-steps", "job", derived(t, jobs * s.steps, t.peak_rps * s.steps,
                                                             s.step_duration_ms),
                       timeout_s=Decimal(900), ecs_capable=False)
        stages.append(worker)
        transitions = jobs * (s.steps + 2)
        services.append(svc("stepfunctions", {"type": "standard", "monthly_transitions": transitions}, "workflow"))
        engine = f"a Step Functions standard workflow of {s.steps} Lambda steps"
    else:
        dpu_hours = jobs * s.glue_dpus * billed_run_seconds(s.job_minutes) / 3600
        services.append(svc("glue", {"dpu_hours": dpu_hours}, "job"))
        engine = f"a Glue job ({s.glue_dpus} DPUs)"
    services.append(svc("dynamodb", {"monthly_write_request_units": jobs * s.status_updates_per_job
                                     * wru(s.status_item_kb),
                                     "monthly_read_request_units": polls * rru(s.status_item_kb),
                                     "storage_gb": Decimal("0.1")}, "status table"))
    services += logs(stages, s)
    on_lambda = {"job-steps": "Step Functions runs each step as a Lambda task; on ECS each step would be a "
                              "RunTask of its own (tens of seconds to start a task), not a long-running service"}
    on_lambda = {k: v for k, v in on_lambda.items() if k in {st.name for st in stages}}  # Glue: no step functions
    marked(stages, on_lambda)
    door, label = api_front_door(s.api)
    backend = "Step Functions (Lambda steps)" if s.engine == "stepfunctions" else "Glue"
    lam = Design("lambda", f"{label} → Lambda → {backend} + DynamoDB", door, stages, [gateway] + services)
    ecs_door, chain, lb, notes = ecs_api_door(scenario, s.api, s.ecs_front_door, ["api"])
    keep = s.ecs_front_door == "apigateway"
    ecs = Design("ecs", f"{chain}ECS service → {backend} + DynamoDB", ecs_door, on_ecs(stages, on_lambda),
                 ([gateway] if keep else []) + services, load_balancer=lb, on_lambda=on_lambda,
                 removed=[] if keep else [f"{label}: the ALB is the ECS service's front door"], assumptions=notes)
    services = [gateway] + services
    assumptions = [
        f"Each job runs {s.job_minutes} min in {engine}; {s.clients_per_job} client(s) poll /status every "
        f"{s.polling_interval_s} s: {polls_per_job:,.0f} polls per job, {num(polls)} a month.",
        f"API requests = {num(jobs)} /start + {num(polls)} /status; one function serves both routes.",
        f"The status store takes {s.status_updates_per_job} writes per job and one eventually consistent read "
        f"per poll.",
        ("/status checks a signed, expiring valet key: no user lookup per poll." if s.valet_key
         else "/status authenticates each poll."),
        "/start returns at once, so API Gateway's 29-30 s integration timeout never applies to the job.",
        log_assumption(s),
        *notes,
    ]
    if on_lambda:
        assumptions.append(f"ECS design: job-steps stays on Lambda: {on_lambda['job-steps']}.")
        assumptions.insert(1, f"Transitions per job = {s.steps} steps + 2 (Choice, Succeed).")
    summary = (f"Async request-reply: {num(jobs)} jobs a month start with POST /start and run {s.job_minutes} min in "
               f"{engine}; clients poll GET /status every {s.polling_interval_s} s "
               f"({polling_rps:,.1f} polls/s at the peak).")
    facts = {
        "api": s.api,
        "sync": False,
        "payloads": [{"hop": "apigateway", "size_kb": w.request_size_kb},
                     {"hop": "lambda_sync", "size_kb": w.response_size_kb},
                     {"hop": "dynamodb_item", "size_kb": s.status_item_kb}],
        "polling": {"clients": concurrent_jobs * s.clients_per_job, "interval_s": s.polling_interval_s,
                    "rps": polling_rps},
        "dynamodb": [table("status table", t.peak_rps * s.status_updates_per_job * wru(s.status_item_kb),
                           polling_rps * rru(s.status_item_kb))],
    }
    if s.engine == "stepfunctions":
        facts["stepfunctions"] = {"type": "standard", "states": int(s.steps) + 2,
                                  "transitions_per_execution": s.steps + 2, "starts_peak_rps": t.peak_rps,
                                  "history_events": int(s.steps) * 5 + 5, "payload_kb": w.request_size_kb}
    else:
        facts["glue"] = {"jobs": 1, "concurrent_runs": max(Decimal(1), concurrent_jobs),
                         "max_concurrent_runs": None, "starts_peak_rps": t.peak_rps,
                         "steps": [{"name": "job", "duration_s": s.job_minutes * 60}]}
    facts["ecs"] = ecs_facts(ecs)
    return Plan(scenario, "async_request_reply", summary, stages, services, assumptions, facts,
                lambda_design=lam, ecs_design=ecs)
