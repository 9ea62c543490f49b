"""SQS with a Lambda consumer: backlog growth, drain time and oldest-message age vs retention,
in-flight messages, visibility timeout, the event source mapping's caps and ramp, FIFO throughput."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import INF, caps, ceil, dur, floor, num, q, stage
from costplan.limits.model import check
from costplan.limits.quotas import Limit

L12 = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"
L14 = ("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
       "aws-properties-lambda-eventsourcemapping-scalingconfig.html")
S1 = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html"
S4 = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html"
S7 = ("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
      "troubleshooting-fifo-throttling-issues.html")
S8 = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html"


class Q:
    """One queue and its consumer, with the numbers formulas 4–9 need."""

    def __init__(self, ctx, qu: dict):
        self.ctx, self.raw = ctx, qu
        self.name = str(qu.get("name") or "queue")
        self.fifo = bool(qu.get("fifo"))
        self.consumer = stage(ctx.plan, qu.get("consumer"))
        self.arrival = num(qu.get("arrival_peak_rps"))
        self.after = num(qu.get("arrival_average_rps"), Decimal(0))
        self.window = num(qu.get("peak_window_s"))
        c = self.consumer
        self.batch = num(qu.get("batch_size")) or (Decimal(c.batch_size) if c else Decimal(1))
        self.batching_window = num(qu.get("batching_window_s"), Decimal(0))
        self.max_conc = num(qu.get("max_concurrency"))
        if self.max_conc is None and c is not None:
            self.max_conc = num(c.max_concurrency)
        self.reserved = num(c.reserved_concurrency) if c else None
        self.groups = num(qu.get("message_groups"))
        self.d_batch = Decimal(c.traffic.duration_ms) / 1000 if c else None
        self.timeout = num(c.timeout_s) if c else None
        self._c_eff = None

    def ceiling(self) -> Decimal:
        if self.fifo:
            return INF
        return self.ctx.limit("lambda_sqs.esm_ceiling").value

    def c_eff(self) -> Decimal:
        """Concurrent batches the consumer can run: min(MaximumConcurrency, reserved, 1,000, FIFO groups)."""
        if self._c_eff is None:
            self._c_eff = caps(self.max_conc, self.reserved, self.ceiling(), self.groups if self.fifo else None)
        return self._c_eff

    def mu(self) -> Decimal:
        """Formula 5: μ = C_eff · B / D_batch messages/s."""
        if not self.d_batch:
            return INF
        return self.c_eff() * self.batch / self.d_batch

    def demand(self) -> Decimal:
        """Concurrent batches the arrivals would need: λ · D / B."""
        return self.arrival * self.d_batch / self.batch


def queues(ctx, need_arrival=True) -> list[Q]:
    out = []
    for i, qu in enumerate(ctx.facts.get("queues") or []):
        if not isinstance(qu, dict):
            continue
        x = Q(ctx, qu)
        if x.consumer is None:
            ctx.needs(f"queues[{i}].consumer (a stage name) for {x.name}")
            continue
        if need_arrival and x.arrival is None:
            ctx.needs(f"queues[{i}].arrival_peak_rps for {x.name}")
            continue
        out.append(x)
    return out


def _retention(ctx, x: Q):
    r = num(x.raw.get("retention_s"))
    if r is None:
        return ctx.limit("sqs.retention_default")
    return Limit(r, "scenario", ctx.limit("sqs.retention_max").quota)


@check("SQS-BACKLOG", "Queue backlog, drain time and oldest-message age vs retention",
       ("sqs.retention_default", "sqs.retention_max", "lambda_sqs.esm_ceiling"),
       "μ = C_eff·B/D_batch; Q = max(0, (λ_in − μ)·T); t_drain = Q/(μ − λ_after); age ≈ Q/μ < retention", S1,
       designs=("lambda",), measures="backlog, drain time and oldest message age behind the Lambda consumer vs retention")
def backlog(ctx):
    for x in queues(ctx):
        mu = x.mu()
        ret = _retention(ctx, x)
        rate = f"arrivals {q(x.arrival)}/s vs consumer μ = {q(x.c_eff())} × {q(x.batch)} / {q(x.d_batch, 2)} s = {q(mu)}/s"
        if mu <= 0 < x.arrival:
            # MaximumConcurrency 0 (or reserved 0): nothing drains the queue — no time or percentage to show
            ctx.finding(None, ret, "s", f"{x.name}: the consumer can run no batches ({rate}); every message waits "
                        f"until retention ({dur(ret.value)}) deletes it",
                        f"let {x.consumer.name} run: MaximumConcurrency ≥ {q(ctx.limit('lambda_sqs.max_concurrency_min').value)} "
                        f"(2–1,000) and reserved concurrency above 0", subject=x.name, status="fail")
            continue
        if x.arrival <= mu:
            ctx.finding(Decimal(0), ret, "s", f"{x.name}: no backlog — {rate}", subject=x.name)
            continue
        if x.window is None:
            ctx.needs(f"queues[].peak_window_s for {x.name} (arrivals exceed the consumer: {rate})")
            continue
        backlog_msgs = (x.arrival - mu) * x.window
        w = ctx.scenario.workload
        # Arrivals after the peak: none when the peak fills the whole active day, else the average.
        after = Decimal(0) if x.window >= Decimal(w.active_hours_per_day) * 3600 else min(x.after, x.arrival)
        drain = backlog_msgs / (mu - after) if mu > after else INF
        age = backlog_msgs / mu if mu > 0 else INF
        msg = (f"{x.name}: backlog peaks at {q(backlog_msgs)} messages after {dur(x.window)} ({rate}); "
               f"drains in {dur(drain)} at {q(after)}/s later arrivals; oldest message ≈ {dur(age)} old")
        if drain.is_infinite():
            ctx.finding(age, ret, "s", msg, f"raise {x.name}'s consumer concurrency above "
                        f"{q(ceil(after * x.d_batch / x.batch))} — it never catches up", subject=x.name,
                        status="fail")
            continue
        need_c = ceil(backlog_msgs / (ret.value * x.batch / x.d_batch)) if ret.value > 0 else 0
        f = ctx.finding(age, ret, "s", msg, subject=x.name)
        if f.status == "ok":
            f.fix = f"queue drains in {dur(drain)}, under the {dur(ret.value)} retention"
        else:
            f.fix = (f"raise retention to {dur(ctx.limit('sqs.retention_max').value)} (maximum) or the consumer's "
                     f"concurrency to ≥ {q(need_c)}")


@check("SQS-IN-FLIGHT", "In-flight messages per queue", ("sqs.in_flight",),
       "in-flight ≈ C_eff · B ≤ 120,000", S4, designs=("lambda",),
       measures="messages the Lambda consumer holds in flight")
def in_flight(ctx):
    for x in queues(ctx, need_arrival=False):
        c = x.c_eff() if x.arrival is None else min(x.c_eff(), x.demand())
        if c.is_infinite():
            continue
        n = c * x.batch
        lim = ctx.limit("sqs.in_flight")
        ctx.finding(n, lim, "messages", f"{x.name}: {q(c)} concurrent batches × {q(x.batch)} = {q(n)} in flight",
                    f"cap the consumer at {q(floor(lim.value * ctx.warn / 100 / x.batch))} concurrent",
                    subject=x.name)


@check("SQS-VISIBILITY", "Visibility timeout ≥ 6 × function timeout + batching window",
       ("sqs.visibility_timeout_default", "sqs.visibility_timeout_max"), "VT ≥ 6 × timeout + window; VT ≤ 12 h", S8,
       designs=("lambda",), measures="visibility timeout against AWS's 6 × function timeout advice")
def visibility(ctx):
    for x in queues(ctx, need_arrival=False):
        if x.timeout is None:
            continue
        need = 6 * x.timeout + x.batching_window
        mx = ctx.limit("sqs.visibility_timeout_max")
        if need > mx.value:
            ctx.finding(need, mx, "s", f"{x.name}: 6 × {q(x.timeout)} s + {q(x.batching_window)} s = {q(need)} s "
                        f"exceeds the {dur(mx.value)} visibility maximum",
                        f"shorten {x.consumer.name}'s timeout to ≤ {q(floor((mx.value - x.batching_window) / 6))} s",
                        subject=x.name)
            continue
        vt = num(x.raw.get("visibility_timeout_s"))
        lim = ctx.limit("sqs.visibility_timeout_default") if vt is None else Limit(vt, "scenario", mx.quota)
        # AWS's advice, not a capacity: meeting it exactly is ok.
        ctx.finding(need, lim, "s", f"{x.name}: needs ≥ 6 × {q(x.timeout)} s timeout + {q(x.batching_window)} s "
                    f"window = {q(need)} s; visibility timeout is {q(lim.value)} s ({lim.source})",
                    f"set {x.name}'s visibility timeout to ≥ {q(ceil(need))} s so messages are not redelivered "
                    f"while still being processed", subject=x.name, status="ok" if need <= lim.value else "fail")


@check("SQS-ESM-CONCURRENCY", "Consumer maximum concurrency vs reserved, the 2–1,000 range and 1,000-batch ceiling",
       ("lambda_sqs.max_concurrency_min", "lambda_sqs.max_concurrency_max", "lambda_sqs.esm_ceiling"),
       "2 ≤ MaximumConcurrency ≤ min(1,000, reserved); uncapped demand λ·D/B ≤ 1,000", L14, designs=("lambda",),
       measures="the event source mapping's MaximumConcurrency, reserved concurrency and 1,000-batch ceiling")
def esm_concurrency(ctx):
    for x in queues(ctx, need_arrival=False):
        if x.max_conc is not None:
            lo, hi = ctx.limit("lambda_sqs.max_concurrency_min"), ctx.limit("lambda_sqs.max_concurrency_max")
            if x.max_conc < lo.value:
                f = ctx.finding(x.max_conc, lo, "concurrent invokes", f"{x.name}: MaximumConcurrency {q(x.max_conc)} "
                                f"is below the minimum {q(lo.value)} (ScalingConfig accepts 2–1,000)",
                                f"set MaximumConcurrency to ≥ {q(lo.value)}", subject=x.name, quota=lo.quota.id,
                                status="fail")
                f.headroom_pct = f.used_pct = None  # a minimum, not a capacity: no percentage
            else:
                ctx.finding(x.max_conc, hi, "concurrent invokes", f"{x.name}: MaximumConcurrency {q(x.max_conc)} of "
                            f"the {q(hi.value)} allowed", f"cap the consumer at {q(hi.value)} concurrent or fewer",
                            subject=x.name, status="ok" if x.max_conc <= hi.value else "fail")
            if x.reserved is not None:
                ctx.finding(x.max_conc, x.reserved, "concurrent invokes",
                            f"{x.name}: MaximumConcurrency {q(x.max_conc)} vs reserved concurrency {q(x.reserved)} "
                            f"(above it the poller is throttled and messages return to the queue)",
                            f"cap the consumer at {q(x.reserved)} concurrent (≤ reserved concurrency)",
                            subject=x.name, quota="lambda_sqs.max_concurrency_max", source="scenario",
                            status="ok" if x.max_conc <= x.reserved else "fail")
        elif not x.fifo and x.arrival is not None and x.d_batch:
            demand = min(x.demand(), caps(x.reserved))
            ceil_ = ctx.limit("lambda_sqs.esm_ceiling")
            ctx.finding(demand, ceil_, "concurrent invokes",
                        f"{x.name}: uncapped consumer would scale to {q(demand)} concurrent (λ {q(x.arrival)}/s × "
                        f"{q(x.d_batch, 2)} s / {q(x.batch)}), and compete for the account's concurrency",
                        f"cap the consumer at {q(min(ceil(demand), ceil_.value, 1000))} concurrent "
                        f"(ScalingConfig.MaximumConcurrency)", subject=x.name)


@check("SQS-ESM-RAMP", "Event source mapping ramp (+300 concurrent per minute from 5)",
       ("lambda_sqs.initial_concurrency", "lambda_sqs.scale_up_per_minute"),
       "reached in the peak window = 5 + 300/min × T ≥ N = min(1,000, MaximumConcurrency, reserved, λ·D/B); "
       "ramp t ≈ (N − 5) / 300 min", L12, designs=("lambda",),
       measures="concurrent batches the consumer needs against what its +300/min ramp reaches within the peak")
def esm_ramp(ctx):
    for x in queues(ctx):
        if x.fifo or not x.d_batch:
            continue
        n = min(x.demand(), x.c_eff())
        if n.is_infinite() or n <= 0:
            continue
        c0 = ctx.limit("lambda_sqs.initial_concurrency").value
        rate = ctx.limit("lambda_sqs.scale_up_per_minute")
        t = max(Decimal(0), (n - c0) / rate.value * 60) if rate.value > 0 else INF
        if x.window is None:
            ctx.finding(None, rate, "concurrent invokes", f"{x.name}: reaching {q(n)} concurrent takes ≈ {dur(t)} at "
                        f"+{q(rate.value)}/min from {q(c0)}", subject=x.name)
            continue
        reached = Limit(c0 + rate.value * x.window / 60, rate.source, rate.quota)
        # Messages wait in the queue while the consumer ramps: a delay, never a loss.
        delay = max(Decimal(0), t - x.window) if t > x.window else None
        ctx.finding(n, reached, "concurrent invokes",
                    f"{x.name}: needs {q(n)} concurrent batches; from {q(c0)} at +{q(rate.value)}/min it reaches "
                    f"{q(reached.value)} within the {dur(x.window)} peak (full ramp ≈ {dur(t)})",
                    f"expect a backlog while the consumer ramps (≈ {dur(t)}); size retention for it, or start the "
                    f"peak behind a queue that is already draining", subject=x.name, delay_s=delay)


@check("SQS-FIFO-THROUGHPUT", "FIFO throughput (300 API calls/s, 3,000 msg/s batched)",
       ("sqs.fifo_tps", "sqs.fifo_batched_messages_per_s"), "λ_in ≤ 300 × send batch (≤ 3,000 msg/s)", S7)
def fifo_throughput(ctx):
    for x in queues(ctx):
        if not x.fifo:
            continue
        tps = ctx.limit("sqs.fifo_tps")
        batched = ctx.limit("sqs.fifo_batched_messages_per_s")
        send_batch = num(x.raw.get("send_batch_size"), Decimal(1))
        cap = min(tps.value * send_batch, batched.value)
        lim = Limit(cap, tps.source, tps.quota)
        fix = ("batch sends with SendMessageBatch (10 per call, up to "
               f"{q(batched.value)} msg/s)" if send_batch < 10 and x.arrival <= batched.value
               else "use high-throughput FIFO with many message group ids, or shard over several queues")
        ctx.finding(x.arrival, lim, "messages/s", f"{x.name}: {q(x.arrival)} msg/s into a FIFO queue at "
                    f"{q(tps.value)} calls/s × {q(send_batch)} per send", fix, subject=x.name)


@check("SQS-FIFO-GROUPS", "FIFO ordering throughput bounded by active message groups",
       ("sqs.fifo_tps",), "μ_fifo = min(G_active, MaximumConcurrency) · B / D ≥ λ_in", L12)
def fifo_groups(ctx):
    for x in queues(ctx):
        if not x.fifo or not x.d_batch:
            continue
        if x.groups is None:
            ctx.needs(f"queues[].message_groups (active FIFO groups) for {x.name}")
            continue
        mu = x.mu()
        per_group = x.batch / x.d_batch
        need_g = ceil(x.arrival / per_group)
        ctx.finding(x.arrival, mu, "messages/s",
                    f"{x.name}: {q(x.arrival)} msg/s vs min({q(x.groups)} groups, cap {q(x.max_conc)}) × "
                    f"{q(x.batch)} / {q(x.d_batch, 2)} s = {q(mu)} msg/s (one batch in flight per group)",
                    f"spread ordering keys over ≥ {q(need_g)} active message groups"
                    + (f" and cap the consumer at ≥ {q(need_g)}" if x.max_conc is not None and x.max_conc < need_g
                       else ""), subject=x.name, quota="sqs.fifo_tps", source="scenario")
