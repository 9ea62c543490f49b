"""API Gateway: the account request rate (shared by REST, HTTP, WebSocket and @connections callbacks)
and the synchronous integration timeout."""
from __future__ import annotations

from decimal import Decimal

from costplan.compute.traffic import Traffic
from costplan.limits.calc import ask, num, q
from costplan.limits.model import check

A1 = "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html"
A2 = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html"

GATEWAY_APIS = ("http", "rest", "websocket")


def front_stage(plan):
    return next((s for s in plan.stages if s.role == "api"), None)


def front_traffic(plan) -> Traffic:
    st = front_stage(plan)
    return st.traffic if st is not None else Traffic.from_workload(plan.scenario.workload)


def rps_parts(plan) -> list[tuple[str, Decimal]]:
    """Requests/s that count against the API Gateway account throttle, by source."""
    f = plan.facts or {}
    parts = []
    api = f.get("api")
    if api in ("http", "rest"):
        parts.append((f"{api} API requests", Decimal(front_traffic(plan).peak_rps)))
    poll = f.get("polling") or {}
    if num(poll.get("rps")):
        parts.append(("status polling", num(poll.get("rps"))))
    ws = f.get("websocket") or {}
    if ws:
        posts = num(ws.get("posts_peak_rps"))
        if posts is None and num(ws.get("messages_peak_rps")) is not None:
            posts = num(ws.get("messages_peak_rps")) * num(ws.get("recipients_per_message"), Decimal(1))
        if posts:
            parts.append(("WebSocket @connections posts", posts))
        if num(ws.get("connect_peak_rps")):
            parts.append(("WebSocket connects", num(ws.get("connect_peak_rps"))))
    return parts


@check("APIGW-RPS", "API Gateway account request rate at the peak", ("apigateway.account_rps",),
       "Σ API requests/s + polling/s + WebSocket @connections posts/s + connects/s ≤ account throttle", A1,
       measures="every request the account's APIs answer or send at the peak, counted once, against the shared throttle")
def account_rps(ctx):
    parts = rps_parts(ctx.plan)
    if not parts:
        return
    total = sum((v for _, v in parts), Decimal(0))
    ctx.shares["apigw_rps"] = total
    lim = ctx.limit("apigateway.account_rps")
    detail = " + ".join(f"{name} {q(v)}/s" for name, v in parts)
    ask_ = f"request API Gateway throttle ≥ {ask(ctx, total, '/s')} ({lim.quota.quota_code})"
    posts = dict(parts).get("WebSocket @connections posts", Decimal(0))
    if ctx.facts.get("queues"):
        fix = f"{ask_} before the peak; the queue levels Lambda, not the API's own request rate"
    elif posts and posts * 2 > total:
        fix = (f"{ask_}; or cut the {q(posts)} @connections posts/s: coalesce updates per connection, or push "
               "through MQTT (IoT Core fans a topic out without a request per recipient)")
    else:
        fix = f"{ask_}, or accept the request into SQS and return 202 (queue-based load leveling)"
    ctx.finding(total, lim, "requests/s", f"{detail} = {q(total)}/s against the {q(lim.value)}/s account "
                f"throttle (REST, HTTP, WebSocket and callbacks share it)", fix)


@check("APIGW-BURST", "API Gateway burst bucket: requests in flight at the peak", ("apigateway.account_burst",
       "apigateway.account_rps"),
       "in flight = peak requests/s × integration p99 s ≤ burst (5,000; 1,250 in smaller Regions); above the rate the "
       "bucket empties in burst ÷ (peak − rate) s", A1,
       measures="concurrent request submissions at the peak against the token bucket's burst (not requestable)")
def burst_bucket(ctx):
    f = ctx.facts
    api = f.get("api")
    if api not in GATEWAY_APIS:
        return
    parts = rps_parts(ctx.plan)
    total = sum((v for _, v in parts), Decimal(0))
    if total <= 0:
        return
    burst = ctx.limit("apigateway.account_burst")
    rate = ctx.limit("apigateway.account_rps").value
    latency = Decimal(front_traffic(ctx.plan).p99_duration_ms) / 1000
    in_flight = total * latency
    ctx.shares["apigw_in_flight"] = in_flight
    empties = (f"; above the {q(rate)}/s rate the bucket empties in {q(burst.value / (total - rate), 2)} s"
               if total > rate else "")
    ctx.finding(in_flight, burst, "requests in flight",
                f"{q(total)} requests/s × {q(latency, 3)} s p99 = {q(in_flight)} in flight against a burst of "
                f"{q(burst.value)} (the service team sets it; it is not requestable){empties}",
                f"shorten the integration (p99 ≤ {q(burst.value / total, 3)} s at this rate) or return 202 and finish "
                f"the work behind a queue; spread the opening rush with client jitter")


@check("APIGW-TIMEOUT", "Synchronous p99 within the integration timeout",
       ("apigateway.rest_integration_timeout", "apigateway.http_integration_timeout",
        "apigateway.websocket_integration_timeout"),
       "p99 ≤ 29 s (REST, WebSocket) / 30 s (HTTP API)", A2,
       measures="the synchronous p99 against the integration timeout (callers get 504 beyond it)")
def integration_timeout(ctx):
    f = ctx.facts
    api = f.get("api")
    if api not in GATEWAY_APIS or not f.get("sync"):
        return
    qid = {"rest": "apigateway.rest_integration_timeout", "http": "apigateway.http_integration_timeout",
           "websocket": "apigateway.websocket_integration_timeout"}[api]
    lim = ctx.limit(qid)
    p99 = Decimal(front_traffic(ctx.plan).p99_duration_ms) / 1000
    ctx.finding(p99, lim, "s", f"synchronous p99 {q(p99, 2)} s against the {q(lim.value)} s {api} integration "
                f"timeout; callers get 504 beyond it",
                "switch to async request-reply: /start returns 202 and a status URL, the work runs behind a "
                "queue or Step Functions, clients poll /status (or get a WebSocket/MQTT push)", quota=qid)
