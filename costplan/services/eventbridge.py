"""Amazon EventBridge: custom events (64 KB chunks), Scheduler, Pipes and API destinations."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey, chunks

NAME = "eventbridge"
TITLE = "Amazon EventBridge"

USAGE = (
    UsageKey("monthly_events", units.count, 0, "custom or partner events published per month (AWS service events are free)"),
    UsageKey("event_size_kb", units.size_kb, 0, "average event size; billed per 64 KB chunk (events and Pipes)"),
    UsageKey("scheduler_invocations", units.count, 0, "EventBridge Scheduler invocations per month"),
    UsageKey("pipes_requests", units.count, 0, "Pipes requests per month, after filtering"),
    UsageKey("api_destination_invocations", units.count, 0, "API destination invocations per month"),
)

# A 256 KB event is billed as four 64 KB events.
CHUNK_KB = 64


def components(u: dict, resource: str = "") -> list[Component]:
    per_event = chunks(u["event_size_kb"], CHUNK_KB)
    return [
        Component("Custom events", "events", Decimal(u["monthly_events"]) * per_event, "eventbridge.custom_events",
                  resource=resource),
        Component("Scheduler invocations", "invocations", Decimal(u["scheduler_invocations"]),
                  "eventbridge.scheduler_invocations", resource=resource),
        Component("Pipes requests", "requests", Decimal(u["pipes_requests"]) * per_event,
                  "eventbridge.pipes_requests", resource=resource),
        Component("API destination invocations", "invocations", Decimal(u["api_destination_invocations"]),
                  "eventbridge.api_destination_invocations", resource=resource),
    ]
