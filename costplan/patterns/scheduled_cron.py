"""Scheduling (cron): EventBridge Scheduler or a scheduled rule invokes a Lambda job (the article's
monthly invoicing). Precision is one minute at best."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import Field

from costplan import units
from costplan.compute.traffic import Traffic
from costplan.patterns import settings
from costplan.patterns.base import Design, Plan
from costplan.patterns.common import PatternSettings, derived, log_assumption, logs, num, stage, svc, table, wru
from costplan.scenario import KB, Count, Number, ScheduleExpression, Seconds

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}


def runs_per_month(expression: str) -> Decimal | None:
    """rate(N unit) or cron(min hour dom month dow year) → runs in a 730-hour month; None if unknown."""
    e = expression.strip()
    m = _RATE.match(e)
    if m:
        return units.SECONDS_PER_MONTH / (int(m.group(1)) * _UNIT_S[m.group(2).rstrip("s")])
    if e.startswith("cron(") and e.endswith(")"):
        f = e[5:-1].split()
        if len(f) != 6:
            return None

        def n(field: str, full: int) -> Decimal | None:
            if field in ("*", "?"):
                return Decimal(full)
            if field.isdigit() or field == "L":
                return Decimal(1)
            if re.fullmatch(r"[\d,]+", field):
                return Decimal(len(field.split(",")))
            if re.fullmatch(r"(\*|\d+)/\d+", field):
                return Decimal(full) / int(field.split("/")[1])
            if re.fullmatch(r"\d+-\d+", field):
                a, b = field.split("-")
                return Decimal(int(b) - int(a) + 1)
            if re.fullmatch(r"[A-Z]{3}-[A-Z]{3}", field) and field == "MON-FRI":
                return Decimal(5)
            return None

        mins, hours = n(f[0], 60), n(f[1], 24)
        dom, month, dow = f[2], n(f[3], 12), f[4]
        if None in (mins, hours, month):
            return None
        if dom in ("*", "?") and dow in ("*", "?"):
            days = units.DAYS_PER_MONTH
        elif dom not in ("*", "?"):
            d = n(dom, 31)
            days = d if d is not None else None
        else:
            d = n(dow, 7)
            days = d * units.DAYS_PER_MONTH / 7 if d is not None else None
        if days is None:
            return None
        return mins * hours * days * month / 12
    return None


class Settings(PatternSettings):
    expression: ScheduleExpression = Field("cron(0 2 1 * ? *)", description="schedule expression: rate(...) or cron(...)")
    service: Literal["scheduler", "rule"] = Field("scheduler", description="EventBridge Scheduler or a scheduled rule")
    runs_per_month: Count | None = Field(None, description="scheduled runs a month (default: from the expression)")
    required_precision_s: Seconds = Field(Decimal(60), description="how late a run may start and still be on time")
    items_per_run: Count = Field(Decimal(0), description="records the job processes per run (invoices)")
    writes_per_item: Number = Field(Decimal(1), description="DynamoDB writes per item")
    item_size_kb: KB = Field(Decimal(1), description="DynamoDB item size")
    s3_puts_per_item: Number = Field(Decimal(0), description="objects written per item (e.g. an invoice PDF)")
    object_size_kb: KB = Field(Decimal(100), description="size of each object written")
    storage_months: Number = Field(Decimal(12), description="months of objects kept in S3")


def plan(scenario) -> Plan:
    s = settings(scenario, Settings)
    w = scenario.workload
    t = Traffic.from_workload(w)
    runs = s.runs_per_month if s.runs_per_month is not None else runs_per_month(s.expression)
    if runs is None:
        from costplan.errors import CostplanError

        raise CostplanError(scenario.problem(f"cannot count the runs of {s.expression!r}: set runs_per_month",
                                             "settings", "expression"))
    invocations = t.monthly_requests
    job = stage(scenario, "job", "job", derived(t, invocations, t.peak_rps), ecs_capable=False, primary=True)
    items = runs * s.items_per_run
    services = []
    if s.service == "scheduler":
        services.append(svc("eventbridge", {"scheduler_invocations": runs}, "schedule"))
    else:
        services.append(svc("eventbridge", {"monthly_events": Decimal(0)}, "schedule"))
    if items > 0 and s.writes_per_item > 0:
        services.append(svc("dynamodb", {"monthly_write_request_units": items * s.writes_per_item * wru(s.item_size_kb),
                                         "storage_gb": Decimal(1)}, "table"))
    if items > 0 and s.s3_puts_per_item > 0:
        objs = items * s.s3_puts_per_item
        services.append(svc("s3", {"monthly_put_requests": objs,
                                   "storage_gb": objs * s.object_size_kb * s.storage_months / 1024 / 1024},
                            "bucket"))
    services += logs([job], s)
    assumptions = [
        f"{s.expression} runs {runs:,.2f} times a month; " + (
            "EventBridge Scheduler bills each invocation (14M a month free)." if s.service == "scheduler"
            else "scheduled rules are free (AWS service events)."),
        f"The workload's {num(invocations)} invocations a month are the job's runs (retries and chunks included).",
        f"Each run processes {num(s.items_per_run)} items: {s.writes_per_item} DynamoDB write(s) and "
        f"{s.s3_puts_per_item} S3 object(s) each.",
        "Scheduled jobs stay on Lambda: a container would sit idle between runs.",
        log_assumption(s),
    ]
    summary = (f"Scheduled job: {s.expression} via EventBridge {'Scheduler' if s.service == 'scheduler' else 'rule'} "
               f"invokes a Lambda job ({w.duration_ms / 1000:,.0f} s, {num(invocations)} invocations a month).")
    facts = {
        "api": None,
        "sync": False,
        "schedule": {"expression": s.expression, "service": s.service,
                     "required_precision_s": s.required_precision_s},
    }
    if items > 0 and s.writes_per_item > 0 and invocations > 0:
        # each invocation writes its share of the run's items while it runs: items/s = invocations/s × items each
        facts["dynamodb"] = [table("table", t.peak_rps * items / invocations * s.writes_per_item
                                   * wru(s.item_size_kb))]
    trigger = "EventBridge Scheduler" if s.service == "scheduler" else "EventBridge scheduled rule"
    lam = Design("lambda", f"{trigger} → Lambda job", None, [job], services)
    why = ("a scheduled job runs only at its times: an ECS service would sit idle between runs; its ECS form, a "
           "scheduled RunTask, is a one-off task, not a service")
    return Plan(scenario, "scheduled_cron", summary, [job], services, assumptions, facts, lambda_design=lam,
                ecs_unavailable=why)
