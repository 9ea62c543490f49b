"""What a pattern produces: a Plan — the compute stages that could run on Lambda or ECS, the
integration services every alternative uses, and the numbers limits-check and templates read.

`Plan.facts` is the contract between patterns (which write it) and limits/templates (which read
it). Every key is optional; numbers are Decimal, rates per second, durations in seconds, sizes in KB:

    api: "function_url" | "http" | "rest" | "websocket" | None   # the front door, if any
    sync: bool                 # the caller waits for the answer (integration timeout applies)
    payloads: [{"hop": "apigateway" | "lambda_sync" | "lambda_async" | "sqs" | "sns" | "eventbridge"
                | "stepfunctions" | "websocket" | "iot" | "dynamodb_item", "size_kb": Decimal}]
    queues: [{"name", "fifo": bool, "arrival_peak_rps", "arrival_average_rps", "peak_window_s",
              "consumer": stage name, "batch_size", "batching_window_s", "max_concurrency" (ESM cap or
              None), "retention_s", "visibility_timeout_s", "message_groups" (FIFO active groups or None),
              "dlq": bool, "max_receive_count"}]
    fanout: {"bus": "sns" | "eventbridge", "publish_peak_rps", "subscribers": int,
             "deliveries_peak_rps", "filtered_share": Decimal}
    s3: {"write_rps", "read_rps", "prefixes": int, "trigger_prefix", "output_prefix",
         "same_bucket_output": bool}
    schedule: {"expression": "rate(5 minutes)" | "cron(...)", "service": "scheduler" | "rule",
               "required_precision_s"}
    ttl: {"attribute", "required_precision_s", "expiry_peak_rps"}   # DynamoDB TTL used as a timer
    websocket: {"connections", "connect_peak_rps", "messages_peak_rps", "recipients_per_message",
                "posts_peak_rps", "session_s", "idle_s", "message_size_kb"}
    mqtt: {"devices", "connect_peak_rps", "publish_peak_rps", "subscribers_per_topic",
           "outbound_peak_rps", "message_size_kb", "publish_per_device_rps"}
    stepfunctions: {"type": "standard" | "express", "states", "transitions_per_execution",
                    "starts_peak_rps", "history_events", "payload_kb"}
    glue: {"jobs", "concurrent_runs", "max_concurrent_runs"}
    polling: {"clients", "interval_s", "rps"}
    dynamodb: [{"table", "write_peak_wru_s", "read_peak_rru_s"}]   # request units per second at the
               # peak: units per event (item size rounded up to 1 KB writes / 4 KB reads) × events/s
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from costplan.compute.traffic import Traffic


@dataclass
class ComputeStage:
    """A stage that runs code: an API handler, a queue consumer, a subscriber, a scheduled job."""

    name: str  # "api", "consumer", "subscriber:mailing"
    role: str  # "api" (needs a load balancer on ECS) | "consumer" | "subscriber" | "publisher" | "job"
    traffic: Traffic  # invocations reaching this stage (after batching / leveling)
    memory_mb: Decimal
    architecture: str
    timeout_s: Decimal
    ecs_capable: bool = True  # could this stage run as an ECS service instead of a Lambda function?
    batch_size: int = 1  # messages per invocation (queue consumers)
    reserved_concurrency: Decimal | None = None
    max_concurrency: Decimal | None = None  # event source mapping cap
    ephemeral_storage_mb: Decimal = Decimal(512)
    warm: Any = None  # scenario.Warm


@dataclass
class ServiceUsage:
    """Usage of one integration service, in `costplan price` keys; the same on every alternative."""

    service: str  # registry name: "sqs", "apigateway_http", ...
    usage: dict[str, Any]
    resource: str = ""


@dataclass
class Plan:
    scenario: Any  # costplan.scenario.Scenario
    pattern: str
    summary: str  # the architecture in one paragraph
    stages: list[ComputeStage]
    services: list[ServiceUsage] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # pattern numbers for limits and templates

    @property
    def traffic(self) -> Traffic:
        return self.stages[0].traffic if self.stages else Traffic.from_workload(self.scenario.workload)
