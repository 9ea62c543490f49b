"""`pricing refresh --source bulk` over real HTTP against a local server serving offer-file slices
(tests/fixtures/pricelist, made by make_fixtures.py): no credentials, nothing half-written."""
from __future__ import annotations

import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from costplan.aws import refresh
from costplan.aws.bulk import BulkError

FIXTURES = Path(__file__).parent / "fixtures" / "pricelist"
GW_EUC1 = "/offers/v1.0/aws/AmazonApiGateway/20251020132236/eu-central-1/index.json"
EC2_EUC1 = "/offers/v1.0/aws/AmazonEC2/20251020132236/eu-central-1/index.json"


class PriceListServer:
    """Serves the fixture tree; a test can replace a file, truncate one or make one fail."""

    def __init__(self):
        self.files = {"/" + p.relative_to(FIXTURES).as_posix(): p.read_bytes()
                      for p in FIXTURES.rglob("*.json")}
        self.truncate: set[str] = set()
        self.fail: dict[str, int] = {}
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.hits.append(self.path)
                if self.path in server.fail:
                    self.send_error(server.fail[self.path])
                    return
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # a truncated answer: the promised length, half the bytes, then the connection closes
                self.wfile.write(body[: len(body) // 2] if self.path in server.truncate else body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def edit(self, path: str, fn) -> None:
        data = json.loads(self.files[path])
        fn(data)
        self.files[path] = json.dumps(data).encode()


@pytest.fixture
def pricelist(monkeypatch):
    s = PriceListServer()
    s.thread.start()
    monkeypatch.setenv("COSTPLAN_PRICE_LIST_URL", s.url)
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def _set_price(data: dict, usagetype: str, begin: str, usd: str) -> None:
    skus = [k for k, p in data["products"].items() if p["attributes"]["usagetype"] == usagetype]
    for k in skus:
        for term in data["terms"]["OnDemand"][k].values():
            for d in term["priceDimensions"].values():
                if d["beginRange"] == begin:
                    d["pricePerUnit"]["USD"] = usd


def test_check_reports_what_moved_since_each_price_date_and_writes_nothing(pricelist, cli, tmp_path):
    # eu-central-1 HTTP APIs: first tier $1.20 → $1.25 per million (the served file moves it)
    pricelist.edit(GW_EUC1, lambda d: _set_price(d, "EUC1-ApiGatewayHttpRequest", "0", "0.0000012500"))
    out_dir = tmp_path / "book"
    code, out, err = cli("pricing", "refresh", "--source", "bulk", "--region", "eu-central-1",
                         "--services", "apigateway", "--check", "--out", str(out_dir))
    assert code == 1, err  # something moved
    assert "changed: apigateway.http_requests eu-central-1 tier 1: 1.20 → 1.25 (+4.17%) since 2025-10-20" in out
    assert "3 price(s) confirmed unchanged" in out  # REST, WebSocket messages and minutes
    assert "kept (not in the price list answer): apigateway.rest_cache_0_5gb eu-central-1" in out
    assert "check only: nothing written" in out and not out_dir.exists()
    # only eu-central-1 was read: the service index, the region index, one offer file
    assert pricelist.hits == ["/offers/v1.0/aws/index.json",
                              "/offers/v1.0/aws/AmazonApiGateway/current/region_index.json", GW_EUC1]


def test_a_refresh_of_unchanged_prices_writes_the_same_numbers_with_the_bulk_source(pricelist, tmp_path):
    from costplan.pricing import book

    result = refresh.refresh_bulk(tmp_path, ["apigateway", "ec2", "ebs"], ["us-east-1", "eu-central-1"])
    assert result.changes == [], [str(c) for c in result.changes]
    assert sorted(p.name for p in result.written) == ["apigateway.yaml", "ebs.yaml", "ec2.yaml"]
    confirmed = set(result.unchanged)
    for r in ("us-east-1", "eu-central-1"):
        assert {("ec2.m5.large", r), ("ec2.m7g.large", r), ("ebs.gp3_storage", r),
                ("apigateway.http_requests", r), ("apigateway.rest_requests", r)} <= confirmed
    # the Windows twin of each instance type is filtered out by its attributes, not mistaken for Linux
    assert not any("disagree" in u.reason for u in result.unmapped)
    # one AmazonEC2 download per region serves ec2.yaml and ebs.yaml
    assert pricelist.hits.count(EC2_EUC1) == 1
    # types the slice does not carry keep their values and are reported
    kept = {(u.key, u.region) for u in result.unmapped}
    assert ("ec2.t3.large", "eu-central-1") in kept
    data = yaml.safe_load((tmp_path / "apigateway.yaml").read_text())
    assert data["prices"]["http_requests"]["regions"]["eu-central-1"] == {
        "source": "PL-BULK", "tiers": [[300000000, "1.20"], [None, "1.08"]]}
    src = data["sources"]["PL-BULK"]
    assert src["grade"] == "P" and "2025-10-20T13:22:36Z" in src["title"] and src["url"].startswith(pricelist.url)
    # regions not asked for are untouched
    assert data["prices"]["http_requests"]["regions"]["sa-east-1"]["source"] == "REG-S1-APIGATEWAY"
    # and the price book reads the refreshed file to the same numbers
    old_env = __import__("os").environ.get("COSTPLAN_PRICING_DIR")
    try:
        __import__("os").environ["COSTPLAN_PRICING_DIR"] = str(tmp_path)
        book.read_data_file.cache_clear()
        p = book.PriceBook("eu-central-1").get("ec2.m7g.large")
        assert p.tiers[0].usd == Decimal("0.0978") and p.source.key == "PL-BULK"
    finally:
        if old_env is None:
            __import__("os").environ.pop("COSTPLAN_PRICING_DIR", None)
        else:
            __import__("os").environ["COSTPLAN_PRICING_DIR"] = old_env
        book.read_data_file.cache_clear()


def _nothing_written(d: Path) -> bool:
    return not d.exists() or list(d.iterdir()) == []


@pytest.mark.parametrize("args,expected", [
    (["--region", "mars-1"], "error: region: unknown region 'mars-1'; the price book covers us-east-1, "),
    (["--region", "eu-central1"], 'error: region: unknown region \'eu-central1\' (did you mean "eu-central-1"?)'),
    (["--services", "apigatway"], "error: cannot refresh 'apigatway': no price file of that name "
                                  "(did you mean \"apigateway\"?)"),
    (["--source", "csv"], "error: --source: unknown source 'csv'; expected bulk or api"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(pricelist, cli, tmp_path, args, expected):
    out_dir = tmp_path / "book"
    code, out, err = cli("pricing", "refresh", "--out", str(out_dir), *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith(expected), err
    assert _nothing_written(out_dir) and pricelist.hits == []


def test_a_truncated_download_is_one_line_and_writes_nothing(pricelist, cli, tmp_path):
    pricelist.truncate.add(EC2_EUC1)
    out_dir = tmp_path / "book"
    code, _, err = cli("pricing", "refresh", "--region", "eu-central-1", "--services", "apigateway",
                       "--services", "ec2", "--out", str(out_dir))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "AmazonEC2/20251020132236/eu-central-1/index.json" in err and ("ended early" in err or "broke off" in err)
    assert _nothing_written(out_dir)  # apigateway was fine, but nothing is written unless all is


def test_a_5xx_is_one_line_and_writes_nothing(pricelist, cli, tmp_path):
    pricelist.fail["/offers/v1.0/aws/AmazonApiGateway/current/region_index.json"] = 503
    code, _, err = cli("pricing", "refresh", "--region", "eu-central-1", "--services", "apigateway",
                       "--out", str(tmp_path / "book"))
    assert code == 2
    assert err.strip() == (f"error: the price list answered HTTP 503 for {pricelist.url}"
                           "/offers/v1.0/aws/AmazonApiGateway/current/region_index.json")
    assert _nothing_written(tmp_path / "book")


def test_an_unreachable_endpoint_is_one_line(cli, tmp_path, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("COSTPLAN_PRICE_LIST_URL", f"http://127.0.0.1:{port}")
    code, _, err = cli("pricing", "refresh", "--region", "eu-central-1", "--services", "apigateway",
                       "--out", str(tmp_path / "book"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: cannot reach the price list at http://127.0.0.1:{port}/offers/v1.0/aws/index.json")
    assert _nothing_written(tmp_path / "book")


def test_a_region_the_offer_does_not_have_is_one_line(pricelist, tmp_path):
    with pytest.raises(BulkError, match="the price list has no AmazonApiGateway file for region 'ap-south-1'"):
        refresh.refresh_bulk(tmp_path, ["apigateway"], ["ap-south-1"])
    assert _nothing_written(tmp_path)


def test_an_offer_missing_from_the_index_is_one_line(pricelist, tmp_path):
    # vpc.yaml's public IPv4 price is in AmazonVPC, which the fixture index does not list
    with pytest.raises(BulkError, match="^the price list's service index has no offer 'AmazonVPC'$"):
        refresh.refresh_bulk(tmp_path, ["vpc"], ["eu-central-1"])
    assert _nothing_written(tmp_path)


def test_interrupted_while_writing_leaves_every_file_as_it_was(pricelist, tmp_path, monkeypatch):
    first = refresh.refresh_bulk(tmp_path, ["apigateway", "ebs"], ["eu-central-1"])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(before) == ["apigateway.yaml", "ebs.yaml"] and first.written
    pricelist.edit(GW_EUC1, lambda d: _set_price(d, "EUC1-ApiGatewayHttpRequest", "0", "0.0000013000"))
    calls = []

    def install(tmp, path):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        __import__("os").replace(tmp, path)

    monkeypatch.setattr(refresh, "_install", install)
    with pytest.raises(KeyboardInterrupt):
        refresh.refresh_bulk(tmp_path, ["apigateway", "ebs"], ["eu-central-1"])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temp files, no half file


def test_interrupted_while_downloading_is_exit_130_and_writes_nothing(pricelist, cli, tmp_path, monkeypatch):
    import costplan.aws.bulk as bulk

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(bulk, "stream_products", interrupted)
    code, _, err = cli("pricing", "refresh", "--region", "eu-central-1", "--services", "apigateway",
                       "--out", str(tmp_path / "book"))
    assert code == 130 and err.strip() == "interrupted"
    assert _nothing_written(tmp_path / "book")


def _dim(begin: str, end: str, usd: str, unit: str = "Requests") -> dict:
    return {"beginRange": begin, "endRange": end, "unit": unit, "pricePerUnit": {"USD": usd}}


def test_a_leading_free_range_is_the_free_tier_the_price_book_applies_itself():
    from costplan.aws.pricelist import BULK

    # SNS publishes: 0-1M at $0, then $0.50 per million; sns.yaml keeps the 1M as its free tier
    tiers = refresh._tiers(BULK["sns"].rules["requests"], [_dim("1000000", "Inf", "0.0000005000"),
                                                            _dim("0", "1000000", "0.0000000000")])
    assert [(t.upto, t.usd) for t in tiers] == [(None, Decimal("0.0000005"))]
    # without skip_free the same dimensions are two tiers
    lam = refresh._tiers(BULK["apigateway"].rules["http_requests"], [_dim("0", "300000000", "0.0000010000"),
                                                                     _dim("300000000", "Inf", "0.0000009000")])
    assert [t.upto for t in lam] == [Decimal(300000000), None]


def test_fargate_hourly_rates_are_written_exactly_where_the_file_keeps_per_3600():
    from importlib import resources

    from costplan.aws.pricelist import FARGATE

    data = yaml.safe_load((resources.files("costplan.pricing_data") / "fargate.yaml").read_text())
    entry = data["prices"]["vcpu_linux_x86_64"]
    rule = FARGATE.rules["vcpu_linux_x86_64"]
    same = refresh._tiers(rule, [_dim("0", "Inf", "0.0465600000", "hours")])
    value, changes = refresh.merge_region("fargate.vcpu_linux_x86_64", "eu-central-1", entry, same)
    assert changes == [] and value["usd"] == "0.04656" and value["per"] == 3600
    moved = refresh._tiers(rule, [_dim("0", "Inf", "0.0480000000", "hours")])
    value, changes = refresh.merge_region("fargate.vcpu_linux_x86_64", "eu-central-1", entry, moved)
    assert value["usd"] == "0.048" and str(changes[0]) == "fargate.vcpu_linux_x86_64 eu-central-1: 0.04656 → 0.048 (+3.09%)"
    # us-east-1 keeps the page's per-second digits: $0.04048 / 3600 rounds to the stored 0.000011244
    value, changes = refresh.merge_region("fargate.vcpu_linux_x86_64", "us-east-1", entry,
                                          refresh._tiers(rule, [_dim("0", "Inf", "0.0404800000", "hours")]))
    assert changes == [] and value["usd"] == "0.000011244"


def test_the_progress_bar_counts_the_downloaded_bytes(pricelist):
    from costplan.aws.bulk import region_file_url, stream_products

    seen = {}

    class Recorder:
        def start(self, url, total):
            seen["total"], seen["got"] = total, 0
            return "task"

        def advance(self, task, n):
            seen["got"] += n

    url = region_file_url("AmazonEC2", "eu-central-1")
    products, published = stream_products(url, lambda a: a.get("usagetype") == "EUC1-BoxUsage:m5.large", Recorder())
    assert seen["total"] == seen["got"] == len(pricelist.files[EC2_EUC1])
    assert published == "2025-10-20T13:22:36Z"
    # the Linux and the Windows m5.large, each with its own OnDemand terms and no Reserved ones
    assert sorted(p["product"]["attributes"]["operatingSystem"] for p in products) == ["Linux", "Windows"]
    assert all(len(p["terms"]["OnDemand"]) == 1 and "Reserved" not in p["terms"] for p in products)


def test_an_answer_of_the_wrong_shape_is_one_line_and_writes_nothing(pricelist, cli, tmp_path):
    """Valid JSON whose products are not what AWS publishes (a proxy's or a mirror's answer) was an internal
    error (TypeError: 'int' object is not iterable)."""
    def break_products(d):
        for p in d["products"].values():
            p["attributes"] = 5

    pricelist.edit(GW_EUC1, break_products)
    out_dir = tmp_path / "book"
    code, out, err = cli("pricing", "refresh", "--source", "bulk", "--region", "eu-central-1",
                         "--services", "apigateway", "--out", str(out_dir))
    assert code == 2 and err.startswith(f"error: the price list at {pricelist.url} answered in a shape costplan "
                                        "does not know (TypeError: ")
    assert err.strip().endswith("no price file was written") and not out_dir.exists()
