"""WebSocket notify: broadcast posts against the shared API Gateway rate, connect rate incl. forced
reconnects every 2 h, the 10-minute idle timeout, message and frame size."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import ceil, dur, num, q
from costplan.limits.model import check

A4 = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/"
      "apigateway-execution-service-websocket-limits-table.html")


def _ws(ctx):
    w = ctx.facts.get("websocket") or {}
    return w if isinstance(w, dict) else {}


@check("WS-BROADCAST", "@connections posts (messages × recipients) vs the shared API Gateway rate",
       ("apigateway.account_rps",), "posts/s = messages/s × recipients ≤ account throttle (shared)", A4)
def broadcast(ctx):
    w = _ws(ctx)
    posts = num(w.get("posts_peak_rps"))
    if posts is None and num(w.get("messages_peak_rps")) is not None:
        posts = num(w.get("messages_peak_rps")) * num(w.get("recipients_per_message"), Decimal(1))
    if posts is None:
        return
    lim = ctx.limit("apigateway.account_rps")
    ctx.finding(posts, lim, "requests/s", f"{q(num(w.get('messages_peak_rps')))} messages/s × "
                f"{q(num(w.get('recipients_per_message')))} recipients = {q(posts)} @connections posts/s, "
                f"counted against the {q(lim.value)}/s account throttle",
                f"request API Gateway throttle ≥ {q(ceil(posts))}/s, coalesce updates per connection, or use MQTT "
                "(IoT Core fans out topics for you)")


@check("WS-CONNECT-RATE", "New WebSocket connections/s incl. forced reconnects every 2 h",
       ("apigateway.websocket_connect_rate", "apigateway.websocket_connection_duration"),
       "max(connect/s, N / 7,200 s) ≤ 500/s  ⇒ N ≤ 3.6 M", A4)
def connect(ctx):
    w = _ws(ctx)
    if not w:
        return
    n = num(w.get("connections"))
    dur_l = ctx.limit("apigateway.websocket_connection_duration")
    reconnect = n / dur_l.value if n is not None and dur_l.value else Decimal(0)
    peak = max(num(w.get("connect_peak_rps"), Decimal(0)), reconnect)
    if not peak:
        return
    lim = ctx.limit("apigateway.websocket_connect_rate")
    ctx.finding(peak, lim, "connections/s", f"{q(peak)} new connections/s (forced reconnects alone "
                f"{q(reconnect)}/s for {q(n)} connections every {dur(dur_l.value)})",
                f"request WebSocket connect rate ≥ {q(ceil(peak))}/s; spread reconnects with jitter")


@check("WS-IDLE", "Clients idle longer than the 10-minute timeout need heartbeats",
       ("apigateway.websocket_idle_timeout", "apigateway.websocket_connection_duration"),
       "idle gap ≤ 600 s, else heartbeats N / 600 s; session ≤ 2 h", A4, severity="warning")
def idle(ctx):
    w = _ws(ctx)
    if not w:
        return
    lim = ctx.limit("apigateway.websocket_idle_timeout")
    idle_s = num(w.get("idle_s"))
    if idle_s is not None:
        n = num(w.get("connections"), Decimal(0))
        ctx.finding(idle_s, lim, "s", f"clients go {dur(idle_s)} without a message; API Gateway closes idle "
                    f"connections after {dur(lim.value)}",
                    f"send a heartbeat more often than every {dur(lim.value)}: ≥ {q(n / lim.value)} messages/s "
                    f"for {q(n)} connections", subject="idle")
    sess = num(w.get("session_s"))
    if sess is not None:
        d = ctx.limit("apigateway.websocket_connection_duration")
        ctx.finding(sess, d, "s", f"sessions last {dur(sess)}; connections are closed after {dur(d.value)}",
                    "reconnect on close (1001) and resubscribe", subject="duration", quota=d.quota.id)


@check("WS-FRAME", "WebSocket message larger than one 32 KB frame", ("apigateway.websocket_frame_size",),
       "message size ≤ 32 KB per frame (≤ 128 KB message, see PAYLOAD-SIZE)", A4, severity="warning")
def frame(ctx):
    size = num(_ws(ctx).get("message_size_kb"))
    if size is None:
        return
    lim = ctx.limit("apigateway.websocket_frame_size")
    ctx.finding(size, lim, "KB", f"{q(size)} KB messages against {q(lim.value)} KB frames",
                "send smaller updates or split messages into frames client libraries reassemble")
