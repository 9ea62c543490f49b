"""AWS's own worked pricing examples (tests/fixtures/aws_worked_examples.yaml), to the cent."""
from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from costplan.pricing.bill import total
from costplan.pricing.book import PriceBook
from costplan.services import price

EXAMPLES = yaml.safe_load((Path(__file__).parent / "fixtures" / "aws_worked_examples.yaml").read_text())["examples"]
CENT = Decimal("0.01")


def cents(d: Decimal) -> Decimal:
    return Decimal(d).quantize(CENT, rounding=ROUND_HALF_UP)


def priced(example):
    return price(example["service"], example["usage"], PriceBook("us-east-1"),
                 free_tier=example.get("free_tier", True))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_every_example_cites_an_aws_page_and_its_text(example):
    assert example["url"].startswith("https://")
    assert example["text"].strip()
    assert "page_total" not in example or example.get("note"), "an example at an older rate needs a note"
    assert "page_total" in example or "outside" not in example, "lines priced elsewhere need the page's total"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_total_matches_the_page_to_the_cent(example):
    items = priced(example)
    assert cents(total(items)) == Decimal(example["total"])
    if "exact_total" in example:
        assert total(items) == Decimal(example["exact_total"])


@pytest.mark.parametrize("example", [e for e in EXAMPLES if "lines" in e], ids=lambda e: e["id"])
def test_each_line_matches_the_page_to_the_cent(example):
    by_key: dict[str, Decimal] = defaultdict(Decimal)
    for item in priced(example):
        by_key[item.price_key] += item.monthly_usd
    assert {k: cents(v) for k, v in by_key.items() if v} == {k: Decimal(v) for k, v in example["lines"].items()}


@pytest.mark.parametrize("example", [e for e in EXAMPLES if "legacy_rate" in e], ids=lambda e: e["id"])
def test_legacy_page_total_is_the_old_rate_and_differs_from_today(example):
    """The page's own figure is reproduced at the page's old rate; the price book gives today's."""
    items = priced(example)
    legacy = sum((i.quantity * Decimal(example["legacy_rate"].get(i.price_key, i.unit_price_usd))
                  for i in items if not i.free), Decimal(0))
    assert cents(legacy) == Decimal(example["page_total"])
    assert cents(total(items)) == Decimal(example["total"]) != Decimal(example["page_total"])


@pytest.mark.parametrize("example", [e for e in EXAMPLES if "outside" in e], ids=lambda e: e["id"])
def test_page_total_is_the_service_total_plus_the_lines_priced_elsewhere(example):
    """Pages whose total includes data transfer, PrivateLink or archive lines: the service prices its
    part (`total`), and that plus the page's own figures for the other lines is the page's total."""
    items = priced(example)
    assert not set(example["outside"]) & {i.price_key for i in items}
    outside = sum((Decimal(v) for v in example["outside"].values()), Decimal(0))
    assert cents(total(items)) + outside == Decimal(example["page_total"])


def test_lambda_acceptance_arm64_10m_requests():
    items = price("lambda", {"monthly_requests": "10M", "request_duration_ms": "250", "memory_mb": "1024",
                             "architecture": "arm64"}, PriceBook())
    by_key = defaultdict(Decimal)
    for i in items:
        by_key[i.price_key] += i.monthly_usd
    assert cents(by_key["lambda.requests"]) == Decimal("1.80")
    assert cents(by_key["lambda.duration_arm64"]) == Decimal("28.00")
    assert cents(total(items)) == Decimal("29.80")
