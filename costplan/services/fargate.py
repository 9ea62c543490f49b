"""AWS Fargate: vCPU, memory and ephemeral storage per second, for always-on services (tasks × hours)
or short-lived tasks (monthly_task_runs × task_duration_s)."""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from functools import lru_cache

from costplan import units
from costplan.errors import CostplanError, Problem
from costplan.services.base import Component, UsageKey, choice

NAME = "fargate"
TITLE = "AWS Fargate"

USAGE = (
    UsageKey("tasks", units.count, 1, "tasks running for `hours` each"),
    UsageKey("vcpu", units.number, "0.25", "vCPU per task: 0.25, 0.5, 1, 2, 4, 8 or 16"),
    UsageKey("memory_gb", units.size_gb, "0.5", "memory per task, valid for the vCPU (GB = 1024^3 bytes)"),
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


WINDOWS_VCPU = (Decimal(1), Decimal(2), Decimal(4))


@lru_cache(maxsize=1)
def fargate_sizes() -> tuple[tuple[Decimal, Decimal], ...]:
    """Every (vCPU, memory GB) Fargate sells for Linux tasks, from pricing_data/fargate.yaml
    `task_sizes:` (a price-book folder without the table falls back to the bundled one)."""
    from costplan.pricing.book import _bundled_dir, _load_cached, data_dirs

    rows = None
    for _, folder in data_dirs():
        f = folder / "fargate.yaml"
        if f.is_file():
            rows = _load_cached(f, "fargate.yaml").get("task_sizes")
            if rows:
                break
    if not rows:
        rows = _load_cached(_bundled_dir() / "fargate.yaml", "fargate.yaml")["task_sizes"]
    out = []
    for r in rows:
        v = Decimal(str(r["vcpu"]))
        if "memory_gb" in r:
            mems = [Decimal(str(m)) for m in r["memory_gb"]]
        else:
            lo, hi, step = (Decimal(str(r[k])) for k in ("from_gb", "to_gb", "step_gb"))
            mems = []
            m = lo
            while m <= hi:
                mems.append(m)
                m += step
        out.extend((v, m) for m in mems)
    return tuple(out)


def fargate_memory_choices(vcpu: Decimal) -> list[Decimal]:
    return [m for v, m in fargate_sizes() if v == Decimal(vcpu)]


def num(d) -> str:
    d = Decimal(d).quantize(Decimal("0.001")).normalize()
    return f"{d:,f}"


def _gb(m: Decimal) -> str:
    return num(m)


def memory_range_text(vcpu: Decimal) -> str:
    """'0.5, 1 or 2 GB' / '2–8 GB in 1 GB steps' for a Fargate vCPU value."""
    mems = fargate_memory_choices(vcpu)
    if len(mems) <= 4:
        return ", ".join(_gb(m) for m in mems[:-1]) + f" or {_gb(mems[-1])} GB"
    return f"{_gb(mems[0])}–{_gb(mems[-1])} GB in {_gb(mems[1] - mems[0])} GB steps"


@lru_cache(maxsize=1)
def _index() -> tuple[frozenset, list, frozenset]:
    sizes = fargate_sizes()
    return frozenset(sizes), sorted({v for v, _ in sizes}), frozenset(m for _, m in sizes)


def fargate_size_problem(vcpu, memory_gb) -> str | None:
    """Why Fargate does not sell this task size (None when it does)."""
    if vcpu is None and memory_gb is None:
        return None
    sizes, vcpus, mems = _index()
    if vcpu is not None and Decimal(vcpu) not in vcpus:
        return (f"Fargate has no {num(vcpu)} vCPU task size; vCPU must be one of "
                f"{', '.join(num(v) for v in vcpus)}")
    if vcpu is not None and memory_gb is not None and (Decimal(vcpu), Decimal(memory_gb)) not in sizes:
        return (f"Fargate does not sell {num(vcpu)} vCPU with {num(memory_gb)} GB: {num(vcpu)} vCPU takes "
                f"{memory_range_text(Decimal(vcpu))}")
    if vcpu is None and memory_gb is not None and Decimal(memory_gb) not in mems:
        return f"Fargate has no task size with {num(memory_gb)} GB of memory"
    return None


def components(u: dict, resource: str = "") -> list[Component]:
    arch, os = u["architecture"], u["os"]
    if os == "windows" and arch == "arm64":
        raise CostplanError(Problem("Fargate runs Windows containers on x86_64 only", field="architecture"))
    bad = fargate_size_problem(u["vcpu"], u["memory_gb"])
    if bad:
        raise CostplanError(Problem(bad, field="memory_gb" if "sell" in bad else "vcpu"))
    if os == "windows" and Decimal(u["vcpu"]) not in WINDOWS_VCPU:
        raise CostplanError(Problem(f"Fargate runs Windows tasks with 1, 2 or 4 vCPU, got {num(u['vcpu'])}",
                                    field="vcpu"))
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
