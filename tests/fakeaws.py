"""A small fake AWS endpoint on 127.0.0.1 that serves recorded responses over real HTTP.

It speaks the wire protocols botocore uses: JSON 1.1 (Price List `AWSPriceListService.*`, Service
Quotas `ServiceQuotasV20190624.*`, dispatched on X-Amz-Target), JSON 1.0 (CloudWatch
GetMetricData, which this botocore sends as JSON) or Smithy RPC v2 CBOR (the same, for a botocore
that prefers CBOR) and REST-JSON (Lambda GetAccountSettings / GetFunctionConfiguration /
GetFunctionConcurrency). Tests switch an operation to a failure mode with `fake.on(op, ...)`.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import botocore.session
from botocore.parsers import RpcV2CBORParser
from botocore.serialize import RpcV2CBORSerializer

FIXTURES = Path(__file__).parent / "fixtures" / "aws"
ACCOUNT_IN_ERRORS = "123456789012"  # errors quote an ARN with an account id: it must never surface


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _models():
    s = botocore.session.get_session()
    return {n: s.get_service_model(n) for n in ("pricing", "service-quotas", "lambda", "cloudwatch")}


MODELS = _models()


class Reply:
    """A canned HTTP reply."""

    def __init__(self, status: int, body: bytes, headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


def json_error(code: str, message: str, status: int = 400) -> Reply:
    return Reply(status, json.dumps({"__type": code, "message": message}).encode(),
                 {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code})


def rest_error(code: str, message: str, status: int) -> Reply:
    return Reply(status, json.dumps({"Message": message, "Type": "User"}).encode(),
                 {"Content-Type": "application/json", "x-amzn-ErrorType": code})


def cbor_error(code: str, message: str, status: int = 400) -> Reply:
    buf = bytearray()
    ser = RpcV2CBORSerializer()
    ser._serialize_type_map(buf, {"__type": code, "message": message}, _STRMAP, None)
    return Reply(status, bytes(buf), {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})


class _StrMap:  # the minimal shape botocore's CBOR map writer needs
    class key:
        type_name = "string"

    class value:
        type_name = "string"


_STRMAP = _StrMap()


def denied(action: str, protocol: str = "json") -> Reply:
    msg = (f"User: arn:aws:iam::{ACCOUNT_IN_ERRORS}:user/dev is not authorized to perform: {action} "
           f"because no identity-based policy allows the {action} action")
    if protocol == "rest":
        return rest_error("AccessDeniedException", msg, 403)
    if protocol == "cbor":
        return cbor_error("AccessDeniedException", msg)
    return json_error("AccessDeniedException", msg)


def throttled(protocol: str = "json") -> Reply:
    if protocol == "rest":
        return rest_error("TooManyRequestsException", "Rate exceeded", 429)
    return json_error("ThrottlingException", "Rate exceeded")


def malformed() -> Reply:
    return Reply(200, b'{"this is": "not the documented shape"', {"Content-Type": "application/x-amz-json-1.1"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client killed mid-request is expected
        pass


class FakeAws:
    """State of the fake: recorded data, per-operation overrides, and the calls it saw."""

    def __init__(self):
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.fake = self  # type: ignore[attr-defined]
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.reset()

    def reset(self) -> None:
        self.overrides: dict[str, object] = {}
        self.calls: list[str] = []
        self.keys: list[tuple[str, str]] = []  # (operation, access key id it was signed with)
        self.page_size = 3  # small pages, so pagination is exercised
        self.products = json.loads(json.dumps(_PRODUCTS_LIST))  # a deep copy: tests edit prices
        self.products = {(a, b): v for a, b, v in self.products}
        self.applied = load("servicequotas_applied.json")
        self.defaults = load("servicequotas_defaults.json")
        self.account_settings = load("lambda_account_settings.json")
        self.metric_values = load("cloudwatch_metric_data.json")
        self.functions = load("lambda_functions.json")

    def on(self, operation: str, reply) -> None:
        """operation: "pricing:GetProducts"; reply: a Reply, a callable(body) → Reply, or "hang"."""
        self.overrides[operation] = reply

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- operations --------------------------------------------------------------------------

    def get_products(self, req: dict) -> dict:
        filters = {f["Field"]: f["Value"] for f in req.get("Filters", [])}
        region = filters.pop("regionCode", None)
        items = [p for p in self.products.get((req["ServiceCode"], region), [])
                 if all(p["product"]["attributes"].get(k) == v for k, v in filters.items())]
        start = int(req.get("NextToken") or 0)
        size = min(int(req.get("MaxResults") or 100), self.page_size)
        page = items[start:start + size]
        out = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(p) for p in page]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out

    def get_service_quota(self, req: dict, default: bool = False):
        table = self.defaults if default else self.applied
        q = table.get(req["ServiceCode"], {}).get(req["QuotaCode"])
        if q is None:
            return json_error("NoSuchResourceException", "The request failed because the specified quota "
                              "does not exist or has no applied value.")
        return {"Quota": q}

    def list_service_quotas(self, req: dict) -> dict:
        items = list(self.applied.get(req["ServiceCode"], {}).values())
        start = int(req.get("NextToken") or 0)
        size = min(int(req.get("MaxResults") or 100), self.page_size)
        out = {"Quotas": items[start:start + size]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out

    def get_metric_data(self, req: dict) -> dict:
        end = req["EndTime"]
        results = []
        for q in req["MetricDataQueries"]:
            values = self.metric_values.get(q["Id"])
            if values is None:
                results.append({"Id": q["Id"], "Label": q["Id"], "Timestamps": [], "Values": [],
                                "StatusCode": "Complete"})
                continue
            period = int(q["MetricStat"]["Period"])
            stamps = [end - dt.timedelta(seconds=period * (i + 1)) for i in range(len(values))]
            results.append({"Id": q["Id"], "Label": q["Id"], "Timestamps": stamps,
                            "Values": [float(v) for v in values], "StatusCode": "Complete"})
        return {"MetricDataResults": results, "Messages": []}


def _as_datetime(v) -> dt.datetime:
    if isinstance(v, (int, float)):
        return dt.datetime.fromtimestamp(v, dt.timezone.utc)
    return dt.datetime.fromisoformat(str(v).replace("Z", "+00:00"))


def _epoch_stamps(out: dict) -> dict:
    for r in out["MetricDataResults"]:
        r["Timestamps"] = [t.timestamp() for t in r["Timestamps"]]
    return out


def _products() -> dict:
    out = {}
    for f in sorted(FIXTURES.glob("pricing_*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        out[(doc["ServiceCode"], doc["regionCode"])] = doc["products"]
    return out


_PRODUCTS = _products()
_PRODUCTS_LIST = [[a, b, v] for (a, b), v in _PRODUCTS.items()]

_JSON_OPS = {
    "AWSPriceListService.GetProducts": ("pricing:GetProducts", lambda f, r: f.get_products(r)),
    "ServiceQuotasV20190624.GetServiceQuota": ("servicequotas:GetServiceQuota",
                                               lambda f, r: f.get_service_quota(r)),
    "ServiceQuotasV20190624.GetAWSDefaultServiceQuota": ("servicequotas:GetAWSDefaultServiceQuota",
                                                         lambda f, r: f.get_service_quota(r, default=True)),
    "ServiceQuotasV20190624.ListServiceQuotas": ("servicequotas:ListServiceQuotas",
                                                 lambda f, r: f.list_service_quotas(r)),
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    @property
    def fake(self) -> FakeAws:
        return self.server.fake  # type: ignore[attr-defined]

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        headers = {"x-amzn-RequestId": "fake-request"} | reply.headers
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def _override(self, op: str, body) -> Reply | None:
        o = self.fake.overrides.get(op)
        if o is None:
            return None
        if o == "hang":
            time.sleep(30)
            return Reply(500, b"")
        return o(body) if callable(o) else o  # type: ignore[return-value]

    def _dispatch(self, op: str, body, handler, protocol: str) -> None:
        self.fake.calls.append(op)
        auth = self.headers.get("Authorization") or ""
        self.fake.keys.append((op, auth.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in auth else ""))
        reply = self._override(op, body)
        if reply is None:
            out = handler(body)
            if isinstance(out, Reply):
                reply = out
            elif protocol == "json":
                reply = Reply(200, json.dumps(out).encode(), {"Content-Type": "application/x-amz-json-1.1"})
            elif protocol == "json1.0":
                reply = Reply(200, json.dumps(out).encode(), {"Content-Type": "application/x-amz-json-1.0"})
            elif protocol == "rest":
                reply = Reply(200, json.dumps(out).encode(), {"Content-Type": "application/json"})
            else:
                shape = MODELS["cloudwatch"].operation_model(op.split(":")[1]).output_shape
                buf = bytearray()
                RpcV2CBORSerializer()._serialize_data_item(buf, out, shape)
                reply = Reply(200, bytes(buf), {"Content-Type": "application/cbor",
                                                "smithy-protocol": "rpc-v2-cbor"})
        self._send(reply)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target", "")
        if target in _JSON_OPS:
            op, fn = _JSON_OPS[target]
            return self._dispatch(op, json.loads(raw or b"{}"), lambda r: fn(self.fake, r), "json")
        if target == "GraniteServiceVersion20100801.GetMetricData":  # CloudWatch over JSON 1.0
            req = json.loads(raw or b"{}")
            req["EndTime"] = _as_datetime(req["EndTime"])
            return self._dispatch("cloudwatch:GetMetricData", req,
                                  lambda r: _epoch_stamps(self.fake.get_metric_data(r)), "json1.0")
        if self.path.endswith("/operation/GetMetricData"):  # CloudWatch over Smithy RPC v2 CBOR
            shape = MODELS["cloudwatch"].operation_model("GetMetricData").input_shape
            req = RpcV2CBORParser().parse({"body": raw, "headers": {}, "status_code": 200}, shape)
            return self._dispatch("cloudwatch:GetMetricData", req, self.fake.get_metric_data, "cbor")
        self._send(json_error("UnknownOperationException", f"fake has no {target or self.path}"))

    def do_GET(self):
        path = self.path.split("?")[0].rstrip("/")
        if path == "/2016-08-19/account-settings":
            return self._dispatch("lambda:GetAccountSettings", None, lambda r: self.fake.account_settings, "rest")
        parts = path.split("/")
        if len(parts) == 5 and parts[2] == "functions":
            name = parts[3]
            fn = self.fake.functions.get(name)
            if parts[4] == "configuration":
                op = "lambda:GetFunctionConfiguration"
                out = fn["Configuration"] if fn else None
            else:
                op = "lambda:GetFunctionConcurrency"
                out = fn.get("Concurrency", {}) if fn else None
            return self._dispatch(op, None, lambda r: out if out is not None else rest_error(
                "ResourceNotFoundException", f"Function not found: arn:aws:lambda:us-east-1:"
                f"{ACCOUNT_IN_ERRORS}:function:{name}", 404), "rest")
        self._send(rest_error("UnknownOperationException", f"fake has no GET {self.path}", 404))


# --- pytest fixtures (imported by tests/test_aws_*.py) -------------------------------------------

import pytest  # noqa: E402

SERVICES_ENV = ("PRICING", "SERVICE_QUOTAS", "LAMBDA", "CLOUDWATCH")


def dummy_credentials(monkeypatch, tmp_path=None) -> None:
    """Dummy credentials only; no profile, config file or instance metadata can be read."""
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
              "AWS_ENDPOINT_URL", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
              "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(k, raising=False)
    for s in SERVICES_ENV:
        monkeypatch.delenv(f"AWS_ENDPOINT_URL_{s}", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE1234")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake/secret/key/for/tests/only/0000000000")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def fake_server():
    fake = FakeAws()
    yield fake
    fake.close()


@pytest.fixture
def fake(fake_server, monkeypatch):
    """The fake endpoint, reset, with every costplan service pointed at it."""
    fake_server.reset()
    dummy_credentials(monkeypatch)
    for s in SERVICES_ENV:
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{s}", fake_server.url)
    yield fake_server
    fake_server.reset()


@pytest.fixture
def fast(monkeypatch):
    """Retries kept fast: standard mode, max_attempts 2 (= 3 tries), and no sleep between tries."""
    from botocore.config import Config
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)

    return Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2, read_timeout=5)


@pytest.fixture(scope="session")
def moto_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def closed_port_url() -> str:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
