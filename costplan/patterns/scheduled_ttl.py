"""Scheduling (TTL): items written with an expiry attribute; DynamoDB TTL deletes them and the stream
invokes a Lambda that acts on the expiry (the article's temporary account bans). TTL deletes are
best-effort — typically within a few days — so this is only for work with a loose deadline."""
from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan import units
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import (PatternSettings, derived, ecs_facts, ecs_queue, log_assumption, logs, num, on_ecs,
                                      rru, stage, svc, table, wru)
from costplan.scenario import KB, Count, Name, Number, Rate, Seconds


class Settings(PatternSettings):
    required_precision_s: Seconds = Field(..., description="how late after its expiry an item may be handled "
                                                           "(required: TTL deletes can lag by days)")
    ttl_attribute: Name = Field("expires_at", description="the table's TTL attribute (epoch seconds)")
    item_size_kb: KB = Field(Decimal(1), description="item size")
    average_ttl_days: Number = Field(Decimal(7), description="average time an item lives before it expires")
    reads_per_item: Number = Field(Decimal(0), description="reads of each item while it lives (e.g. ban checks)")
    writes_on_expiry: Number = Field(Decimal(1), description="writes the expiry handler makes (e.g. lift the ban)")
    records_per_invocation: Number = Field(Decimal(1), description="TTL deletes per handler invocation "
                                                                   "(TTL trickles, so batches stay small)")
    filter_ttl_deletes: bool = Field(True, description="an event filter passes only TTL REMOVE records; "
                                                       "otherwise the handler also runs for every insert")
    stream_shards: Count = Field(Decimal(1), description="ECS design: stream shards the pipe reads (a small table "
                                                         "has one per partition)")
    stream_polls_per_s: Rate = Field(Decimal(4), description="ECS design: GetRecords calls per shard per second by "
                                                             "the pipe (Lambda's documented base rate for DynamoDB "
                                                             "streams; Pipes does not state its own)")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    items = t.monthly_requests
    records = items if s.filter_ttl_deletes else items * 2
    invocations = records / s.records_per_invocation
    handler = stage(scenario, "expiry-handler", "consumer",
                    derived(t, invocations, t.peak_rps / s.records_per_invocation), primary=True)
    w_units = wru(s.item_size_kb)
    table_usage = {"monthly_write_request_units": items * w_units + items * s.writes_on_expiry * w_units,
                   "monthly_read_request_units": items * s.reads_per_item * rru(s.item_size_kb),
                   "storage_gb": items * s.average_ttl_days / 30 * s.item_size_kb / 1024 / 1024,
                   "monthly_ttl_deletes": items}
    log_lines = logs([handler], s)
    services = [svc("dynamodb", {**table_usage, "stream_reads_from_lambda": True}, "table")] + log_lines
    lam = Design("lambda", "DynamoDB TTL → Streams → Lambda handler", None, [handler], services)
    # ECS: DynamoDB Streams invokes only Lambda directly; an EventBridge Pipe reads the stream (its GetRecords
    # are charged: only Lambda triggers' and global tables' reads are free), filters the TTL deletes and sends
    # them to SQS, which the ECS service long-polls.
    get_records = s.stream_shards * s.stream_polls_per_s * units.SECONDS_PER_MONTH
    q, q_text = ecs_queue(scenario, "expiries queue", handler, invocations, s.item_size_kb)
    ecs = Design("ecs", "DynamoDB TTL → Streams → EventBridge Pipe → SQS → ECS expiry service", None,
                 on_ecs([handler], {}),
                 [svc("dynamodb", {**table_usage, "stream_reads_from_lambda": False,
                                   "monthly_stream_read_request_units": get_records}, "table"),
                  svc("eventbridge", {"pipes_requests": invocations, "event_size_kb": s.item_size_kb}, "pipe"),
                  q] + log_lines,
                 assumptions=[
                     "ECS design: DynamoDB Streams triggers only Lambda directly, so an EventBridge Pipe reads the "
                     "stream" + (", passes only TTL REMOVE records" if s.filter_ttl_deletes else "") + " and sends "
                     "them to an SQS queue that the expiry service long-polls.",
                     f"The pipe's GetRecords calls are stream read request units ({s.stream_shards} shard(s) × "
                     f"{s.stream_polls_per_s}/s = {num(get_records)} a month; only Lambda triggers' reads are free); "
                     f"Pipes bills {num(invocations)} requests after filtering.", q_text])
    assumptions = [
        f"{num(items)} items a month are written with a {s.ttl_attribute} TTL and expire after "
        f"{s.average_ttl_days} days on average; TTL deletes are free and their stream records are read by "
        f"Lambda at no charge.",
        f"The stream handler runs {num(invocations)} times ({s.records_per_invocation} record(s) per invocation"
        + (", TTL REMOVE records only, by event filter)." if s.filter_ttl_deletes else ", for inserts and deletes)."),
        f"Each expiry makes {s.writes_on_expiry} write(s); each item is read {s.reads_per_item} time(s) while it lives.",
        f"Required precision: {s.required_precision_s:,.0f} s after expiry; DynamoDB deletes expired items "
        f"typically within a few days, not at the second.",
        log_assumption(s),
        *ecs.assumptions,
    ]
    summary = (f"TTL timer: {num(items)} items a month expire through DynamoDB TTL; the stream invokes a Lambda "
               f"handler for each expiry (required precision {s.required_precision_s:,.0f} s).")
    facts = {
        "api": None,
        "sync": False,
        "payloads": [{"hop": "dynamodb_item", "size_kb": s.item_size_kb}],
        "ttl": {"attribute": s.ttl_attribute, "required_precision_s": s.required_precision_s,
                "expiry_peak_rps": t.peak_rps},  # expiries follow the creations' shape, one TTL later
        # items are written at the workload's peak; their expiry writes and reads are counted at the same
        # rate (an expiry wave follows the creation wave by the TTL), which is the safe side
        "dynamodb": [table("table", t.peak_rps * (1 + s.writes_on_expiry) * w_units,
                           t.peak_rps * s.reads_per_item * rru(s.item_size_kb))],
    }
    facts["ecs"] = ecs_facts(ecs, [{"name": "expiries queue", "source": "pipe", "fifo": False,
                                    "consumer": "expiry-handler", "receive_batch": 1,
                                    "arrival_peak_rps": t.peak_rps / s.records_per_invocation}])
    return Plan(scenario, "scheduled_ttl", summary, [handler], services, assumptions, facts, lambda_design=lam,
                ecs_design=ecs)
