"""Plain synchronous API: clients call a function (Lambda behind a function URL or API Gateway) or an
ECS service behind a load balancer, and wait for the answer. The article's calculator case."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import default_timeout_s, settings
from costplan.patterns.base import ComputeStage, Plan, ServiceUsage
from costplan.patterns.tables import TableSpec, facts_and_usage
from costplan.scenario import Strict


class Settings(Strict):
    api: Literal["function_url", "http", "rest"] = Field(
        "function_url", description="front door for Lambda: a function URL (free), HTTP API or REST API")
    tables: list[TableSpec] = Field(default_factory=list, description="DynamoDB tables each request reads and "
                                                                       "writes (priced; hot keys checked)")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    traffic = Traffic.from_workload(w)
    stage = ComputeStage(
        name="api", role="api", traffic=traffic, memory_mb=w.memory_mb, architecture=w.architecture,
        timeout_s=default_timeout_s(scenario), reserved_concurrency=scenario.lambda_.reserved_concurrency,
        ephemeral_storage_mb=scenario.lambda_.ephemeral_storage_mb, warm=scenario.lambda_.warm)
    services = []
    assumptions = []
    if s.api in ("http", "rest"):
        # With API Gateway in front, the ECS alternatives still use their own load balancer.
        services.append(ServiceUsage(f"apigateway_{s.api}", {"monthly_requests": traffic.monthly_requests},
                                     resource="api"))
    else:
        assumptions.append("Lambda is reached through a function URL (no charge beyond the function's).")
    table_facts, table_usage = facts_and_usage(s.tables, traffic)
    services += [ServiceUsage(svc, usage, resource=res) for svc, usage, res in table_usage]
    summary = (f"A synchronous API: each request runs one function for {w.duration_ms} ms on average "
               f"({traffic.monthly_requests:,.0f} requests a month, peak {traffic.peak_rps:,.1f} per second).")
    return Plan(scenario, "sync_api", summary, [stage], services, assumptions,
                facts={"api": s.api, "sync": True, **({"dynamodb": table_facts} if table_facts else {})})
