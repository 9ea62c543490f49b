"""Amazon API Gateway HTTP APIs: requests, metered in 512 KB increments, tiered across the account."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey, boolean, chunks

NAME = "apigateway_http"
TITLE = "Amazon API Gateway (HTTP API)"

USAGE = (
    UsageKey("monthly_requests", units.count, 0, "API calls received per month"),
    UsageKey("request_size_kb", units.size_kb, 0, "average request size; metered in 512 KB increments"),
    UsageKey("new_account_free_tier", boolean, False,
             "apply the 12-month new-account free tier (1M calls); off by default"),
)

# HTTP API calls are metered in 512 KB increments: a 513 KB request counts as two.
METERING_KB = 512


def components(u: dict, resource: str = "") -> list[Component]:
    metered = Decimal(u["monthly_requests"]) * chunks(u["request_size_kb"], METERING_KB)
    return [Component("HTTP API requests", "requests", metered, "apigateway.http_requests",
                      free_tier=u["new_account_free_tier"], resource=resource)]
