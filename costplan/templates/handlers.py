"""Minimal handler files written beside a template (src/<function>/handler.py): a starting point that
deploys and logs, with the one behaviour each role needs (batch failures, message groups, outputs)."""
from __future__ import annotations

_BODIES = {
    "api": '''    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"ok": True, "stage": STAGE})}''',
    "consumer": '''    failures = []
    for record in event.get("Records", []):
        try:
            process(json.loads(record["body"]))
        except Exception:  # report just this message; SQS redelivers it (then the DLQ)
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def process(message):
    next_queue = os.environ.get("NEXT_QUEUE_URL")
    if next_queue:  # sequential convoy: keep the order per group on the next FIFO queue
        import boto3

        group = str(message.get(os.environ.get("MESSAGE_GROUP_FIELD", "orderId"), "default"))
        boto3.client("sqs").send_message(QueueUrl=next_queue, MessageBody=json.dumps(message),
                                         MessageGroupId=group)''',
    "claim_check": '''    import boto3

    s3 = boto3.client("s3")
    for record in event.get("Records", []):
        key = record["s3"]["object"]["key"]
        body = s3.get_object(Bucket=record["s3"]["bucket"]["name"], Key=key)["Body"].read()
        # write outside the trigger prefix: never where this function is triggered
        out = os.environ["OUTPUT_PREFIX"] + key.split("/", 1)[-1]
        s3.put_object(Bucket=os.environ["OUTPUT_BUCKET"], Key=out, Body=body)
    return {"processed": len(event.get("Records", []))}''',
}
_DEFAULT = '''    print(json.dumps({"stage": STAGE, "event": event}, default=str))
    return {"ok": True}'''


def handler_source(role: str, stage: str) -> str:
    body = _BODIES.get(role, _DEFAULT)
    return (f'"""costplan handler for {stage} ({role}): replace the body with your code."""\n'
            "import json\nimport os\n\n"
            f"STAGE = {stage!r}\n\n\n"
            "def handler(event, context):\n" + body + "\n")
