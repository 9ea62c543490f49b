"""Amazon API Gateway WebSocket APIs: messages (32 KB increments) and connection minutes."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey, boolean, chunks

NAME = "apigateway_websocket"
TITLE = "Amazon API Gateway (WebSocket API)"

USAGE = (
    UsageKey("monthly_messages", units.count, 0, "messages sent and received per month"),
    UsageKey("message_size_kb", units.size_kb, 0, "average message size (max 128 KB); metered in 32 KB increments"),
    UsageKey("monthly_connection_minutes", units.count, 0, "connection minutes per month"),
    UsageKey("new_account_free_tier", boolean, False,
             "apply the 12-month new-account free tier (1M messages, 750k minutes); off by default"),
)

# WebSocket messages are metered in 32 KB increments: a 33 KB message counts as two.
METERING_KB = 32


def components(u: dict, resource: str = "") -> list[Component]:
    free = u["new_account_free_tier"]
    messages = Decimal(u["monthly_messages"]) * chunks(u["message_size_kb"], METERING_KB)
    return [
        Component("WebSocket messages", "messages", messages, "apigateway.websocket_messages",
                  free_tier=free, resource=resource),
        Component("Connection minutes", "connection-minutes", Decimal(u["monthly_connection_minutes"]),
                  "apigateway.websocket_connection_minutes", free_tier=free, resource=resource),
    ]
