"""Helpers every pattern shares: a settings base with the log assumptions, stage building, log usage,
DynamoDB request units and derived traffic."""
from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_CEILING, Decimal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import default_timeout_s, timeout_for  # noqa: F401  (patterns import timeout_for here)
from costplan.patterns.base import ComputeStage, ServiceUsage
from costplan.scenario import KB, Number, Strict

KB_PER_GB = Decimal(1024 * 1024)


class PatternSettings(Strict):
    """Settings every pattern has: how much each function/task logs and how long logs are kept."""

    log_kb_per_request: KB = Field(
        Decimal(1), description="CloudWatch Logs bytes written per invocation (START/END/REPORT ≈ 0.3 KB "
                                "plus a few application lines)")
    log_retention_days: Number = Field(Decimal(30), description="log group retention (steady-state storage)")


def up(d: Decimal) -> Decimal:
    return Decimal(d).to_integral_value(rounding=ROUND_CEILING)


def stage(scenario, name: str, role: str, traffic: Traffic, *, memory_mb=None, timeout_s=None,
          ecs_capable: bool = True, batch_size: int = 1, max_concurrency=None, primary: bool = False):
    """A compute stage; the scenario's lambda settings (reserved concurrency, warm copies) go on the primary."""
    w = scenario.workload
    lam = scenario.lambda_
    return ComputeStage(
        name=name, role=role, traffic=traffic, memory_mb=Decimal(memory_mb or w.memory_mb),
        architecture=w.architecture,
        timeout_s=Decimal(timeout_s) if timeout_s is not None else default_timeout_s(scenario),
        ecs_capable=ecs_capable, batch_size=batch_size,
        reserved_concurrency=lam.reserved_concurrency if primary else None,
        max_concurrency=max_concurrency, ephemeral_storage_mb=lam.ephemeral_storage_mb,
        warm=lam.warm if primary else None)




def derived(base: Traffic, monthly: Decimal, peak_rps: Decimal, duration_ms: Decimal | None = None,
            request_kb: Decimal | None = None) -> Traffic:
    """Traffic of a downstream stage: same active time as the workload, its own volume, peak and duration."""
    # Quantities are kept to 3 decimals: the account meter adds them up with 28-digit Decimals, and a
    # sum that needs more digits than that rounds below its parts (a false "no price above" gap).
    # Likewise active time is kept to whole hundredths of an hour (30.41666… days a month repeats forever).
    monthly = Decimal(monthly).quantize(Decimal("0.001"))
    active = (base.active_seconds / 36).quantize(Decimal(1)) * 36
    d = base.duration_ms if duration_ms is None else Decimal(duration_ms)
    p99 = base.p99_duration_ms * d / base.duration_ms if base.duration_ms else d
    return replace(base, monthly_requests=monthly, active_seconds=active, peak_rps=Decimal(peak_rps), duration_ms=d,
                   p99_duration_ms=max(p99, d),
                   request_size_kb=base.request_size_kb if request_kb is None else Decimal(request_kb))


def svc(service: str, usage: dict, resource: str = "") -> ServiceUsage:
    """A service usage line with quantities kept to 6 decimals (see `derived`)."""
    clean = {k: (Decimal(v).quantize(Decimal("0.000001")) if isinstance(v, Decimal) else v)
             for k, v in usage.items()}
    return ServiceUsage(service, clean, resource=resource)


def logs(stages, s: PatternSettings) -> list[ServiceUsage]:
    """One CloudWatch Logs line per stage: invocations × log size, kept for the retention period."""
    out = []
    for st in stages:
        gb = st.traffic.monthly_requests * s.log_kb_per_request / KB_PER_GB
        out.append(svc("cloudwatch_logs", {"ingested_gb": gb, "stored_gb": gb * s.log_retention_days / 30},
                       resource=f"{st.name} logs"))
    return out


def log_assumption(s: PatternSettings) -> str:
    return (f"Each invocation writes {s.log_kb_per_request} KB of logs to CloudWatch Logs, kept "
            f"{s.log_retention_days} days (steady-state storage = ingestion × retention ÷ 30 days).")


def wru(item_kb: Decimal) -> Decimal:
    """Write request units per write: one per 1 KB, rounded up."""
    return max(Decimal(1), up(Decimal(item_kb)))


def rru(item_kb: Decimal, consistent: bool = False) -> Decimal:
    """Read request units per read: one per 4 KB (strongly consistent), half that eventually consistent."""
    units = max(Decimal(1), up(Decimal(item_kb) / 4))
    return units if consistent else units / 2


def table(name: str, write_peak_wru_s=Decimal(0), read_peak_rru_s=Decimal(0)) -> dict:
    """A `dynamodb` fact: one table's request units per second at the peak."""
    return {"table": name, "write_peak_wru_s": Decimal(write_peak_wru_s), "read_peak_rru_s": Decimal(read_peak_rru_s)}


def num(d) -> str:
    return f"{Decimal(d):,.0f}"
