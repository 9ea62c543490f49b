"""Amazon EC2 on-demand instances (Linux) for ECS on EC2: instance-hours by type; instance sizes
come from pricing_data/ec2.yaml `instances:`."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from costplan import units
from costplan.errors import did_you_mean
from costplan.pricing.book import read_data_file
from costplan.services.base import Component, UsageKey

NAME = "ec2"
TITLE = "Amazon EC2 (on-demand, Linux)"


def _instances() -> dict:
    data, _ = read_data_file("ec2.yaml")
    return data["instances"]


@lru_cache(maxsize=1)
def specs() -> dict[str, tuple]:
    """instance type → (vCPU, memory GiB, architecture, max ENIs or None, burstable baseline or None)."""
    out = {}
    for name, spec in _instances().items():
        enis, base = spec.get("max_enis"), spec.get("baseline_cpu")
        out[name] = (Decimal(str(spec["vcpu"])), Decimal(str(spec["memory_gib"])), spec["architecture"],
                     None if enis is None else int(enis), None if base is None else Decimal(str(base)))
    return out


def instance_types() -> list[str]:
    """Instance types the price book knows, in file order."""
    return list(_instances())


def instance_spec(instance_type: str) -> tuple[Decimal, Decimal, str]:
    """(vCPU, memory GiB, architecture) of a known instance type."""
    spec = _instances()[instance_type_name(instance_type)]
    return Decimal(str(spec["vcpu"])), Decimal(str(spec["memory_gib"])), spec["architecture"]


def instance_enis(instance_type: str) -> int | None:
    """The most network interfaces the type supports (None where the price book does not say)."""
    n = _instances()[instance_type_name(instance_type)].get("max_enis")
    return None if n is None else int(n)


def instance_baseline_cpu(instance_type: str) -> Decimal | None:
    """A burstable type's baseline CPU share per vCPU (None for fixed-performance types)."""
    b = _instances()[instance_type_name(instance_type)].get("baseline_cpu")
    return None if b is None else Decimal(str(b))


def instance_type_name(value) -> str:
    name = str(value).strip().lower()
    known = _instances()
    if name not in known:
        raise units.UnitError(f"unknown instance type {value!r}{did_you_mean(name, known)}; "
                              f"the price book knows {', '.join(known)}")
    return name


USAGE = (
    UsageKey("instance_type", instance_type_name, "m5.large", "EC2 instance type, e.g. m7g.large"),
    UsageKey("instances", units.count, 1, "number of instances"),
    UsageKey("hours", units.duration_h, units.HOURS_PER_MONTH, "hours per month each instance runs"),
)


def components(u: dict, resource: str = "") -> list[Component]:
    t = u["instance_type"]
    return [Component(f"Instance usage ({t}, Linux, on-demand)", "instance-hours",
                      Decimal(u["instances"]) * Decimal(u["hours"]), f"ec2.{t}", resource=resource)]
