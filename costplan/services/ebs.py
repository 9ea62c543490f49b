"""Amazon EBS gp3 volumes (the root volumes of ECS container instances): GB-months of storage, prorated
by the hour; gp3's baseline 3,000 IOPS and 125 MB/s are included."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey

NAME = "ebs"
TITLE = "Amazon EBS (gp3)"

USAGE = (
    UsageKey("volumes", units.count, 1, "number of volumes (e.g. one root volume per instance)"),
    UsageKey("volume_size_gb", units.size_gb, 30, "size of each volume (ECS-optimized AMI root: 30 GiB)"),
    UsageKey("hours", units.duration_h, units.HOURS_PER_MONTH, "hours per month each volume exists"),
)


def components(u: dict, resource: str = "") -> list[Component]:
    # EBS bills provisioned GB-months, prorated by the second: a volume kept 365 h is half a month.
    gb_months = Decimal(u["volumes"]) * Decimal(u["volume_size_gb"]) * Decimal(u["hours"]) / units.HOURS_PER_MONTH
    return [Component("Storage (gp3)", "GB-months", gb_months, "ebs.gp3_storage", resource=resource)]
