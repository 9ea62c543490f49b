"""EBS gp3 root volumes and data transfer out: one module each, priced from the book to the cent."""
from __future__ import annotations

from decimal import Decimal

import pytest

from costplan import services
from costplan.pricing.book import PriceBook

BOOK = PriceBook("us-east-1")


def total(items) -> Decimal:
    return sum((li.monthly_usd for li in items), Decimal(0))


def test_data_transfer_out_is_tiered_after_the_free_100_gb():
    # 12,000 GB: 100 free, 10,240 at $0.09, 1,660 at $0.085 (AWS Price List, us-east-1)
    items = services.price("data_transfer", {"internet_out_gb": "12000"}, BOOK)
    assert [li.quantity for li in items] == [100, 10240, 1660]
    assert total(items) == Decimal(10240) * Decimal("0.09") + Decimal(1660) * Decimal("0.085") == Decimal("1062.70")
    assert total(services.price("data_transfer", {"internet_out_gb": "12000"}, BOOK, free_tier=False)) == (
        Decimal(10240) * Decimal("0.09") + Decimal(1760) * Decimal("0.085"))


def test_data_transfer_from_responses_uses_binary_units():
    # 1,048,576 responses × 1 KB = exactly 1 GB (KB = 1,024 bytes, GB = 1,024^3)
    items = services.price("data_transfer", {"monthly_responses": 1048576 * 200, "response_size_kb": "1KB"}, BOOK,
                           free_tier=False)
    assert sum(li.quantity for li in items) == 200 and total(items) == Decimal(18)


def test_data_transfer_free_pool_is_shared_by_every_line_on_one_meter():
    from costplan.pricing.bill import price_components
    from costplan.services import data_transfer as dt

    comps = (dt.components({"internet_out_gb": Decimal(60), "monthly_responses": 0, "response_size_kb": 1})
             + dt.components({"internet_out_gb": Decimal(60), "monthly_responses": 0, "response_size_kb": 1}))
    items = price_components(comps, BOOK)
    assert sum(li.quantity for li in items if li.free) == 100
    assert total(items) == Decimal(20) * Decimal("0.09")


@pytest.mark.parametrize("usage, gb_months", [
    ({"volumes": 2}, 60),                                             # default 30 GB each, all month
    ({"volumes": 1, "volume_size_gb": 100, "hours": 365}, 50),        # half a month
    ({"volumes": "1.5", "volume_size_gb": "30GB"}, 45),               # an average of 1.5 instances
])
def test_ebs_gp3_is_gb_months_prorated_by_the_hour(usage, gb_months):
    items = services.price("ebs", usage, BOOK)
    assert sum(li.quantity for li in items) == gb_months
    assert total(items) == Decimal(gb_months) * Decimal("0.08")
    assert items[0].price_key == "ebs.gp3_storage"


def test_new_services_are_registered_and_listed_in_the_readme():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    for name in ("ebs", "data_transfer"):
        assert name in services.REGISTRY and f"`{name}`" in readme


def test_data_transfer_counts_pushed_messages_with_the_responses():
    # 1,048,576 responses × 1 KB + 2,097,152 pushes × 0.5 KB = 1 GB + 1 GB; 2 GB × $0.09 without the free tier
    items = services.price("data_transfer", {"monthly_responses": 1048576, "response_size_kb": "1KB",
                                             "monthly_messages": 2097152, "message_size_kb": "0.5KB"}, BOOK,
                           free_tier=False)
    assert sum(li.quantity for li in items) == 2 and total(items) == Decimal("0.18")
