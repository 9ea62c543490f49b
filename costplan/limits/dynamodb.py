"""DynamoDB on-demand tables: request units per second at the peak against the per-table throughput
quota (40,000 WRU/s and 40,000 RRU/s by default). Beyond it requests are throttled whatever the
capacity mode promises; the quota is adjustable."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import ceil, dur, num, q
from costplan.limits.model import check

D6 = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode-max-throughput.html"


@check("DYNAMODB-TABLE-THROUGHPUT", "DynamoDB on-demand table throughput at the peak",
       ("dynamodb.on_demand_table_wru", "dynamodb.on_demand_table_rru"),
       "peak events/s × request units per event (writes: item KB rounded up; reads: 4 KB units, ½ if "
       "eventually consistent) ≤ per-table on-demand quota", D6,
       measures="request units per second at the peak against the per-table on-demand maximum")
def table_throughput(ctx):
    for t in ctx.facts.get("dynamodb") or []:
        name = str(t.get("table") or "table")
        for key, qid, unit, kind in (("write_peak_wru_s", "dynamodb.on_demand_table_wru", "WRU/s", "writes"),
                                     ("read_peak_rru_s", "dynamodb.on_demand_table_rru", "RRU/s", "reads")):
            needed = num(t.get(key))
            if needed is None or needed <= 0:
                continue
            lim = ctx.limit(qid)
            over = needed / lim.value if lim.value else Decimal(0)
            ctx.finding(needed, lim, unit, f"{name}: {q(needed)} {unit} of {kind} at the peak",
                        f"request a per-table quota ≥ {q(ceil(needed))} {unit} ({lim.quota.quota_code if lim.quota and lim.quota.quota_code else qid}), "
                        f"or spread the {kind} over {q(ceil(over))} tables (or smaller items)",
                        subject=name, quota=qid)


D7 = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html"
D8 = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"


def _doublings(need: Decimal, start: Decimal, multiple: Decimal) -> int:
    """How many times on-demand capacity must grow by `multiple` from `start` to reach `need`."""
    n, cap = 0, start
    while cap < need and n < 64 and multiple > 1:
        cap *= multiple
        n += 1
    return n


@check("DYNAMODB-WARM-THROUGHPUT", "New or idle on-demand table: throughput it serves at once vs the peak",
       ("dynamodb.on_demand_initial_wru", "dynamodb.on_demand_initial_rru", "dynamodb.on_demand_peak_multiple"),
       "peak WRU/s ≤ 4,000 (RRU/s ≤ 12,000) on a new or idle table — or 2 × the previous peak; above it the table "
       "throttles and grows ×2 per 30 min: t ≈ 30 min × ⌈log₂(peak ÷ 4,000)⌉", D7,
       measures="the table's first peak against what a new or idle on-demand table serves at once (pre-warm it)")
def warm_throughput(ctx):
    queue_fed = bool(ctx.facts.get("queues"))
    mult = ctx.limit("dynamodb.on_demand_peak_multiple").value
    for t in ctx.facts.get("dynamodb") or []:
        name = str(t.get("table") or "table")
        for key, qid, unit, kind, param in (
                ("write_peak_wru_s", "dynamodb.on_demand_initial_wru", "WRU/s", "writes", "WriteUnitsPerSecond"),
                ("read_peak_rru_s", "dynamodb.on_demand_initial_rru", "RRU/s", "reads", "ReadUnitsPerSecond")):
            need = num(t.get(key))
            if need is None or need <= 0:
                continue
            lim = ctx.limit(qid)
            steps = _doublings(need, lim.value, mult)
            ramp = Decimal(1800 * steps)
            comfortable = ceil(need * 100 / ctx.warn) if ctx.warn > 0 else ceil(need)
            after = ("throttled writes go back to the queue and are retried: the backlog waits" if queue_fed
                     else "callers are throttled (ProvisionedThroughputExceededException) meanwhile")
            ctx.finding(need, lim, unit,
                        f"{name}: {q(need)} {unit} of {kind} at the peak; a new or idle on-demand table serves "
                        f"{q(lim.value)} at once and grows ×{q(mult)} per 30 min — ≈ {dur(ramp)} to reach the peak; "
                        f"{after}",
                        f"pre-warm {name} to {q(comfortable)} {unit} before the peak (UpdateTable WarmThroughput "
                        f"{param}={q(comfortable)}; billed once), then record it as quotas: {qid}: {q(comfortable)}",
                        subject=name, quota=qid, delay_s=ramp if queue_fed and steps else None)


@check("DYNAMODB-HOT-KEY", "One partition key's request units vs a partition's 1,000 WRU / 3,000 RRU",
       ("dynamodb.partition_wru", "dynamodb.partition_rru"),
       "hot key WRU/s ≤ 1,000 and RRU/s ≤ 3,000 (one key lives on one partition); shards = ⌈hot ÷ 1,000⌉", D8,
       measures="request units on the busiest single key (a running tally, a counter) against one partition")
def hot_key(ctx):
    for t in ctx.facts.get("dynamodb") or []:
        name = str(t.get("table") or "table")
        key_name = str(t.get("hot_key") or "the hottest key")
        for key, qid, unit in (("hot_key_wru_s", "dynamodb.partition_wru", "WRU/s"),
                               ("hot_key_rru_s", "dynamodb.partition_rru", "RRU/s")):
            need = num(t.get(key))
            if need is None or need <= 0:
                continue
            lim = ctx.limit(qid)
            shards = ceil(need * 100 / (lim.value * ctx.warn)) if ctx.warn > 0 and lim.value else 1
            ctx.finding(need, lim, unit, f"{name}: {key_name} takes {q(need)} {unit} at the peak; one partition "
                        f"serves {q(lim.value)} whatever the table's capacity — adaptive capacity cannot split a key",
                        f"shard {key_name} over ≥ {q(shards)} keys (suffix 0–{q(shards - 1)}, sum on read), or count "
                        f"through a queue/stream and write the total in batches", subject=name, quota=qid)
