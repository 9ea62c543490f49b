"""Amazon API Gateway REST APIs: requests in four account-wide tiers, and an optional cache billed
per hour by size."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.errors import did_you_mean
from costplan.services.base import Component, UsageKey, boolean

NAME = "apigateway_rest"
TITLE = "Amazon API Gateway (REST API)"

# cache size (GB) → price key suffix; the sizes API Gateway offers
CACHE_SIZES = {"0.5": "0_5", "1.6": "1_6", "6.1": "6_1", "13.5": "13_5", "28.4": "28_4", "58.2": "58_2",
               "118": "118", "237": "237"}


def cache_size(value) -> str:
    """'0' (no cache) or one of the cache sizes API Gateway offers, in GB."""
    d = units.size_gb(value)
    if d == 0:
        return "0"
    key = format(d.normalize(), "f")
    if key not in CACHE_SIZES:
        raise units.UnitError(f"API Gateway caches come in {', '.join(CACHE_SIZES)} GB, got {value!r}"
                              f"{did_you_mean(key, CACHE_SIZES)}")
    return key


USAGE = (
    UsageKey("monthly_requests", units.count, 0, "API calls received per month"),
    UsageKey("cache_size_gb", cache_size, 0, "cache size in GB (0 = no cache; 0.5, 1.6, 6.1 … 237)"),
    UsageKey("cache_hours", units.duration_h, units.HOURS_PER_MONTH, "hours per month the cache is provisioned"),
    UsageKey("new_account_free_tier", boolean, False,
             "apply the 12-month new-account free tier (1M calls); off by default"),
)


def components(u: dict, resource: str = "") -> list[Component]:
    out = [Component("REST API requests", "requests", Decimal(u["monthly_requests"]), "apigateway.rest_requests",
                     free_tier=u["new_account_free_tier"], resource=resource)]
    if u["cache_size_gb"] != "0":
        size = u["cache_size_gb"]
        out.append(Component(f"Cache ({size} GB)", "cache-hours", Decimal(u["cache_hours"]),
                             f"apigateway.rest_cache_{CACHE_SIZES[size]}gb", resource=resource))
    return out
