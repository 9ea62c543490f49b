"""Metering increments, minimums and chunking at each boundary, and usage-key validation."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from costplan import units
from costplan.errors import CostplanError
from costplan.pricing.book import PriceBook
from costplan.services import REGISTRY, get, price
from costplan.services.base import parse_usage

ONE_BYTE = D(1) / 1024  # in KB


def metered(service: str, usage: dict, price_key: str) -> D:
    """Billable quantity for one price key, free tier off."""
    mod = get(service)
    comps = mod.components(parse_usage(service, mod.USAGE, usage))
    return sum((c.quantity for c in comps if c.price_key == price_key), D(0))


@pytest.mark.parametrize("service, size_key, increment_kb, price_key, extra", [
    ("apigateway_http", "request_size_kb", 512, "apigateway.http_requests", {}),
    ("apigateway_websocket", "message_size_kb", 32, "apigateway.websocket_messages", {}),
    ("sqs", "message_size_kb", 64, "sqs.standard_requests", {}),
    ("sqs", "message_size_kb", 64, "sqs.fifo_requests", {"fifo": True}),
    ("sns", "message_size_kb", 64, "sns.requests", {}),
    ("eventbridge", "event_size_kb", 64, "eventbridge.custom_events", {}),
    ("iot", "message_size_kb", 5, "iot.messages", {}),
])
@pytest.mark.parametrize("size_kb, units_per_message", [
    (D(0), 1),                     # an empty message still counts once
    (D(1), 1),
    ("at", 1),                     # exactly at the increment
    ("byte over", 2),              # one byte over
    ("kb over", 2),                # one KB over
    ("double", 2),
    ("double + byte", 3),
])
def test_metering_increment_boundaries(service, size_key, increment_kb, price_key, extra, size_kb,
                                       units_per_message):
    size = {"at": D(increment_kb), "byte over": D(increment_kb) + ONE_BYTE, "kb over": D(increment_kb + 1),
            "double": D(2 * increment_kb), "double + byte": D(2 * increment_kb) + ONE_BYTE}.get(size_kb, size_kb)
    count_key = {"iot": "monthly_messages"}.get(service) or next(
        k.name for k in get(service).USAGE if k.name.startswith("monthly_"))
    usage = {count_key: 1000, size_key: size, **extra}
    assert metered(service, usage, price_key) == 1000 * units_per_message


@pytest.mark.parametrize("text, expected_units", [("512KB", 1), ("524289b", 2), ("513KB", 2), ("1MB", 2)])
def test_http_api_metering_from_human_sizes(text, expected_units):
    assert metered("apigateway_http", {"monthly_requests": 1, "request_size_kb": text},
                   "apigateway.http_requests") == expected_units


@pytest.mark.parametrize("size, expected", [("256KB", 4), ("257KB", 5), ("64KB", 1)])
def test_sqs_256_kb_message_is_four_requests(size, expected):
    assert metered("sqs", {"monthly_requests": 1, "message_size_kb": size}, "sqs.standard_requests") == expected


@pytest.mark.parametrize("duration_s, os, billed_s", [
    ("1", "linux", 60), ("59", "linux", 60), ("60", "linux", 60), ("60.2", "linux", 61), ("61", "linux", 61),
    ("1", "windows", 300), ("299", "windows", 300), ("300", "windows", 300), ("301", "windows", 301),
])
def test_fargate_minimum_per_run(duration_s, os, billed_s):
    seconds = metered("fargate", {"monthly_task_runs": 10, "task_duration_s": duration_s, "vcpu": 1, "memory_gb": 2,
                                  "os": os},
                      f"fargate.vcpu_{os}_x86_64")
    assert seconds == 10 * billed_s


@pytest.mark.parametrize("duration_ms, memory_mb, gb_seconds", [
    ("100", "64", D("0.1") * D("0.0625")),
    ("101", "64", D("0.2") * D("0.0625")),      # rounded up to the next 100 ms
    ("1", "64", D("0.1") * D("0.0625")),
    ("100", "62.85", D("0.1") * D("0.0625")),   # the page's 50 MB + 50 KB + 12,800 KB = 62.85 MB → 64 MB
    ("100", "65", D("0.1") * D("0.125")),       # one MB over → two 64 MB chunks
    ("100", "128", D("0.1") * D("0.125")),
])
def test_stepfunctions_express_metering(duration_ms, memory_mb, gb_seconds):
    gb_hours = metered("stepfunctions", {"type": "express", "monthly_requests": 3600, "request_duration_ms": duration_ms,
                                         "memory_mb": memory_mb}, "stepfunctions.express_duration")
    assert gb_hours == gb_seconds  # 3,600 requests: GB-hours equal the per-request GB-seconds


@pytest.mark.parametrize("run_minutes, dpu_hours", [
    ("0.5", D(2) * 60 / 3600 * 10),      # one-minute minimum
    ("1", D(2) * 60 / 3600 * 10),
    ("1.5", D(2) * 90 / 3600 * 10),
    ("10", D(2) * 600 / 3600 * 10),
])
def test_glue_one_minute_minimum(run_minutes, dpu_hours):
    assert metered("glue", {"monthly_runs": 10, "dpus": 2, "run_minutes": run_minutes}, "glue.dpu_hours") == dpu_hours


@pytest.mark.parametrize("service, wrong, right", [
    ("sqs", "monthly_request", "monthly_requests"),
    ("lambda", "memory_size_mb", "memory_mb"),
    ("fargate", "memory_gib", "memory_gb"),
    ("stepfunctions", "monthly_transition", "monthly_transitions"),
    ("dynamodb", "storage_gigabytes", "storage_gb"),
    ("eventbridge", "event_size", "event_size_kb"),
])
def test_unknown_usage_key_says_did_you_mean(service, wrong, right):
    with pytest.raises(CostplanError, match=f'did you mean "{right}"'):
        price(service, {wrong: 1}, PriceBook())


def test_every_problem_is_reported_at_once():
    with pytest.raises(CostplanError) as e:
        price("sqs", {"monthly_request": 1, "fifo": "maybe"}, PriceBook())
    assert len(e.value.problems) == 2


@pytest.mark.parametrize("value, hint", [("m5.larg", 'did you mean "m5.large"'), ("m5.medium", "unknown instance type")])
def test_ec2_instance_type_did_you_mean(value, hint):
    with pytest.raises(CostplanError, match=hint):
        price("ec2", {"instance_type": value}, PriceBook())


def test_every_registered_service_declares_unit_last_keys():
    suffixes = ("_ms", "_mb", "_kb", "_gb", "_s", "_per_s", "_per_hour", "_minutes")
    for name in REGISTRY:
        mod = get(name)
        assert mod.NAME == name and mod.TITLE
        for key in mod.USAGE:
            assert not key.name.startswith("average_"), f"{name}.{key.name}"
            if any(w in key.name for w in ("duration", "size", "storage")):
                assert key.name.endswith(suffixes), f"{name}.{key.name} should name its unit last"


def test_units_parse_human_values_for_services():
    assert units.size_kb("1MB") == 1024
    assert metered("sqs", {"monthly_requests": "3M"}, "sqs.standard_requests") == 3_000_000
