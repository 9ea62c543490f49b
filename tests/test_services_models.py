"""Service models: free tiers, LCU dimensions, instance sizes, zero-priced lines and regional gaps."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal as D

import pytest

from costplan.errors import CostplanError, PriceGap
from costplan.pricing.bill import total
from costplan.pricing.book import PriceBook
from costplan.services import price
from costplan.services.ec2 import instance_spec, instance_types


def by_key(items):
    out = defaultdict(D)
    for i in items:
        out[i.price_key] += i.monthly_usd
    return dict(out)


@pytest.mark.parametrize("service, usage, expected", [
    ("apigateway_http", {"monthly_requests": "1M"}, D("1.00")),
    ("apigateway_rest", {"monthly_requests": "1M"}, D("3.50")),
    ("apigateway_websocket", {"monthly_messages": "1M", "monthly_connection_minutes": 750_000}, D("1.1875")),
    ("iot", {"monthly_messages": 500_000, "monthly_connection_minutes": 2_250_000}, D("0.68")),
])
def test_twelve_month_free_tiers_are_not_applied_by_default(service, usage, expected):
    assert total(price(service, usage, PriceBook())) == expected
    assert total(price(service, {**usage, "new_account_free_tier": True}, PriceBook())) == 0


@pytest.mark.parametrize("service, usage, free_total", [
    ("sqs", {"monthly_requests": "1M"}, D(0)),
    ("sqs", {"monthly_requests": "2M"}, D("0.40")),
    ("sns", {"monthly_publishes": "1M", "http_deliveries": 100_000, "email_deliveries": 1000}, D(0)),
    ("eventbridge", {"scheduler_invocations": "15M"}, D("1.00")),
    ("stepfunctions", {"monthly_transitions": 4000}, D(0)),
    ("stepfunctions", {"monthly_transitions": 5000}, D("0.025")),
    ("dynamodb", {"storage_gb": 30}, D("1.25")),
    ("cloudwatch_logs", {"ingested_gb": 15, "stored_gb": 100}, D("8.00")),
])
def test_perpetual_free_tiers_apply_by_default(service, usage, free_total):
    assert total(price(service, usage, PriceBook())) == free_total


def test_sqs_standard_and_fifo_share_one_free_pool():
    from costplan.pricing.bill import price_components
    from costplan.services import get
    from costplan.services.base import parse_usage

    comps = []
    for fifo in (False, True):
        mod = get("sqs")
        comps += mod.components(parse_usage("sqs", mod.USAGE, {"monthly_requests": 600_000, "fifo": fifo}))
    assert total(price_components(comps, PriceBook())) == 200_000 * D("0.50") / 1_000_000


@pytest.mark.parametrize("usage, lcu", [
    ({"new_connections_per_s": 50}, D(2)),
    ({"active_connections": 6000}, D(2)),
    ({"processed_gb_per_hour": "2.5"}, D("2.5")),
    ({"rule_evaluations_per_s": 3000}, D(3)),
    ({"new_connections_per_s": 25, "active_connections": 9000, "processed_gb_per_hour": 1}, D(3)),  # the largest
])
def test_alb_lcu_is_the_largest_dimension(usage, lcu):
    items = by_key(price("alb", usage, PriceBook()))
    assert items["alb.lcu_hours"] == lcu * 730 * D("0.008")
    assert items["alb.hours"] == 730 * D("0.0225")


def test_alb_lcu_hours_given_directly():
    items = by_key(price("alb", {"load_balancers": 2, "lcu_hours": 100}, PriceBook()))
    assert items == {"alb.hours": 2 * 730 * D("0.0225"), "alb.lcu_hours": D("0.800")}


def test_ec2_instance_spec_and_types():
    assert instance_spec("m7g.large") == (D(2), D(8), "arm64")
    assert instance_spec("t3.medium") == (D(2), D(4), "x86_64")
    types = instance_types()
    assert len(types) == 20 and "m5.medium" not in types


@pytest.mark.parametrize("instance_type, hourly", [("m5.large", "0.096"), ("m7g.xlarge", "0.1632"), ("c7g.medium", "0.0363")])
def test_ec2_instances_by_730_hours(instance_type, hourly):
    assert total(price("ec2", {"instance_type": instance_type, "instances": 2}, PriceBook())) == 2 * 730 * D(hourly)


def test_fargate_always_on_service_uses_730_hours():
    items = by_key(price("fargate", {"tasks": 2, "vcpu": 1, "memory_gb": 2}, PriceBook()))
    seconds = 2 * 730 * 3600
    assert items == {"fargate.vcpu_linux_x86_64": seconds * D("0.000011244"),
                     "fargate.memory_linux_x86_64": seconds * 2 * D("0.000001235")}


def test_fargate_windows_on_arm_is_rejected():
    with pytest.raises(CostplanError, match="Windows"):
        price("fargate", {"os": "windows", "architecture": "arm64"}, PriceBook())


def test_nat_gateway_and_public_ipv4():
    assert total(price("nat_gateway", {"processed_gb": 100}, PriceBook())) == 730 * D("0.045") + 100 * D("0.045")
    assert total(price("public_ipv4", {"addresses": 3}, PriceBook())) == 3 * 730 * D("0.005")


@pytest.mark.parametrize("from_lambda, expected", [(True, D(0)), (False, (D(3_500_000) - D(2_500_000)) * D("0.0000002"))])
def test_dynamodb_stream_reads_by_lambda_triggers_are_free(from_lambda, expected):
    items = price("dynamodb", {"monthly_stream_read_request_units": "3.5M", "stream_reads_from_lambda": from_lambda},
                  PriceBook())
    assert total(items) == expected
    assert all(i.quantity for i in items)


def test_dynamodb_ttl_deletes_are_an_explicit_free_assumption():
    items = price("dynamodb", {"monthly_ttl_deletes": "1M"}, PriceBook())
    assert total(items) == 0 and items[0].price_key == "dynamodb.ttl_deletes"
    assert PriceBook().get("dynamodb.ttl_deletes").note.startswith("modelled as free")
    assert PriceBook().get("dynamodb.ttl_deletes").source.grade == "A"


def test_dynamodb_on_demand_requests():
    items = by_key(price("dynamodb", {"monthly_write_request_units": "10M", "monthly_read_request_units": "40M"},
                         PriceBook()))
    assert items == {"dynamodb.write_request_units": D("6.25"), "dynamodb.read_request_units": D("5.00")}


def test_sns_lambda_and_sqs_deliveries_are_not_charged():
    items = price("sns", {"monthly_publishes": "3M", "lambda_deliveries": "3M", "sqs_deliveries": "3M"}, PriceBook())
    assert by_key(items) == {"sns.requests": D("1.00"), "sns.lambda_deliveries": 0, "sns.sqs_deliveries": 0}


def test_sns_fifo_pays_per_gb_and_delivers_only_to_sqs():
    items = by_key(price("sns", {"fifo": True, "monthly_publishes": "1M", "message_size_kb": "1MB",
                                 "sqs_deliveries": "2M"}, PriceBook()))
    gb = D(1_000_000) / 1024  # 1M × 1 MB
    assert items == {"sns.fifo_publishes": D("0.30"), "sns.fifo_publish_payload": gb * D("0.017"),
                     "sns.fifo_deliveries": D("0.02"), "sns.fifo_delivery_payload": 2 * gb * D("0.001")}
    with pytest.raises(CostplanError, match="SQS queues only"):
        price("sns", {"fifo": True, "http_deliveries": 1}, PriceBook())


def test_eventbridge_components():
    items = by_key(price("eventbridge", {"monthly_events": "2M", "event_size_kb": 100, "pipes_requests": "1M",
                                         "api_destination_invocations": "5M"}, PriceBook()))
    assert items == {"eventbridge.custom_events": D("4.00"), "eventbridge.pipes_requests": D("0.80"),
                     "eventbridge.api_destination_invocations": D("1.00")}


def test_s3_storage_tiers_and_requests():
    items = by_key(price("s3", {"storage_gb": 60_000, "monthly_put_requests": "1M", "monthly_get_requests": "10M"},
                         PriceBook()))
    assert items == {"s3.storage": 51200 * D("0.023") + 8800 * D("0.022"), "s3.put_requests": D("5.00"),
                     "s3.get_requests": D("4.00")}


def test_rest_api_cache_by_size():
    items = by_key(price("apigateway_rest", {"monthly_requests": 0, "cache_size_gb": "1.6"}, PriceBook()))
    assert items == {"apigateway.rest_cache_1_6gb": 730 * D("0.038")}
    with pytest.raises(CostplanError, match="caches come in"):
        price("apigateway_rest", {"cache_size_gb": 2}, PriceBook())


def test_glue_dpu_hours_given_directly():
    assert total(price("glue", {"dpu_hours": 10}, PriceBook())) == D("4.40")


@pytest.mark.parametrize("service, usage, region", [
    ("fargate", {"os": "windows", "vcpu": 1, "memory_gb": 2}, "eu-west-1"),  # Fargate Windows: not in the regional reference
    ("fargate", {"os": "windows", "vcpu": 1, "memory_gb": 2}, "ap-southeast-1"),
])
def test_unknown_regional_prices_raise_price_gap(service, usage, region):
    with pytest.raises(PriceGap, match=f"in {region}"):
        price(service, usage, PriceBook(region))


@pytest.mark.parametrize("service, usage, region, expected", [
    # 5M requests, the first 1M free, at the reference's $0.40 per million (ap-southeast-1)
    ("sqs", {"monthly_requests": "5M"}, "ap-southeast-1", D("4") * D("0.40")),
    # 5M on-demand WRU at the reference's $0.705 per million (eu-west-1)
    ("dynamodb", {"monthly_write_request_units": "5M"}, "eu-west-1", D("5") * D("0.705")),
])
def test_once_gaps_now_price_at_the_regional_reference_rate(service, usage, region, expected):
    assert total(price(service, usage, PriceBook(region))) == expected


def test_stepfunctions_standard_is_priced_outside_us_east_1():
    assert total(price("stepfunctions", {"monthly_transitions": 14_000}, PriceBook("eu-west-1"))) == D("0.25")
