"""Sequential convoy: transactions enter a FIFO queue, a processor Lambda enriches them in order and
sends them to a second FIFO queue grouped by order id, where competing consumers handle each group
in order while different groups run in parallel (the article's ledger)."""
from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import (PatternSettings, derived, ecs_facts, ecs_queue, log_assumption, logs, num, on_ecs,
                                      stage, svc, table, timeout_for, wru)
from costplan.scenario import KB, Count, EsmConcurrency, FifoBatchSize, Ms, Number, Seconds


class Settings(PatternSettings):
    message_groups: Count = Field(Decimal(100), description="order ids with messages in flight at the peak")
    message_size_kb: KB | None = Field(None, description="message size (default: the request size)")
    processor_batch_size: FifoBatchSize = Field(Decimal(10), description="processor batch (FIFO: at most 10)")
    processor_max_concurrency: EsmConcurrency | None = Field(
        None, description="processor event source mapping cap (null = bounded by message groups only)")
    send_batch_size: FifoBatchSize = Field(Decimal(10), description="messages per SendMessageBatch to the grouped queue")
    consumer_batch_size: FifoBatchSize = Field(Decimal(1), description="consumer batch (FIFO: at most 10)")
    consumer_duration_ms: Ms = Field(Decimal(80), description="consumer work per message (ledger write)")
    consumer_max_concurrency: EsmConcurrency | None = Field(Decimal(50), description="consumer event source mapping cap")
    ledger_writes_per_message: Number = Field(Decimal(2), description="DynamoDB writes per message "
                                                                      "(transactional writes count 2)")
    item_size_kb: KB = Field(Decimal(1), description="ledger item size")
    storage_gb: Number = Field(Decimal(5), description="ledger table size (GB-months)")
    retention_s: Seconds = Field(Decimal(4 * 86400), description="queue retention")
    dlq: bool = Field(True, description="dead-letter queues behind both FIFO queues")
    max_receive_count: Count = Field(Decimal(3), description="receives before a message goes to the DLQ")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    msgs = t.monthly_requests
    size = s.message_size_kb if s.message_size_kb is not None else w.request_size_kb
    pb, cb, sb = int(s.processor_batch_size), int(s.consumer_batch_size), int(s.send_batch_size)
    p_ms = w.duration_ms * pb
    c_ms = s.consumer_duration_ms * cb
    p_inv, c_inv = msgs / pb, msgs / cb
    p_t = derived(t, p_inv, t.peak_rps / pb, p_ms, size * pb)
    c_t = derived(t, c_inv, t.peak_rps / cb, c_ms, size * cb)
    p_timeout = timeout_for(p_t.p99_duration_ms) if scenario.lambda_.timeout_s is None else scenario.lambda_.timeout_s
    processor = stage(scenario, "processor", "consumer", p_t, timeout_s=p_timeout, batch_size=pb,
                      max_concurrency=s.processor_max_concurrency, primary=True)
    consumer = stage(scenario, "consumer", "consumer", c_t, timeout_s=timeout_for(c_t.p99_duration_ms), batch_size=cb,
                     max_concurrency=s.consumer_max_concurrency)
    sends_out = msgs / sb
    in_requests = msgs + 2 * p_inv  # send + receive + delete per batch
    out_requests = sends_out + 2 * c_inv
    ledger = svc("dynamodb", {"monthly_write_request_units": msgs * s.ledger_writes_per_message * wru(s.item_size_kb),
                              "storage_gb": s.storage_gb}, "ledger table")
    log_lines = logs([processor, consumer], s)
    services = [
        svc("sqs", {"monthly_requests": in_requests, "message_size_kb": size, "fifo": True}, "transactions.fifo"),
        svc("sqs", {"monthly_requests": out_requests, "message_size_kb": size, "fifo": True}, "ledger.fifo"),
        ledger,
    ] + log_lines
    lam = Design("lambda", "SQS FIFO → Lambda processor → SQS FIFO (grouped) → Lambda consumers → DynamoDB", None,
                 [processor, consumer], services)
    q_in, t_in = ecs_queue(scenario, "transactions.fifo", processor, msgs, size, fifo=True)
    q_out, t_out = ecs_queue(scenario, "ledger.fifo", consumer, msgs, size, fifo=True, sends=sends_out)
    ecs = Design("ecs", "SQS FIFO → ECS processor service → SQS FIFO (grouped) → ECS consumer service → DynamoDB",
                 None, on_ecs([processor, consumer], {}), [q_in, q_out, ledger] + log_lines,
                 assumptions=["ECS design: the processor and the consumers are ECS services long-polling the same "
                              "FIFO queues; SQS hides a message group's later messages until its in-flight ones are deleted, so "
                              "order per group holds as on Lambda.",
                              t_in, t_out])
    groups = s.message_groups
    c_conc = groups if s.consumer_max_concurrency is None else min(groups, s.consumer_max_concurrency)
    assumptions = [
        f"Transactions queue: {num(msgs)} sends + {num(p_inv)} receives + {num(p_inv)} deletes "
        f"(processor batches of {pb}).",
        f"Ledger queue: {num(sends_out)} SendMessageBatch calls of {sb} + {num(c_inv)} receives + {num(c_inv)} "
        f"deletes (consumer batches of {cb}).",
        f"At most {num(groups)} order ids have messages in flight, so at most {num(c_conc)} consumers run at once: "
        f"one in-flight batch per message group.",
        f"Each ledger entry is {s.ledger_writes_per_message} write request unit(s) per KB "
        f"({s.item_size_kb} KB items).",
        "The producers that send transactions are outside this pattern.",
        log_assumption(s),
        *ecs.assumptions,
    ]
    summary = (f"Sequential convoy: {num(msgs)} transactions a month (peak {t.peak_rps:,.1f}/s) pass through a FIFO "
               f"queue, an in-order processor and a second FIFO queue grouped by order id "
               f"({num(groups)} active groups) to competing ledger consumers.")
    window = w.active_hours_per_day * 3600 / w.peak_to_average

    def q(name, consumer_name, batch, cap, arrival_peak, arrival_avg, timeout):
        return {"name": name, "fifo": True, "arrival_peak_rps": arrival_peak, "arrival_average_rps": arrival_avg,
                "peak_window_s": window, "consumer": consumer_name, "batch_size": batch, "batching_window_s": 0,
                "max_concurrency": cap, "retention_s": s.retention_s, "visibility_timeout_s": timeout * 6,
                "message_groups": groups, "dlq": s.dlq, "max_receive_count": s.max_receive_count}

    facts = {
        "api": None,
        "sync": False,
        "payloads": [{"hop": "sqs", "size_kb": size}, {"hop": "dynamodb_item", "size_kb": s.item_size_kb}],
        "queues": [q("transactions.fifo", "processor", pb, s.processor_max_concurrency, t.peak_rps, t.average_rps,
                     processor.timeout_s),
                   q("ledger.fifo", "consumer", cb, s.consumer_max_concurrency, t.peak_rps, t.average_rps,
                     consumer.timeout_s)],
        # the ledger takes every transaction; at the arrival peak if the consumers keep up (FIFO-GROUPS says)
        "dynamodb": [table("ledger table", t.peak_rps * s.ledger_writes_per_message * wru(s.item_size_kb))],
    }
    facts["ecs"] = ecs_facts(ecs, [
        {"name": "transactions.fifo", "source": "producer", "fifo": True, "consumer": "processor",
         "receive_batch": min(pb, 10), "arrival_peak_rps": t.peak_rps},
        {"name": "ledger.fifo", "source": "stage", "fifo": True, "consumer": "consumer",
         "receive_batch": min(cb, 10), "arrival_peak_rps": t.peak_rps}])
    return Plan(scenario, "sequential_convoy", summary, [processor, consumer], services, assumptions, facts,
                lambda_design=lam, ecs_design=ecs)
