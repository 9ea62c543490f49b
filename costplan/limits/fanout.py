"""Publish/subscribe fan-out: publish rate vs SNS or EventBridge PutEvents, deliveries vs the
EventBridge invocations quota, and the Lambda invocations fan-out multiplies."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import ask, ceil, dur, num, overload_delay, peak_window_s, q
from costplan.limits.model import check
from costplan.limits.quotas import Limit

E1 = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html"


def _fan(ctx):
    f = ctx.facts.get("fanout") or {}
    if not isinstance(f, dict) or not f:
        return None
    bus = f.get("bus")
    pub = num(f.get("publish_peak_rps"))
    subs = num(f.get("subscribers"), Decimal(1))
    share = num(f.get("filtered_share"), Decimal(1))
    deliveries = num(f.get("deliveries_peak_rps"))
    if deliveries is None and pub is not None:
        deliveries = pub * subs * share
    return bus, pub, subs, deliveries


@check("PUBSUB-PUBLISH-RATE", "Publish rate vs SNS publish TPS or EventBridge PutEvents TPS",
       ("sns.publish_tps", "eventbridge.put_events_tps"), "publish/s ≤ SNS L-F8E2BA85 / PutEvents L-9B653E91 (Region)",
       E1)
def publish(ctx):
    fan = _fan(ctx)
    if fan is None:
        return
    bus, pub, _, _ = fan
    if pub is None:
        ctx.needs("fanout.publish_peak_rps")
        return
    qid = "eventbridge.put_events_tps" if bus == "eventbridge" else "sns.publish_tps"
    ctx.shares["put_events_tps" if bus == "eventbridge" else "sns_publish_rps"] = pub
    lim = ctx.limit(qid)
    ctx.finding(pub, lim, "requests/s", f"{q(pub)} publishes/s against {q(lim.value)}/s in {ctx.region} ({bus})",
                f"request {lim.quota.name} ≥ {ask(ctx, pub, '/s')} ({lim.quota.quota_code}), or batch entries "
                "(PutEvents takes up to 10 per call)", quota=qid)


@check("PUBSUB-DELIVERIES", "Fan-out deliveries vs EventBridge invocations / Lambda invoke rate",
       ("eventbridge.invocations_tps", "lambda.concurrent_executions", "lambda.invoke_rps_per_concurrency"),
       "deliveries/s = publish/s × Σ matching subscriptions ≤ invocations quota (EventBridge) / 10 × concurrency",
       E1)
def deliveries(ctx):
    fan = _fan(ctx)
    if fan is None:
        return
    bus, pub, subs, dl = fan
    if dl is None:
        return
    if bus == "eventbridge":
        ctx.shares["eventbridge_invocations_rps"] = dl
        lim = ctx.limit("eventbridge.invocations_tps")
        fix = (f"request EventBridge invocations ≥ {ask(ctx, dl, '/s')} ({lim.quota.quota_code}); excess is delayed, "
               "not dropped")
    else:
        c = ctx.limit("lambda.concurrent_executions")
        k = ctx.limit("lambda.invoke_rps_per_concurrency")
        lim = Limit(c.value * k.value, c.source, c.quota)
        fix = f"request Lambda concurrency ≥ {q(ceil(dl / k.value))}, or filter subscriptions"
    # Both paths deliver asynchronously: EventBridge delays invocations over its quota, and Lambda
    # retries throttled SNS deliveries for up to 6 h — a backlog with a delay, not lost events.
    delay = overload_delay(peak_window_s(ctx.scenario), dl, lim.value) if dl > lim.value else None
    late = f"; over it deliveries queue up and run up to ≈ {dur(delay)} late" if delay else ""
    ctx.finding(dl, lim, "deliveries/s", f"fan-out multiplies {q(pub)} publishes/s × {q(subs)} subscribers = "
                f"{q(dl)} deliveries/s (each a Lambda invocation){late}", fix, delay_s=delay)
