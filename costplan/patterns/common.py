"""Helpers every pattern shares: a settings base with the log assumptions, stage building, log usage,
DynamoDB request units, derived traffic, and the pieces of an ECS design (front door, the SQS queue an
ECS consumer polls)."""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Literal

from pydantic import Field

from costplan import units
from costplan.compute.traffic import Traffic, evolve
from costplan.errors import CostplanError
from costplan.patterns import default_timeout_s, timeout_for  # noqa: F401  (patterns import timeout_for here)
from costplan.patterns.base import ComputeStage, Design, LoadBalancer, ServiceUsage
from costplan.scenario import KB, Number, Strict

KB_PER_GB = Decimal(1024 * 1024)


class PatternSettings(Strict):
    """Settings every pattern has: how much each function/task logs and how long logs are kept."""

    log_kb_per_request: KB = Field(
        Decimal(1), description="CloudWatch Logs bytes written per invocation (START/END/REPORT ≈ 0.3 KB "
                                "plus a few application lines)")
    log_retention_days: Number = Field(Decimal(30), description="log group retention (steady-state storage)")


def up(d: Decimal) -> Decimal:
    return Decimal(d).to_integral_value(rounding=ROUND_CEILING)


def stage(scenario, name: str, role: str, traffic: Traffic, *, memory_mb=None, timeout_s=None,
          ecs_capable: bool = True, batch_size: int = 1, max_concurrency=None, primary: bool = False):
    """A compute stage; the scenario's lambda settings (reserved concurrency, warm copies) go on the primary."""
    w = scenario.workload
    lam = scenario.lambda_
    return ComputeStage(
        name=name, role=role, traffic=traffic, memory_mb=Decimal(memory_mb or w.memory_mb),
        architecture=w.architecture,
        timeout_s=Decimal(timeout_s) if timeout_s is not None else default_timeout_s(scenario),
        ecs_capable=ecs_capable, batch_size=batch_size,
        reserved_concurrency=lam.reserved_concurrency if primary else None,
        max_concurrency=max_concurrency, ephemeral_storage_mb=lam.ephemeral_storage_mb,
        warm=lam.warm if primary else None)




def derived(base: Traffic, monthly: Decimal, peak_rps: Decimal, duration_ms: Decimal | None = None,
            request_kb: Decimal | None = None) -> Traffic:
    """Traffic of a downstream stage: same active time as the workload, its own volume, peak and duration."""
    # Quantities are kept to 3 decimals: the account meter adds them up with 28-digit Decimals, and a
    # sum that needs more digits than that rounds below its parts (a false "no price above" gap).
    # Likewise active time is kept to whole hundredths of an hour (30.41666… days a month repeats forever).
    monthly = Decimal(monthly).quantize(Decimal("0.001"))
    active = (base.active_seconds / 36).quantize(Decimal(1)) * 36
    d = base.duration_ms if duration_ms is None else Decimal(duration_ms)
    p99 = base.p99_duration_ms * d / base.duration_ms if base.duration_ms else d
    return evolve(base, monthly_requests=monthly, active_seconds=active, peak_rps=Decimal(peak_rps), duration_ms=d,
                   p99_duration_ms=max(p99, d),
                   request_size_kb=base.request_size_kb if request_kb is None else Decimal(request_kb))


_MICRO = Decimal("0.000001")


def svc(service: str, usage: dict, resource: str = "") -> ServiceUsage:
    """A service usage line with quantities kept to 6 decimals (see `derived`)."""
    clean = {k: (v.quantize(_MICRO) if isinstance(v, Decimal) else v) for k, v in usage.items()}
    return ServiceUsage(service, clean, resource=resource)


def logs(stages, s: PatternSettings) -> list[ServiceUsage]:
    """One CloudWatch Logs line per stage: invocations × log size, kept for the retention period."""
    out = []
    for st in stages:
        gb = st.traffic.monthly_requests * s.log_kb_per_request / KB_PER_GB
        out.append(svc("cloudwatch_logs", {"ingested_gb": gb, "stored_gb": gb * s.log_retention_days / 30},
                       resource=f"{st.name} logs"))
    return out


def log_assumption(s: PatternSettings) -> str:
    return (f"Each invocation (on ECS, each request a task handles) writes {s.log_kb_per_request} KB of logs to "
            f"CloudWatch Logs, kept "
            f"{s.log_retention_days} days (steady-state storage = ingestion × retention ÷ 30 days).")


def wru(item_kb: Decimal) -> Decimal:
    """Write request units per write: one per 1 KB, rounded up."""
    return max(Decimal(1), up(Decimal(item_kb)))


def rru(item_kb: Decimal, consistent: bool = False) -> Decimal:
    """Read request units per read: one per 4 KB (strongly consistent), half that eventually consistent."""
    units = max(Decimal(1), up(Decimal(item_kb) / 4))
    return units if consistent else units / 2


def table(name: str, write_peak_wru_s=Decimal(0), read_peak_rru_s=Decimal(0)) -> dict:
    """A `dynamodb` fact: one table's request units per second at the peak."""
    return {"table": name, "write_peak_wru_s": Decimal(write_peak_wru_s), "read_peak_rru_s": Decimal(read_peak_rru_s)}


def num(d) -> str:
    return f"{Decimal(d):,.0f}"


# ---- the ECS design ---------------------------------------------------------------------------

SQS_MAX_RECEIVE = 10  # ReceiveMessage and DeleteMessageBatch take at most 10 messages
LONG_POLL_S = Decimal(20)  # the longest SQS long poll: an idle poller makes one receive per 20 s

EcsFrontDoor = Literal["alb", "apigateway"]
ECS_FRONT_DOOR_HELP = ("what clients reach on the ECS design: alb (an Application Load Balancer in front of the "
                       "ECS service; default) or apigateway (keep the Lambda design's API Gateway in front, "
                       "reaching an internal ALB through a VPC link, which carries no charge of its own)")


def idle_seconds(t: Traffic) -> Decimal:
    """Seconds a month with no traffic: the time pollers of an empty queue spend long-polling."""
    return max(Decimal(0), units.SECONDS_PER_MONTH - t.active_seconds)


def ecs_pollers(scenario) -> Decimal:
    """Long-poll loops an ECS consumer service keeps on its queue while idle: one per task, at the floor."""
    return Decimal(scenario.ecs.min_tasks)


def consumer_requests(messages: Decimal, batch: int, pollers: Decimal, idle_s: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(receives, deletes, empty long polls) of a consumer: one ReceiveMessage and one DeleteMessageBatch
    per batch of at most 10 messages, and one empty receive per poller per 20 s while the queue is idle."""
    b = Decimal(min(int(batch), SQS_MAX_RECEIVE))
    return messages / b, messages / b, pollers * idle_s / LONG_POLL_S


def ecs_queue(scenario, name: str, stage: ComputeStage, messages: Decimal, size_kb: Decimal, *, fifo: bool = False,
              sends: Decimal | None = None) -> tuple[ServiceUsage, str]:
    """The SQS queue an ECS consumer service polls (SNS, S3, EventBridge or an IoT rule sends to it; those
    deliveries are SQS SendMessage requests on the queue), and the sentence that counts its requests.

    A receive takes as many messages as the Lambda design's event source hands one invocation (the
    stage's batch), at most 10: like for like, and one per receive where Lambda is invoked per message."""
    sends = messages if sends is None else sends
    b = min(int(stage.batch_size or 1), SQS_MAX_RECEIVE)
    rec, dele, idle = consumer_requests(messages, b, ecs_pollers(scenario), idle_seconds(stage.traffic))
    usage = {"monthly_requests": sends + rec + dele + idle, "message_size_kb": size_kb}
    if fifo:
        usage["fifo"] = True
    why = "the most one ReceiveMessage returns" if b == SQS_MAX_RECEIVE else "as many as Lambda takes per invocation"
    text = (f"{name}: {num(sends)} sends + {num(rec)} receives + {num(dele)} deletes ({b} message(s) per receive, "
            f"{why}) + {num(idle)} empty long polls ({ecs_pollers(scenario)} task(s) polling every 20 s while idle).")
    return svc("sqs", usage, name), text


def on_ecs(stages: list[ComputeStage], on_lambda: dict[str, str]) -> list[ComputeStage]:
    """The ECS design's stages: the same code, as ECS services except those that stay on Lambda."""
    return [evolve(s, ecs_capable=s.name not in on_lambda) for s in stages]


def marked(stages: list[ComputeStage], on_lambda: dict[str, str]) -> list[ComputeStage]:
    """Mark the Lambda design's functions with whether the ECS design moves them to ECS (templates read it)."""
    for s in stages:
        s.ecs_capable = s.name not in on_lambda
    return stages


def api_front_door(api: str | None) -> tuple[str, str]:
    """(front door id, label) of a Lambda design's API."""
    return {None: (None, ""), "function_url": ("function_url", "function URL"),
            "http": ("apigateway_http", "HTTP API"), "rest": ("apigateway_rest", "REST API"),
            "websocket": ("apigateway_websocket", "WebSocket API")}[api]


def ecs_api_door(scenario, api: str | None, front: str, behind: list[str], *,
                 kind: str = "alb") -> tuple[str | None, str, LoadBalancer | None, list[str]]:
    """The ECS design's front door for stages serving clients: (front door id, chain label, load balancer,
    assumptions). `front` is the pattern's `ecs_front_door` setting; `ecs.load_balancer: none` drops the ALB."""
    notes = []
    no_lb = scenario.ecs.load_balancer == "none"
    if front == "apigateway":
        door, label = api_front_door(api)
        if not door or not door.startswith("apigateway_"):
            raise CostplanError(scenario.problem(
                f"apigateway keeps the Lambda design's API Gateway in front of ECS, but the Lambda design has "
                f"{'a ' + label if label else 'no API'} (settings.api: {api}); expected alb, or set settings.api "
                f"to http or rest", "settings", "ecs_front_door"))
        lb = None if no_lb else LoadBalancer(kind, behind, internal=True)
        notes.append(f"ECS design: the {label} stays in front (settings.ecs_front_door: apigateway) and reaches the "
                     f"service through a VPC link " + ("directly (ecs.load_balancer: none)." if no_lb else
                                                       "to an internal ALB; VPC links carry no charge of their own."))
        return door, f"{label} → VPC link → " + ("" if no_lb else "internal ALB → "), lb, notes
    if no_lb:
        notes.append("ECS design: no load balancer is priced (ecs.load_balancer: none): clients reach the tasks "
                     "some other way.")
        return None, "", None, notes
    label = "ALB (WebSocket)" if kind == "alb_websocket" else "ALB"
    return kind, f"{label} → ", LoadBalancer(kind, behind), notes


def no_ecs(plan_kwargs: dict, why: str) -> dict:
    """Plan keyword arguments for a pattern none of whose stages can run as an ECS service."""
    plan_kwargs["ecs_design"] = None
    plan_kwargs["ecs_unavailable"] = why
    return plan_kwargs


def ecs_facts(design: Design, queues: list[dict] | None = None) -> dict:
    """`facts["ecs"]`: the ECS design for limits-check and templates (see patterns/base.py)."""
    lb = design.load_balancer
    return {"summary": design.summary, "front_door": design.front_door,
            "load_balancer": lb.kind if lb else None, "internal_load_balancer": bool(lb and lb.internal),
            "behind_load_balancer": list(lb.stages) if lb else [],
            "services": [s.name for s in design.ecs_stages], "on_lambda": dict(design.on_lambda),
            "removed": list(design.removed), "queues": list(queues or [])}

