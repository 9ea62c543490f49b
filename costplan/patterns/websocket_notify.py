"""WebSocket notify: clients hold connections to an API Gateway WebSocket API; $connect/$disconnect and a
subscribe route keep connections and subscriptions tables in DynamoDB; a fan-out Lambda looks up the
subscribers of each update and posts it to every connection (the article's stock explorer).

The ECS design ends the WebSockets at an ALB: an ECS service holds the connections and their
subscriptions in memory and writes each update to its subscribers' sockets, so there are no per-message
or connection-minute charges, no connection handlers and no connections table; the ALB bills capacity
units for the connections it holds and the bytes it carries."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, LoadBalancer, Plan
from costplan.patterns.common import (KB_PER_GB, EcsFrontDoor, PatternSettings, derived, ecs_facts, log_assumption, logs,
                                      num, on_ecs, rru, stage, svc, table, up)
from costplan.scenario import KB, Count, Ms, Number, Seconds


class Settings(PatternSettings):
    peak_connections: Count = Field(Decimal(10_000), description="connections open at the busiest moment")
    sessions_per_month: Count = Field(Decimal(300_000), description="connections opened per month")
    session_minutes: Number = Field(Decimal(60), description="average connection length (API limit 2 h)")
    idle_timeout_s: Seconds = Field(Decimal(600), description="API Gateway idle timeout (10 min)")
    subscriptions_per_connection: Count = Field(Decimal(5), description="topics (symbols) each client follows")
    topics: Count = Field(Decimal(500), description="distinct topics updates are published to")
    message_size_kb: KB = Field(Decimal("0.5"), description="update size (metered per 32 KB)")
    post_ms: Ms = Field(Decimal(4), description="fan-out time per PostToConnection call (SDK, kept-alive)")
    handler_duration_ms: Ms = Field(Decimal(30), description="$connect/$disconnect/subscribe handler duration")
    connect_surge_s: Seconds = Field(Decimal(300), description="time over which the peak's connections open")
    record_kb: KB = Field(Decimal("0.2"), description="size of one subscription record read by the fan-out")
    ecs_front_door: EcsFrontDoor = Field(
        "alb", description="what clients connect to on the ECS design: alb (an ALB ends the WebSockets at an ECS "
                           "service that holds them; default) or apigateway (keep the WebSocket API, its Lambda "
                           "connection handlers and tables; the ECS service only fans out through @connections)")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    updates = t.monthly_requests
    conn_minutes = s.sessions_per_month * s.session_minutes
    # Connections open on average while traffic flows; recipients per update = connections following a topic.
    avg_conn = conn_minutes * 60 / t.active_seconds if t.active_seconds else Decimal(0)
    per_topic = s.subscriptions_per_connection / s.topics
    recipients_avg, recipients_peak = avg_conn * per_topic, s.peak_connections * per_topic
    posts = updates * recipients_avg
    posts_peak = t.peak_rps * recipients_peak
    fan_ms = w.duration_ms + s.post_ms * recipients_avg
    fanout = stage(scenario, "fanout", "publisher", derived(t, updates, t.peak_rps, fan_ms), primary=True)
    subscribes = s.sessions_per_month * s.subscriptions_per_connection
    handler_calls = s.sessions_per_month * 2 + subscribes
    handlers = stage(scenario, "connection-handlers", "api",
                     derived(t, handler_calls, s.peak_connections / s.connect_surge_s * 2, s.handler_duration_ms),
                     memory_mb=Decimal(128), timeout_s=Decimal(3), ecs_capable=False)
    # Fan-out reads the topic's subscriptions with one Query (eventually consistent, 4 KB per unit).
    query_rru = rru(up(recipients_avg) * s.record_kb)
    inbound = subscribes
    ws_api = svc("apigateway_websocket", {"monthly_messages": posts + inbound, "message_size_kb": s.message_size_kb,
                                          "monthly_connection_minutes": conn_minutes}, "websocket api")
    tables = svc("dynamodb", {"monthly_write_request_units": s.sessions_per_month * 2 + subscribes * 2,
                              "monthly_read_request_units": updates * query_rru, "storage_gb": Decimal("0.1")},
                 "connections + subscriptions")
    fan_logs, handler_logs = logs([fanout, handlers], s)
    # Every post leaves AWS to a client on the internet: data transfer out at the standard rates, through the
    # WebSocket API (API Gateway bills it on its own price list) or the ALB alike. Subscribe messages come in
    # (free). WebSocket frame headers (2–14 bytes) are not counted.
    pushes = svc("data_transfer", {"monthly_messages": posts, "message_size_kb": s.message_size_kb}, "websocket pushes")
    push_gb = posts * s.message_size_kb / KB_PER_GB
    services = [ws_api, tables, fan_logs, handler_logs, pushes]
    lam = Design("lambda", "WebSocket API → Lambda connection handlers + Lambda fan-out → DynamoDB "
                           "(connections, subscriptions)", "apigateway_websocket", [fanout, handlers], services)
    if s.ecs_front_door == "apigateway":
        on_lambda = {"connection-handlers": "the WebSocket API's $connect/$disconnect/subscribe routes invoke them"}
        ecs = Design("ecs", "WebSocket API → Lambda connection handlers; ECS fan-out service → DynamoDB → "
                            "@connections", "apigateway_websocket", on_ecs([fanout, handlers], on_lambda), services,
                     on_lambda=on_lambda,
                     assumptions=["ECS design: the WebSocket API stays the front door (settings.ecs_front_door: "
                                  "apigateway): every post is still a WebSocket API message; only the fan-out moves "
                                  "to an ECS service."])
    else:
        # ALB capacity units for WebSockets follow connections and bytes, not requests: while the market is open,
        # the connections open on average, the rate they open at and the bytes of updates and subscribe messages.
        lcu = {"new_connections_per_s": s.sessions_per_month / t.active_seconds,
               "active_connections": avg_conn,
               "processed_gb_per_hour": (posts + inbound) * s.message_size_kb / KB_PER_GB / t.active_hours,
               "active_hours": t.active_hours}
        # one service replaces the fan-out function and the connection handlers: it does the fan-out's work
        server = replace(fanout, name="websocket-server", role="api", ecs_capable=True)
        lb = None if scenario.ecs.load_balancer == "none" else LoadBalancer("alb_websocket", [server.name], lcu=lcu)
        ecs = Design("ecs", "ALB (WebSocket) → ECS WebSocket service (connections and subscriptions in memory)",
                     "alb_websocket" if lb else None, [server], logs([server], s) + [pushes], load_balancer=lb,
                     removed=["WebSocket API: the ALB ends the WebSockets (no per-message or connection-minute "
                              "charge)",
                              "fanout and connection-handlers functions: the websocket-server service accepts "
                              "connections and subscribe messages and fans out itself",
                              "connections + subscriptions table: a connection's subscriptions live in the task "
                              "that holds it and end with it"],
                     assumptions=[
                         "ECS design: an ALB ends the WebSockets (no 2 h connection limit; its idle timeout, up to "
                         "4,000 s, is kept open by client pings) at an ECS service that holds each connection and "
                         "its subscriptions in memory and writes each update to its subscribers' sockets.",
                         "The feed delivers each update to every task, as it invokes the fan-out function in the "
                         "Lambda design (the feed is outside the pattern on both sides); the service is sized for "
                         f"the fan-out's work per update ({fan_ms:,.1f} ms), though a socket write costs less than "
                         "a PostToConnection call.",
                         f"ALB capacity while the market is open: {lcu['active_connections']:,.0f} connections open "
                         f"on average (3,000 per LCU), {lcu['new_connections_per_s']:,.2f} new per second (25 per "
                         f"LCU), {lcu['processed_gb_per_hour']:,.2f} GB an hour of updates (1 GB per LCU): the "
                         "largest is billed, for {:,.0f} h a month.".format(t.active_hours)]
                     + ([] if lb else ["No load balancer is priced (ecs.load_balancer: none): clients reach the "
                                       "tasks some other way."]))
    assumptions = [
        f"{num(s.sessions_per_month)} sessions of {s.session_minutes} min = {num(conn_minutes)} connection minutes; "
        f"{avg_conn:,.0f} connections open on average while active, {num(s.peak_connections)} at the peak.",
        f"Each client follows {s.subscriptions_per_connection} of {num(s.topics)} topics: an update reaches "
        f"{recipients_avg:,.1f} connections on average ({recipients_peak:,.1f} at the peak).",
        f"WebSocket messages = {num(posts)} posts to connections + {num(inbound)} subscribe messages; connect and "
        f"disconnect are not billed as messages.",
        f"Data transfer out for the pushes, on both designs: {num(posts)} posts × {s.message_size_kb} KB = "
        f"{push_gb:,.2f} GB a month to the internet (KB = 1,024 bytes, GB = 1,024³; the first 100 GB a month are "
        f"free across the account, shared with the responses).",
        f"The fan-out Lambda runs {w.duration_ms} ms + {s.post_ms} ms per post ({fan_ms:,.1f} ms per update) and "
        f"reads the topic's subscriptions with one Query ({query_rru} RRU).",
        "$connect, $disconnect and subscribe each write (put/delete) one item.",
        log_assumption(s),
        *ecs.assumptions,
    ]
    summary = (f"WebSocket notify: {num(updates)} updates a month (peak {t.peak_rps:,.1f}/s) posted to "
               f"{recipients_avg:,.1f} subscribed connections each through an API Gateway WebSocket API "
               f"({num(s.peak_connections)} connections at the peak).")
    facts = {
        "api": "websocket",
        "sync": False,
        "payloads": [{"hop": "websocket", "size_kb": s.message_size_kb}],
        "websocket": {"connections": s.peak_connections, "connect_peak_rps": s.peak_connections / s.connect_surge_s,
                      "messages_peak_rps": t.peak_rps, "recipients_per_message": recipients_peak,
                      "posts_peak_rps": posts_peak, "session_s": s.session_minutes * 60,
                      "idle_s": s.idle_timeout_s, "message_size_kb": s.message_size_kb},
        # the connect surge writes a connection item and its subscriptions; each update queries its topic
        "dynamodb": [table("connections + subscriptions",
                           s.peak_connections / s.connect_surge_s * (1 + s.subscriptions_per_connection),
                           t.peak_rps * rru(up(recipients_peak) * s.record_kb))],
    }
    facts["ecs"] = ecs_facts(ecs)
    return Plan(scenario, "websocket_notify", summary, [fanout, handlers], services, assumptions, facts,
                lambda_design=lam, ecs_design=ecs)
