"""Claim-check: the client uploads the large object to S3 (a presigned URL from a small API, or through
API Gateway); the S3 notification carries only the key to a Lambda that writes the resized objects
under another prefix or bucket (the article's avatar resize)."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import (ECS_FRONT_DOOR_HELP, KB_PER_GB, EcsFrontDoor, PatternSettings, api_front_door,
                                      derived, ecs_api_door, ecs_facts, ecs_queue, log_assumption, logs, num, on_ecs,
                                      stage, svc)
from costplan.scenario import KB, Count, Ms, Number, S3Prefix


class Settings(PatternSettings):
    upload: Literal["presigned_url", "apigateway"] = Field(
        "presigned_url", description="client PUTs to S3 with a presigned URL from a small API, or through "
                                     "API Gateway's S3 integration (10 MB payload limit)")
    api: Literal["http", "rest"] = Field("http", description="API Gateway type for the upload API")
    url_duration_ms: Ms = Field(Decimal(30), description="presign function duration")
    object_size_kb: KB = Field(Decimal(2048), description="uploaded object size")
    outputs_per_object: Count = Field(Decimal(3), description="resized objects written per upload")
    output_size_kb: KB = Field(Decimal(60), description="average resized object size")
    notification_kb: KB = Field(Decimal(2), description="the S3 event the function receives (the claim check)")
    trigger_prefix: S3Prefix = Field("uploads/", description="prefix whose ObjectCreated events trigger the resize")
    output_prefix: S3Prefix = Field("avatars/", description="where resized objects are written")
    same_bucket_output: bool = Field(False, description="outputs go to the uploads bucket (recursion risk if the "
                                                        "prefixes overlap)")
    original_retention_days: Number = Field(Decimal(7), description="lifecycle rule expiring originals")
    output_storage_gb: Number | None = Field(
        None, description="resized objects kept (default: twelve months of outputs)")
    downloads_per_object: Number = Field(Decimal(0), description="S3 GETs per resized object a month "
                                                                 "(0 when served through a CDN cache)")
    ecs_front_door: EcsFrontDoor = Field("alb", description=ECS_FRONT_DOOR_HELP + " (presigned_url uploads: the "
                                                            "presign API)")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    uploads = t.monthly_requests
    resizer_t = derived(t, uploads, t.peak_rps, w.duration_ms, s.notification_kb)
    resizer = stage(scenario, "resizer", "subscriber", resizer_t, primary=True)
    stages = [resizer]
    gateway = []
    if s.upload == "presigned_url":
        url_t = derived(t, uploads, t.peak_rps, s.url_duration_ms, w.request_size_kb)
        stages.insert(0, stage(scenario, "upload-url", "api", url_t, memory_mb=Decimal(128), timeout_s=Decimal(3)))
        gateway.append(svc(f"apigateway_{s.api}", {"monthly_requests": uploads}, "upload api"))
        up_text = "the client asks a small API for a presigned URL and PUTs the object to S3 directly"
    else:
        api_usage = {"monthly_requests": uploads}
        if s.api == "http":
            api_usage["request_size_kb"] = s.object_size_kb
        gateway.append(svc(f"apigateway_{s.api}", api_usage, "upload api"))
        up_text = "the client PUTs the object through API Gateway's S3 integration"
    originals_gb = uploads * s.object_size_kb / KB_PER_GB
    outputs_gb_month = uploads * s.outputs_per_object * s.output_size_kb / KB_PER_GB
    output_storage = s.output_storage_gb if s.output_storage_gb is not None else outputs_gb_month * 12
    storage = originals_gb * s.original_retention_days / 30 + output_storage
    outputs = uploads * s.outputs_per_object
    puts = uploads + outputs
    gets = uploads + outputs * s.downloads_per_object
    bucket = svc("s3", {"storage_gb": storage, "monthly_put_requests": puts, "monthly_get_requests": gets}, "bucket")
    log_lines = logs(stages, s)
    services = gateway + [bucket] + log_lines
    door, label = api_front_door(s.api)
    q, q_text = ecs_queue(scenario, "uploads queue", resizer, uploads, s.notification_kb)
    if s.upload == "presigned_url":
        lam_chain = f"{label} → Lambda (presign) → S3 → notification → Lambda resizer → S3"
        ecs_door, chain, lb, notes = ecs_api_door(scenario, s.api, s.ecs_front_door, ["upload-url"])
        keep = s.ecs_front_door == "apigateway"
        ecs_chain = f"{chain}ECS service (presign) → S3 → notification → SQS → ECS resizer service → S3"
        removed = [] if keep else [f"{label}: the ALB is the presign service's front door"]
    else:
        lam_chain = f"{label} (S3 integration) → S3 → notification → Lambda resizer → S3"
        ecs_door, lb, keep, removed = door, None, True, []
        notes = ["ECS design: API Gateway's S3 integration has no code behind it, so it stays the front door."]
        ecs_chain = f"{label} (S3 integration) → S3 → notification → SQS → ECS resizer service → S3"
    lam = Design("lambda", lam_chain, door, stages, services)
    ecs = Design("ecs", ecs_chain, ecs_door, on_ecs(stages, {}), (gateway if keep else []) + [bucket, q] + log_lines,
                 load_balancer=lb, removed=removed,
                 assumptions=[*notes, "ECS design: S3 sends the ObjectCreated notification to an SQS queue (S3 event "
                                      "notifications are free; each is a SendMessage on the queue) that the resizer "
                                      "service long-polls.", q_text])
    assumptions = [
        f"Upload: {up_text}; S3 sends an ObjectCreated notification for {s.trigger_prefix} to the resizer "
        f"(S3 event notifications are free).",
        f"S3 PUTs = {num(uploads)} uploads + {num(outputs)} resized objects ({s.outputs_per_object} per upload); "
        f"GETs = {num(uploads)} reads of the originals + {num(outputs * s.downloads_per_object)} downloads.",
        f"Storage: originals ({s.object_size_kb} KB) expire after {s.original_retention_days} days; resized objects "
        f"({s.output_size_kb} KB) kept: {output_storage:,.1f} GB.",
        f"The function receives only the {s.notification_kb} KB notification, not the object (the claim check).",
        log_assumption(s),
        *ecs.assumptions,
    ]
    rate = t.peak_rps
    summary = (f"Claim-check: {num(uploads)} uploads a month of {s.object_size_kb / 1024:,.1f} MB (peak {rate:,.1f}/s) "
               f"land under {s.trigger_prefix}; a Lambda resizes each into {s.outputs_per_object} objects under "
               f"{s.output_prefix}.")
    payloads = [{"hop": "lambda_async", "size_kb": s.notification_kb}]
    if s.upload == "apigateway":
        payloads.insert(0, {"hop": "apigateway", "size_kb": s.object_size_kb})
    else:
        payloads.insert(0, {"hop": "apigateway", "size_kb": w.request_size_kb})
        payloads.insert(1, {"hop": "lambda_sync", "size_kb": w.request_size_kb})
    facts = {
        "api": s.api,
        "sync": s.upload == "apigateway",
        "payloads": payloads,
        "s3": {"write_rps": rate * (1 + s.outputs_per_object), "read_rps": rate * (1 + s.outputs_per_object
                                                                                    * s.downloads_per_object),
               "prefixes": 2, "trigger_prefix": s.trigger_prefix, "output_prefix": s.output_prefix,
               "same_bucket_output": s.same_bucket_output},
    }
    facts["ecs"] = ecs_facts(ecs, [{"name": "uploads queue", "source": "s3", "fifo": False, "consumer": "resizer",
                                    "receive_batch": min(resizer.batch_size, 10), "arrival_peak_rps": rate}])
    return Plan(scenario, "claim_check", summary, stages, services, assumptions, facts, lambda_design=lam,
                ecs_design=ecs)
