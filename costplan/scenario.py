"""The scenario model (pydantic, versioned, unknown keys rejected) and its loader.

A scenario is what an architect commits to a design review: the workload, one integration
pattern with its settings, the account it shares, and per-alternative settings for ECS.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from costplan import units
from costplan.errors import CostplanError, Problem, did_you_mean

PATTERNS = (
    "sync_api",
    "async_request_reply",
    "queue_load_leveling",
    "pubsub",
    "sequential_convoy",
    "claim_check",
    "pipes_and_filters",
    "scheduled_cron",
    "scheduled_ttl",
    "websocket_notify",
    "mqtt_notify",
)


def _u(fn):
    def parse(v):
        if v is None:
            return None
        return fn(v)

    return BeforeValidator(parse)


# What an editor may accept for each unit (JSON Schema for `costplan scenario schema`): a number, or a
# string in the unit's own suffixes, so "150ms" completes and "150 parsecs" is underlined.
_NUMBER_RE = r"[+-]?(?:\d[\d_,]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


class _UnitSchema:
    """Annotated metadata that gives a unit field its JSON Schema. Built only when a schema is asked
    for (pydantic calls the hook); pydantic's WithJsonSchema would import pydantic.json_schema
    (~50 ms) at every start-up."""

    def __init__(self, suffixes: str, example: str):
        self.suffixes, self.example = suffixes, example

    def __get_pydantic_json_schema__(self, core_schema, handler):
        return {"anyOf": [{"type": "number"},
                          {"type": "string", "pattern": rf"^\s*{_NUMBER_RE}\s*(?:{self.suffixes})\s*$",
                           "examples": [self.example]}]}


def _unit_schema(suffixes: str, example: str) -> _UnitSchema:
    return _UnitSchema(suffixes, example)


_DUR = "ms|s|sec|m|min|h|hr|d|day|days|us|"
_SIZE = "(?i:b|byte|bytes|kb|kib|mb|mib|gb|gib|tb|tib)|"
Count = Annotated[Decimal, _u(units.count), _unit_schema("k|K|m|M|mm|b|B|bn|g|G|t|T|", "3M")]
Ms = Annotated[Decimal, _u(units.duration_ms), _unit_schema(_DUR, "150ms")]
Seconds = Annotated[Decimal, _u(units.duration_s), _unit_schema(_DUR, "30s")]
Hours = Annotated[Decimal, _u(units.duration_h), _unit_schema(_DUR, "2h")]
MB = Annotated[Decimal, _u(units.size_mb), _unit_schema(_SIZE, "512MB")]
KB = Annotated[Decimal, _u(units.size_kb), _unit_schema(_SIZE, "2KB")]
GB = Annotated[Decimal, _u(units.size_gb), _unit_schema(_SIZE, "2GB")]
Rate = Annotated[Decimal, _u(units.rate_per_s),
                 _unit_schema(r"k|K|m|M|b|B|)\s*(?:/\s*(?:\d+\s*)?(?:ms|s|sec|m|min|h|hr|d|day)|", "500/s")]
Fraction = Annotated[Decimal, _u(units.percent), _unit_schema("%|", "70%")]
Number = Annotated[Decimal, _u(units.count), _unit_schema("k|K|m|M|mm|b|B|bn|g|G|t|T|", "2")]

LAMBDA_MAX_DURATION_MS = Decimal(900_000)  # a Lambda invocation runs at most 900 s (15 min)


def _between(lo, hi, what: str, unit: str = ""):
    """An after-validator: lo ≤ value ≤ hi, else one line naming AWS's range."""
    def check(v):
        if v is not None and not (lo <= v <= hi):
            raise ValueError(f"{what} is {units.plain(lo)}–{units.plain(hi)}{unit}, got {units.plain(v)}{unit}")
        return v

    return AfterValidator(check)


def _schedule(v):
    if v is not None:
        problem = schedule_problem(v)
        if problem:
            raise ValueError(problem)
    return v


# AWS's documented ranges, as types a pattern's settings use (pydantic checks them, with file:line):
# Lambda event source mapping for SQS — BatchSize 1–10,000 on a standard queue, 1–10 on FIFO;
# MaximumBatchingWindowInSeconds 0–300 (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
SqsBatchSize = Annotated[Decimal, _u(units.count), _between(1, 10_000, "an SQS batch size (standard queue)")]
FifoBatchSize = Annotated[Decimal, _u(units.count), _between(1, 10, "an SQS batch size (FIFO queue)")]
BatchingWindow = Annotated[Decimal, _u(units.duration_s), _between(0, 300, "the batching window", " s")]
# ESM MaximumConcurrency for SQS: 2–1,000.
EsmConcurrency = Annotated[Decimal, _u(units.count), _between(2, 1000, "an SQS event source's maximum concurrency")]
# EventBridge schedule expressions: rate(...), cron(...) with six fields, at(...) for Scheduler.
ScheduleExpression = Annotated[str, AfterValidator(_schedule)]
Positive = Annotated[Decimal, _u(units.count), AfterValidator(lambda v: _positive(v))]


# Text that templates write into Terraform and CloudFormation strings and AWS names: only characters no
# template language or AWS name interprets. `${...}` (Terraform interpolation, CloudFormation !Sub),
# `%{...}` (Terraform directives), `{{resolve:...}}` (CloudFormation dynamic references), quotes and `*`
# (an IAM wildcard in a policy Resource) would otherwise be written into the template as live syntax.
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_S3_PREFIX_RE = re.compile(r"[A-Za-z0-9!_.'()/-]{1,512}")  # S3's "safe characters" for key names, less *


def _first_unsafe(v: str, allowed: str) -> str:
    bad = next((c for c in v if not re.fullmatch(allowed, c)), None)
    return f"; {bad!r} is not allowed" if bad is not None else ""


def _name(v: str) -> str:
    if not _NAME_RE.fullmatch(v):
        raise ValueError(f"{v!r} is not a name templates can carry{_first_unsafe(v, r'[A-Za-z0-9_.-]')}: use letters, "
                         "digits, '-', '_' and '.', starting with a letter or digit, at most 64 characters")
    return v


def _s3_prefix(v: str) -> str:
    if not _S3_PREFIX_RE.fullmatch(v):
        raise ValueError(f"{v!r} is not an S3 key prefix templates can carry{_first_unsafe(v, r'[A-Za-z0-9!_.()/-]')}"
                         ": use letters, digits and ! - _ . ' ( ) / (S3's safe characters), e.g. uploads/")
    return v


# A named part of the design (a pipeline step, a subscriber, a table): it becomes part of resource names.
Name = Annotated[str, AfterValidator(_name)]
# A key prefix written into S3 notification filters and IAM policy resources.
S3Prefix = Annotated[str, AfterValidator(_s3_prefix)]


def _positive(v):
    if v is not None and v <= 0:
        raise ValueError(f"must be more than 0, got {units.plain(v)}")
    return v


_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_DAYS = "SUN MON TUE WED THU FRI SAT".split()
# minutes, hours, day-of-month, month, day-of-week, year
_CRON = (("minutes", 0, 59, None, ""), ("hours", 0, 23, None, ""), ("day-of-month", 1, 31, None, "LW?"),
         ("month", 1, 12, _MONTHS, ""), ("day-of-week", 1, 7, _DAYS, "L#?"), ("year", 1970, 2199, None, ""))


def _cron_field(text: str, name: str, lo: int, hi: int, names, extra: str) -> str | None:
    def value(t: str) -> bool:
        if t.isdigit():
            return lo <= int(t) <= hi
        return bool(names) and t.upper() in names

    for item in text.split(","):
        if item == "*" or (item == "?" and "?" in extra):
            continue
        if "L" in extra and (item == "L" or (name == "day-of-week" and item.endswith("L") and value(item[:-1]))):
            continue
        if "W" in extra and (item == "LW" or (item.endswith("W") and value(item[:-1]))):
            continue
        if "#" in extra and "#" in item:
            d, _, n = item.partition("#")
            if value(d) and n.isdigit() and 1 <= int(n) <= 5:
                continue
            return f"{name} {item!r} is not DAY#N (N 1–5)"
        base, slash, step = item.partition("/")
        if slash and not (step.isdigit() and int(step) >= 1):
            return f"{name} {item!r}: the increment after / must be a whole number of at least 1"
        if base == "*" and slash:
            continue
        a, dash, b = base.partition("-")
        if not value(a) or (dash and not value(b)):
            shown = f"{lo}–{hi}" + (f" or {names[0]}–{names[-1]}" if names else "")
            return f"{name} {item!r} is out of range ({shown})"
    return None


def schedule_problem(expr: str) -> str | None:
    """What EventBridge would reject in a schedule expression, or None. rate(N unit) takes a whole
    N ≥ 1 and the singular unit only for 1; cron has six fields with exactly one of day-of-month
    and day-of-week '?' (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html)."""
    e = expr.strip()
    if e.startswith("rate("):
        m = _RATE.match(e)
        if not m:
            return f"{e!r} is not rate(<n> <minute(s)|hour(s)|day(s)>)"
        n, unit = int(m.group(1)), m.group(2)
        if n < 1:
            return f"{e!r}: the value must be at least 1"
        if (n == 1) != (not unit.endswith("s")):
            u = unit.rstrip("s")
            return f"{e!r}: EventBridge wants rate(1 {u}) and rate({max(n, 2)} {u}s)"
        return None
    if e.startswith("cron(") and e.endswith(")"):
        fields = e[5:-1].split()
        if len(fields) != 6:
            return f"{e!r}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got {len(fields)}"
        if (fields[2] == "?") + (fields[4] == "?") != 1:
            return f"{e!r}: exactly one of day-of-month and day-of-week must be ?"
        for text, spec in zip(fields, _CRON):
            problem = _cron_field(text, *spec)
            if problem:
                return f"{e!r}: {problem}"
        return None
    if re.fullmatch(r"at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)", e):
        return None
    return f"{e!r} is neither rate(...) nor cron(...)"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Workload(Strict):
    """How much traffic, how long each request takes, and its shape over the month."""

    monthly_requests: Count | None = Field(None, description="requests per month (e.g. 3M)")
    average_rps: Rate | None = Field(
        None, description="alternative to monthly_requests: mean requests per second while active")
    active_hours_per_day: Hours = Field(Decimal(24), description="hours per day that traffic flows")
    active_days_per_month: Number = Field(units.DAYS_PER_MONTH, description="days per month with traffic")
    peak_rps: Rate | None = Field(None, description="peak requests per second")
    peak_to_average: Number = Field(Decimal(1), description="peak ÷ average rate while active")
    duration_ms: Ms = Field(..., description="average duration of one request")
    p99_duration_ms: Ms | None = Field(None, description="99th percentile duration (default: the average)")
    memory_mb: MB = Field(Decimal(128), description="function memory (128–10,240 MB); also buys CPU: 1,769 MB = 1 vCPU")
    cpu_share: Fraction = Field(
        Decimal(1), description="share of the duration spent on CPU at the function's allocation rather than "
                                "waiting; sizes ECS tasks (default 100 %: a request keeps the CPU its function "
                                "had; measure CPU time ÷ duration to lower it)")
    working_set_mb: MB | None = Field(
        None, description="memory one in-flight request holds on an ECS task (default: memory_mb, what the "
                          "function was given; Max Memory Used from the REPORT line is a tighter figure)")
    peak_window_s: Seconds | None = Field(
        None, description="how long the peak lasts each active day, at the start of the active hours "
                          "(default: the shorter of 1 h and active hours ÷ (2 × peak_to_average))")
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    request_size_kb: KB = Field(Decimal(1), description="request payload size")
    response_size_kb: KB = Field(Decimal(1), description="response payload size")
    traffic_window: str | None = Field(
        None, description='daily UTC window of the peak, "HH:MM-HH:MM"; undeclared = may coincide with anything')
    traffic_days: str | None = Field(
        None, description='which days the traffic runs: weekdays ("mon-fri", "sat") or days of the month ("1", '
                          '"1-7,15"); undeclared = may fall on any day (limits-check adds coinciding peaks)')

    @model_validator(mode="after")
    def _check(self):
        if self.monthly_requests is None and self.average_rps is None and self.peak_rps is None:
            raise ValueError("needs monthly_requests, average_rps or peak_rps")
        if self.monthly_requests is not None and self.average_rps is not None:
            raise ValueError("give monthly_requests or average_rps, not both (each sets the volume)")
        if self.peak_rps is not None and self.peak_to_average != 1 and "peak_to_average" in self.model_fields_set:
            raise ValueError("give peak_rps or peak_to_average, not both (each sets the peak)")
        if self.duration_ms <= 0:
            raise ValueError("duration_ms must be more than 0 ms")
        if self.duration_ms > LAMBDA_MAX_DURATION_MS:
            raise ValueError(f"duration_ms must be at most 900 s (Lambda's maximum timeout), got "
                             f"{self.duration_ms / 1000:,f} s")
        if self.p99_duration_ms is not None and self.p99_duration_ms < self.duration_ms:
            raise ValueError("p99_duration_ms must be at least the average duration_ms")
        if self.active_hours_per_day > 24 or self.active_hours_per_day <= 0:
            raise ValueError("active_hours_per_day must be more than 0h and at most 24h")
        if self.active_days_per_month <= 0 or self.active_days_per_month > units.DAYS_PER_MONTH + Decimal("0.6"):
            raise ValueError("active_days_per_month must be more than 0 and at most 31")
        if self.peak_to_average < 1:
            raise ValueError("peak_to_average must be at least 1")
        active_s = self.active_hours_per_day * 3600 * self.active_days_per_month
        if active_s < 1:
            raise ValueError("active_hours_per_day × active_days_per_month comes to under one second of traffic a "
                             "month; give the hours and days the traffic really runs")
        rate = self.average_rps if self.average_rps is not None else (
            self.monthly_requests / active_s if self.monthly_requests is not None else None)
        if rate is not None and self.peak_rps is None and rate * self.peak_to_average > units.MAX_COUNT:
            raise ValueError(f"the peak comes to {rate * self.peak_to_average:.3g} requests a second (the volume in "
                             f"{units.plain(active_s)} s of traffic a month × peak_to_average); costplan accepts a "
                             "peak of up to 1e15 a second")
        if self.peak_rps is not None and (self.monthly_requests is not None or self.average_rps is not None):
            active = self.active_hours_per_day * 3600 * self.active_days_per_month
            average = self.average_rps if self.average_rps is not None else self.monthly_requests / active
            if self.peak_rps < average:
                raise ValueError(f"peak_rps {units.plain(self.peak_rps)}/s is below the average rate while active "
                                 f"({units.plain(average)}/s); the peak is at least the average")
        lo, hi = units.LAMBDA_MEMORY_MB
        if not (lo <= self.memory_mb <= hi):
            raise ValueError(f"memory_mb must be 128–10,240 MB, got {self.memory_mb}")
        if not (0 < self.cpu_share <= 1):
            raise ValueError(f"cpu_share must be more than 0% and at most 100%, got {self.cpu_share:.0%}")
        if self.working_set_mb is not None and self.working_set_mb <= 0:
            raise ValueError("working_set_mb must be more than 0 MB")
        if self.peak_window_s is not None and not (0 < self.peak_window_s <= self.active_hours_per_day * 3600):
            raise ValueError("peak_window_s must be more than 0 s and at most the active hours per day")
        return self

    @field_validator("traffic_window")
    @classmethod
    def _window(cls, v):
        if v is not None:
            parse_window(v)
        return v

    @field_validator("traffic_days")
    @classmethod
    def _days(cls, v):
        if v is not None:
            parse_days(v)
        return v


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(text: str) -> tuple[str, frozenset[int]]:
    """'mon-fri' → ("weekday", {0..4}); '1-7,15' → ("monthday", {1..7, 15}). One kind per declaration."""
    kinds, days = set(), set()
    for part in str(text).lower().replace(" ", "").split(","):
        a, _, b = part.partition("-")
        b = b or a
        if a in WEEKDAYS and b in WEEKDAYS:
            i, j = WEEKDAYS.index(a), WEEKDAYS.index(b)
            days |= {k % 7 for k in range(i, i + (j - i) % 7 + 1)}
            kinds.add("weekday")
        elif a.isdigit() and b.isdigit() and 1 <= int(a) <= int(b) <= 31:
            days |= set(range(int(a), int(b) + 1))
            kinds.add("monthday")
        else:
            raise ValueError(f'traffic_days must look like "mon-fri", "sat,sun" or "1-7,15", got {text!r}')
    if len(kinds) != 1:
        raise ValueError(f"traffic_days mixes weekdays and days of the month: {text!r}")
    return kinds.pop(), frozenset(days)


def parse_window(text: str) -> tuple[int, int]:
    """'09:00-10:30' → (540, 630) minutes after midnight UTC; may wrap past midnight."""
    try:
        a, b = text.replace(" ", "").split("-")
        ha, ma = (int(x) for x in a.split(":"))
        hb, mb = (int(x) for x in b.split(":"))
        if not (0 <= ha <= 24 and 0 <= hb <= 24 and 0 <= ma < 60 and 0 <= mb < 60):
            raise ValueError
        return ha * 60 + ma, hb * 60 + mb
    except ValueError:
        raise ValueError(f'traffic_window must look like "09:00-10:30" (UTC), got {text!r}') from None


class Warm(Strict):
    copies: Count = Field(..., description="warm copies to keep (N)")
    ping_interval_minutes: Number = Field(Decimal(5), description="scheduled warmer interval")
    ping_duration_ms: Ms = Field(Decimal(100), description="how long each warm-up invocation runs (assumed)")

    @model_validator(mode="after")
    def _check(self):
        if self.copies < 1:
            raise ValueError("copies must be at least 1")
        if self.ping_interval_minutes < 1:
            raise ValueError("ping_interval_minutes must be at least 1 (EventBridge's finest schedule)")
        if self.ping_duration_ms <= 0 or self.ping_duration_ms > LAMBDA_MAX_DURATION_MS:
            raise ValueError("ping_duration_ms must be more than 0 and at most 900 s")
        return self


class LambdaSettings(Strict):
    timeout_s: Seconds | None = Field(None, description="function timeout (default: max(3 s, 2 × p99))")
    reserved_concurrency: Count | None = None
    ephemeral_storage_mb: MB = Field(Decimal(512), description="/tmp size (512–10,240 MB); above 512 MB is billed")
    warm: Warm | None = Field(None, description="price cold-start mitigations for N warm copies")
    runtime: Literal["python", "nodejs", "java", "dotnet", "ruby", "go", "rust"] = Field(
        "python", description="the function's runtime: sets the default INIT duration of a cold start")
    init_duration_ms: Ms | None = Field(
        None, description="INIT duration of one cold start (the REPORT line's Init Duration); default by runtime")

    @model_validator(mode="after")
    def _check(self):
        if self.timeout_s is not None and not (1 <= self.timeout_s <= 900):
            raise ValueError(f"timeout_s must be 1–900 s (Lambda's range), got {units.plain(self.timeout_s)} s")
        lo, hi = units.LAMBDA_EPHEMERAL_MB
        if not (lo <= self.ephemeral_storage_mb <= hi):
            raise ValueError(f"ephemeral_storage_mb must be 512–10,240 MB, got {self.ephemeral_storage_mb:,}")
        if self.init_duration_ms is not None and not (0 <= self.init_duration_ms <= 10_000):
            raise ValueError("init_duration_ms must be 0–10 s (Lambda's INIT phase is limited to 10 s)")
        return self


class EcsSettings(Strict):
    vcpu: Number | None = Field(
        None, description="task vCPU, a Fargate size (0.25, 0.5, 1, 2, 4, 8, 16); default: compare picks the "
                          "cheapest size that holds the requests")
    memory_gb: GB | None = Field(None, description="task memory, valid for the vCPU (default: compare picks)")
    concurrent_requests_per_task: Count | None = Field(
        None, description="measured: requests one task serves at once (throughput = this ÷ duration); "
                          "default: what the task's CPU and memory hold")
    requests_per_second_per_task: Rate | None = Field(None, description="measured throughput of one task")
    task_overhead_mb: MB = Field(
        Decimal(256), description="memory a task holds once whatever its load (runtime, libraries, pools)")
    min_tasks: Count = Field(Decimal(2), description="floor for availability (two AZs)")
    availability_zones: Count = Field(
        Decimal(2), description="AZs the service spans: one ALB node (and public IPv4) per AZ")
    # Target tracking's managed alarms: scale-out after 3 one-minute datapoints, scale-in after 15
    # (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html;
    # the datapoint counts as seen on the alarms: github.com/aws-samples/amazon-aurora-labs-for-mysql/issues/3).
    scale_out_lag_s: Seconds = Field(
        Decimal(240), description="time from a traffic step to new tasks serving (target tracking's alarm "
                                  "needs 3 one-minute datapoints, then a task starts in about a minute)")
    scale_in_delay_s: Seconds = Field(
        Decimal(900), description="time tasks stay after traffic drops (target tracking's scale-in alarm "
                                  "needs 15 one-minute datapoints)")
    scheduled_scaling: bool | None = Field(
        None, description="pre-scale before each active window with a scheduled action (default: when the "
                          "workload declares a traffic_window)")
    nat_kb_per_request: KB | None = Field(
        None, description="what a task in a private subnet pulls through the NAT gateway per request "
                          "(default: request + response size)")
    max_tasks: Count | None = None
    target_utilization: Fraction = Field(Decimal("0.7"), description="autoscaling target")
    scaling: Literal["autoscale", "peak"] = Field(
        "autoscale", description="follow the traffic profile, or provision for the peak all month")
    load_balancer: Literal["alb", "none"] = "alb"
    nat_gateways: Count = Decimal(0)
    public_ipv4: bool = Field(True, description="each task has a public IPv4 address (billed hourly)")
    architecture: Literal["x86_64", "arm64"] | None = Field(None, description="default: the workload's")

    @model_validator(mode="after")
    def _check(self):
        if self.concurrent_requests_per_task is not None and self.requests_per_second_per_task is not None:
            raise ValueError("give concurrent_requests_per_task or requests_per_second_per_task, not both")
        if not (Decimal("0.05") <= self.target_utilization <= 1):
            raise ValueError("target_utilization must be between 5% and 100%")
        if self.min_tasks < 1:
            raise ValueError("min_tasks must be at least 1")
        if self.availability_zones < 1:
            raise ValueError("availability_zones must be at least 1")
        if self.task_overhead_mb < 0 or self.scale_out_lag_s < 0 or self.scale_in_delay_s < 0:
            raise ValueError("task_overhead_mb, scale_out_lag_s and scale_in_delay_s must not be negative")
        if self.vcpu is not None and self.vcpu <= 0:
            raise ValueError("vcpu must be more than 0")
        if self.memory_gb is not None and self.memory_gb <= 0:
            raise ValueError("memory_gb must be more than 0")
        for name in ("concurrent_requests_per_task", "requests_per_second_per_task"):
            v = getattr(self, name)
            if v is not None and v <= 0:
                raise ValueError(f"{name} must be more than 0")
        if self.max_tasks is not None and self.max_tasks < self.min_tasks:
            raise ValueError("max_tasks must be at least min_tasks")
        return self


class Ec2Settings(Strict):
    instance_type: str | None = Field(
        None, description="EC2 instance type for the ECS cluster (default: the cheapest in the price book "
                          "that holds the tasks)")
    min_instances: Count = Field(Decimal(2), description="floor for availability (two AZs)")
    reserved_memory_mb: MB | None = Field(
        None, description="memory per instance the ECS agent does not offer to tasks (kernel, agent, "
                          "ECS_RESERVED_MEMORY); default: 5% of the instance's memory")
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-ami-storage-config.html: the
    # ECS-optimized Amazon Linux 2 AMI ships with a single 30 GiB root volume.
    root_volume_gb: GB = Field(Decimal(30), description="gp3 root volume per instance (ECS-optimized AMI: 30 GiB)")
    eni_trunking: bool = Field(
        False, description="the account has ECS awsvpcTrunking on: tasks are not capped at the instance's "
                           "network interfaces − 1 (ECS's higher trunking limits are not in the bundled data)")


class Purchase(Strict):
    """How the compute is bought: a Savings Plan (type, term, payment), its use by other workloads, and
    which stages may run on Spot. Priced by costplan.compute.purchase (see its docstring for the model)."""

    option: str = Field("on-demand", description="on-demand, compute-sp-1y-no-upfront, compute-sp-3y-all-upfront, "
                                                 "ec2-instance-sp-1y-partial-upfront, ... (pricing_data/savings_plans.yaml)")
    commitment_usd_per_hour: Number | None = Field(
        None, description="an existing (or planned) hourly commitment shared with other workloads; "
                          "default: a new one sized to this workload")
    commitment_share: Fraction = Field(Decimal(0), description="share of that commitment other workloads already use")
    spot_stages: list[str] = Field(default_factory=list,
                                   description="interruption-tolerant stages (queue consumers, jobs) to run on Spot")
    spot_discount: Fraction | None = Field(None, description="Spot discount off on-demand (default: the bundled band)")
    allow_api_on_spot: bool = Field(False, description="let a synchronous API stage run on Spot")

    @field_validator("option")
    @classmethod
    def _option(cls, v):
        from costplan.compute.purchase import plans

        known = plans()
        key = v.strip().lower()
        if key not in known:
            raise ValueError(f"unknown purchase option {v!r}{did_you_mean(key, known)}; "
                             f"expected one of {', '.join(known)}")
        return key

    @model_validator(mode="after")
    def _check(self):
        if not 0 <= self.commitment_share <= 1:
            raise ValueError("commitment_share must be between 0% and 100%")
        if self.spot_discount is not None and not 0 <= self.spot_discount < 1:
            raise ValueError("spot_discount must be at least 0% and below 100%")
        if self.commitment_usd_per_hour is not None and self.commitment_usd_per_hour <= 0:
            raise ValueError("commitment_usd_per_hour must be more than 0")
        if self.commitment_usd_per_hour is None and self.commitment_share > 0:
            raise ValueError("commitment_share needs commitment_usd_per_hour: the share of which commitment?")
        return self


class Scenario(Strict):
    version: Literal[1] = Field(..., description="scenario file format version")
    name: str = Field(..., min_length=1)
    description: str = ""
    region: str = "us-east-1"
    account: str = Field("default", description="scenarios with the same account and region share quotas")
    pattern: str = "sync_api"
    workload: Workload
    settings: dict[str, Any] = Field(default_factory=dict, description="pattern-specific settings")
    notify: dict[str, Any] | None = Field(None, description="price polling / WebSocket / MQTT for an audience")
    lambda_: LambdaSettings = Field(default_factory=LambdaSettings, alias="lambda")
    ecs: EcsSettings = Field(default_factory=EcsSettings)
    ec2: Ec2Settings = Field(default_factory=Ec2Settings)
    quotas: dict[str, Number] = Field(default_factory=dict, description="quota overrides for this account")
    free_tier: bool = True
    purchase: Purchase | None = Field(None, description="Savings Plans and Spot (costplan.compute.purchase)")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # where it came from, for messages (not part of the file)
    source_file: str | None = Field(None, exclude=True)
    source_lines: dict = Field(default_factory=dict, exclude=True, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _empty_sections(cls, data):
        """A section left with every line commented out (`settings:` alone) is empty, not an error."""
        if isinstance(data, dict):
            empty = [k for k in ("settings", "lambda", "ecs", "ec2", "quotas") if k in data and data[k] is None]
            if empty:
                data = {k: v for k, v in data.items() if k not in empty}
        return data

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v):
        if isinstance(v, bool):  # `version: yes` is True, which equals 1 to Python
            raise ValueError(f"expected 1, got {v!r}")
        return v

    @field_validator("name", "account")
    @classmethod
    def _one_line(cls, v):
        """A name heads tables, report sections and test cases and labels resources: one line of text."""
        if "\n" in v or "\r" in v or "\t" in v:
            raise ValueError("must be one line of text (no line breaks or tabs)")
        return v

    @model_validator(mode="after")
    def _check(self):
        if self.pattern not in PATTERNS:
            raise ValueError(f"unknown pattern {self.pattern!r}{did_you_mean(self.pattern, PATTERNS)}; "
                             f"expected one of {', '.join(PATTERNS)}")
        return self

    def line(self, *path) -> int | None:
        from costplan.yamlfile import line_for

        return line_for(self.source_lines, tuple(path))

    def problem(self, message: str, *path) -> Problem:
        return Problem(message, file=self.source_file, line=self.line(*path),
                       field=".".join(str(p) for p in path) or None)

    def locate(self, problems: list[Problem]) -> list[Problem]:
        """Problems found while planning or pricing this scenario, each naming its file, and the line of
        its field where it names a field of the scenario and no line."""
        from dataclasses import replace

        out = []
        for p in problems:
            if p.file is None:
                line = p.line if p.line is not None or not p.field else self.line(*p.field.split("."))
                p = replace(p, file=self.source_file, line=line)
            out.append(p)
        return out


# Keys users may write at the top level (aliases included), for "did you mean".
def _fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items() if n not in ("source_file", "source_lines")]


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Scenario
    for part in loc:
        if model is None:
            return None
        field = None
        for n, f in model.model_fields.items():
            if part in (n, f.alias):
                field = f
        if field is None:
            return None
        ann = field.annotation
        candidates = [ann] + list(getattr(ann, "__args__", ()))
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return model


def pydantic_problems(err: ValidationError, file: str | None, lines: dict, prefix: tuple = (),
                      root_model: type[BaseModel] | None = None) -> list[Problem]:
    from costplan.yamlfile import line_for

    out = []
    errors = err.errors()
    # A misspelled required key gives "unknown key" and "missing": report it once, as the misspelling.
    misspelt = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            loc = prefix + tuple(e["loc"])
            parent = loc[:-1]
            model = root_model if root_model is not None and parent == prefix else _model_at(parent)
            import difflib

            close = difflib.get_close_matches(str(loc[-1]), _fields(model) if model else [], n=1, cutoff=0.6)
            if close:
                misspelt.add(parent + (close[0],))
    for e in errors:
        if e["type"] == "missing" and prefix + tuple(e["loc"]) in misspelt:
            continue
        loc = prefix + tuple(x for x in e["loc"] if x != "__root__")
        field = ".".join(str(x) for x in loc) or None
        msg = e["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if e["type"] == "extra_forbidden":
            parent = loc[:-1]
            model = root_model if root_model is not None and parent == prefix else _model_at(parent)
            allowed = _fields(model) if model else []
            hint = did_you_mean(loc[-1], allowed)
            msg = f"unknown key{hint}"
            if allowed and not hint:
                msg += f"; expected one of {', '.join(allowed)}"
        elif e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"] in ("dict_type", "model_type"):
            msg = "expected a mapping (key: value lines)"
        elif e["type"] == "list_type":
            msg = "expected a list (- item lines)"
        elif e["type"] == "string_type":
            got = e.get("input")
            if got is None:
                msg = "expected text, got nothing (null)"
            elif isinstance(got, bool):
                msg = f"expected text, got {str(got).lower()} (YAML reads yes, no, on, off as true/false: quote it)"
            elif isinstance(got, int | float):
                msg = f"expected text, got the number {got}; quote it if you mean the text \"{got}\""
            elif isinstance(got, list | dict):
                msg = f"expected text, got {'a list' if isinstance(got, list) else 'a mapping'}"
            else:  # a date or time YAML recognised
                msg = f"expected text, got the {type(got).__name__} {got}; quote it if you mean the text \"{got}\""
        elif e["type"] in ("bool_type", "bool_parsing"):
            got = e.get("input")
            msg = f"expected true or false, got {'a list' if isinstance(got, list) else 'a mapping' if isinstance(got, dict) else repr(got)}"
        elif e["type"] == "string_too_short":
            msg = "must not be empty"
        elif e["type"] in ("decimal_type", "decimal_parsing") and e.get("input") is None:
            msg = "expected a number, got nothing (null); give a value or remove the line"
        elif e["type"] == "literal_error":
            msg = f"expected {e['ctx']['expected']}, got {e.get('input')!r}"
        out.append(Problem(msg, file=file, line=line_for(lines, loc), field=field))
    return sorted(out, key=lambda p: p.line or 0)


def from_dict(data: Any, file: str | None = None, lines: dict | None = None) -> Scenario:
    lines = lines or {}
    if not isinstance(data, dict):
        raise CostplanError(Problem("expected a mapping of scenario fields (version, name, workload, ...)",
                                    file=file, line=1))
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as e:
        raise CostplanError(pydantic_problems(e, file, lines)) from None
    sc = sc.model_copy(update={"source_file": file, "source_lines": lines})
    from costplan.validate import problems

    found = problems(sc)  # the one pipeline: references, pattern settings, the plan's numbers
    if found:
        raise CostplanError(found)
    return sc


def load(path: str | Path) -> Scenario:
    """Load and validate one scenario file. Raises CostplanError with one Problem per issue."""
    from costplan.yamlfile import read

    data, lines, shown = read(path)
    return with_repository_defaults(from_dict(data, shown, lines))


def with_repository_defaults(sc: Scenario) -> Scenario:
    """Region and free tier from the repository config (costplan.toml) where the file sets neither."""
    from costplan.config import cached

    cfg = cached()
    upd = {}
    if cfg.region and ("region",) not in sc.source_lines:
        upd["region"] = cfg.region
    if cfg.free_tier is not None and ("free_tier",) not in sc.source_lines:
        upd["free_tier"] = cfg.free_tier
    return sc.model_copy(update=upd) if upd else sc


def expand(paths: list[str]) -> list[Path]:
    """Files and folders (a folder means its *.yaml / *.yml files, sorted). Nothing to read is an error:
    a mistyped path must not pass a CI gate as "0 failed"."""
    import os

    out: list[Path] = []
    problems = []
    if not paths:
        raise CostplanError(Problem("give at least one scenario file or folder"))
    seen: set = set()  # a file named twice (a folder and a file in it, a symlink) is one scenario: checked
    for p in paths:          # twice, limits-check would add its load to the account twice
        pp = Path(p)
        if pp.is_dir():
            found = sorted([*pp.glob("*.yaml"), *pp.glob("*.yml")])
            if not found:
                try:  # glob says nothing of a folder it may not read: ask the folder itself
                    with os.scandir(pp):
                        pass
                except OSError as e:
                    problems.append(Problem(f"cannot read the folder: {e.strerror or e}", file=str(p)))
                    continue
                problems.append(Problem("folder holds no scenario files (*.yaml, *.yml)", file=str(p)))
        else:
            found = [pp]
        for f in found:
            try:  # the file itself, however it is reached (one stat: a realpath costs one per component)
                st = os.stat(f)
                key = (st.st_dev, st.st_ino)
            except OSError:  # missing or unreadable: load() says why
                key = str(f)
            if key not in seen:
                seen.add(key)
                out.append(f)
    if problems:
        raise CostplanError(problems)
    return out


def load_many(paths: list[str]) -> list[Scenario]:
    """Load every file, collecting every problem before raising."""
    problems: list = []
    scenarios = list(iter_load(expand(paths), problems))
    if problems:
        raise CostplanError(problems)
    return scenarios


def iter_load(files: list[Path], problems: list):
    """Each file's scenario as it is loaded (one held at a time: a folder of thousands in flat memory);
    a file that does not load adds its problems to `problems` and is skipped, so every file is tried."""
    names: dict[str, str | None] = {}  # scenario name → the file that has it
    for f in files:
        try:
            sc = load(f)
        except CostplanError as e:
            problems.extend(e.problems)
            continue
        first = names.setdefault(sc.name, sc.source_file)
        if first != sc.source_file:  # findings, report sections and chart files are keyed by the name
            problems.append(sc.problem(f"{sc.name!r} is also the name of {first}; scenarios checked together need "
                                       "their own names", "name"))
            continue
        yield sc


def json_schema() -> dict:
    """The JSON Schema of scenario files, for editors: patterns and regions enumerated, unit strings
    checked, and `settings` checked against the chosen pattern's own settings (descriptions,
    defaults, ranges) through if/then on `pattern`."""
    import importlib

    from costplan.patterns import REGISTRY

    schema = Scenario.model_json_schema(by_alias=True)
    schema["properties"].pop("source_file", None)
    schema["properties"].pop("source_lines", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "costplan scenario (version 1)"
    props = schema["properties"]
    props["pattern"]["enum"] = list(PATTERNS)
    props["pattern"].pop("type", None)
    try:
        from costplan.pricing.book import regions

        props["region"]["enum"] = sorted(regions())
        props["region"].pop("type", None)
    except Exception:  # noqa: BLE001 - the schema is still useful without the region list
        pass
    branches = []
    defs = schema.setdefault("$defs", {})
    for name in PATTERNS:
        model = getattr(importlib.import_module(REGISTRY[name]), "Settings", None)
        if model is None:
            continue
        sub = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        for k, v in sub.pop("$defs", {}).items():
            defs.setdefault(k, v)
        sub["description"] = f"settings of the {name} pattern"
        key = f"settings_{name}"
        defs[key] = sub
        branches.append({"if": {"properties": {"pattern": {"const": name}}, "required": ["pattern"]},
                         "then": {"properties": {"settings": {"anyOf": [{"$ref": f"#/$defs/{key}"},
                                                                        {"type": "null"}]}}}})
    # No pattern line means sync_api (the model's default).
    branches.append({"if": {"not": {"required": ["pattern"]}},
                     "then": {"properties": {"settings": {"anyOf": [{"$ref": "#/$defs/settings_sync_api"},
                                                                    {"type": "null"}]}}}})
    schema["allOf"] = branches
    props["settings"] = {"description": "the pattern's settings (see settings_<pattern> in $defs)",
                         "anyOf": [{"type": "object"}, {"type": "null"}]}
    return schema
