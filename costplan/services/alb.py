"""Application Load Balancer: load balancer hours and LCU-hours (LCU = the largest of its four
dimensions, per load balancer)."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey

NAME = "alb"
TITLE = "Application Load Balancer"

USAGE = (
    UsageKey("load_balancers", units.count, 1, "number of load balancers"),
    UsageKey("hours", units.duration_h, units.HOURS_PER_MONTH, "hours per month each load balancer runs"),
    UsageKey("new_connections_per_s", units.rate_per_s, 0, "average new connections per second, per ALB"),
    UsageKey("active_connections", units.count, 0, "average active connections (per minute), per ALB"),
    UsageKey("processed_gb_per_hour", units.number, 0, "average GB processed per hour (EC2/IP targets), per ALB"),
    UsageKey("rule_evaluations_per_s", units.rate_per_s, 0,
             "average billable rule evaluations per second (the first 10 rules are free), per ALB"),
    UsageKey("lcu_hours", units.number, None, "LCU-hours per month in total (overrides the four dimensions)"),
)

# One LCU is: 25 new connections/s, 3,000 active connections/min, 1 GB/h processed, 1,000 rule evaluations/s.
LCU = {"new_connections_per_s": Decimal(25), "active_connections": Decimal(3000),
       "processed_gb_per_hour": Decimal(1), "rule_evaluations_per_s": Decimal(1000)}


def lcus(u: dict) -> Decimal:
    """LCUs per load balancer: the largest of the four dimensions (AWS bills only the highest)."""
    return max(Decimal(u.get(k) or 0) / per for k, per in LCU.items())


def components(u: dict, resource: str = "") -> list[Component]:
    alb_hours = Decimal(u["load_balancers"]) * Decimal(u["hours"])
    lcu_hours = Decimal(u["lcu_hours"]) if u.get("lcu_hours") is not None else lcus(u) * alb_hours
    return [
        Component("Application load balancer", "ALB-hours", alb_hours, "alb.hours", resource=resource),
        Component("Load balancer capacity units", "LCU-hours", lcu_hours, "alb.lcu_hours", resource=resource),
    ]
