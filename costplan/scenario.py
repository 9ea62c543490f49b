"""The scenario model (pydantic, versioned, unknown keys rejected) and its loader.

A scenario is what an architect commits to a design review: the workload, one integration
pattern with its settings, the account it shares, and per-alternative settings for ECS.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

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


Count = Annotated[Decimal, _u(units.count)]
Ms = Annotated[Decimal, _u(units.duration_ms)]
Seconds = Annotated[Decimal, _u(units.duration_s)]
Hours = Annotated[Decimal, _u(units.duration_h)]
MB = Annotated[Decimal, _u(units.size_mb)]
KB = Annotated[Decimal, _u(units.size_kb)]
GB = Annotated[Decimal, _u(units.size_gb)]
Rate = Annotated[Decimal, _u(units.rate_per_s)]
Fraction = Annotated[Decimal, _u(units.percent)]
Number = Annotated[Decimal, _u(units.count)]


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
    memory_mb: MB = Field(Decimal(128), description="function memory / working set (128–10,240 MB)")
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    request_size_kb: KB = Field(Decimal(1), description="request payload size")
    response_size_kb: KB = Field(Decimal(1), description="response payload size")
    traffic_window: str | None = Field(
        None, description='daily UTC window of the peak, "HH:MM-HH:MM"; undeclared = may coincide with anything')

    @model_validator(mode="after")
    def _check(self):
        if self.monthly_requests is None and self.average_rps is None and self.peak_rps is None:
            raise ValueError("needs monthly_requests, average_rps or peak_rps")
        if self.active_hours_per_day > 24 or self.active_hours_per_day <= 0:
            raise ValueError("active_hours_per_day must be more than 0h and at most 24h")
        if self.active_days_per_month <= 0 or self.active_days_per_month > units.DAYS_PER_MONTH + Decimal("0.6"):
            raise ValueError("active_days_per_month must be more than 0 and at most 31")
        if self.peak_to_average < 1:
            raise ValueError("peak_to_average must be at least 1")
        lo, hi = units.LAMBDA_MEMORY_MB
        if not (lo <= self.memory_mb <= hi):
            raise ValueError(f"memory_mb must be 128–10,240 MB, got {self.memory_mb}")
        return self

    @field_validator("traffic_window")
    @classmethod
    def _window(cls, v):
        if v is not None:
            parse_window(v)
        return v


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
        lo, hi = units.LAMBDA_EPHEMERAL_MB
        if not (lo <= self.ephemeral_storage_mb <= hi):
            raise ValueError(f"ephemeral_storage_mb must be 512–10,240 MB, got {self.ephemeral_storage_mb:,}")
        if self.init_duration_ms is not None and not (0 <= self.init_duration_ms <= 10_000):
            raise ValueError("init_duration_ms must be 0–10 s (Lambda's INIT phase is limited to 10 s)")
        return self


class EcsSettings(Strict):
    vcpu: Number = Field(Decimal(1), description="task vCPU (Fargate sizes 0.25–16)")
    memory_gb: GB = Field(Decimal(2), description="task memory")
    concurrent_requests_per_task: Count | None = Field(
        None, description="requests one task serves at once (throughput = this ÷ duration)")
    requests_per_second_per_task: Rate | None = Field(None, description="measured throughput of one task")
    min_tasks: Count = Field(Decimal(2), description="floor for availability (two AZs)")
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
        return self


class Ec2Settings(Strict):
    instance_type: str | None = Field(
        None, description="EC2 instance type for the ECS cluster (default: m5.large for x86_64, m7g.large for arm64)")
    min_instances: Count = Field(Decimal(2), description="floor for availability (two AZs)")
    reserved_memory_mb: MB = Field(Decimal(0), description="memory kept back per instance for OS and agent")
    eni_trunking: bool = Field(
        False, description="the account has ECS awsvpcTrunking on: tasks are not capped at the instance's "
                           "network interfaces − 1 (ECS's higher trunking limits are not in the bundled data)")


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
    return sc.model_copy(update={"source_file": file, "source_lines": lines})


def load(path: str | Path) -> Scenario:
    """Load and validate one scenario file. Raises CostplanError with one Problem per issue."""
    from costplan.yamlfile import read

    data, lines, shown = read(path)
    return from_dict(data, shown, lines)


def expand(paths: list[str]) -> list[Path]:
    """Files and folders (a folder means its *.yaml / *.yml files, sorted)."""
    out: list[Path] = []
    for p in paths:
        pp = Path(p)
        if pp.is_dir():
            out.extend(sorted([*pp.glob("*.yaml"), *pp.glob("*.yml")]))
        else:
            out.append(pp)
    return out


def load_many(paths: list[str]) -> list[Scenario]:
    """Load every file, collecting every problem before raising."""
    scenarios, problems = [], []
    for p in expand(paths):
        try:
            scenarios.append(load(p))
        except CostplanError as e:
            problems.extend(e.problems)
    if problems:
        raise CostplanError(problems)
    return scenarios


def json_schema() -> dict:
    schema = Scenario.model_json_schema(by_alias=True)
    schema["properties"].pop("source_file", None)
    schema["properties"].pop("source_lines", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "costplan scenario (version 1)"
    return schema
