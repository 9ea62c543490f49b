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
    module = _LOADED.get(name)  # planned a dozen times a scenario (the break-even model re-plans)
    if module is None:
        if name not in REGISTRY:
            raise CostplanError(scenario.problem(f"pattern {name!r} has no planner yet", "pattern"))
        module = _LOADED[name] = importlib.import_module(REGISTRY[name])
    return module.plan(scenario)


_LOADED: dict = {}


def timeout_for(p99_ms: Decimal) -> Decimal:
    """A function's default timeout from its p99 duration: max(3 s — Lambda's default — , 2 × p99),
    whole seconds, at most 900 s (Lambda's ceiling). From the p99, not the average: limits-check
    tests the p99 against the timeout."""
    t = max(Decimal(3), (Decimal(p99_ms) * 2 / 1000).to_integral_value(rounding=ROUND_CEILING))
    return min(t, Decimal(900))


def default_timeout_s(scenario) -> Decimal:
    """The scenario function's timeout: its own, else timeout_for its p99."""
    if scenario.lambda_.timeout_s is not None:
        return scenario.lambda_.timeout_s
    w = scenario.workload
    return timeout_for(w.p99_duration_ms if w.p99_duration_ms is not None else w.duration_ms)


_SETTINGS: dict = {}  # (model, id of the raw settings) → (raw, validated): validated once per scenario


def settings(scenario, model):
    """Validate the scenario's `settings:` section against a pattern's pydantic model."""
    from pydantic import ValidationError

    from costplan.scenario import pydantic_problems

    raw = scenario.settings
    hit = _SETTINGS.get((model, id(raw)))
    if hit is not None and hit[0] is raw:  # the same settings (a scenario re-planned at other volumes)
        return hit[1]
    try:
        got = model.model_validate(raw or {})
        if len(_SETTINGS) > 64:
            _SETTINGS.clear()
        _SETTINGS[(model, id(raw))] = (raw, got)  # keeps raw alive, so its id is not reused meanwhile
        return got
    except ValidationError as e:
        raise CostplanError(pydantic_problems(e, scenario.source_file, scenario.source_lines, ("settings",),
                                              root_model=model)) from None


__all__ = ["REGISTRY", "Problem", "default_timeout_s", "plan", "settings", "timeout_for"]
