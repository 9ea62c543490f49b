"""Plain synchronous API: clients call a function (Lambda behind a function URL or API Gateway) or an
ECS service behind a load balancer, and wait for the answer. The article's calculator case."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import (ECS_FRONT_DOOR_HELP, EcsFrontDoor, PatternSettings, api_front_door, ecs_api_door,
                                      ecs_facts, log_assumption, logs, on_ecs, stage, svc)
from costplan.patterns.tables import TableSpec, facts_and_usage


class Settings(PatternSettings):
    api: Literal["function_url", "http", "rest"] = Field(
        "function_url", description="front door for Lambda: a function URL (free), HTTP API or REST API")
    ecs_front_door: EcsFrontDoor = Field("alb", description=ECS_FRONT_DOOR_HELP)
    tables: list[TableSpec] = Field(default_factory=list, description="DynamoDB tables each request reads and "
                                                                       "writes (priced; hot keys checked)")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    traffic = Traffic.from_workload(w)
    api = stage(scenario, "api", "api", traffic, primary=True)
    gateway = []
    assumptions = []
    if s.api in ("http", "rest"):
        gateway = [svc(f"apigateway_{s.api}", {"monthly_requests": traffic.monthly_requests}, "api")]
    else:
        assumptions.append("Lambda is reached through a function URL (no charge beyond the function's).")
    log_lines = logs([api], s)
    # Tables the handler reads and writes: the same on both designs.
    table_facts, table_usage = facts_and_usage(s.tables, traffic)
    tables = [svc(service, usage, res) for service, usage, res in table_usage]
    door, label = api_front_door(s.api)
    lam = Design("lambda", f"{label} → Lambda", door, [api], gateway + tables + log_lines)

    ecs_door, chain, lb, notes = ecs_api_door(scenario, s.api, s.ecs_front_door, ["api"])
    removed = []
    if gateway and s.ecs_front_door == "alb":
        removed.append(f"{label}: the ALB is the ECS service's front door")
    ecs_services = (gateway if s.ecs_front_door == "apigateway" else []) + tables + log_lines
    ecs = Design("ecs", f"{chain}ECS service", ecs_door, on_ecs([api], {}), ecs_services, load_balancer=lb,
                 removed=removed, assumptions=notes)
    assumptions += [log_assumption(s), *notes]
    summary = (f"A synchronous API: each request runs one function for {w.duration_ms} ms on average "
               f"({traffic.monthly_requests:,.0f} requests a month, peak {traffic.peak_rps:,.1f} per second).")
    facts = {"api": s.api, "sync": True, "ecs": ecs_facts(ecs), **({"dynamodb": table_facts} if table_facts else {})}
    return Plan(scenario, "sync_api", summary, [api], lam.services, assumptions, facts=facts,
                lambda_design=lam, ecs_design=ecs)
