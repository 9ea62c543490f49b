"""MQTT notify: fans' apps hold MQTT connections to IoT Core and subscribe to fixture topics; a feed
publishes key events, a topic rule invokes a Lambda publisher that enriches and republishes them to the
fixture topic, and the broker delivers to every subscriber (the article's soccer events)."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import (KB_PER_GB, PatternSettings, derived, ecs_facts, ecs_queue, log_assumption, logs,
                                      marked, num, on_ecs, stage, svc)
from costplan.scenario import KB, Count, Ms, Number, Seconds

# IoT Core waits at most 5 s for a custom authorizer's function:
# https://docs.aws.amazon.com/iot/latest/developerguide/config-custom-auth.html
AUTHORIZER_TIMEOUT_S = Decimal(5)
AUTHORIZER_MEMORY_MB = Decimal(128)
AUTHORIZER_ON_LAMBDA = "IoT Core custom authorizers invoke a Lambda function"


class Settings(PatternSettings):
    peak_devices: Count = Field(Decimal(100_000), description="devices connected at the busiest moment")
    sessions_per_month: Count = Field(Decimal(2_000_000), description="connections opened per month")
    session_minutes: Number = Field(Decimal(100), description="average connection length (a match plus margin)")
    concurrent_topics: Count = Field(Decimal(10), description="fixture topics live at the peak")
    subscriptions_per_device: Count = Field(Decimal(1), description="fixtures each fan follows")
    message_size_kb: KB = Field(Decimal(1), description="event size (metered per 5 KB)")
    connect_surge_s: Seconds = Field(Decimal(600), description="time over which the peak's devices connect "
                                                                "(kick-off)")
    delivery_qos: Literal[0, 1] = Field(1, description="MQTT QoS of deliveries to fans: at QoS 1 every delivery is "
                                                       "acknowledged by a PUBACK, which IoT Core meters as a message")
    authorizer: bool = Field(True, description="fans' apps connect with a token through an IoT Core custom "
                                               "authorizer (a Lambda function invoked once per CONNECT); false = "
                                               "devices use X.509 certificates and the device policy only (no "
                                               "authorizer function)")
    authorizer_duration_ms: Ms = Field(Decimal(20), description="assumed duration of one authorizer "
                                                                          "invocation: IoT Core verifies the token's "
                                                                          "signature before invoking, so the function "
                                                                          "only decodes the token and returns a policy")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    events = t.monthly_requests
    conn_minutes = s.sessions_per_month * s.session_minutes
    avg_devices = conn_minutes * 60 / t.active_seconds if t.active_seconds else Decimal(0)
    per_topic_avg = avg_devices * s.subscriptions_per_device / s.concurrent_topics
    per_topic_peak = s.peak_devices * s.subscriptions_per_device / s.concurrent_topics
    deliveries = events * per_topic_avg
    publisher = stage(scenario, "publisher", "publisher", derived(t, events, t.peak_rps), primary=True)
    # The custom authorizer: one invocation per CONNECT, at the connect surge's rate at the peak. It is IoT
    # Core's front door, so the ECS design keeps it on Lambda (it costs the same on both designs).
    connect_peak_rps = s.peak_devices / s.connect_surge_s
    authorizer = (stage(scenario, "device-authorizer", "authorizer",
                        derived(t, s.sessions_per_month, connect_peak_rps, duration_ms=s.authorizer_duration_ms),
                        memory_mb=AUTHORIZER_MEMORY_MB, timeout_s=AUTHORIZER_TIMEOUT_S, ecs_capable=False)
                  if s.authorizer else None)
    on_lambda = {"device-authorizer": AUTHORIZER_ON_LAMBDA} if authorizer else {}
    stages = marked([publisher] + ([authorizer] if authorizer else []), on_lambda)
    # Messages: the feed's inbound publish, the publisher's republish, and one delivery per subscriber;
    # subscribe requests count as messages too.
    subscribes = s.sessions_per_month * s.subscriptions_per_device
    messages = events * 2 + deliveries + subscribes
    pubacks = deliveries if s.delivery_qos == 1 else Decimal(0)
    broker = svc("iot", {"monthly_connection_minutes": conn_minutes, "monthly_messages": messages,
                         "message_size_kb": s.message_size_kb, "monthly_connects": s.sessions_per_month,
                         "monthly_pubacks": pubacks, "monthly_rules_triggered": events, "monthly_actions": events},
                 "broker")
    log_lines = logs(stages, s)
    services = [broker] + log_lines
    auth_chain = " (Lambda custom authorizer per CONNECT)" if authorizer else ""
    lam = Design("lambda", f"IoT Core{auth_chain} → topic rule → Lambda publisher → IoT Core → devices", "iot",
                 stages, services)
    q, q_text = ecs_queue(scenario, "events queue", publisher, events, s.message_size_kb)
    ecs_notes = ["ECS design: IoT Core stays the broker devices connect to; the topic rule's action sends "
                 "each feed event to an SQS queue (one action, as the Lambda action was) that the "
                 "publisher service long-polls; it republishes through the IoT data plane.", q_text]
    if authorizer:
        ecs_notes.append(f"ECS design: device-authorizer stays on Lambda: {AUTHORIZER_ON_LAMBDA}.")
    ecs = Design("ecs", f"IoT Core{auth_chain} → topic rule → SQS → ECS publisher service → IoT Core → devices",
                 "iot", on_ecs(stages, on_lambda), [broker, q] + log_lines, on_lambda=on_lambda,
                 assumptions=ecs_notes)
    if authorizer:
        gb_s = authorizer.traffic.monthly_requests * authorizer.traffic.duration_ms / 1000 * AUTHORIZER_MEMORY_MB / 1024
        auth_text = (f"IoT Core custom authorizer: {num(s.sessions_per_month)} CONNECTs = {num(s.sessions_per_month)} "
                     f"invocations of device-authorizer × {s.authorizer_duration_ms} ms × "
                     f"{AUTHORIZER_MEMORY_MB} MB = {gb_s:,.2f} GB-seconds a month; at the connect surge "
                     f"{num(s.peak_devices)} devices ÷ {s.connect_surge_s} s = {connect_peak_rps:,.2f} invocations/s. "
                     f"Its {s.authorizer_duration_ms} ms is an assumption (settings.authorizer_duration_ms): IoT "
                     "Core verifies the token's signature before invoking, so the function decodes the token and "
                     f"returns a policy; timeout {AUTHORIZER_TIMEOUT_S} s, the most IoT Core waits "
                     "(https://docs.aws.amazon.com/iot/latest/developerguide/config-custom-auth.html).")
    else:
        auth_text = ("No custom authorizer (settings.authorizer: false): devices connect with X.509 certificates "
                     "and the device policy only.")
    assumptions = [
        f"{num(s.sessions_per_month)} sessions of {s.session_minutes} min = {num(conn_minutes)} connection minutes; "
        f"{avg_devices:,.0f} devices connected on average while active, {num(s.peak_devices)} at the peak.",
        f"An event reaches {per_topic_avg:,.0f} subscribers on average ({per_topic_peak:,.0f} at the peak): "
        f"{s.subscriptions_per_device} fixture(s) per fan across {s.concurrent_topics} live fixtures.",
        f"IoT messages = {num(events)} feed publishes + {num(events)} republishes + {num(deliveries)} deliveries "
        f"+ {num(subscribes)} subscribe requests; also metered: {num(s.sessions_per_month)} CONNECTs"
        + (f" and {num(pubacks)} PUBACKs from devices acknowledging QoS 1 deliveries" if s.delivery_qos == 1 else
           " (QoS 0 deliveries: no PUBACKs)")
        + "; keep-alive pings, CONNACK/SUBACK and the broker's own PUBACKs are not metered.",
        "One topic rule with one Lambda action per feed event.",
        auth_text,
        f"No data transfer out is priced for the {num(deliveries)} deliveries to devices "
        f"({deliveries * s.message_size_kb / KB_PER_GB:,.2f} GB a month at {s.message_size_kb} KB): AWS IoT Core bills "
        "\"separately for connectivity, messaging, Device Shadow usage, registry usage, and rules engine usage\" "
        "and meters each PUBLISH it sends by payload and topic size in 5 KB steps, so the bytes to devices are priced "
        "in the messaging line; its pricing pages list no data transfer charge "
        "(https://aws.amazon.com/iot-core/pricing/ and .../pricing/additional-details/, as read 2026-11-30).",
        log_assumption(s),
        *ecs.assumptions,
    ]
    summary = (f"MQTT notify: {num(events)} key events a month (peak {t.peak_rps:,.2f}/s) republished by a Lambda to "
               f"fixture topics on IoT Core, delivered to {per_topic_avg:,.0f} subscribers each "
               f"({num(s.peak_devices)} devices at the peak).")
    facts = {
        "api": None,
        "sync": False,
        "payloads": [{"hop": "iot", "size_kb": s.message_size_kb}, {"hop": "lambda_async", "size_kb": s.message_size_kb}],
        "mqtt": {"devices": s.peak_devices, "connect_peak_rps": s.peak_devices / s.connect_surge_s,
                 "publish_peak_rps": t.peak_rps, "subscribers_per_topic": per_topic_peak,
                 "outbound_peak_rps": t.peak_rps * per_topic_peak, "message_size_kb": s.message_size_kb,
                 "publish_per_device_rps": t.peak_rps * s.subscriptions_per_device / s.concurrent_topics},
    }
    facts["ecs"] = ecs_facts(ecs, [{"name": "events queue", "source": "iot_rule", "fifo": False,
                                    "consumer": "publisher", "receive_batch": 1, "arrival_peak_rps": t.peak_rps}])
    return Plan(scenario, "mqtt_notify", summary, stages, services, assumptions, facts, lambda_design=lam,
                ecs_design=ecs)
