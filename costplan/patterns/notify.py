"""Three ways to tell a frontend about progress, priced for the same audience: HTTP polling (API
requests + Lambda + status reads + the answers' data transfer out), a WebSocket API (connection minutes,
messages, fan-out Lambda, connection-table reads, the pushes' data transfer out) and IoT Core MQTT
(connection minutes, messages, rules); and the audience sizes
where polling becomes dearer than each push option (bisection on audience size)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import Field

from costplan.patterns.common import rru, wru
from costplan.pricing.bill import price_components, total
from costplan.scenario import KB, MB, Count, Ms, Number, Seconds, Strict

METHODS = ("polling", "websocket", "mqtt")


class NotifySettings(Strict):
    audience: Count = Field(Decimal(1000), description="client sessions a month waiting for progress")
    session_minutes: Number = Field(Decimal(10), description="how long each client waits and watches")
    polling_interval_s: Seconds = Field(Decimal(10), description="HTTP polling: seconds between /status calls")
    updates_per_session: Count = Field(Decimal(10), description="progress updates pushed per session")
    message_size_kb: KB = Field(Decimal(1), description="status / update size")
    api: Literal["function_url", "http", "rest"] = Field(
        "http", description="what the polling clients call: a function URL (free) or API Gateway")
    status_duration_ms: Ms = Field(Decimal(20), description="status handler duration (one DynamoDB read)")
    fanout_duration_ms: Ms = Field(Decimal(30), description="WebSocket: Lambda time per pushed update")
    memory_mb: MB = Field(Decimal(128), description="memory of the status / fan-out functions")
    architecture: Literal["x86_64", "arm64"] = "arm64"
    mqtt_qos: Literal[0, 1] = Field(1, description="MQTT: QoS of updates to clients; each QoS 1 delivery is "
                                                   "acknowledged by a PUBACK that IoT Core meters as a message")
    status_item_kb: KB = Field(Decimal(1), description="status item read per poll / connection item read per push")


@dataclass
class NotifyResult:
    settings: NotifySettings
    methods: tuple[str, ...]
    rows: list[dict]  # {"audience": n, "polling": usd, "websocket": usd, "mqtt": usd}
    crossovers: dict  # method → audience where polling becomes dearer (None: never within range)
    at_audience: dict  # method → usd for the scenario's audience


def _svc(name: str, usage: dict, resource: str) -> list:
    """A service's cost components for one usage (patterns do not import the compute layer above them)."""
    from costplan import services
    from costplan.services.base import planned_usage

    mod = services.get(name)
    return mod.components(planned_usage(name, mod.USAGE, usage), resource=resource)


def components(method: str, s: NotifySettings, audience: Decimal) -> list:
    minutes = audience * s.session_minutes
    if method == "polling":
        polls = audience * s.session_minutes * 60 / s.polling_interval_s
        front = [] if s.api == "function_url" else _svc(f"apigateway_{s.api}", {"monthly_requests": polls},
                                                         "status api")
        return (front
                + _svc("lambda", {"monthly_requests": polls, "request_duration_ms": s.status_duration_ms,
                                  "memory_mb": s.memory_mb, "architecture": s.architecture}, "status")
                + _svc("dynamodb", {"monthly_read_request_units": polls * rru(s.status_item_kb)}, "status table")
                # each poll's answer leaves AWS (data transfer out, as every push below)
                + _svc("data_transfer", {"monthly_responses": polls, "response_size_kb": s.message_size_kb},
                       "status responses"))
    pushes = audience * s.updates_per_session
    if method == "websocket":
        # Each session: $connect and $disconnect (Lambda + a put and a delete); each update: one fan-out
        # invocation that reads the connection item and posts one message.
        return (_svc("apigateway_websocket", {"monthly_messages": pushes, "message_size_kb": s.message_size_kb,
                                              "monthly_connection_minutes": minutes}, "websocket api")
                + _svc("lambda", {"monthly_requests": pushes + audience * 2,
                                  "request_duration_ms": s.fanout_duration_ms, "memory_mb": s.memory_mb,
                                  "architecture": s.architecture}, "fan-out")
                + _svc("dynamodb", {"monthly_read_request_units": pushes * rru(s.status_item_kb),
                                    "monthly_write_request_units": audience * 2 * wru(s.status_item_kb)},
                       "connections table")
                + _svc("data_transfer", {"monthly_messages": pushes, "message_size_kb": s.message_size_kb},
                       "websocket pushes"))
    if method == "mqtt":
        # Each update: published once (a rule-free IoT data-plane publish) and delivered once; each session
        # connects and subscribes once, and acknowledges each QoS 1 delivery with a PUBACK (both metered as
        # messages). One rule records each update from the job. IoT Core prices the bytes it delivers in its
        # messaging line (metered per 5 KB); its pricing lists no data transfer charge (see mqtt_notify).
        return _svc("iot", {"monthly_connection_minutes": minutes, "monthly_messages": pushes * 2 + audience,
                            "message_size_kb": s.message_size_kb, "monthly_connects": audience,
                            "monthly_pubacks": pushes if s.mqtt_qos == 1 else 0,
                            "monthly_rules_triggered": pushes, "monthly_actions": pushes}, "broker")
    raise ValueError(method)


def cost(method: str, s: NotifySettings, audience, book, free_tier: bool) -> Decimal:
    a = Decimal(audience).quantize(Decimal("0.001"))
    return total(price_components(components(method, s, a), book, free_tier=free_tier))


def crossover(method: str, s: NotifySettings, book, free_tier: bool, hi=Decimal(10) ** 8) -> Decimal | None:
    """Smallest audience where polling costs more than `method` (bisection); None if not below `hi`."""
    def d(a):
        return cost("polling", s, a, book, free_tier) - cost(method, s, a, book, free_tier)

    lo = Decimal(1)
    if d(lo) > 0:
        return lo
    if d(hi) <= 0:
        return None
    for _ in range(80):
        mid = (lo * hi).sqrt()
        if d(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi / lo < Decimal("1.0001"):
            break
    return hi


def settings_of(scenario_or_settings) -> NotifySettings:
    if isinstance(scenario_or_settings, NotifySettings):
        return scenario_or_settings
    if isinstance(scenario_or_settings, dict):
        return NotifySettings.model_validate(scenario_or_settings)
    sc = scenario_or_settings
    from pydantic import ValidationError

    from costplan.errors import CostplanError
    from costplan.scenario import pydantic_problems

    try:
        return NotifySettings.model_validate(sc.notify or {})
    except ValidationError as e:
        raise CostplanError(pydantic_problems(e, sc.source_file, sc.source_lines, ("notify",),
                                              root_model=NotifySettings)) from None


def price_notify(scenario_or_settings, book, free_tier: bool = True, audiences=None,
                 methods=METHODS) -> NotifyResult:
    """Per-method monthly totals over a range of audience sizes, and the polling crossovers."""
    s = settings_of(scenario_or_settings)
    methods = tuple(m for m in METHODS if m in methods)
    if audiences is None:
        base = s.audience
        audiences = [base * Decimal(k) for k in ("0.01", "0.1", "1", "10", "100")]
    rows = [{"audience": Decimal(a), **{m: cost(m, s, a, book, free_tier) for m in methods}} for a in audiences]
    cross = {m: crossover(m, s, book, free_tier) for m in methods if m != "polling"} if "polling" in methods else {}
    at = {m: cost(m, s, s.audience, book, free_tier) for m in methods}
    return NotifyResult(s, methods, rows, cross, at)
