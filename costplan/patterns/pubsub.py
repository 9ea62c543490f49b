"""Publisher-subscriber: each event is published once to an SNS topic or an EventBridge bus and fanned
out to N Lambda subscribers, each receiving the share of events its filter matches."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import (PatternSettings, derived, ecs_facts, ecs_queue, log_assumption, logs, num, on_ecs,
                                      stage, svc, timeout_for)
from costplan.scenario import KB, MB, Fraction, Ms, Name, Strict


class Subscriber(Strict):
    name: Name = Field(..., min_length=1, description="the subscriber, e.g. mailing")
    filter_share: Fraction = Field(Decimal(1), description="share of events its filter policy / rule matches")
    duration_ms: Ms | None = Field(None, description="average handler duration (default: the workload's)")
    memory_mb: MB | None = Field(None, description="function memory (default: the workload's)")


DEFAULT_SUBSCRIBERS = (Subscriber(name="analytics"), Subscriber(name="mailing"), Subscriber(name="onboarding"))


class Settings(PatternSettings):
    bus: Literal["sns", "eventbridge"] = Field("sns", description="SNS standard topic or EventBridge custom bus")
    subscribers: list[Subscriber] = Field(default_factory=lambda: list(DEFAULT_SUBSCRIBERS),
                                          description="subscribers and the share of events each receives")
    message_size_kb: KB | None = Field(None, description="event size (default: the request size)")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    events = t.monthly_requests
    size = s.message_size_kb if s.message_size_kb is not None else w.request_size_kb
    stages = []
    for sub in s.subscribers:
        d = sub.duration_ms if sub.duration_ms is not None else w.duration_ms
        st_t = derived(t, events * sub.filter_share, t.peak_rps * sub.filter_share, d, size)
        stages.append(stage(scenario, f"subscriber:{sub.name}", "subscriber", st_t, memory_mb=sub.memory_mb,
                            timeout_s=timeout_for(st_t.p99_duration_ms) if sub.duration_ms is not None else None,
                            primary=len(stages) == 0))
    deliveries = sum((st.traffic.monthly_requests for st in stages), Decimal(0))
    deliveries_peak = sum((st.traffic.peak_rps for st in stages), Decimal(0))
    share = deliveries / (events * len(stages)) if events and stages else Decimal(1)
    log_lines = logs(stages, s)
    if s.bus == "sns":
        bus = svc("sns", {"monthly_publishes": events, "message_size_kb": size,
                          "lambda_deliveries": deliveries}, resource="topic")
        ecs_bus = svc("sns", {"monthly_publishes": events, "message_size_kb": size, "sqs_deliveries": deliveries},
                      resource="topic")
        bus_text = "an SNS standard topic (deliveries to Lambda are free)"
        ecs_bus_text = ("an SQS queue subscribed to the topic (SNS deliveries to SQS are free; each is a SendMessage "
                        "on the queue, raw message delivery so the event keeps its size)")
        bus_name = "SNS"
    else:
        bus = ecs_bus = svc("eventbridge", {"monthly_events": events, "event_size_kb": size}, resource="bus")
        bus_text = "an EventBridge custom bus (rule matches and Lambda targets are free)"
        ecs_bus_text = "an SQS queue that the subscriber's rule targets (targets are free; each is a SendMessage)"
        bus_name = "EventBridge"
    services = [bus] + log_lines
    lam = Design("lambda", f"{bus_name} → {len(stages)} Lambda subscriber(s)", None, stages, services)
    queues, queue_texts, queue_facts = [], [], []
    for st in stages:
        qname = f"{st.name.split(':', 1)[1]} queue"
        q, text = ecs_queue(scenario, qname, st, st.traffic.monthly_requests, size)
        queues.append(q)
        queue_texts.append(text)
        queue_facts.append({"name": qname, "source": s.bus, "fifo": False, "consumer": st.name,
                            "receive_batch": min(st.batch_size, 10), "arrival_peak_rps": st.traffic.peak_rps})
    ecs = Design("ecs", f"{bus_name} → SQS queue per subscriber → {len(stages)} ECS consumer service(s)", None,
                 on_ecs(stages, {}), [ecs_bus] + queues + log_lines,
                 assumptions=[f"ECS design: each subscriber is an ECS service that long-polls {ecs_bus_text}.",
                              *queue_texts])
    assumptions = [
        f"Each event is published once to {bus_text} and delivered to {len(stages)} subscribers: "
        f"{num(events)} events → {num(deliveries)} Lambda invocations.",
        *[f"{sub.name} receives {sub.filter_share:.0%} of events." for sub in s.subscribers],
        "The publisher is the existing service that handles the request; only its publish call is priced.",
        log_assumption(s),
        *ecs.assumptions,
    ]
    summary = (f"Publisher-subscriber: {num(events)} events a month (peak {t.peak_rps:,.1f}/s) fan out through "
               f"{s.bus.upper() if s.bus == 'sns' else 'EventBridge'} to {len(stages)} subscribers "
               f"({deliveries_peak:,.1f} deliveries/s at the peak).")
    facts = {
        "api": None,
        "sync": False,
        "payloads": [{"hop": s.bus, "size_kb": size}, {"hop": "lambda_async", "size_kb": size}],
        "fanout": {"bus": s.bus, "publish_peak_rps": t.peak_rps, "subscribers": len(stages),
                   "deliveries_peak_rps": deliveries_peak, "filtered_share": share},
    }
    facts["ecs"] = ecs_facts(ecs, queue_facts)
    return Plan(scenario, "pubsub", summary, stages, services, assumptions, facts, lambda_design=lam, ecs_design=ecs)
