"""AWS Lambda: requests, GB-seconds (1 ms rounding, tiers per architecture), ephemeral storage,
provisioned concurrency and the duration of requests it serves, and the INIT phase of cold starts."""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from costplan import units
from costplan.services.base import Component, UsageKey, choice, within

NAME = "lambda"
TITLE = "AWS Lambda"

USAGE = (
    UsageKey("monthly_requests", units.count, 0, "invocations per month"),
    UsageKey("request_duration_ms", units.duration_ms, 0, "average billed duration per invocation"),
    UsageKey("memory_mb", within(units.size_mb, *units.LAMBDA_MEMORY_MB, "MB"), 128,
             "memory size (128–10,240 MB)"),
    UsageKey("architecture", choice("x86_64", "arm64"), "x86_64", "x86_64 or arm64", ("x86_64", "arm64")),
    UsageKey("ephemeral_storage_mb", within(units.size_mb, *units.LAMBDA_EPHEMERAL_MB, "MB"), 512,
             "/tmp size (512–10,240 MB); above 512 MB is billed"),
    UsageKey("provisioned_concurrency", units.count, 0, "provisioned concurrency (environments)"),
    UsageKey("provisioned_hours", units.duration_h, 0, "hours per month provisioned concurrency is enabled"),
    UsageKey("provisioned_requests", units.count, 0,
             "requests served by provisioned concurrency (billed at the provisioned duration price)"),
    UsageKey("monthly_cold_starts", units.count, 0, "new execution environments a month (on-demand INIT phases)"),
    UsageKey("init_duration_ms", units.duration_ms, 0, "INIT duration of one cold start, billed as duration"),
)

GB = Decimal(1024)


def billed_duration_ms(duration_ms: Decimal) -> Decimal:
    # Lambda rounds each invocation's duration up to the next 1 ms.
    return Decimal(duration_ms).to_integral_value(rounding=ROUND_CEILING)


def gb_seconds(requests: Decimal, duration_ms: Decimal, memory_mb: Decimal) -> Decimal:
    return Decimal(requests) * billed_duration_ms(duration_ms) / 1000 * Decimal(memory_mb) / GB


def components(u: dict, resource: str = "") -> list[Component]:
    arch = u["architecture"]
    requests = Decimal(u["monthly_requests"])
    pc_requests = min(Decimal(u.get("provisioned_requests") or 0), requests)
    pc = Decimal(u.get("provisioned_concurrency") or 0)
    pc_hours = Decimal(u.get("provisioned_hours") or 0)
    memory = Decimal(u["memory_mb"])
    on_demand = requests - pc_requests
    # AWS: the free tier does not apply to functions with provisioned concurrency enabled.
    free = pc == 0
    out = [
        Component("Requests", "requests", requests, "lambda.requests", free_tier=free, resource=resource),
        Component(f"Duration ({arch})", "GB-seconds", gb_seconds(on_demand, u["request_duration_ms"], memory),
                  f"lambda.duration_{arch}", free_tier=free, resource=resource),
    ]
    if pc > 0 and pc_hours > 0:
        # Provisioned concurrency is billed from enable to disable, rounded up to 5 minutes.
        minutes = (pc_hours * 60 / 5).to_integral_value(rounding=ROUND_CEILING) * 5
        out.append(Component(f"Provisioned concurrency ({arch})", "GB-seconds",
                             pc * memory / GB * minutes * 60, f"lambda.provisioned_concurrency_{arch}",
                             free_tier=False, resource=resource))
    if pc_requests > 0:
        out.append(Component(f"Duration on provisioned concurrency ({arch})", "GB-seconds",
                             gb_seconds(pc_requests, u["request_duration_ms"], memory),
                             f"lambda.provisioned_duration_{arch}", free_tier=False, resource=resource))
    cold = Decimal(u.get("monthly_cold_starts") or 0)
    if cold > 0 and Decimal(u.get("init_duration_ms") or 0) > 0:
        # Since 2025-08-01 Lambda bills the INIT phase of every on-demand cold start as duration, at the
        # same GB-second price and 1 ms rounding (AWS Compute Blog, INIT phase billing).
        out.append(Component(f"INIT duration, cold starts ({arch})", "GB-seconds",
                             gb_seconds(cold, u["init_duration_ms"], memory), f"lambda.duration_{arch}",
                             free_tier=free, resource=resource))
    extra_storage = Decimal(u.get("ephemeral_storage_mb") or 512) - 512
    if extra_storage > 0:
        seconds = requests * billed_duration_ms(u["request_duration_ms"]) / 1000
        out.append(Component("Ephemeral storage above 512 MB", "GB-seconds", seconds * extra_storage / GB,
                             "lambda.ephemeral_storage", free_tier=False, resource=resource))
    return out
