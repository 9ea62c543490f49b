"""AWS Glue ETL jobs: DPU-hours, given directly or as runs × DPUs × minutes (one-minute minimum)."""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from costplan import units
from costplan.services.base import Component, UsageKey

NAME = "glue"
TITLE = "AWS Glue"

USAGE = (
    UsageKey("dpu_hours", units.number, None, "DPU-hours per month (overrides runs × DPUs × minutes)"),
    UsageKey("monthly_runs", units.count, 0, "job runs per month"),
    UsageKey("dpus", units.number, 2, "DPUs per run (Spark jobs: 2 or more; Python shell: 0.0625 or 1)"),
    UsageKey("run_minutes", lambda v: units.duration_ms(v, "m") / 60_000, 0, "average run time per job run"),
)


def billed_run_seconds(minutes: Decimal) -> Decimal:
    # Glue 2.0+ bills per second with a one-minute minimum per run.
    seconds = (Decimal(minutes) * 60).to_integral_value(rounding=ROUND_CEILING)
    return max(seconds, Decimal(60))


def components(u: dict, resource: str = "") -> list[Component]:
    if u.get("dpu_hours") is not None:
        dpu_hours = Decimal(u["dpu_hours"])
    else:
        dpu_hours = Decimal(u["monthly_runs"]) * Decimal(u["dpus"]) * billed_run_seconds(u["run_minutes"]) / 3600
    return [Component("ETL job DPU-hours", "DPU-hours", dpu_hours, "glue.dpu_hours", resource=resource)]
