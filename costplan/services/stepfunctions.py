"""AWS Step Functions: Standard workflows per state transition; Express workflows per request plus
GB-hours (100 ms and 64 MB metering, tiered)."""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from costplan import units
from costplan.services.base import Component, UsageKey, choice

NAME = "stepfunctions"
TITLE = "AWS Step Functions"

USAGE = (
    UsageKey("type", choice("standard", "express"), "standard", "standard or express", ("standard", "express")),
    UsageKey("monthly_transitions", units.count, 0, "standard: state transitions per month, retries included"),
    UsageKey("monthly_requests", units.count, 0, "express: workflow executions per month"),
    UsageKey("request_duration_ms", units.duration_ms, 0, "express: average duration per execution"),
    UsageKey("memory_mb", units.size_mb, 64,
             "express: memory used (≈ 50 MB + definition + payload × map/parallel steps)"),
)


def billed_duration_ms(duration_ms: Decimal) -> Decimal:
    # Express duration is rounded up to the next 100 ms.
    return (Decimal(duration_ms) / 100).to_integral_value(rounding=ROUND_CEILING) * 100


def billed_memory_mb(memory_mb: Decimal) -> Decimal:
    # Express memory is billed in 64 MB chunks.
    return max((Decimal(memory_mb) / 64).to_integral_value(rounding=ROUND_CEILING), Decimal(1)) * 64


def express_gb_hours(requests: Decimal, duration_ms: Decimal, memory_mb: Decimal) -> Decimal:
    gb_seconds = Decimal(requests) * billed_duration_ms(duration_ms) / 1000 * billed_memory_mb(memory_mb) / 1024
    return gb_seconds / 3600


def components(u: dict, resource: str = "") -> list[Component]:
    if u["type"] == "standard":
        return [Component("State transitions", "transitions", Decimal(u["monthly_transitions"]),
                          "stepfunctions.standard_transitions", resource=resource)]
    requests = Decimal(u["monthly_requests"])
    return [
        Component("Express requests", "requests", requests, "stepfunctions.express_requests", resource=resource),
        Component("Express duration", "GB-hours",
                  express_gb_hours(requests, u["request_duration_ms"], u["memory_mb"]),
                  "stepfunctions.express_duration", resource=resource),
    ]
