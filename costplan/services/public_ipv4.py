"""Public IPv4 addresses (Fargate tasks, NAT gateways, load balancers): charged per hour, in use or idle."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey

NAME = "public_ipv4"
TITLE = "Public IPv4 addresses"

USAGE = (
    UsageKey("addresses", units.count, 1, "number of public IPv4 addresses"),
    UsageKey("hours", units.duration_h, units.HOURS_PER_MONTH, "hours per month each address is held"),
)


def components(u: dict, resource: str = "") -> list[Component]:
    return [Component("Public IPv4 address", "address-hours", Decimal(u["addresses"]) * Decimal(u["hours"]),
                      "vpc.public_ipv4_hours", resource=resource)]
