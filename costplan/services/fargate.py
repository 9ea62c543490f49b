"""AWS Fargate: vCPU, memory and ephemeral storage per second, for always-on services (tasks × hours)
or short-lived tasks (monthly_task_runs × task_duration_s)."""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from costplan import units
from costplan.errors import CostplanError, Problem
from costplan.services.base import Component, UsageKey, choice

NAME = "fargate"
TITLE = "AWS Fargate"

USAGE = (
    UsageKey("tasks", units.count, 1, "tasks running for `hours` each"),
    UsageKey("vcpu", units.number, "0.25", "vCPU per task (0.25 to 32)"),
    UsageKey("memory_gb", units.size_gb, "0.5", "memory per task (GB = 1024^3 bytes)"),
    UsageKey("hours", units.duration_h, units.HOURS_PER_MONTH, "hours per month each task runs"),
    UsageKey("architecture", choice("x86_64", "arm64"), "x86_64", "x86_64 or arm64", ("x86_64", "arm64")),
    UsageKey("os", choice("linux", "windows"), "linux", "linux or windows", ("linux", "windows")),
    UsageKey("ephemeral_storage_gb", units.size_gb, 20, "ephemeral storage per task; above 20 GB is billed"),
    UsageKey("monthly_task_runs", units.count, 0,
             "short-lived task runs per month (replaces tasks × hours when set)"),
    UsageKey("task_duration_s", units.duration_s, 0, "duration of each short-lived run"),
)

INCLUDED_STORAGE_GB = Decimal(20)
# Fargate bills per second with a minimum per task: one minute on Linux, five on Windows.
MINIMUM_S = {"linux": Decimal(60), "windows": Decimal(300)}


def billed_run_seconds(duration_s: Decimal, os: str = "linux") -> Decimal:
    """Seconds billed for one task run: rounded up to the second, at least the OS minimum."""
    seconds = Decimal(duration_s).to_integral_value(rounding=ROUND_CEILING)
    return max(seconds, MINIMUM_S[os])


def task_seconds(u: dict) -> Decimal:
    if u["monthly_task_runs"]:
        return Decimal(u["monthly_task_runs"]) * billed_run_seconds(u["task_duration_s"], u["os"])
    return Decimal(u["tasks"]) * Decimal(u["hours"]) * 3600


def components(u: dict, resource: str = "") -> list[Component]:
    arch, os = u["architecture"], u["os"]
    if os == "windows" and arch == "arm64":
        raise CostplanError(Problem("Fargate runs Windows containers on x86_64 only", field="architecture"))
    seconds = task_seconds(u)
    vcpu, memory = Decimal(u["vcpu"]), Decimal(u["memory_gb"])
    out = [
        Component(f"vCPU ({os}/{arch})", "vCPU-seconds", seconds * vcpu, f"fargate.vcpu_{os}_{arch}",
                  resource=resource),
        Component(f"Memory ({os}/{arch})", "GB-seconds", seconds * memory, f"fargate.memory_{os}_{arch}",
                  resource=resource),
    ]
    if os == "windows":
        out.insert(1, Component("Windows OS licence", "vCPU-seconds", seconds * vcpu, "fargate.windows_os_license",
                                resource=resource))
    extra = Decimal(u["ephemeral_storage_gb"]) - INCLUDED_STORAGE_GB
    if extra > 0:
        out.append(Component("Ephemeral storage above 20 GB", "GB-seconds", seconds * extra,
                             "fargate.ephemeral_storage", resource=resource))
    return out
