"""The handlers written beside the templates, run against moto (in-process) with the events AWS sends:
SQS batches built from messages really sent to and received from a queue, S3 notifications with
URL-encoded keys, API Gateway payload 2.0 requests. Partial failures are reported, never acknowledged."""
from __future__ import annotations

import importlib.util
import io
import json
import os
import sys
import uuid
from pathlib import Path

import pytest

from costplan.scenario import load
from costplan.templates.render import render

SCEN = Path(__file__).resolve().parent.parent / "scenarios"
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}.items():
        monkeypatch.setenv(k, v)
    from moto import mock_aws

    with mock_aws():
        yield


def handler(scenario: str, function: str, tmp_path, monkeypatch, env: dict):
    """The emitted src/<function>/handler.py of the scenario, imported as a fresh module."""
    files = render(load(SCEN / f"{scenario}.yaml"), "terraform", "lambda").files
    path = tmp_path / f"{function}_handler.py"
    path.write_text(files[f"src/{function}/handler.py"])
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    spec = importlib.util.spec_from_file_location(f"h_{uuid.uuid4().hex}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def client(name):
    import boto3

    return boto3.client(name, region_name=REGION)


def sqs_event(queue_url: str, bodies: list[tuple[str, str | None]]) -> dict:
    """Send (body, group) messages, receive them back and wrap them as Lambda's SQS event does."""
    sqs = client("sqs")
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for i, (body, group) in enumerate(bodies):
        kw = {"MessageGroupId": group, "MessageDeduplicationId": f"d{i}"} if group else {}
        sqs.send_message(QueueUrl=queue_url, MessageBody=body, **kw)
    records = []
    while len(records) < len(bodies):
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"])
        for m in got.get("Messages", []):
            records.append({"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                            "attributes": m["Attributes"], "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                            "eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": REGION})
    return {"Records": records}


def failures(result: dict) -> list[str]:
    return [f["itemIdentifier"] for f in result["batchItemFailures"]]


def table(name: str, key: str, sort: str | None = None) -> str:
    attrs = [{"AttributeName": key, "AttributeType": "S"}]
    schema = [{"AttributeName": key, "KeyType": "HASH"}]
    if sort:
        attrs.append({"AttributeName": sort, "AttributeType": "S"})
        schema.append({"AttributeName": sort, "KeyType": "RANGE"})
    client("dynamodb").create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=schema,
                                    BillingMode="PAY_PER_REQUEST")
    return name


# ---- queue load leveling: the vote consumer ---------------------------------------------------------------

def test_vote_consumer_writes_every_vote_and_reports_only_the_bad_one(tmp_path, monkeypatch):
    votes = table("votes", "pk")
    h = handler("global_vote", "consumer", tmp_path, monkeypatch, {"TABLE_NAME": votes})
    url = client("sqs").create_queue(QueueName="votes")["QueueUrl"]
    good = [json.dumps({"eventType": "vote", "eventDetails": {"candidate": f"c{i}", "voter": f"v{i}"}})
            for i in range(30)]  # more than one BatchWriteItem (25 items)
    event = sqs_event(url, [(b, None) for b in good] + [("not json", None), ("[1, 2]", None)])
    result = h.handler(event, None)
    bad = {r["messageId"] for r in event["Records"] if r["body"] in ("not json", "[1, 2]")}
    assert set(failures(result)) == bad
    items = client("dynamodb").scan(TableName=votes)["Items"]
    assert len(items) == 30
    written = {i["pk"]["S"] for i in items}
    assert written == {r["messageId"] for r in event["Records"]} - bad
    assert {i["vote"]["M"]["eventDetails"]["M"]["candidate"]["S"] for i in items} == {f"c{i}" for i in range(30)}


def test_vote_consumer_reports_the_whole_batch_when_the_table_write_fails(tmp_path, monkeypatch):
    h = handler("global_vote", "consumer", tmp_path, monkeypatch, {"TABLE_NAME": "no-such-table"})
    url = client("sqs").create_queue(QueueName="votes")["QueueUrl"]
    event = sqs_event(url, [(json.dumps({"v": i}), None) for i in range(3)])
    assert sorted(failures(h.handler(event, None))) == sorted(r["messageId"] for r in event["Records"])


def test_vote_consumer_reports_items_dynamodb_left_unprocessed(tmp_path, monkeypatch):
    votes = table("votes", "pk")
    h = handler("global_vote", "consumer", tmp_path, monkeypatch, {"TABLE_NAME": votes})
    monkeypatch.setattr(h.time, "sleep", lambda s: None)
    url = client("sqs").create_queue(QueueName="votes")["QueueUrl"]
    event = sqs_event(url, [(json.dumps({"v": i}), None) for i in range(4)])
    real = h._client()
    stuck = event["Records"][1]["messageId"]

    class Throttled:  # DynamoDB keeps returning one item as unprocessed (throttling): it is never acked
        def batch_write_item(self, RequestItems):
            reqs = RequestItems[votes]
            keep = [r for r in reqs if r["PutRequest"]["Item"]["pk"]["S"] == stuck]
            real.batch_write_item(RequestItems={votes: [r for r in reqs if r not in keep]})
            return {"UnprocessedItems": {votes: keep} if keep else {}}

    monkeypatch.setattr(h, "_ddb", Throttled())
    assert failures(h.handler(event, None)) == [stuck]
    assert len(client("dynamodb").scan(TableName=votes)["Items"]) == 3


# ---- sequential convoy: FIFO processor and ledger writer ------------------------------------------------

def test_fifo_processor_stops_a_group_at_its_first_failure(tmp_path, monkeypatch):
    sqs = client("sqs")
    src = sqs.create_queue(QueueName="tx.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    nxt = sqs.create_queue(QueueName="ledger.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    h = handler("order_ledger_convoy", "processor", tmp_path, monkeypatch, {"NEXT_QUEUE_URL": nxt})
    msgs = [('{"n": 1}', "order-A"), ('{"n": 2}', "order-B"), ("broken", "order-A"), ('{"n": 3}', "order-A"),
            ('{"n": 4}', "order-B")]
    event = sqs_event(src, msgs)
    by_body = {(r["body"], r["attributes"]["MessageGroupId"]): r["messageId"] for r in event["Records"]}
    result = h.handler(event, None)
    # the failed message and the later one of order-A; order-B carries on
    assert sorted(failures(result)) == sorted([by_body[("broken", "order-A")], by_body[('{"n": 3}', "order-A")]])
    out = sqs.receive_message(QueueUrl=nxt, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    forwarded = sorted((json.loads(m["Body"])["n"], m["Attributes"]["MessageGroupId"]) for m in out)
    assert forwarded == [(1, "order-A"), (2, "order-B"), (4, "order-B")]


def test_ledger_writer_is_idempotent_and_keeps_group_order(tmp_path, monkeypatch):
    ledger = table("ledger", "orderId", "entryId")
    src = client("sqs").create_queue(QueueName="ledger.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    h = handler("order_ledger_convoy", "consumer", tmp_path, monkeypatch, {"LEDGER_TABLE": ledger})
    event = sqs_event(src, [('{"amount": 10.5}', "order-A"), ("[]", "order-A"), ('{"amount": 1}', "order-A"),
                            ('{"amount": 2}', "order-B")])
    recs = event["Records"]
    assert failures(h.handler(event, None)) == [recs[1]["messageId"], recs[2]["messageId"]]
    items = client("dynamodb").scan(TableName=ledger)["Items"]
    assert sorted((i["orderId"]["S"], i["entry"]["M"]["amount"]["N"]) for i in items) == \
        [("order-A", "10.5"), ("order-B", "2")]
    # a redelivered entry (same deduplication id) is already in the ledger: success, not a second item
    assert failures(h.handler({"Records": [recs[0]]}, None)) == []
    assert len(client("dynamodb").scan(TableName=ledger)["Items"]) == 2


# ---- claim check: the resizer and the upload URL ----------------------------------------------------------

def _png(w: int, h: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def _s3_event(bucket: str, encoded_key: str) -> dict:
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
                         "eventName": "ObjectCreated:Put",
                         "s3": {"s3SchemaVersion": "1.0", "configurationId": "uploads",
                                "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                                "object": {"key": encoded_key, "size": 1, "eTag": "x", "sequencer": "1"}}}]}


def test_resizer_decodes_the_key_and_writes_each_width_outside_the_trigger_prefix(tmp_path, monkeypatch):
    pytest.importorskip("PIL")
    s3 = client("s3")
    s3.create_bucket(Bucket="uploads")
    s3.create_bucket(Bucket="avatars")
    s3.put_object(Bucket="uploads", Key="uploads/my photo!.png", Body=_png(400, 200))
    h = handler("avatar_resize_claim_check", "resizer", tmp_path, monkeypatch,
                {"OUTPUT_BUCKET": "avatars", "OUTPUT_PREFIX": "avatars/", "TRIGGER_PREFIX": "uploads/",
                 "OUTPUT_WIDTHS_PX": "128,32,800"})
    h.handler(_s3_event("uploads", "uploads/my+photo%21.png"), None)  # S3 sends keys URL-encoded
    from PIL import Image

    sizes = {}
    for w in (128, 32, 800):
        obj = s3.get_object(Bucket="avatars", Key=f"avatars/{w}/my photo!.png")
        assert obj["ContentType"] == "image/png"
        sizes[w] = Image.open(io.BytesIO(obj["Body"].read())).size
    assert sizes == {128: (128, 64), 32: (32, 16), 800: (400, 200)}  # never enlarged


def test_resizer_refuses_without_pillow(tmp_path, monkeypatch):
    h = handler("avatar_resize_claim_check", "resizer", tmp_path, monkeypatch,
                {"OUTPUT_BUCKET": "avatars", "OUTPUT_PREFIX": "avatars/", "TRIGGER_PREFIX": "uploads/",
                 "OUTPUT_WIDTHS_PX": "64"})
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(RuntimeError, match="Pillow"):
        h.handler(_s3_event("uploads", "uploads/a.png"), None)
    files = render(load(SCEN / "avatar_resize_claim_check.yaml"), "terraform", "lambda").files
    assert files["src/resizer/requirements.txt"].startswith("Pillow")


def test_upload_url_presigns_a_put_under_the_trigger_prefix(tmp_path, monkeypatch):
    h = handler("avatar_resize_claim_check", "upload_url", tmp_path, monkeypatch,
                {"UPLOADS_BUCKET": "uploads", "UPLOAD_PREFIX": "uploads/"})
    body = json.loads(h.handler({"version": "2.0", "routeKey": "POST /uploads"}, None)["body"])
    from urllib.parse import urlsplit

    url = urlsplit(body["uploadUrl"])
    assert body["key"].startswith("uploads/") and len(body["key"]) > len("uploads/")
    assert f"uploads/{body['key']}" in url.netloc.split(".")[0] + url.path  # bucket + key, either URL style
    assert "Signature=" in url.query and body["expiresIn"] == 300


# ---- async request-reply: /start starts the workflow, /status reads it ------------------------------------

def _http(method: str, path: str, path_params: dict | None = None, body: str | None = None) -> dict:
    route = "POST /start" if method == "POST" else "GET /status/{jobId}"
    return {"version": "2.0", "routeKey": route, "rawPath": path, "body": body, "isBase64Encoded": False,
            "pathParameters": path_params or {},
            "requestContext": {"http": {"method": method, "path": path}, "routeKey": route, "stage": "$default"}}


def test_start_starts_the_workflow_and_status_reports_it(tmp_path, monkeypatch):
    status = table("status", "jobId")
    sfn = client("stepfunctions")
    sm = sfn.create_state_machine(name="wf", roleArn="arn:aws:iam::123456789012:role/sfn",
                                  definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass",
                                                                                          "End": True}}}))
    h = handler("db_refresh_async", "api", tmp_path, monkeypatch,
                {"STATUS_TABLE": status, "STATE_MACHINE_ARN": sm["stateMachineArn"]})
    r = h.handler(_http("POST", "/start", body='{"database": "qa"}'), None)
    assert r["statusCode"] == 202
    job = json.loads(r["body"])["jobId"]
    execs = sfn.list_executions(stateMachineArn=sm["stateMachineArn"])["executions"]
    assert [e["name"] for e in execs] == [job]
    assert json.loads(sfn.describe_execution(executionArn=execs[0]["executionArn"])["input"]) == \
        {"jobId": job, "request": '{"database": "qa"}'}
    s = h.handler(_http("GET", f"/status/{job}", {"jobId": job}), None)
    assert s["statusCode"] == 200 and json.loads(s["body"])["status"] == "RUNNING"
    assert h.handler(_http("GET", "/status/nope", {"jobId": "nope"}), None)["statusCode"] == 404


def test_start_records_a_workflow_that_did_not_start(tmp_path, monkeypatch):
    status = table("status", "jobId")
    h = handler("db_refresh_async", "api", tmp_path, monkeypatch,
                {"STATUS_TABLE": status, "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:none"})
    r = h.handler(_http("POST", "/start"), None)
    assert r["statusCode"] == 502
    item = client("dynamodb").scan(TableName=status)["Items"][0]
    assert item["status"]["S"] == "FAILED_TO_START"


# ---- WebSocket routes --------------------------------------------------------------------------------------

def test_websocket_routes_record_connections_and_subscriptions(tmp_path, monkeypatch):
    conns, subs = table("conns", "connectionId"), table("subs", "topic", "connectionId")
    h = handler("stock_explorer_websocket", "connection_handlers", tmp_path, monkeypatch,
                {"CONNECTIONS_TABLE": conns, "SUBSCRIPTIONS_TABLE": subs})

    def ev(route, body=None):
        return {"requestContext": {"routeKey": route, "connectionId": "c1", "eventType": "MESSAGE"}, "body": body}

    assert h.handler(ev("$connect"), None)["statusCode"] == 200
    assert h.handler(ev("subscribe", '{"action": "subscribe", "topic": "AAPL"}'), None)["statusCode"] == 200
    assert h.handler(ev("subscribe", '{"action": "subscribe"}'), None)["statusCode"] == 400
    ddb = client("dynamodb")
    assert ddb.scan(TableName=subs)["Items"] == [{"topic": {"S": "AAPL"}, "connectionId": {"S": "c1"}}]
    h.handler(ev("$disconnect"), None)
    assert ddb.scan(TableName=conns)["Items"] == []


# ---- placeholders never acknowledge work ----------------------------------------------------------------

def test_placeholders_raise_instead_of_reporting_success(tmp_path, monkeypatch):
    from costplan.templates.handlers import has_code

    seen = 0
    for path in sorted(SCEN.glob("*.yaml")):
        b = render(load(path), "terraform", "lambda").builder
        for fn in b.functions.values():
            if has_code(fn.code_role):
                continue
            name = fn.handle.tf_name
            mod = handler(path.stem, name, tmp_path, monkeypatch, {})
            with pytest.raises(NotImplementedError, match=name):
                mod.handler({"Records": [{"messageId": "m1", "body": "{}"}]}, None)
            seen += 1
    assert seen >= 6


# ---- packaging: build.py beside the template, source_code_hash in Terraform -------------------------------

@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_build_script_creates_dist_and_reproducible_zips(tmp_path, fmt):
    import hashlib
    import subprocess
    import zipfile

    from costplan.templates.write import write_tree

    r = render(load(SCEN / "order_ledger_convoy.yaml"), fmt, "lambda")
    write_tree(tmp_path / "t", r.files)
    assert not (tmp_path / "t" / "dist").exists()
    run = lambda: subprocess.run([sys.executable, "build.py", "--no-deps"], cwd=tmp_path / "t", check=True,
                                 capture_output=True, text=True)
    out = run().stdout
    zips = sorted((tmp_path / "t" / "dist").glob("*.zip"))
    assert [z.stem for z in zips] == ["consumer", "processor"]
    first = {z.name: hashlib.sha256(z.read_bytes()).hexdigest() for z in zips}
    with zipfile.ZipFile(zips[0]) as zf:
        assert zf.namelist() == ["handler.py"]
        assert zf.read("handler.py").decode() == r.files["src/consumer/handler.py"]
    run()  # same code, same bytes: Terraform's source_code_hash does not change
    assert {z.name: hashlib.sha256(z.read_bytes()).hexdigest() for z in zips} == first
    assert "code version" in out
    head = r.files["main.tf" if fmt == "terraform" else "template.yaml"].splitlines()[:6]
    assert any("python3 build.py" in line for line in head)


def test_every_terraform_function_redeploys_when_its_zip_changes():
    for path in sorted(SCEN.glob("*.yaml")):
        r = render(load(path), "terraform", "lambda")
        main = r.files["main.tf"]
        for fn in r.builder.functions.values():
            name = fn.handle.tf_name
            assert f'source_code_hash = filebase64sha256("${{path.module}}/dist/{name}.zip")' in main, path.stem
