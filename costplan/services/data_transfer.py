"""Data transfer out from AWS to the internet (responses leaving through API Gateway, a function URL,
an ALB or a NAT gateway, and messages pushed to clients over WebSockets): GB a month, tiered, the first
100 GB free across the account."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey

NAME = "data_transfer"
TITLE = "Data transfer out to the internet"

USAGE = (
    UsageKey("internet_out_gb", units.size_gb, 0, "GB a month sent to the internet"),
    UsageKey("monthly_responses", units.count, 0, "responses a month (instead of internet_out_gb)"),
    UsageKey("response_size_kb", units.size_kb, 1, "size of each response (with monthly_responses)"),
    UsageKey("monthly_messages", units.count, 0, "messages pushed to clients a month, e.g. over WebSockets "
                                                 "(instead of internet_out_gb; added to the responses)"),
    UsageKey("message_size_kb", units.size_kb, 1, "size of each pushed message (with monthly_messages)"),
)


def out_gb(u: dict) -> Decimal:
    """GB out: given, or responses × size + messages × size (KB = 1,024 bytes, GB = 1,024^3 bytes, as
    AWS bills)."""
    if u["internet_out_gb"]:
        return Decimal(u["internet_out_gb"])
    kb = (Decimal(u["monthly_responses"]) * Decimal(u["response_size_kb"])
          + Decimal(u.get("monthly_messages", 0)) * Decimal(u.get("message_size_kb", 1)))
    return kb / 1024 / 1024


def components(u: dict, resource: str = "") -> list[Component]:
    return [Component("Data transfer out to the internet", "GB", out_gb(u), "data_transfer.out_internet",
                      resource=resource)]
