"""Every price file: each price resolves or is an explicit gap in every region; every source is cited."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from costplan.errors import PriceGap
from costplan.pricing.book import PriceBook, read_data_file, regions

DATA = Path(__file__).resolve().parent.parent / "pricing_data"
# price files are the data files with `prices:` (regions.yaml, quotas.yaml and the like are not)
SERVICE_FILES = sorted(p.stem for p in DATA.glob("*.yaml") if "\nprices:" in p.read_text(encoding="utf-8"))
GRADES = {"P", "S", "D", "A"}  # A = an explicit assumption where the reference has a gap (see the file)


def test_the_price_book_has_the_expected_files():
    expected = {"lambda", "fargate", "ec2", "alb", "vpc", "apigateway", "sqs", "sns", "eventbridge",
                "stepfunctions", "dynamodb", "s3", "iot", "glue", "cloudwatch_logs"}
    assert expected <= set(SERVICE_FILES)


@pytest.mark.parametrize("service", SERVICE_FILES)
def test_every_source_has_an_https_url_an_as_of_and_a_grade(service):
    data, _ = read_data_file(f"{service}.yaml")
    assert data["service"] == service
    assert data["sources"], f"{service}.yaml lists no sources"
    for key, src in data["sources"].items():
        assert src["url"].startswith("https://"), f"{service}.yaml source {key}: url must be https"
        assert str(src.get("as_of", "")).strip(), f"{service}.yaml source {key}: as_of missing"
        assert src.get("grade") in GRADES, f"{service}.yaml source {key}: grade {src.get('grade')!r}"


@pytest.mark.parametrize("service", SERVICE_FILES)
@pytest.mark.parametrize("region", sorted(regions()))
def test_every_price_resolves_or_is_an_explicit_gap(service, region):
    data, _ = read_data_file(f"{service}.yaml")
    book = PriceBook(region)
    for name, entry in data["prices"].items():
        assert region in entry["regions"], f"{service}.{name} says nothing about {region}: write a gap"
        r = entry["regions"][region]
        if isinstance(r, dict) and "gap" in r:
            assert len(r["gap"]) > 10, f"{service}.{name} {region}: say why the price is a gap"
            with pytest.raises(PriceGap, match=f"{service}.{name}"):
                book.get(f"{service}.{name}")
            continue
        price = book.get(f"{service}.{name}")
        assert price.source.url.startswith("https://")
        assert all(t.usd >= 0 for t in price.tiers)
        uptos = [t.upto for t in price.tiers[:-1]]
        assert all(u is not None for u in uptos) and uptos == sorted(uptos), f"{service}.{name}: tiers out of order"
        if price.free_source is not None:
            assert price.free_quantity > 0


@pytest.mark.parametrize("service", SERVICE_FILES)
def test_a_zero_price_is_never_silent(service):
    """A price of exactly zero must say why in a note (e.g. SNS deliveries to Lambda are not charged)."""
    data, _ = read_data_file(f"{service}.yaml")
    for name, entry in data["prices"].items():
        for region, r in entry["regions"].items():
            if isinstance(r, dict) and "usd" in r and Decimal(str(r["usd"])) == 0:
                assert entry.get("note") or r.get("note"), f"{service}.{name} {region} is $0 without a note"


def test_a_gap_raises_price_gap_never_a_zero():
    book = PriceBook("ap-southeast-1")  # Fargate Windows is not in the regional reference
    with pytest.raises(PriceGap, match="fargate.vcpu_windows_x86_64 in ap-southeast-1"):
        book.get("fargate.vcpu_windows_x86_64")


def test_a_gap_surfaces_when_pricing_a_service():
    from costplan.services import price

    with pytest.raises(PriceGap, match="no price for fargate.vcpu_windows_x86_64 in eu-west-1"):
        price("fargate", {"tasks": 1, "os": "windows", "vcpu": 1, "memory_gb": 2}, PriceBook("eu-west-1"))


def test_fargate_stores_the_per_second_rates_of_the_pricing_page():
    book = PriceBook()
    assert book.get("fargate.vcpu_linux_x86_64").usd == Decimal("0.000011244")
    assert book.get("fargate.memory_linux_arm64").usd == Decimal("0.0000009889")
    assert book.get("fargate.vcpu_linux_x86_64").unit == "vCPU-seconds"


def test_price_keys_are_read_per_unit_from_per_quantities():
    book = PriceBook()
    assert book.get("lambda.requests").usd == Decimal("0.0000002")
    assert book.get("ec2.m7g.xlarge").usd == Decimal("0.1632")


def test_json_cache_gives_the_same_prices_as_yaml(tmp_path, monkeypatch):
    """The data cache is an accelerator only: cold (YAML) and warm (JSON) reads price the same."""
    from costplan.pricing import book as book_mod

    monkeypatch.setenv("COSTPLAN_CACHE_DIR", str(tmp_path))

    def snapshot():
        book_mod.read_data_file.cache_clear()
        out = {}
        for svc in ("lambda", "fargate", "ec2", "sqs", "apigateway", "dynamodb"):
            for p in book_mod.PriceBook("us-east-1").service_prices(svc):
                out[getattr(p, "key", str(p))] = (getattr(p, "tiers", None), getattr(p, "source", None),
                                                  getattr(p, "free_quantity", None))
        return out

    cold = snapshot()
    assert list(tmp_path.glob("*.json")), "the first read should fill the cache"
    warm = snapshot()
    book_mod.read_data_file.cache_clear()
    assert cold == warm and len(cold) > 20


def test_a_gap_names_the_refresh_that_fills_it_exactly_where_the_mapping_knows_the_price(tmp_path, monkeypatch):
    from costplan.aws.pricelist import mapped

    assert mapped("fargate.vcpu_windows_x86_64") and mapped("ec2.m7g.xlarge") and mapped("apigateway.http_requests")
    assert not mapped("iot.messages") and not mapped("apigateway.rest_cache_0_5gb") and not mapped("nosuch.x")
    # a user price book whose file lacks a region: the hint is added only for a mapped price
    (tmp_path / "iot.yaml").write_text(
        "service: iot\nsources: {X: {url: u, as_of: '2025-01-01'}}\nprices:\n"
        "  messages: {unit: messages, source: X, regions: {us-east-1: {usd: '1'}}}\n")
    (tmp_path / "sqs.yaml").write_text(
        "service: sqs\nsources: {X: {url: u, as_of: '2025-01-01'}}\nprices:\n"
        "  standard_requests: {unit: requests, source: X, regions: {us-east-1: {usd: '1'}}}\n")
    monkeypatch.setenv("COSTPLAN_PRICING_DIR", str(tmp_path))
    read_data_file.cache_clear()
    try:
        with pytest.raises(PriceGap) as e:
            PriceBook("eu-west-1").get("sqs.standard_requests")
        assert "`costplan pricing refresh --region eu-west-1 --services sqs` can fetch it" in str(e.value)
        with pytest.raises(PriceGap) as e:
            PriceBook("eu-west-1").get("iot.messages")
        assert "pricing refresh" not in str(e.value)
    finally:
        read_data_file.cache_clear()


def test_a_fargate_windows_gap_says_how_to_fetch_it_once(cli):
    code, _, err = cli("price", "fargate", "tasks=1", "os=windows", "vcpu=1", "memory_gb=2", "--region", "eu-west-1")
    assert code == 2
    assert err.count("`costplan pricing refresh --region eu-west-1 --services fargate` fetches it") == 1
    assert "can fetch it" not in err
