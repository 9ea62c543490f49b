"""Amazon SQS: requests (each 64 KB chunk of payload is one request), standard or FIFO."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey, boolean, chunks

NAME = "sqs"
TITLE = "Amazon SQS"

USAGE = (
    UsageKey("monthly_requests", units.count, 0, "API requests per month (send, receive, delete, …)"),
    UsageKey("message_size_kb", units.size_kb, 0, "average payload size; billed per 64 KB chunk"),
    UsageKey("fifo", boolean, False, "FIFO queue"),
)

# SQS bills each 64 KB chunk of a payload as one request: a 256 KB message is four requests.
CHUNK_KB = 64


def components(u: dict, resource: str = "") -> list[Component]:
    kind = "fifo" if u["fifo"] else "standard"
    requests = Decimal(u["monthly_requests"]) * chunks(u["message_size_kb"], CHUNK_KB)
    return [Component(f"Requests ({'FIFO' if u['fifo'] else 'standard'})", "requests", requests,
                      f"sqs.{kind}_requests", resource=resource)]
