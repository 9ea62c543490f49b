"""Human units parse to the numbers AWS bills in."""
from decimal import Decimal

import pytest

from costplan import units


@pytest.mark.parametrize("text,expected", [
    ("3M", 3_000_000), ("1.5k", 1500), ("250", 250), (10, 10), ("2B", 2_000_000_000), ("1,000", 1000),
    ("1_000_000", 1_000_000), ("0", 0),
])
def test_count(text, expected):
    assert units.count(text) == Decimal(expected)


@pytest.mark.parametrize("text,expected_ms", [
    ("120ms", 120), ("1.5s", 1500), ("2h", 7_200_000), ("1m", 60_000), ("15min", 900_000), (250, 250),
])
def test_duration(text, expected_ms):
    assert units.duration_ms(text) == Decimal(expected_ms)


@pytest.mark.parametrize("text,expected_mb", [("512MB", 512), ("1.5GB", 1536), ("1024", 1024), ("2KB", Decimal(2) / 1024)])
def test_size_mb(text, expected_mb):
    assert units.size_mb(text) == Decimal(expected_mb)


def test_sizes_are_binary_as_aws_bills_them():
    assert units.size_kb("1MB") == 1024
    assert units.size_gb("512MB") == Decimal("0.5")


@pytest.mark.parametrize("text,expected", [("500/s", 500), ("30k/min", 500), ("1.8M/h", 500), ("12", 12)])
def test_rate(text, expected):
    assert units.rate_per_s(text) == Decimal(expected)


@pytest.mark.parametrize("fn,bad", [
    (units.count, "-5"), (units.count, "3X"), (units.duration_ms, "5 parsecs"), (units.size_mb, "12 apples"),
    (units.count, True), (units.count, "abc"), (units.duration_ms, "-1s"), (units.count, "nan"),
    (units.count, float("nan")), (units.count, float("-inf")), (units.size_mb, float("inf")),
    (units.percent, float("nan")), (units.number, "inf"), (units.rate_per_s, "nan/s"),
])
def test_bad_values_raise_unit_error(fn, bad):
    with pytest.raises(units.UnitError):
        fn(bad)


def test_percent():
    assert units.percent("70%") == Decimal("0.7")
    assert units.percent(0.7) == Decimal("0.7")
    assert units.percent(70) == Decimal("0.7")


def test_month_is_730_hours():
    assert units.HOURS_PER_MONTH == 730
    assert units.SECONDS_PER_MONTH == 730 * 3600


@pytest.mark.parametrize("fn,ok,too_big", [
    (units.count, "1e15", "1.1e15"), (units.duration_ms, "366d", "367d"), (units.size_gb, "1048576TB", "1048577TB"),
])
def test_implausible_magnitudes_are_refused_at_the_boundary(fn, ok, too_big):
    fn(ok)
    with pytest.raises(units.UnitError, match="implausibly large"):
        fn(too_big)
