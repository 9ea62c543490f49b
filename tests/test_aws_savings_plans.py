"""The Savings Plans offer-file parser (costplan.aws.savings_plans), against a slice in the offer
file's format served on 127.0.0.1: it reproduces the bundled us-east-1 rates, skips what the price
book does not price, and writes a savings_plans.yaml the purchase module reads."""
import http.server
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from costplan.aws import savings_plans as sp
from costplan.errors import CostplanError

FIX = Path(__file__).parent / "fixtures" / "savings_plans"
BUNDLED = Path(__file__).resolve().parent.parent / "pricing_data" / "savings_plans.yaml"


@pytest.fixture
def server():
    """The fixture files at the offer file's paths on 127.0.0.1."""
    routes = {sp.INDEX_PATH: FIX / "region_index.json",
              "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20261001000000/us-east-1/index.json": FIX / "us-east-1.json"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            f = routes.get(self.path)
            if f is None:
                self.send_response(404)
                self.end_headers()
                return
            body = f.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_parser_reproduces_the_bundled_rates(server):
    found = sp.fetch("us-east-1", base=server)
    bundled = yaml.safe_load(BUNDLED.read_text())["rates"]
    for key, entry in bundled.items():
        for plan, r in entry["regions"]["us-east-1"].items():
            assert found.rates[key][plan] == Decimal(r["usd"]), (key, plan)
    assert found.publication_date == "2026-10-01"
    # EKS Fargate, Windows, a type the price book does not know, another region: not priced
    assert found.rates["fargate.vcpu_linux_x86_64"]["compute-sp-1y-no-upfront"] == Decimal("0.032384")
    assert "ec2.r5.4xlarge" not in found.rates
    assert found.rates["ec2.m7g.large"]["compute-sp-1y-all-upfront"] == Decimal("0.057")
    assert found.skipped == 4


def test_refresh_writes_a_price_book_the_purchase_module_reads(server, tmp_path, monkeypatch):
    changes, path = sp.refresh(tmp_path, ["us-east-1"], base=server, today="2026-11-30")
    assert changes == ["ec2.m7g.large us-east-1 compute-sp-1y-all-upfront: gap → 0.057"]
    data = yaml.safe_load(path.read_text())
    assert data["rates"]["ec2.m7g.large"]["regions"]["us-east-1"]["compute-sp-1y-all-upfront"] == {
        "usd": "0.057", "source": "SP-OFFER"}
    assert data["sources"]["SP-OFFER"]["as_of"] == "2026-10-01"
    assert path.read_text().startswith("# Purchase options")
    again, _ = sp.refresh(tmp_path, ["us-east-1"], base=server)  # starts from the written file
    assert again == []
    monkeypatch.setenv("COSTPLAN_PRICING_DIR", str(tmp_path))
    from costplan.compute import purchase
    from costplan.pricing import book

    book.read_data_file.cache_clear()
    purchase._data.cache_clear()
    try:
        r = purchase.rate("ec2.m7g.large", "compute-sp-1y-all-upfront", "us-east-1")
        assert r.usd_per_unit == Decimal("0.057") and r.source.key == "SP-OFFER"
    finally:
        book.read_data_file.cache_clear()
        purchase._data.cache_clear()


def test_check_writes_nothing(server, tmp_path):
    changes, path = sp.refresh(tmp_path, ["us-east-1"], base=server, check=True)
    assert changes and path is None and not list(tmp_path.iterdir())


def test_unknown_region_and_unreachable_server_are_one_line(server):
    with pytest.raises(CostplanError) as e:
        sp.fetch("eu-west-9", base=server)
    assert "no file for 'eu-west-9'" in str(e.value)
    with pytest.raises(CostplanError) as e:
        sp.fetch("us-east-1", base="http://127.0.0.1:9")
    assert str(e.value).startswith("cannot reach the Savings Plans price list at http://127.0.0.1:9")


def test_region_prefixes_are_stripped():
    assert sp.strip_prefix("USE2-Fargate-GB-Hours") == "Fargate-GB-Hours"
    assert sp.strip_prefix("EU-Lambda-GB-Second-ARM") == "Lambda-GB-Second-ARM"
    assert sp.strip_prefix("Lambda-GB-Second") == "Lambda-GB-Second"
    assert sp.strip_prefix("BoxUsage:m7g.large") == "BoxUsage:m7g.large"
