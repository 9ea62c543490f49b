"""Price refresh from the Price List API, against the fake endpoint over real HTTP."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
import yaml
from fakeaws import FakeAws, Reply, denied, dummy_credentials, fake, fake_server, fast, throttled  # noqa: F401

from costplan.aws import refresh
from costplan.aws.session import AwsError
from costplan.pricing import book

SERVICES = ["lambda", "fargate", "sqs"]


def bundled_text(service: str) -> str:
    return (resources.files("costplan.pricing_data") / f"{service}.yaml").read_text(encoding="utf-8")


def prices_in(folder: Path | None, service: str, region: str = "us-east-1") -> dict:
    """{key: (per, tiers)} as the price book reads them, from `folder` or the bundled files."""
    old = os.environ.get("COSTPLAN_PRICING_DIR")
    try:
        if folder is None:
            os.environ["COSTPLAN_PRICING_DIR"] = "/nonexistent-costplan-dir"
        else:
            os.environ["COSTPLAN_PRICING_DIR"] = str(folder)
        book.read_data_file.cache_clear()
        pb = book.PriceBook(region)
        return {p.key: (p.per, p.tiers, p.source.key) for p in pb.service_prices(service) if isinstance(p, book.Price)}
    finally:
        if old is None:
            os.environ.pop("COSTPLAN_PRICING_DIR", None)
        else:
            os.environ["COSTPLAN_PRICING_DIR"] = old
        book.read_data_file.cache_clear()


def test_refresh_reproduces_the_bundled_us_east_1_prices(fake, fast, tmp_path):
    result = refresh.refresh_prices(tmp_path, SERVICES, config=fast, today=__import__("datetime").date(2026, 11, 26))
    assert result.changes == [], [str(c) for c in result.changes]
    assert sorted(p.name for p in result.written) == ["fargate.yaml", "lambda.yaml", "sqs.yaml"]
    for service in SERVICES:
        new, old = prices_in(tmp_path, service), prices_in(None, service)
        for key, (per, tiers, _) in old.items():
            if (key, "us-east-1") in result.unchanged:
                assert new[key][:2] == (per, tiers), key
                assert new[key][2] == "PL-API"
        # the text of every us-east-1 value is the bundled text, so the diff is only the source
        ours = yaml.safe_load((tmp_path / f"{service}.yaml").read_text())["prices"]
        theirs = yaml.safe_load(bundled_text(service))["prices"]
        for name, entry in theirs.items():
            a, b = dict(entry["regions"]["us-east-1"]), dict(ours[name]["regions"]["us-east-1"])
            a.pop("source", None), b.pop("source", None)
            assert a == b, name
    confirmed = {k for k, r in result.unchanged if r == "us-east-1"}
    assert confirmed == {
        "lambda.requests", "lambda.duration_x86_64", "lambda.duration_arm64", "lambda.ephemeral_storage",
        "lambda.provisioned_concurrency_x86_64", "lambda.provisioned_concurrency_arm64",
        "lambda.provisioned_duration_x86_64", "lambda.provisioned_duration_arm64",
        "fargate.vcpu_linux_x86_64", "fargate.memory_linux_x86_64", "fargate.vcpu_linux_arm64",
        "fargate.memory_linux_arm64", "fargate.ephemeral_storage",
        "sqs.standard_requests", "sqs.fifo_requests"}
    # what the API did not give keeps its bundled value and is reported
    unmapped = {(u.key, u.region) for u in result.unmapped}
    assert ("fargate.vcpu_windows_x86_64", "us-east-1") in unmapped
    assert ("lambda.requests", "eu-west-1") in unmapped
    windows = prices_in(tmp_path, "fargate")["fargate.vcpu_windows_x86_64"]
    assert windows[1][0].usd * 3600 == Decimal("0.0000254167") * 3600 and windows[2] == "F-PAGE"
    src = yaml.safe_load((tmp_path / "lambda.yaml").read_text())["sources"]["PL-API"]
    assert src["as_of"] == "2026-11-26" and "AWSLambda" in src["url"]


def test_refresh_output_is_sorted_and_stable(fake, fast, tmp_path):
    refresh.refresh_prices(tmp_path, SERVICES, config=fast)
    first = {p.name: p.read_text() for p in tmp_path.glob("*.yaml")}
    again = refresh.refresh_prices(tmp_path, SERVICES, config=fast)  # starts from the refreshed files
    assert {p.name: p.read_text() for p in tmp_path.glob("*.yaml")} == first
    assert again.changes == []
    text = first["lambda.yaml"]
    assert text.startswith("# AWS Lambda on-demand prices.")  # the file's header comment is kept
    assert "us-east-1: {source: PL-API, usd: '0.20'}" in text
    data = yaml.safe_load(text)
    assert list(data) == sorted(data)
    assert all(isinstance(t[1], str) for t in data["prices"]["duration_x86_64"]["regions"]["us-east-1"]["tiers"])


def _bump(fake: FakeAws, usagetype: str, usd: str, begin: str = "0") -> None:
    for p in fake.products[("AWSLambda", "us-east-1")]:
        if p["product"]["attributes"]["usagetype"] == usagetype:
            for term in p["terms"]["OnDemand"].values():
                for d in term["priceDimensions"].values():
                    if d["beginRange"] == begin:
                        d["pricePerUnit"]["USD"] = usd


def test_check_reports_changes_and_writes_nothing(fake, fast, tmp_path):
    _bump(fake, "USE1-Request", "0.0000002500")
    _bump(fake, "USE1-Lambda-GB-Second", "0.0000140000", begin="6000000000")
    result = refresh.refresh_prices(tmp_path, ["lambda"], check=True, config=fast)
    assert list(tmp_path.iterdir()) == [] and result.written == []
    changes = {(c.key, c.tier): c for c in result.changes}
    assert set(changes) == {("lambda.requests", None), ("lambda.duration_x86_64", 1)}
    req = changes[("lambda.requests", None)]
    assert (req.old, req.new, req.change_pct) == ("0.20", "0.25", Decimal(25))
    assert str(req) == "lambda.requests us-east-1: 0.20 → 0.25 (+25.00%) since 2025-10-01"  # the L-API as_of
    assert str(changes[("lambda.duration_x86_64", 1)]) == \
        "lambda.duration_x86_64 us-east-1 tier 2: 0.0000150000 → 0.000014 (-6.67%) since 2025-10-01"


def test_moved_tier_bounds_are_a_change(fake, fast, tmp_path):
    for p in fake.products[("AWSLambda", "us-east-1")]:
        if p["product"]["attributes"]["usagetype"] == "USE1-Lambda-GB-Second":
            for t in p["terms"]["OnDemand"].values():
                for d in t["priceDimensions"].values():
                    d["beginRange"] = d["beginRange"].replace("6000000000", "7000000000")
                    d["endRange"] = d["endRange"].replace("6000000000", "7000000000")
    result = refresh.refresh_prices(tmp_path, ["lambda"], check=True, config=fast)
    assert [str(c) for c in result.changes] == [
        "lambda.duration_x86_64 us-east-1: tier bounds [6000000000, 15000000000, None] → "
        "tier bounds [7000000000, 15000000000, None] since 2025-10-01"]


def test_a_price_the_api_does_not_map_keeps_its_value(fake, fast, tmp_path):
    fake.products[("AWSLambda", "us-east-1")] = [
        p for p in fake.products[("AWSLambda", "us-east-1")]
        if p["product"]["attributes"]["usagetype"] != "USE1-Lambda-GB-Second-ARM"]
    result = refresh.refresh_prices(tmp_path, ["lambda"], config=fast)
    [miss] = [u for u in result.unmapped if u.key == "lambda.duration_arm64" and u.region == "us-east-1"]
    assert "no product with usagetype Lambda-GB-Second-ARM" in str(miss)
    entry = yaml.safe_load((tmp_path / "lambda.yaml").read_text())["prices"]["duration_arm64"]
    assert entry["regions"]["us-east-1"] == yaml.safe_load(bundled_text("lambda"))["prices"][
        "duration_arm64"]["regions"]["us-east-1"]


def test_a_changed_unit_is_not_mapped(fake, fast, tmp_path):
    for p in fake.products[("AWSLambda", "us-east-1")]:
        if p["product"]["attributes"]["usagetype"] == "USE1-Request":
            for t in p["terms"]["OnDemand"].values():
                for d in t["priceDimensions"].values():
                    d["unit"] = "Million-Requests"
    result = refresh.refresh_prices(tmp_path, ["lambda"], check=True, config=fast)
    [miss] = [u for u in result.unmapped if u.key == "lambda.requests" and u.region == "us-east-1"]
    assert "unit is 'Million-Requests'" in miss.reason


def _seed(folder: Path) -> dict[str, str]:
    for s in SERVICES:
        (folder / f"{s}.yaml").write_text(bundled_text(s), encoding="utf-8")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_failure_while_writing_leaves_every_file_as_it_was(fake, fast, tmp_path, monkeypatch):
    before = _seed(tmp_path)
    _bump(fake, "USE1-Request", "0.0000002500")  # so every file really changes
    calls = []

    def install(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        os.replace(src, dst)

    monkeypatch.setattr(refresh, "_install", install)
    with pytest.raises(AwsError) as e:
        refresh.refresh_prices(tmp_path, SERVICES, config=fast)
    assert "could not write price files" in str(e.value) and "\n" not in str(e.value)
    assert len(calls) == 2  # one file had been replaced, and was put back
    assert _state(tmp_path) == before  # no temp or backup files left either


def test_a_failure_while_reading_leaves_every_file_as_it_was(fake, fast, tmp_path):
    before = _seed(tmp_path)
    # Lambda and Fargate are read, then SQS fails: nothing may be written
    fake.on("pricing:GetProducts", lambda req: throttled() if req["ServiceCode"] == "AWSQueueService" else None)
    with pytest.raises(AwsError) as e:
        refresh.refresh_prices(tmp_path, SERVICES, config=fast)
    msg = str(e.value)
    assert msg == "the Price List API throttled GetProducts (ThrottlingException) after 3 attempts"  # 1 + 2 retries
    assert _state(tmp_path) == before


def _child(tmp_path: Path, url: str, pause_after_first_install: bool) -> subprocess.Popen:
    code = f"""
import sys, time
from botocore.config import Config
from costplan.aws import refresh
if {pause_after_first_install!r}:
    real = refresh._install
    def install(src, dst):
        real(src, dst)
        print("installed", dst, flush=True)
        time.sleep(60)
    refresh._install = install
print("start", flush=True)
refresh.refresh_prices({str(tmp_path)!r}, ["lambda", "fargate", "sqs"],
                       config=Config(retries={{"max_attempts": 1}}))
"""
    env = dict(os.environ)
    for s in ("PRICING", "SERVICE_QUOTAS", "LAMBDA", "CLOUDWATCH"):
        env[f"AWS_ENDPOINT_URL_{s}"] = url
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)


def test_a_refresh_killed_while_reading_leaves_every_file_as_it_was(fake, tmp_path):
    before = _seed(tmp_path)
    _bump(fake, "USE1-Request", "0.0000002500")
    release = threading.Event()
    reached = threading.Event()

    def hang(req):
        if req["ServiceCode"] == "AWSQueueService":
            reached.set()
            release.wait(20)
            return throttled()
        return None  # the recorded answer

    fake.on("pricing:GetProducts", hang)
    child = _child(tmp_path, fake.url, pause_after_first_install=False)
    try:
        assert reached.wait(20), "the child never reached the SQS request"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        release.set()
        child.kill()
        child.stdout.close()
    assert _state(tmp_path) == before


def test_a_refresh_killed_while_writing_leaves_each_file_whole(fake, tmp_path):
    """SIGKILL between two replaces: each file is either the old or the new one, never partial."""
    before = _seed(tmp_path)
    _bump(fake, "USE1-Request", "0.0000002500")
    child = _child(tmp_path, fake.url, pause_after_first_install=True)
    try:
        line = ""
        deadline = time.time() + 30
        while not line.startswith("installed") and time.time() < deadline:
            line = child.stdout.readline()
        assert line.startswith("installed")
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
        child.stdout.close()
    after = {k: v for k, v in _state(tmp_path).items() if not k.startswith(".")}
    assert set(after) == set(before)
    replaced = [k for k in after if after[k] != before[k]]
    assert len(replaced) == 1  # the first file is whole and new, the rest untouched
    yaml.safe_load(after[replaced[0]])


@pytest.mark.parametrize("case, expected", [
    ("denied", "access denied to pricing:GetProducts (AccessDeniedException)"),
    ("malformed", "the Price List API sent an unexpected response to GetProducts"),
    ("bad entry", "the Price List API sent an unexpected response to GetProducts: "
                  "a PriceList entry is not a product JSON document"),
])
def test_pricing_failures_are_one_clear_line(fake, fast, tmp_path, case, expected):
    before = _seed(tmp_path)
    reply = {"denied": denied("pricing:GetProducts"), "malformed": Reply(
        200, b'{"FormatVersion": "aws_v1"}', {"Content-Type": "application/x-amz-json-1.1"}),
        "bad entry": Reply(200, json.dumps({"FormatVersion": "aws_v1", "PriceList": ["{not json"]}).encode(),
                           {"Content-Type": "application/x-amz-json-1.1"})}[case]
    fake.on("pricing:GetProducts", reply)
    with pytest.raises(AwsError) as e:
        refresh.refresh_prices(tmp_path, SERVICES, config=fast)
    msg = str(e.value)
    assert msg.startswith(expected) and "\n" not in msg and "123456789012" not in msg
    assert _state(tmp_path) == before


def test_pricing_is_not_offered_in_every_region(monkeypatch, tmp_path):
    dummy_credentials(monkeypatch)  # no endpoint override: the real endpoint would be used
    with pytest.raises(AwsError) as e:
        refresh.refresh_prices(tmp_path, ["lambda"], endpoint_region="us-west-2")
    assert str(e.value).startswith("the Price List API is not available in us-west-2 "
                                   "(botocore's endpoint data lists ap-south-1, eu-central-1, us-east-1")
    assert list(tmp_path.iterdir()) == []


def test_unreachable_endpoint_is_one_line(monkeypatch, fast, tmp_path):
    from fakeaws import closed_port_url

    dummy_credentials(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", closed_port_url())
    with pytest.raises(AwsError) as e:
        refresh.refresh_prices(tmp_path, ["lambda"], config=fast)
    assert str(e.value).startswith("cannot reach the Price List API for GetProducts (http://127.0.0.1:")


def test_unknown_service_is_refused(fake, tmp_path):
    with pytest.raises(AwsError, match="the Price List mapping covers lambda, fargate, sqs"):
        refresh.refresh_prices(tmp_path, ["glue"])
