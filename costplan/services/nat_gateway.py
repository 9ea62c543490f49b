"""NAT gateway: gateway hours and GB processed."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey

NAME = "nat_gateway"
TITLE = "NAT gateway"

USAGE = (
    UsageKey("nat_gateways", units.count, 1, "number of NAT gateways (usually one per AZ)"),
    UsageKey("hours", units.duration_h, units.HOURS_PER_MONTH, "hours per month each gateway runs"),
    UsageKey("processed_gb", units.size_gb, 0, "GB processed per month, all gateways"),
)


def components(u: dict, resource: str = "") -> list[Component]:
    return [
        Component("NAT gateway", "NAT gateway-hours", Decimal(u["nat_gateways"]) * Decimal(u["hours"]),
                  "vpc.nat_gateway_hours", resource=resource),
        Component("Data processed", "GB", Decimal(u["processed_gb"]), "vpc.nat_gateway_data", resource=resource),
    ]
