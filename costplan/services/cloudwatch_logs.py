"""Amazon CloudWatch Logs (Standard class): GB ingested and GB-months stored."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey

NAME = "cloudwatch_logs"
TITLE = "Amazon CloudWatch Logs"

USAGE = (
    UsageKey("ingested_gb", units.size_gb, 0, "log data ingested per month"),
    UsageKey("stored_gb", units.size_gb, 0, "log data stored (GB-months)"),
)


def components(u: dict, resource: str = "") -> list[Component]:
    return [
        Component("Ingestion", "GB", Decimal(u["ingested_gb"]), "cloudwatch_logs.ingestion", resource=resource),
        Component("Storage", "GB-months", Decimal(u["stored_gb"]), "cloudwatch_logs.storage", resource=resource),
    ]
