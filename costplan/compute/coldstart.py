"""Cold starts in money: how many new execution environments a month (scale-ups, recycling, idle gaps)
× the INIT duration, which Lambda bills as duration since 1 August 2025.

AWS publishes neither how long an idle environment is kept nor how often a busy one is recycled, so
both are stated defaults below, each with its source; a scenario can set the INIT duration it measured
(`lambda.init_duration_ms`, from the `Init Duration` of a REPORT log line) or its runtime.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

INIT_BILLING = ("https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/",
                "AWS Compute Blog, 'AWS Lambda standardizes billing for INIT Phase' (2025-04-29): effective "
                "2025-08-01 the INIT phase of on-demand ZIP functions on managed runtimes is billed as duration, "
                "like every other configuration")
LIFECYCLE = ("https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
             "Lambda execution environment lifecycle: 'Lambda terminates execution environments every few hours "
             "... even for functions that are invoked continuously'")
INIT_BENCH = ("https://github.com/maxday/lambda-perf/blob/main/data/2025/2025-12-21.json",
              "lambda-perf daily cold-start benchmark, hello-world ZIP functions, average Init Duration, 2025-12-21")
IDLE_STUDY = ("https://theburningmonk.com/2017/06/finding-coldstarts-how-long-does-aws-lambda-keep-your-idle-"
              "functions-around/", "Yan Cui, 2017: idle environments measured kept 45-60 min, some far less")

# A hello-world function's INIT by runtime (lambda-perf, 2025-12-21, 512 MB x86_64 or nearest): a floor.
# A real function that imports an SDK and opens clients initialises for longer: measure and set
# lambda.init_duration_ms.
INIT_MS_BY_RUNTIME = {
    "python": Decimal(100),   # python3.13 zip 512 MB x86_64: 102 ms
    "nodejs": Decimal(140),   # nodejs20.x zip 512 MB x86_64: 142 ms
    "java": Decimal(260),     # java21 zip 128 MB x86_64: 262 ms (no SnapStart)
    "dotnet": Decimal(260),   # dotnet8 zip 256 MB arm64: 262 ms
    "ruby": Decimal(200),     # ruby3.4 zip 512 MB arm64: 203 ms
    "go": Decimal(55),        # go on provided.al2023 zip 512 MB x86_64: 55 ms
    "rust": Decimal(15),      # rust on provided.al2 zip 1024 MB x86_64: 16 ms
}
RUNTIMES = tuple(INIT_MS_BY_RUNTIME)
DEFAULT_RUNTIME = "python"
# Not published by AWS. The low ends of what has been observed, so INIT is not understated:
IDLE_REUSE_MINUTES = Decimal(5)  # an idle environment is reused if a request comes within this
ENVIRONMENT_LIFETIME_HOURS = Decimal(2)  # a busy environment is replaced this often ("every few hours")


def init_ms(lambda_settings) -> tuple[Decimal, str]:
    """The INIT duration and where it came from."""
    own = getattr(lambda_settings, "init_duration_ms", None)
    if own is not None:
        return Decimal(own), "lambda.init_duration_ms"
    runtime = getattr(lambda_settings, "runtime", None) or DEFAULT_RUNTIME
    return INIT_MS_BY_RUNTIME[runtime], f"{runtime} default (hello-world floor, lambda-perf 2025-12-21)"


@dataclass(frozen=True)
class ColdStarts:
    scale_ups: Decimal  # environments created as traffic ramps up each day
    recycled: Decimal  # busy environments replaced by Lambda
    idle: Decimal  # requests arriving after an idle gap longer than the reuse window
    total: Decimal
    requests: Decimal

    @property
    def rate(self) -> Decimal:
        return self.total / self.requests if self.requests else Decimal(0)


def _ceil(d: Decimal) -> Decimal:
    return Decimal(d).to_integral_value(rounding=ROUND_CEILING)


_MEMO: dict = {}


def cold_starts(traffic, workload, warm_copies: Decimal = Decimal(0)) -> ColdStarts:
    """Memoised _cold_starts: each alternative's bill and its notes ask for the same function's count."""
    key = (traffic, workload.active_hours_per_day, Decimal(warm_copies))
    r = _MEMO.get(key)
    if r is None:
        if len(_MEMO) > 4096:
            _MEMO.clear()
        r = _MEMO[key] = _cold_starts(traffic, workload, warm_copies)
    return r


def _cold_starts(traffic, workload, warm_copies: Decimal = Decimal(0)) -> ColdStarts:
    """New environments a month for one function: its share of `traffic` and the workload's daily shape.

    - scale-ups: each active day the function ramps from idle (a daily gap) to its peak concurrency,
      or, traffic around the clock, from its average to its peak;
    - recycling: the environments serving the average concurrency are replaced every
      ENVIRONMENT_LIFETIME_HOURS while traffic flows;
    - idle gaps: sparse traffic (Poisson arrivals) finds no warm environment when the gap since the
      last request exceeds IDLE_REUSE_MINUTES: requests × e^(−rate × window).
    `warm_copies` environments kept warm (a warmer or provisioned concurrency) take away the scale-ups,
    recycling and idle gaps they cover."""
    t = traffic
    requests = Decimal(t.monthly_requests)
    if requests <= 0:
        return ColdStarts(*(Decimal(0),) * 4, requests)
    hours_per_day = Decimal(workload.active_hours_per_day)
    days = t.active_seconds / 3600 / hours_per_day if hours_per_day else Decimal(0)
    peak, avg = _ceil(max(t.peak_concurrency, Decimal(1))), _ceil(max(t.average_concurrency, Decimal(1)))
    n = Decimal(warm_copies)
    daily_gap = hours_per_day < 24
    ramp_from = n if daily_gap else max(avg, n)
    scale_ups = days * max(peak - ramp_from, Decimal(0))
    recycled = max(avg - n, Decimal(0)) * t.active_hours / ENVIRONMENT_LIFETIME_HOURS
    idle = Decimal(0)
    if n == 0 and t.average_rps > 0:
        exponent = float(t.average_rps * IDLE_REUSE_MINUTES * 60)
        idle = requests * Decimal(repr(math.exp(-exponent))) if exponent < 700 else Decimal(0)
    total = min(requests, scale_ups + recycled + idle)
    return ColdStarts(scale_ups, recycled, idle, total, requests)


def total_f(requests: float, peak_conc: float, avg_conc: float, avg_rps: float, hours_per_day: float,
            days: float, active_hours: float, warm_copies: float = 0.0) -> float:
    """cold_starts(...).total in floats, for the break-even scan (checked against it at today's volume)."""
    if requests <= 0:
        return 0.0
    peak = float(math.ceil(max(peak_conc, 1.0) - 1e-9))
    avg = float(math.ceil(max(avg_conc, 1.0) - 1e-9))
    n = warm_copies
    ramp_from = n if hours_per_day < 24 else max(avg, n)
    total = days * max(peak - ramp_from, 0.0) + max(avg - n, 0.0) * active_hours / float(ENVIRONMENT_LIFETIME_HOURS)
    if n == 0 and avg_rps > 0:
        x = avg_rps * float(IDLE_REUSE_MINUTES) * 60
        if x < 700:
            total += requests * math.exp(-x)
    return min(requests, total)
