"""Amazon S3 Standard: storage (tiered across the account) and requests."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey

NAME = "s3"
TITLE = "Amazon S3 Standard"

USAGE = (
    UsageKey("storage_gb", units.size_gb, 0, "average storage (GB-months)"),
    UsageKey("monthly_put_requests", units.count, 0, "PUT, COPY, POST and LIST requests per month"),
    UsageKey("monthly_get_requests", units.count, 0, "GET and other requests per month"),
)


def components(u: dict, resource: str = "") -> list[Component]:
    return [
        Component("Storage (Standard)", "GB-months", Decimal(u["storage_gb"]), "s3.storage", resource=resource),
        Component("PUT, COPY, POST, LIST requests", "requests", Decimal(u["monthly_put_requests"]),
                  "s3.put_requests", resource=resource),
        Component("GET and other requests", "requests", Decimal(u["monthly_get_requests"]), "s3.get_requests",
                  resource=resource),
    ]
