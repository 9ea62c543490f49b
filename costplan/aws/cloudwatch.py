"""Learn a Lambda function's workload from CloudWatch and write it as a scenario.

Reads AWS/Lambda metrics (GetMetricData) and the function's configuration and reserved
concurrency, and returns scenario data with comment lines that say what was measured and how.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import botocore.exceptions as bce

from costplan.aws.session import AwsError, client, describe_error, redact, region_unavailable

HOURS_PER_MONTH = 730


@dataclass
class MeasuredScenario:
    """Scenario data (a dict in the scenario file format), the comments that explain it, and
    warnings about what could not be measured."""

    scenario: dict
    comments: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _metric(fn: str, name: str, stat: str, period: int, qid: str) -> dict:
    return {"Id": qid, "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": "AWS/Lambda", "MetricName": name,
                   "Dimensions": [{"Name": "FunctionName", "Value": fn}]},
        "Period": period, "Stat": stat}}


def _peak_period(days: int) -> int:
    # CloudWatch keeps 1-minute points for 15 days, 5-minute points for 63 days, then hourly.
    return 60 if days <= 15 else 300 if days <= 63 else 3600


def _get_metric_data(cw, queries: list[dict], start, end) -> dict[str, list[float]]:
    values: dict[str, list[float]] = {q["Id"]: [] for q in queries}
    token = None
    while True:
        kw = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end, "ScanBy": "TimestampDescending"}
        if token:
            kw["NextToken"] = token
        page = cw.get_metric_data(**kw)
        for r in page.get("MetricDataResults") or []:
            if r.get("Id") in values:
                values[r["Id"]].extend(float(v) for v in r.get("Values") or [])
        token = page.get("NextToken")
        if not token:
            return values


def from_cloudwatch(function_name: str, days: int = 14, session=None, *, region: str | None = None,
                    account: str = "default", config=None, now: _dt.datetime | None = None) -> MeasuredScenario:
    """Measure `function_name` over the last `days` days and return it as a sync_api scenario.

    workload: monthly_requests (Invocations Sum scaled to a 730-hour month), duration_ms (Duration
    Average), p99_duration_ms (Duration p99), memory_mb / architecture (function configuration),
    peak_rps (highest 1-minute Invocations Sum ÷ 60, else peak ConcurrentExecutions ÷ duration).
    `account` is the scenario's account label, never the AWS account id. Raises AwsError (one
    redacted line) when the function or its metrics cannot be read.
    """
    if days < 1 or days > 455:
        raise AwsError(f"days must be 1–455 (CloudWatch keeps metrics for 15 months), got {days}")
    if region is None:
        region = getattr(session, "region_name", None) or _default_region()
    warnings: list[str] = []

    lam = client("lambda", region, session, config)
    why = region_unavailable(lam, "lambda", region)
    if why:
        raise AwsError(why)
    try:
        conf = lam.get_function_configuration(FunctionName=function_name)
    except bce.ClientError as e:
        if e.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise AwsError(redact(f"no Lambda function named {function_name!r} in {region}")) from None
        raise AwsError(describe_error(e, "lambda", "GetFunctionConfiguration")) from None
    except Exception as e:  # noqa: BLE001
        raise AwsError(describe_error(e, "lambda", "GetFunctionConfiguration")) from None
    # --function may be an ARN (with the account id) or a qualified name: CloudWatch's FunctionName
    # dimension is the plain name, and the scenario must not carry the account id
    function_name = str(conf.get("FunctionName") or function_name)
    reserved = None
    try:
        reserved = lam.get_function_concurrency(FunctionName=function_name).get("ReservedConcurrentExecutions")
    except Exception as e:  # noqa: BLE001 - optional: the scenario is still useful without it
        warnings.append(f"reserved concurrency not read: {describe_error(e, 'lambda', 'GetFunctionConcurrency')}")

    end = (now or _dt.datetime.now(_dt.timezone.utc)).replace(second=0, microsecond=0)
    start = end - _dt.timedelta(days=days)
    whole = days * 86400
    peak = _peak_period(days)
    fn = function_name
    base = [
        _metric(fn, "Invocations", "Sum", whole, "invocations"),
        _metric(fn, "Duration", "Average", whole, "duration_avg"),
        _metric(fn, "ConcurrentExecutions", "Maximum", whole, "concurrency_max"),
        _metric(fn, "Errors", "Sum", whole, "errors"),
        _metric(fn, "Throttles", "Sum", whole, "throttles"),
        _metric(fn, "Invocations", "Sum", peak, "invocations_peak"),
    ]
    cw = client("cloudwatch", region, session, config)
    try:
        v = _get_metric_data(cw, base, start, end)
    except Exception as e:  # noqa: BLE001
        raise AwsError(describe_error(e, "cloudwatch", "GetMetricData")) from None
    try:  # percentiles asked separately, so a store without them still yields the rest
        p99_values = _get_metric_data(cw, [_metric(fn, "Duration", "p99", whole, "duration_p99")], start, end)
        p99 = max(p99_values["duration_p99"]) if p99_values["duration_p99"] else None
    except Exception as e:  # noqa: BLE001
        warnings.append(f"p99 duration not read: {describe_error(e, 'cloudwatch', 'GetMetricData')}")
        p99 = None

    total = sum(v["invocations"])
    if total <= 0:
        raise AwsError(f"{function_name!r} had no invocations in {region} in the last {days} days: "
                       f"nothing to measure")
    if not v["duration_avg"]:
        raise AwsError(f"CloudWatch has no Duration data for {function_name!r} in the last {days} days")
    duration = v["duration_avg"][0] if len(v["duration_avg"]) == 1 else sum(v["duration_avg"]) / len(v["duration_avg"])
    monthly = round(total * HOURS_PER_MONTH / (days * 24))
    conc = max(v["concurrency_max"]) if v["concurrency_max"] else None
    if v["invocations_peak"]:
        peak_rps = round(max(v["invocations_peak"]) / peak, 2)
        peak_how = f"peak_rps = highest {peak // 60}-minute Sum of Invocations ÷ {peak}"
    elif conc:
        peak_rps = round(conc / (duration / 1000), 2)
        peak_how = "peak_rps = Maximum ConcurrentExecutions ÷ average duration (no per-minute data)"
    else:
        peak_rps = None
        peak_how = "peak_rps not measured (no per-minute Invocations or ConcurrentExecutions)"

    arch = (conf.get("Architectures") or ["x86_64"])[0]
    workload: dict = {"monthly_requests": int(monthly), "duration_ms": round(duration, 1)}
    if p99 is not None:
        workload["p99_duration_ms"] = round(p99, 1)
    workload["memory_mb"] = int(conf.get("MemorySize") or 128)
    workload["architecture"] = arch if arch in ("x86_64", "arm64") else "x86_64"
    if peak_rps:
        workload["peak_rps"] = peak_rps
    lam_settings: dict = {}
    if conf.get("Timeout"):
        lam_settings["timeout_s"] = int(conf["Timeout"])
    if reserved is not None:
        lam_settings["reserved_concurrency"] = int(reserved)
    eph = (conf.get("EphemeralStorage") or {}).get("Size")
    if eph and int(eph) > 512:
        lam_settings["ephemeral_storage_mb"] = int(eph)

    scenario: dict = {
        "version": 1,
        "name": function_name,
        "description": f"Lambda function {function_name} as measured in CloudWatch, "
                       f"{days} days to {end:%Y-%m-%d}",
        "region": region,
        "account": account,
        "pattern": "sync_api",
        "workload": workload,
    }
    if lam_settings:
        scenario["lambda"] = lam_settings

    errors, throttles = sum(v["errors"]), sum(v["throttles"])
    comments = [
        f"Measured by costplan from CloudWatch (AWS/Lambda, FunctionName={function_name}, {region}).",
        f"Period: {start:%Y-%m-%dT%H:%MZ} to {end:%Y-%m-%dT%H:%MZ} ({days} days).",
        f"monthly_requests = Sum of Invocations ({int(total):,}) scaled to a {HOURS_PER_MONTH}-hour month.",
        "duration_ms = Average of Duration over the period"
        + ("; p99_duration_ms = p99 of Duration over the period." if p99 is not None
           else "; p99 not available (see warnings)."),
        f"{peak_how}" + (f"; Maximum ConcurrentExecutions = {int(conc)}." if conc is not None else "."),
        f"Errors: {int(errors):,} ({errors / total:.2%}); Throttles: {int(throttles):,} over the period.",
        "memory_mb, architecture, timeout_s from GetFunctionConfiguration"
        + ("; reserved_concurrency from GetFunctionConcurrency." if reserved is not None else "."),
    ]
    return MeasuredScenario(scenario=scenario, comments=comments, warnings=warnings)


def render_scenario_yaml(measured: MeasuredScenario) -> str:
    """The scenario as a YAML file: the comment lines first, keys in scenario-file order."""
    import yaml

    head = "".join(f"# {c}\n" for c in measured.comments)
    return head + yaml.safe_dump(measured.scenario, sort_keys=False, allow_unicode=True, width=100)


def _default_region() -> str:
    from costplan.aws.session import session

    region = session().region_name
    if not region:
        raise AwsError("no AWS region configured (pass --region or set AWS_REGION or AWS_DEFAULT_REGION)")
    return region
