"""Queue-based load leveling: API Gateway sends each request straight to SQS; a Lambda consumer with a
capped concurrency drains the queue into DynamoDB at its own pace (the article's global vote)."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import (PatternSettings, api_front_door, consumer_requests, derived, ecs_facts, ecs_queue,
                                      idle_seconds, log_assumption, logs, num, on_ecs, stage, svc, table, timeout_for,
                                      wru)
from costplan.scenario import KB, BatchingWindow, Count, EsmConcurrency, Ms, Number, Seconds, SqsBatchSize


class Settings(PatternSettings):
    api: Literal["http", "rest"] = Field("http", description="API Gateway type with the SQS SendMessage integration")
    batch_size: SqsBatchSize = Field(Decimal(10), description="messages per consumer invocation (SQS: 1–10,000)")
    batching_window_s: BatchingWindow = Field(Decimal(0), description="maximum batching window of the event source mapping")
    batch_overhead_ms: Ms = Field(Decimal(20), description="fixed time per invocation beyond the per-message work")
    max_concurrency: EsmConcurrency | None = Field(
        Decimal(50), description="event source mapping maximum concurrency (2–1,000; null = no cap)")
    peak_window_s: Seconds | None = Field(
        None, description="how long the arrival peak lasts (default: active hours per day ÷ peak_to_average)")
    message_size_kb: KB | None = Field(None, description="queued message size (default: the request size)")
    retention_s: Seconds = Field(Decimal(4 * 86400), description="queue message retention (SQS default 4 days)")
    visibility_timeout_s: Seconds | None = Field(
        None, description="queue visibility timeout (default: 6 × the consumer timeout + batching window)")
    dlq: bool = Field(True, description="a dead-letter queue receives messages that fail max_receive_count times")
    max_receive_count: Count = Field(Decimal(5), description="receives before a message goes to the DLQ")
    writes_per_message: Number = Field(Decimal(1), description="DynamoDB writes per message")
    item_size_kb: KB = Field(Decimal(1), description="DynamoDB item size")
    storage_gb: Number = Field(Decimal(1), description="DynamoDB table size (GB-months)")
    idle_pollers: Count = Field(
        Decimal(5), description="SQS long-poll receives the Lambda event source makes while the queue is empty "
                                "(at least 5 pollers, one 20 s long poll each)")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    msgs = t.monthly_requests
    batch = int(s.batch_size)
    msg_kb = s.message_size_kb if s.message_size_kb is not None else w.request_size_kb
    batch_ms = s.batch_overhead_ms + w.duration_ms * batch
    # Consumer capacity in messages per second: concurrency × batch ÷ batch duration.
    capacity = (s.max_concurrency * batch * 1000 / batch_ms) if s.max_concurrency is not None else None
    drain_peak = t.peak_rps if capacity is None else min(t.peak_rps, capacity)
    invocations = msgs / batch
    consumer_t = derived(t, invocations, drain_peak / batch, batch_ms, msg_kb * batch)
    timeout = (timeout_for(consumer_t.p99_duration_ms) if scenario.lambda_.timeout_s is None
               else scenario.lambda_.timeout_s)
    # AWS: at least 6 × the function timeout, plus the batching window the poller may wait.
    visibility = (s.visibility_timeout_s if s.visibility_timeout_s is not None
                  else timeout * 6 + s.batching_window_s)
    window = s.peak_window_s if s.peak_window_s is not None else w.active_hours_per_day * 3600 / w.peak_to_average

    consumer = stage(scenario, "consumer", "consumer", consumer_t, timeout_s=timeout, batch_size=batch,
                     max_concurrency=s.max_concurrency, primary=True)

    # SQS requests: one SendMessage per request (the API integration), one ReceiveMessage and one
    # DeleteMessageBatch per consumer batch, and empty long polls while the queue is idle.
    # The event source mapping's pollers receive at most 10 messages per ReceiveMessage and delete them in
    # batches of 10, whatever the function's batch size: a batch of 100 takes 10 receives and 10 deletes.
    receives, deletes, idle_receives = consumer_requests(msgs, batch, s.idle_pollers, idle_seconds(t))
    sqs_requests = msgs + receives + deletes + idle_receives
    gateway = svc(f"apigateway_{s.api}", {"monthly_requests": msgs}, resource="api")
    ddb = svc("dynamodb", {"monthly_write_request_units": msgs * s.writes_per_message * wru(s.item_size_kb),
                           "storage_gb": s.storage_gb}, resource="table")
    log_lines = logs([consumer], s)
    services = [gateway, svc("sqs", {"monthly_requests": sqs_requests, "message_size_kb": msg_kb}, resource="queue"),
                ddb] + log_lines
    door, label = api_front_door(s.api)
    lam = Design("lambda", f"{label} → SQS → Lambda consumer → DynamoDB", door, [consumer], services)
    ecs_sqs, ecs_sqs_text = ecs_queue(scenario, "queue", consumer, msgs, msg_kb)
    ecs = Design("ecs", f"{label} → SQS → ECS consumer service → DynamoDB", door, on_ecs([consumer], {}),
                 [gateway, ecs_sqs, ddb] + log_lines,
                 assumptions=[f"ECS design: API Gateway's SQS integration has no code behind it, so it stays the "
                              f"front door; the consumer service long-polls the queue. {ecs_sqs_text}"])

    backlog = Decimal(0) if capacity is None else max(Decimal(0), (t.peak_rps - capacity) * window)
    assumptions = [
        f"API Gateway ({s.api}) sends each request to SQS with a service integration: no function in front.",
        f"SQS requests = {num(msgs)} sends + {num(receives)} receives + {num(deletes)} deletes (at most 10 "
        f"messages per ReceiveMessage and per DeleteMessageBatch) + {num(idle_receives)} empty long polls ({s.idle_pollers} pollers every 20 s "
        f"while idle).",
        f"One consumer invocation handles {batch} messages in {batch_ms} ms "
        f"({s.batch_overhead_ms} ms + {batch} × {w.duration_ms} ms).",
        f"Each message makes {s.writes_per_message} DynamoDB write(s) of {s.item_size_kb} KB (on-demand).",
        f"The arrival peak of {t.peak_rps:,.0f} req/s lasts {window:,.0f} s.",
        log_assumption(s),
        *ecs.assumptions,
    ]
    if capacity is not None:
        cap_text = f"the consumer drains at most {capacity:,.0f} messages/s ({s.max_concurrency} concurrent)"
        if backlog > 0:
            after = t.average_rps if t.average_rps < capacity else None
            drain = f"drains in {backlog / (capacity - after):,.0f} s" if after is not None else "never drains"
            cap_text += f"; the peak leaves a backlog of {backlog:,.0f} messages that {drain}"
        assumptions.append(cap_text[0].upper() + cap_text[1:] + ".")
    summary = (f"Queue-based load leveling: {num(msgs)} requests a month arrive at up to {t.peak_rps:,.0f}/s "
               f"through API Gateway into SQS; a Lambda consumer (batch {batch}, max concurrency "
               f"{s.max_concurrency if s.max_concurrency is not None else 'uncapped'}) writes them to DynamoDB.")
    facts = {
        "api": s.api,
        "sync": False,
        "payloads": [{"hop": "apigateway", "size_kb": w.request_size_kb}, {"hop": "sqs", "size_kb": msg_kb},
                     {"hop": "dynamodb_item", "size_kb": s.item_size_kb}],
        "queues": [{"name": "queue", "fifo": False, "arrival_peak_rps": t.peak_rps,
                    "arrival_average_rps": t.average_rps, "peak_window_s": window, "consumer": "consumer",
                    "batch_size": batch, "batching_window_s": s.batching_window_s,
                    "max_concurrency": s.max_concurrency, "retention_s": s.retention_s,
                    "visibility_timeout_s": visibility, "message_groups": None, "dlq": s.dlq,
                    "max_receive_count": s.max_receive_count}],
        # the consumer writes as fast as it drains: the ESM cap levels the table's peak too
        "dynamodb": [table("table", drain_peak * s.writes_per_message * wru(s.item_size_kb))],
    }
    facts["ecs"] = ecs_facts(ecs, [{"name": "queue", "source": "api", "fifo": False, "consumer": "consumer",
                                    "receive_batch": min(batch, 10), "arrival_peak_rps": t.peak_rps}])
    return Plan(scenario, "queue_load_leveling", summary, [consumer], services, assumptions, facts,
                lambda_design=lam, ecs_design=ecs)
