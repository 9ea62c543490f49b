"""S3 in claim-check: prefixes needed for the request rate, and the recursive-trigger risk when a
function writes back where its notification fires."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import ceil, num, q
from costplan.limits.model import check
from costplan.limits.quotas import Limit

X1 = "https://repost.aws/knowledge-center/s3-object-key-naming-pattern"
L11 = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html"


@check("S3-PREFIX-RATE", "Request rate per partitioned prefix",
       ("s3.prefix_write_rps", "s3.prefix_read_rps"),
       "prefixes ≥ ceil(write/s ÷ 3,500) and ≥ ceil(read/s ÷ 5,500)", X1)
def prefix_rate(ctx):
    s3 = ctx.facts.get("s3") or {}
    if not s3:
        return
    prefixes = num(s3.get("prefixes"), Decimal(1)) or Decimal(1)
    for key, qid, kind in (("write_rps", "s3.prefix_write_rps", "writes"), ("read_rps", "s3.prefix_read_rps", "reads")):
        rps = num(s3.get(key))
        if rps is None:
            continue
        per = ctx.limit(qid)
        lim = Limit(per.value * prefixes, per.source, per.quota)
        ctx.finding(rps, lim, "requests/s", f"{q(rps)} {kind}/s over {q(prefixes)} prefix(es) × {q(per.value)}/s",
                    f"spread keys over ≥ {q(ceil(rps / per.value))} prefixes (S3 returns 503 SlowDown while it "
                    f"re-partitions)", subject=kind, quota=qid)


@check("S3-RECURSIVE-TRIGGER", "Claim-check function writing where its S3 trigger fires", (),
       "output prefix ∉ trigger prefix filter (same bucket)", L11)
def recursive(ctx):
    s3 = ctx.facts.get("s3") or {}
    if not s3 or not s3.get("same_bucket_output"):
        return
    trig = str(s3.get("trigger_prefix") or "")
    out = str(s3.get("output_prefix") or "")
    loop = out.startswith(trig)
    msg = (f"output '{out or '(bucket root)'}' is inside the trigger filter '{trig or '(whole bucket)'}': "
           "every write re-triggers the function; Lambda's recursive loop detection (S3 covered since 2024) stops it "
           "after ~16 invocations and drops the event, so the design fails rather than running away" if loop else
           f"output '{out}' is outside the trigger filter '{trig}' in the same bucket")
    ctx.finding(None, Decimal(0), "", msg,
                "write results to another bucket, or to a prefix outside the trigger's filter" if loop else "",
                status="fail" if loop else "ok")
