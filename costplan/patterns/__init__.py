"""Each pattern turns a scenario into a Plan: compute stages, integration service usage, facts."""
from __future__ import annotations

import importlib
from decimal import ROUND_CEILING, Decimal

from costplan.errors import CostplanError, Problem

REGISTRY: dict[str, str] = {
    "sync_api": "costplan.patterns.sync_api",
    "async_request_reply": "costplan.patterns.async_request_reply",
    "queue_load_leveling": "costplan.patterns.queue_load_leveling",
    "pubsub": "costplan.patterns.pubsub",
    "sequential_convoy": "costplan.patterns.sequential_convoy",
    "claim_check": "costplan.patterns.claim_check",
    "pipes_and_filters": "costplan.patterns.pipes_and_filters",
    "scheduled_cron": "costplan.patterns.scheduled_cron",
    "scheduled_ttl": "costplan.patterns.scheduled_ttl",
    "websocket_notify": "costplan.patterns.websocket_notify",
    "mqtt_notify": "costplan.patterns.mqtt_notify",
}


def plan(scenario):
    """scenario → Plan, through the scenario's pattern module."""
    name = scenario.pattern
    if name not in REGISTRY:
        raise CostplanError(scenario.problem(f"pattern {name!r} has no planner yet", "pattern"))
    module = importlib.import_module(REGISTRY[name])
    return module.plan(scenario)


def default_timeout_s(scenario) -> Decimal:
    """Function timeout: the scenario's, else max(3 s — Lambda's default — , 2 × p99), whole seconds."""
    if scenario.lambda_.timeout_s is not None:
        return scenario.lambda_.timeout_s
    w = scenario.workload
    p99 = w.p99_duration_ms if w.p99_duration_ms is not None else w.duration_ms
    t = max(Decimal(3), (p99 * 2 / 1000).to_integral_value(rounding=ROUND_CEILING))
    return min(t, Decimal(900))


def settings(scenario, model):
    """Validate the scenario's `settings:` section against a pattern's pydantic model."""
    from pydantic import ValidationError

    from costplan.scenario import pydantic_problems

    try:
        return model.model_validate(scenario.settings or {})
    except ValidationError as e:
        raise CostplanError(pydantic_problems(e, scenario.source_file, scenario.source_lines, ("settings",),
                                              root_model=model)) from None


__all__ = ["REGISTRY", "Problem", "default_timeout_s", "plan", "settings"]
