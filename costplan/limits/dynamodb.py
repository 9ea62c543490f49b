"""DynamoDB on-demand tables: request units per second at the peak against the per-table throughput
quota (40,000 WRU/s and 40,000 RRU/s by default). Beyond it requests are throttled whatever the
capacity mode promises; the quota is adjustable."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import ceil, num, q
from costplan.limits.model import check

D6 = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode-max-throughput.html"


@check("DYNAMODB-TABLE-THROUGHPUT", "DynamoDB on-demand table throughput at the peak",
       ("dynamodb.on_demand_table_wru", "dynamodb.on_demand_table_rru"),
       "peak events/s × request units per event (writes: item KB rounded up; reads: 4 KB units, ½ if "
       "eventually consistent) ≤ per-table on-demand quota", D6)
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
