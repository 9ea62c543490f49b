"""`infracost-usage.yml` next to the Terraform: the plan's volumes in Infracost's usage keys, so a team
that runs Infracost on the emitted Terraform prices the same workload costplan planned with.

Infracost usage file format 0.1 (https://www.infracost.io/docs/features/usage_based_resources/):
`resource_usage` keyed by Terraform address. Only resources whose usage costplan plans are written;
the rest keep Infracost's defaults (a comment says so)."""
from __future__ import annotations

import re
from decimal import Decimal

# costplan service → (Terraform type, {costplan usage key: Infracost usage key})
SERVICES = {
    "sqs": ("aws_sqs_queue", {"monthly_requests": "monthly_requests", "message_size_kb": "request_size_kb"}),
    "sns": ("aws_sns_topic", {"monthly_publishes": "monthly_requests", "message_size_kb": "request_size_kb"}),
    "apigateway_http": ("aws_apigatewayv2_api", {"monthly_requests": "monthly_requests"}),
    "apigateway_rest": ("aws_api_gateway_rest_api", {"monthly_requests": "monthly_requests"}),
    "apigateway_websocket": ("aws_apigatewayv2_api", {"monthly_messages": "monthly_messages",
                                                      "message_size_kb": "message_size_kb",
                                                      "monthly_connection_minutes": "monthly_connection_mins"}),
    "dynamodb": ("aws_dynamodb_table", {"monthly_write_request_units": "monthly_write_request_units",
                                        "monthly_read_request_units": "monthly_read_request_units",
                                        "storage_gb": "storage_gb"}),
    "cloudwatch_logs": ("aws_cloudwatch_log_group", {"ingested_gb": "monthly_data_ingested_gb",
                                                     "stored_gb": "storage_gb"}),
}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _num(v) -> int | float:
    d = Decimal(v)
    if d == d.to_integral_value():
        return int(d)
    return float(round(d, 6))


def _pick(resources: dict[str, list[str]], tf_type: str, resource: str) -> str | None:
    """The Terraform name for a plan resource: the same slug, else the only one of its type (a DLQ
    is never the main queue)."""
    names = resources.get(tf_type, [])
    want = slug(resource)
    if want in names:
        return want
    main = [n for n in names if not n.endswith("_dlq")]
    return main[0] if len(main) == 1 else None


def usage(plan, tf_blocks) -> tuple[dict, list[str]]:
    """({address: {infracost key: value}}, what could not be placed)."""
    resources: dict[str, list[str]] = {}
    for b in tf_blocks:
        if b.kind == "resource":
            resources.setdefault(b.labels[0], []).append(b.labels[1])
    out: dict[str, dict] = {}
    skipped: list[str] = []
    for st in plan.stages:
        name = slug(st.name)
        if name in resources.get("aws_lambda_function", []):
            out[f"aws_lambda_function.{name}"] = {
                "monthly_requests": _num(st.traffic.monthly_requests),
                "request_duration_ms": _num(st.traffic.duration_ms)}
    for su in plan.services:
        spec = SERVICES.get(su.service)
        if spec is None:
            skipped.append(f"{su.service} ({su.resource or su.service})")
            continue
        tf_type, keys = spec
        name = _pick(resources, tf_type, su.resource or su.service)
        if name is None:
            skipped.append(f"{su.service} ({su.resource or su.service})")
            continue
        entry = out.setdefault(f"{tf_type}.{name}", {})
        for k, ik in keys.items():
            if k in su.usage and su.usage[k] is not None and not isinstance(su.usage[k], bool):
                entry[ik] = _num(Decimal(entry.get(ik, 0)) + Decimal(su.usage[k]))
    return out, skipped


def usage_yaml(plan, tf_blocks, scenario_name: str) -> str:
    import yaml

    res, skipped = usage(plan, tf_blocks)
    head = [f"# Infracost usage for costplan scenario {scenario_name!r}: the volumes costplan planned with.",
            "# infracost breakdown --path . --usage-file infracost-usage.yml",
            "# Resources not listed keep Infracost's defaults."]
    if skipped:
        head.append("# Planned but not placed on a Terraform resource here: " + ", ".join(skipped) + ".")
    body = yaml.safe_dump({"version": "0.1", "resource_usage": dict(sorted(res.items()))}, sort_keys=False)
    return "\n".join(head) + "\n" + body
