"""IoT Core (MQTT notify): connect storms, publish rate per connection and per account, fan-out outbound."""
from __future__ import annotations


from costplan.limits.calc import ask, dur, num, q
from costplan.limits.model import check

T1 = "https://docs.aws.amazon.com/general/latest/gr/iot-core.html"


def _m(ctx):
    m = ctx.facts.get("mqtt") or {}
    return m if isinstance(m, dict) else {}


@check("IOT-CONNECT-RATE", "MQTT connect storm vs CONNECT/s per account", ("iot.connect_rate", "iot.connections"),
       "connect/s ≤ 500; reconnect storm t = devices / CONNECT rate; devices ≤ 500,000", T1)
def connect(ctx):
    m = _m(ctx)
    if not m:
        return
    rate = ctx.limit("iot.connect_rate")
    devices = num(m.get("devices"))
    if devices is not None:
        conns = ctx.limit("iot.connections")
        ctx.finding(devices, conns, "connections", f"{q(devices)} devices connected at once",
                    f"request IoT connections ≥ {ask(ctx, devices)}", subject="connections", quota=conns.quota.id)
    cps = num(m.get("connect_peak_rps"))
    if cps is None:
        return
    ctx.shares["iot_connect_rps"] = cps
    storm = f"; a full reconnect of {q(devices)} devices takes {dur(devices / rate.value)}" if devices and rate.value else ""
    ctx.finding(cps, rate, "connects/s", f"{q(cps)} CONNECT/s at the peak against {q(rate.value)}/s{storm}",
                f"request CONNECT rate ≥ {ask(ctx, cps, '/s')}, and make clients reconnect with jittered back-off",
                subject="connect")


@check("IOT-PUBLISH-RATE", "MQTT publish per connection and per account (inbound/outbound)",
       ("iot.publish_per_connection", "iot.inbound_publish_rate", "iot.outbound_publish_rate"),
       "per device ≤ 100/s; inbound ≤ 20,000/s; outbound = inbound × subscribers ≤ 20,000/s", T1)
def publish(ctx):
    m = _m(ctx)
    if not m:
        return
    per = num(m.get("publish_per_device_rps"))
    if per is not None:
        ctx.finding(per, ctx.limit("iot.publish_per_connection"), "messages/s",
                    f"{q(per)} publishes/s per connection", "batch several updates per message", subject="per connection")
    pub = num(m.get("publish_peak_rps"))
    if pub is not None:
        ctx.shares["iot_inbound_rps"] = pub
        lim = ctx.limit("iot.inbound_publish_rate")
        ctx.finding(pub, lim, "messages/s", f"{q(pub)} inbound publishes/s", f"request inbound publish ≥ {ask(ctx, pub, '/s')}",
                    subject="inbound")
    out = num(m.get("outbound_peak_rps"))
    if out is None and pub is not None and num(m.get("subscribers_per_topic")) is not None:
        out = pub * num(m.get("subscribers_per_topic"))
    if out is not None:
        ctx.shares["iot_outbound_rps"] = out
        lim = ctx.limit("iot.outbound_publish_rate")
        ctx.finding(out, lim, "messages/s", f"{q(out)} outbound messages/s (publishes × subscribers per topic)",
                    f"request outbound publish ≥ {ask(ctx, out, '/s')}, or coalesce updates per topic", subject="outbound")
