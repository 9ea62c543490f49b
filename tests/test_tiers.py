"""The tier helper and the bill's account meter, at every boundary."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from costplan.errors import PriceGap
from costplan.pricing.bill import Component, price_components, total
from costplan.pricing.book import PriceBook, Tier
from costplan.pricing.tiers import interval_cost, split_interval, tier_name

B = D(10**9)
LAMBDA_X86 = (Tier(6 * B, D("0.0000166667")), Tier(15 * B, D("0.0000150000")), Tier(None, D("0.0000133334")))
T1, T2, T3 = (t.usd for t in LAMBDA_X86)


@pytest.mark.parametrize("start, end, expected", [
    (D(0), D(0), []),
    (D(0), D(1), [(0, D(1))]),
    (D(0), 6 * B, [(0, 6 * B)]),                                  # exactly at the first boundary
    (D(0), 6 * B + 1, [(0, 6 * B), (1, D(1))]),                    # one unit over
    (6 * B, 6 * B + 1, [(1, D(1))]),                               # starts on the boundary
    (5 * B, 7 * B, [(0, B), (1, B)]),                              # spans two tiers
    (D(0), 15 * B, [(0, 6 * B), (1, 9 * B)]),                      # exactly at the second boundary
    (D(0), 15 * B + 1, [(0, 6 * B), (1, 9 * B), (2, D(1))]),
    (14 * B, 16 * B, [(1, B), (2, B)]),
    (20 * B, 21 * B, [(2, B)]),                                    # wholly in the last tier
])
def test_split_interval(start, end, expected):
    assert split_interval(LAMBDA_X86, start, end) == expected


@pytest.mark.parametrize("start, end, expected", [
    (D(0), 6 * B, 6 * B * T1),
    (D(0), 6 * B + 1, 6 * B * T1 + T2),
    (5 * B, 7 * B, B * T1 + B * T2),
    (D(0), 16 * B, 6 * B * T1 + 9 * B * T2 + B * T3),
])
def test_interval_cost(start, end, expected):
    assert interval_cost(LAMBDA_X86, start, end) == expected


def test_split_interval_on_a_finite_last_tier_stops_at_its_end():
    finite = (Tier(6 * B, T1),)
    assert split_interval(finite, D(0), 7 * B) == [(0, 6 * B)]


@pytest.mark.parametrize("index, expected", [
    (0, "first 6B GB-seconds"), (1, "next 9B GB-seconds"), (2, "over 15B GB-seconds")])
def test_tier_name(index, expected):
    assert tier_name(LAMBDA_X86, index, "GB-seconds") == expected


def test_tier_name_of_a_flat_price_is_empty():
    assert tier_name((Tier(None, T1),), 0, "requests") == ""


def _duration(q, arch="x86_64", free_tier=True):
    return Component(f"Duration ({arch})", "GB-seconds", D(q), f"lambda.duration_{arch}", free_tier=free_tier)


def _by_price(items):
    return [(i.name, i.quantity, i.monthly_usd) for i in items]


@pytest.mark.parametrize("components, free_tier, expected_total", [
    ([_duration(6 * B)], False, 6 * B * T1),                                     # exactly at 6B GB-s
    ([_duration(6 * B + 1)], False, 6 * B * T1 + T2),                           # one unit over
    ([_duration(5 * B), _duration(2 * B)], False, 6 * B * T1 + B * T2),         # second component spans
    ([_duration(6 * B + 400_000)], True, 6 * B * T1),                           # free tier first, then tiers
    ([_duration(6 * B + 400_001)], True, 6 * B * T1 + T2),
    ([_duration(300_000), _duration(300_000)], True, 200_000 * T1),             # free tier across two components
    ([_duration(300_000), _duration(300_000, "arm64")], True, 200_000 * D("0.0000133334")),  # shared x86/arm pool
    ([_duration(300_000, free_tier=False)], True, 300_000 * T1),                # component opts out of free tier
    ([_duration(300_000)], False, 300_000 * T1),                                # --no-free-tier
])
def test_account_meter(components, free_tier, expected_total):
    assert total(price_components(components, PriceBook(), free_tier=free_tier)) == expected_total


def test_tiers_are_per_price_key_not_shared_between_architectures():
    items = price_components([_duration(6 * B), _duration(B, "arm64")], PriceBook(), free_tier=False)
    assert [i.name for i in items] == ["Duration (x86_64) (first 6B GB-seconds)",
                                       "Duration (arm64) (first 7.5B GB-seconds)"]


def test_line_items_name_each_tier_and_the_free_part():
    items = price_components([_duration(6 * B + 400_001)], PriceBook())
    assert _by_price(items) == [
        ("Duration (x86_64) (free tier)", D(400_000), D(0)),
        ("Duration (x86_64) (first 6B GB-seconds)", 6 * B, 6 * B * T1),
        ("Duration (x86_64) (next 9B GB-seconds)", D(1), T2),
    ]


def test_free_pool_is_exhausted_in_component_order():
    items = price_components([_duration(300_000), _duration(300_000, "arm64")], PriceBook())
    free = [(i.name, i.quantity) for i in items if i.free]
    assert free == [("Duration (x86_64) (free tier)", D(300_000)), ("Duration (arm64) (free tier)", D(100_000))]


def test_usage_beyond_a_finite_last_tier_is_a_gap(tmp_path, monkeypatch):
    from costplan.pricing.book import read_data_file

    # a user price book that knows only the first tier in eu-west-1 (the bundled one knows all three)
    (tmp_path / "lambda.yaml").write_text(
        "service: lambda\nsources: {X: {url: u, as_of: '2025-01-01'}}\nprices:\n"
        "  duration_x86_64: {unit: GB-seconds, source: X, regions: "
        "{eu-west-1: {tiers: [[6000000000, '0.0000166667']]}}}\n")
    monkeypatch.setenv("COSTPLAN_PRICING_DIR", str(tmp_path))
    read_data_file.cache_clear()
    try:
        with pytest.raises(PriceGap, match="above 6,000,000,000 GB-seconds"):
            price_components([_duration(6 * B + 1)], PriceBook("eu-west-1"), free_tier=False)
    finally:
        read_data_file.cache_clear()


@pytest.mark.parametrize("requests, expected", [
    (D(300_000_000), D("300.00")),
    (D(300_000_001), D("300.0000009")),
    (D(432_000_000), D("300") + D("132") * D("0.90")),
])
def test_http_api_tier_boundary(requests, expected):
    comp = Component("HTTP API requests", "requests", requests, "apigateway.http_requests", free_tier=False)
    assert total(price_components([comp], PriceBook())) == expected


@pytest.mark.parametrize("requests, expected", [
    (D(333_000_000), D(333) * D("3.50")),
    (D(1_000_000_000), D(333) * D("3.50") + D(667) * D("2.80")),
    (D(20_000_000_000), D(333) * D("3.50") + D(667) * D("2.80") + D(19_000) * D("2.38")),
    (D(20_001_000_000), D(333) * D("3.50") + D(667) * D("2.80") + D(19_000) * D("2.38") + D("1.51")),
])
def test_rest_api_four_tiers(requests, expected):
    comp = Component("REST API requests", "requests", requests, "apigateway.rest_requests", free_tier=False)
    assert total(price_components([comp], PriceBook())) == expected
