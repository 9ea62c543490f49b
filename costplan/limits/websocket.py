"""WebSocket notify: connect rate incl. forced reconnects every 2 h, the 10-minute idle timeout against
how often each connection actually receives a message, session length, frame size. The broadcast's
@connections posts count against the shared API Gateway rate once, in APIGW-RPS."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import INF, ask, dur, num, q
from costplan.limits.model import check

A4 = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/"
      "apigateway-execution-service-websocket-limits-table.html")


def _ws(ctx):
    w = ctx.facts.get("websocket") or {}
    return w if isinstance(w, dict) else {}


@check("WS-CONNECT-RATE", "New WebSocket connections/s incl. forced reconnects every 2 h",
       ("apigateway.websocket_connect_rate", "apigateway.websocket_connection_duration"),
       "max(connect/s, N / 7,200 s) ≤ 500/s  ⇒ N ≤ 3.6 M", A4,
       measures="new connections per second, the forced reconnect every 2 h included")
def connect(ctx):
    ctx.shares["websocket_connect_rps"] = _connect_peak(ctx)[0] if _ws(ctx) else Decimal(0)
    if not _ws(ctx):
        return
    peak, reconnect, n, dur_l = _connect_peak(ctx)
    if not peak:
        return
    lim = ctx.limit("apigateway.websocket_connect_rate")
    ctx.finding(peak, lim, "connections/s", f"{q(peak)} new connections/s (forced reconnects alone "
                f"{q(reconnect)}/s for {q(n)} connections every {dur(dur_l.value)})",
                f"request WebSocket connect rate ≥ {ask(ctx, peak, '/s')}; spread reconnects with jitter")


def _connect_peak(ctx):
    w = _ws(ctx)
    n = num(w.get("connections"))
    dur_l = ctx.limit("apigateway.websocket_connection_duration")
    reconnect = n / dur_l.value if n is not None and dur_l.value else Decimal(0)
    return max(num(w.get("connect_peak_rps"), Decimal(0)), reconnect), reconnect, n, dur_l


def _quiet_rate(ctx) -> Decimal | None:
    """Messages one connection receives per second at the active hours' average (the quiet time):
    updates/s × recipients per update ÷ connections."""
    w = _ws(ctx)
    n, recipients = num(w.get("connections")), num(w.get("recipients_per_message"))
    if not n or recipients is None:
        return None
    st = next((s for s in ctx.plan.stages if s.role == "publisher"), None)
    avg = Decimal(st.traffic.average_rps) if st is not None else num(w.get("messages_average_rps"))
    if avg is None:
        return None
    return avg * recipients / n


@check("WS-IDLE", "Longest gap between messages on a connection vs the 10-minute idle timeout",
       ("apigateway.websocket_idle_timeout", "apigateway.websocket_connection_duration"),
       "gap ≈ 1 ÷ (average updates/s × recipients ÷ connections) ≤ 600 s, else heartbeats N / 600 s; session ≤ 2 h",
       A4, measures="how long a connection goes without a message (server pushes keep it alive) against the idle timeout")
def idle(ctx):
    w = _ws(ctx)
    if not w:
        return
    lim = ctx.limit("apigateway.websocket_idle_timeout")
    per_conn = _quiet_rate(ctx)
    if per_conn is None:
        ctx.needs("websocket.connections and recipients_per_message (how often a connection gets a message)")
    else:
        gap = Decimal(1) / per_conn if per_conn > 0 else INF
        n = num(w.get("connections"), Decimal(0))
        f = ctx.finding(gap, lim, "s", f"a connection receives ≈ {q(per_conn, 2)} messages/s at the average rate "
                        f"(one every {dur(gap)}); API Gateway closes connections idle for {dur(lim.value)}",
                        f"send a heartbeat (or have clients ping) more often than every {dur(lim.value)}: "
                        f"≥ {q(n / lim.value)} messages/s for {q(n)} connections", subject="idle")
        if f.status == "fail":
            f.status = "warn"  # advice: clients that reconnect on close (or ping) keep working
    sess = num(w.get("session_s"))
    if sess is not None:
        d = ctx.limit("apigateway.websocket_connection_duration")
        ctx.finding(sess, d, "s", f"sessions last {dur(sess)}; connections are closed after {dur(d.value)}",
                    "reconnect on close (1001) and resubscribe", subject="duration", quota=d.quota.id)


@check("WS-FRAME", "WebSocket message larger than one 32 KB frame", ("apigateway.websocket_frame_size",),
       "message size ≤ 32 KB per frame (≤ 128 KB message, see PAYLOAD-SIZE)", A4, severity="warning",
       measures="message size against one 32 KB frame (larger messages must be split into frames)")
def frame(ctx):
    size = num(_ws(ctx).get("message_size_kb"))
    if size is None:
        return
    lim = ctx.limit("apigateway.websocket_frame_size")
    f = ctx.finding(size, lim, "KB", f"{q(size)} KB messages against {q(lim.value)} KB frames",
                    "send smaller updates or split messages into frames client libraries reassemble")
    if f.status == "fail":
        f.status = "warn"  # advice: a message up to 128 KB still goes through as several frames
