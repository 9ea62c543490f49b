"""What a pattern produces: a Plan — the architecture as two designs, each typed: the Lambda design
and the pattern's own ECS design (its front door, load balancer, the queues ECS consumers poll, the
services only one side needs), plus the numbers limits-check and templates read.

`Plan.stages` and `Plan.services` are the Lambda design's (limits-check reads them); the ECS design is
`Plan.ecs_design` (None where no stage of the pattern can run as an ECS service, with the reason in
`Plan.ecs_unavailable`). Compare and sensitivity price `plan.lambda_design` for the Lambda options and
`plan.ecs_design` for Fargate and EC2; they read plans only and never call back into patterns.

`Plan.facts` is the contract between patterns (which write it) and limits/templates (which read
it). Every key is optional; numbers are Decimal, rates per second, durations in seconds, sizes in KB.
All keys but `ecs` describe the Lambda design:

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
    ecs: {"summary": "ALB → ECS service → DynamoDB",      # the ECS design, for limits and templates
          "front_door": "alb" | "alb_websocket" | "apigateway_http" | "apigateway_rest"
                        | "apigateway_websocket" | "iot" | None,
          "load_balancer": "alb" | "alb_websocket" | None, "internal_load_balancer": bool,
          "behind_load_balancer": [stage names],
          "services": [stage names that run as ECS services],
          "on_lambda": {stage name: why it stays a Lambda function},
          "removed": [what the Lambda design has that the ECS design does not, and why],
          "queues": [{"name", "source": "sns" | "eventbridge" | "s3" | "iot_rule" | "pipe" | "api"
                      | "producer" | "stage", "fifo": bool, "consumer": stage name,
                      "receive_batch": int (≤ 10), "arrival_peak_rps"}]}
          # absent where the pattern has no ECS design
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
    ecs_capable: bool = True  # runs as an ECS service in the ECS design (False: stays a Lambda function there)
    batch_size: int = 1  # messages per invocation (queue consumers)
    reserved_concurrency: Decimal | None = None
    max_concurrency: Decimal | None = None  # event source mapping cap
    ephemeral_storage_mb: Decimal = Decimal(512)
    warm: Any = None  # scenario.Warm


@dataclass
class ServiceUsage:
    """Usage of one integration service in one design, in `costplan price` keys."""

    service: str  # registry name: "sqs", "apigateway_http", ...
    usage: dict[str, Any]
    resource: str = ""


@dataclass
class LoadBalancer:
    """The ECS design's load balancer: which stages sit behind it and, where its capacity units are not
    driven by request traffic (WebSockets: long-lived connections), the LCU dimensions while active."""

    kind: str  # "alb" | "alb_websocket"
    stages: list[str]  # names of the stages behind it
    internal: bool = False  # reached through an API Gateway VPC link, not from the internet
    # ALB LCU dimensions per hour while traffic flows, when the stages' requests do not drive them:
    # {"new_connections_per_s", "active_connections", "processed_gb_per_hour", "active_hours"}
    lcu: dict[str, Decimal] | None = None


@dataclass
class Design:
    """One way to build the pattern: what clients reach, the code stages, the integration services."""

    name: str  # "lambda" | "ecs"
    summary: str  # the chain in one line, e.g. "HTTP API → Lambda → DynamoDB"
    front_door: str | None  # "function_url" | "apigateway_http" | "apigateway_rest" | "apigateway_websocket"
    #                         | "alb" | "alb_websocket" | "iot" | None (no client-facing entry)
    stages: list[ComputeStage]  # ECS design: ecs_capable=True runs as an ECS service, False stays on Lambda
    services: list[ServiceUsage] = field(default_factory=list)
    load_balancer: LoadBalancer | None = None
    on_lambda: dict[str, str] = field(default_factory=dict)  # ECS design: stage → why it stays on Lambda
    removed: list[str] = field(default_factory=list)  # what the other design needs and this one does not
    assumptions: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return "Lambda design" if self.name == "lambda" else "ECS design"

    @property
    def ecs_stages(self) -> list[ComputeStage]:
        return [s for s in self.stages if self.name == "ecs" and s.ecs_capable]

    @property
    def line(self) -> str:
        return f"{self.title}: {self.summary}"


@dataclass
class Plan:
    scenario: Any  # costplan.scenario.Scenario
    pattern: str
    summary: str  # the architecture in one paragraph
    stages: list[ComputeStage]  # the Lambda design's functions
    services: list[ServiceUsage] = field(default_factory=list)  # the Lambda design's integration services
    assumptions: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # pattern numbers for limits and templates
    lambda_design: Design | None = None  # built from stages/services when not given
    ecs_design: Design | None = None  # None: no stage can run as an ECS service (ecs_unavailable says why)
    ecs_unavailable: str = ""

    def __post_init__(self):
        declared = self.lambda_design is not None
        if not declared:
            self.lambda_design = Design("lambda", " → ".join(["Lambda"] * bool(self.stages)) or "no compute",
                                        self.facts.get("api") if self.facts else None, self.stages, self.services)
        if declared and self.comparing not in self.summary:
            # the summary names the two architectures being compared (every view prints the summary)
            self.summary = f"{self.summary} {self.comparing}."

    @property
    def traffic(self) -> Traffic:
        return self.stages[0].traffic if self.stages else Traffic.from_workload(self.scenario.workload)

    @property
    def designs(self) -> list[Design]:
        return [d for d in (self.lambda_design, self.ecs_design) if d is not None]

    def designs_json(self) -> dict:
        """Both designs for `--format json`: what each side is built from."""
        def one(d: Design) -> dict:
            lb = d.load_balancer
            return {"summary": d.summary, "front_door": d.front_door,
                    "load_balancer": None if lb is None else {"kind": lb.kind, "stages": lb.stages,
                                                               "internal": lb.internal},
                    "services": sorted({su.service for su in d.services}),
                    "ecs_services": [s.name for s in d.ecs_stages], "on_lambda": d.on_lambda, "removed": d.removed}

        out = {"lambda": one(self.lambda_design), "ecs": None if self.ecs_design is None else one(self.ecs_design)}
        if self.ecs_design is None and self.ecs_unavailable:
            out["ecs_unavailable"] = self.ecs_unavailable
        return out

    @property
    def comparing(self) -> str:
        """The two architectures being compared, in one line."""
        lam = self.lambda_design.line
        if self.ecs_design is None:
            return f"{lam}; no ECS design ({self.ecs_unavailable})" if self.ecs_unavailable else lam
        return f"{lam}; {self.ecs_design.line}"
