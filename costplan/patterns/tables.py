"""DynamoDB tables a pattern's functions write per request, declared in a scenario's settings (`tables:`):
priced as on-demand request units and handed to limits-check as `dynamodb` facts, with the busiest
single key (a running tally, a counter) that a partition must carry."""
from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from costplan.patterns.common import rru, table, wru
from costplan.scenario import KB, Fraction, Name, Number, Strict


class TableSpec(Strict):
    name: Name = Field(..., min_length=1, description="table name, as in the findings")
    writes_per_request: Number = Field(Decimal(0), description="items written per request")
    reads_per_request: Number = Field(Decimal(0), description="items read per request (eventually consistent)")
    item_kb: KB = Field(Decimal(1), description="item size (writes: 1 KB units, reads: 4 KB units)")
    hot_key: str | None = Field(None, description="the busiest single key, e.g. 'tally#<candidate>'")
    hot_key_writes_per_request: Number = Field(Decimal(0), description="writes per request that land on that key")
    hot_key_share: Fraction = Field(Decimal(1), description="share of requests that touch the hottest key value "
                                                            "(e.g. the leading candidate's share of votes)")


def facts_and_usage(specs, traffic) -> tuple[list[dict], list[tuple[str, dict, str]]]:
    """([dynamodb facts], [(service, usage, resource)]) for the declared tables at this traffic."""
    facts, usage = [], []
    for t in specs or []:
        w, r = wru(t.item_kb), rru(t.item_kb)
        fact = table(t.name, traffic.peak_rps * t.writes_per_request * w, traffic.peak_rps * t.reads_per_request * r)
        if t.hot_key_writes_per_request:
            fact["hot_key"] = t.hot_key or "the hottest key"
            fact["hot_key_wru_s"] = traffic.peak_rps * t.hot_key_share * t.hot_key_writes_per_request * w
        facts.append(fact)
        usage.append(("dynamodb", {"monthly_write_request_units": traffic.monthly_requests * t.writes_per_request * w,
                                   "monthly_read_request_units": traffic.monthly_requests * t.reads_per_request * r},
                      t.name))
    return facts, usage
