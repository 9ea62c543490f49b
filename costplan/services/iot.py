"""AWS IoT Core: connection minutes, messages (5 KB metering, tiered) and the rules engine.

Metered as messages besides PUBLISH and SUBSCRIBE (https://aws.amazon.com/iot-core/pricing/additional-details/):
MQTT CONNECT (by its size, Will message included) and the PUBACK a device sends for each QoS 1 message it
receives (one 5 KB message under MQTT 3.1.1). Not metered: PINGREQ/PINGRESP, DISCONNECT, CONNACK, SUBACK,
UNSUBSCRIBE and the PUBACK the service sends."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey, boolean, chunks

NAME = "iot"
TITLE = "AWS IoT Core"

USAGE = (
    UsageKey("monthly_connection_minutes", units.count, 0, "device connection minutes per month"),
    UsageKey("monthly_messages", units.count, 0, "messages published and delivered per month"),
    UsageKey("message_size_kb", units.size_kb, 0, "average message size; metered in 5 KB increments"),
    UsageKey("monthly_connects", units.count, 0,
             "MQTT CONNECTs per month; each is a metered message (one 5 KB unit: no Will message assumed)"),
    UsageKey("monthly_pubacks", units.count, 0,
             "PUBACKs devices send per month for QoS 1 messages delivered to them; each is one metered message"),
    UsageKey("monthly_rules_triggered", units.count, 0, "rules triggered per month"),
    UsageKey("monthly_actions", units.count, 0, "rule actions executed per month"),
    UsageKey("new_account_free_tier", boolean, False, "apply the 12-month new-account free tier; off by default"),
)

# Messages are metered in 5 KB increments: an 8 KB message counts as two.
METERING_KB = 5


def components(u: dict, resource: str = "") -> list[Component]:
    free = u["new_account_free_tier"]
    messages = Decimal(u["monthly_messages"]) * chunks(u["message_size_kb"], METERING_KB)
    return [
        Component("Connectivity", "connection-minutes", Decimal(u["monthly_connection_minutes"]),
                  "iot.connection_minutes", free_tier=free, resource=resource),
        Component("Messaging", "messages", messages, "iot.messages", free_tier=free, resource=resource),
        # CONNECT and device PUBACKs are metered messages too, on the same tiered meter
        Component("Messaging: CONNECT", "messages", Decimal(u["monthly_connects"]), "iot.messages", free_tier=free,
                  resource=resource),
        Component("Messaging: PUBACK (QoS 1)", "messages", Decimal(u["monthly_pubacks"]), "iot.messages",
                  free_tier=free, resource=resource),
        Component("Rules triggered", "rules", Decimal(u["monthly_rules_triggered"]), "iot.rules_triggered",
                  free_tier=free, resource=resource),
        Component("Actions executed", "actions", Decimal(u["monthly_actions"]), "iot.actions",
                  free_tier=free, resource=resource),
    ]
