"""Amazon SNS: publishes (64 KB chunks) and deliveries by endpoint type; FIFO topics also pay per
GB of payload."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.errors import CostplanError, Problem
from costplan.services.base import Component, UsageKey, boolean, chunks

NAME = "sns"
TITLE = "Amazon SNS"

USAGE = (
    UsageKey("monthly_publishes", units.count, 0, "messages published per month"),
    UsageKey("message_size_kb", units.size_kb, 0, "average message size; standard publishes billed per 64 KB chunk"),
    UsageKey("lambda_deliveries", units.count, 0, "deliveries to Lambda per month (not charged)"),
    UsageKey("sqs_deliveries", units.count, 0, "deliveries to SQS per month (not charged on standard topics)"),
    UsageKey("http_deliveries", units.count, 0, "deliveries to HTTP/S endpoints per month"),
    UsageKey("email_deliveries", units.count, 0, "deliveries to email per month"),
    UsageKey("fifo", boolean, False, "FIFO topic (delivers to SQS queues only)"),
)

CHUNK_KB = 64
KB_PER_GB = Decimal(1024 * 1024)


def components(u: dict, resource: str = "") -> list[Component]:
    size = Decimal(u["message_size_kb"])
    publishes = Decimal(u["monthly_publishes"])
    if u["fifo"]:
        others = [k for k in ("lambda_deliveries", "http_deliveries", "email_deliveries") if u[k]]
        if others:
            raise CostplanError([Problem("FIFO topics deliver to SQS queues only", field=k) for k in others])
        deliveries = Decimal(u["sqs_deliveries"])
        return [
            Component("FIFO publishes", "requests", publishes, "sns.fifo_publishes", resource=resource),
            Component("FIFO publish payload", "GB", publishes * size / KB_PER_GB, "sns.fifo_publish_payload",
                      resource=resource),
            Component("FIFO subscription messages", "messages", deliveries, "sns.fifo_deliveries", resource=resource),
            Component("FIFO subscription payload", "GB", deliveries * size / KB_PER_GB, "sns.fifo_delivery_payload",
                      resource=resource),
        ]
    return [
        Component("Publishes", "requests", publishes * chunks(size, CHUNK_KB), "sns.requests", resource=resource),
        Component("HTTP/S deliveries", "deliveries", Decimal(u["http_deliveries"]), "sns.http_deliveries",
                  resource=resource),
        Component("Email deliveries", "deliveries", Decimal(u["email_deliveries"]), "sns.email_deliveries",
                  resource=resource),
        Component("Lambda deliveries", "deliveries", Decimal(u["lambda_deliveries"]), "sns.lambda_deliveries",
                  resource=resource),
        Component("SQS deliveries", "deliveries", Decimal(u["sqs_deliveries"]), "sns.sqs_deliveries",
                  resource=resource),
    ]
