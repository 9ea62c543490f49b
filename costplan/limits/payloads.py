"""Payload sizes against every hop they cross (API Gateway, Lambda sync/async, SQS, SNS, EventBridge,
Step Functions, WebSocket, IoT, DynamoDB items) and SQS batches against the 6 MB invoke."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import num, q
from costplan.limits.model import check

B3 = "https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb/"

HOPS = {
    "apigateway": "apigateway.payload",
    "lambda_sync": "lambda.sync_payload",
    "lambda_async": "lambda.async_payload",
    "sqs": "sqs.message_size",
    "sns": "sns.message_size",
    "eventbridge": "eventbridge.event_size",
    "stepfunctions": "stepfunctions.payload",
    "websocket": "apigateway.websocket_message_size",
    "iot": "iot.message_size",
    "dynamodb_item": "dynamodb.item_size",
}


def hops(plan) -> list[tuple[str, Decimal]]:
    f = plan.facts or {}
    out: dict[str, Decimal] = {}
    for p in f.get("payloads") or []:
        if not isinstance(p, dict):
            continue
        hop, size = p.get("hop"), num(p.get("size_kb"))
        if hop in HOPS and size is not None:
            out[hop] = max(size, out.get(hop, Decimal(0)))
    # Derived hops when the pattern does not list them.
    w = plan.scenario.workload
    biggest = max(Decimal(w.request_size_kb), Decimal(w.response_size_kb))
    if f.get("sync") and "lambda_sync" not in out and plan.stages:
        out["lambda_sync"] = biggest
    if f.get("api") in ("http", "rest") and "apigateway" not in out:
        out["apigateway"] = biggest
    for fact, hop in (("websocket", "websocket"), ("mqtt", "iot"), ("stepfunctions", "stepfunctions")):
        size = num((f.get(fact) or {}).get("message_size_kb" if fact != "stepfunctions" else "payload_kb"))
        if size is not None and hop not in out:
            out[hop] = size
    return sorted(out.items())


@check("PAYLOAD-SIZE", "Payload size on every hop",
       tuple(sorted(set(HOPS.values()))),
       "size ≤ 10 MB API GW / 6 MB Lambda sync / 1 MB Lambda async / 1 MiB SQS / 256 KiB SNS / 1 MB "
       "EventBridge / 256 KiB Step Functions / 128 KB WebSocket & IoT / 400 KB DynamoDB item", B3)
def payload(ctx):
    for hop, size in hops(ctx.plan):
        lim = ctx.limit(HOPS[hop])
        fix = ("upload straight to S3 with a presigned URL and send only the key (claim-check)" if hop == "apigateway"
               else f"use claim-check: put the body in S3 and pass its key through {hop}")
        ctx.finding(size, lim, "KB", f"{hop}: {q(size)} KB against {q(lim.value)} KB", fix, subject=hop,
                    quota=HOPS[hop])


@check("PAYLOAD-SQS-BATCH", "SQS batch within the 6 MB synchronous invoke",
       ("lambda.sync_payload", "sqs.message_size"), "batch size × message size ≤ 6 MB",
       "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html")
def sqs_batch(ctx):
    size = dict(hops(ctx.plan)).get("sqs")
    if size is None:
        return
    lim = ctx.limit("lambda.sync_payload")
    for qu in ctx.facts.get("queues") or []:
        b = num(qu.get("batch_size"), Decimal(1))
        total = b * size
        fit = int(lim.value // size) if size > 0 else 0
        ctx.finding(total, lim, "KB", f"{qu.get('name', 'queue')}: {q(b)} × {q(size)} KB = {q(total)} KB per "
                    f"invocation against {q(lim.value)} KB", f"lower the batch size to ≤ {fit}, or use claim-check",
                    subject=str(qu.get("name", "")))
