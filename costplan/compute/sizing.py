"""ECS sizing from what one request needs: how many requests a task holds (CPU and memory), the
cheapest Fargate size or EC2 instance type that holds them, and the task count through the day with
the scale-out lag of target tracking (or a priced scheduled pre-scale)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache

from costplan import units
from costplan.compute.traffic import ceil
from costplan.errors import CostplanError
from costplan.services.fargate import fargate_size_problem, fargate_sizes  # the Fargate size table

HOURS = units.HOURS_PER_MONTH
# AWS Lambda: "At 1,769 MB, a function has the equivalent of one vCPU (one vCPU-second of credits per
# second)" — https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
LAMBDA_MB_PER_VCPU = Decimal(1769)
# Memory the ECS agent does not offer to tasks when ec2.reserved_memory_mb is not set: the kernel and
# platform take ~2.5 % (https://docs.aws.amazon.com/batch/latest/userguide/memory-management.html: an
# m4.large's 8 GiB leaves 7,985 MiB for tasks; the ECS developer guide's memory-management.html says the
# same in words) and ECS_RESERVED_MEMORY comes on top; AWS Batch recommends a 5 % buffer for both.
DEFAULT_RESERVED_SHARE = Decimal("0.05")
MINUTES_PER_DAY = Decimal(1440)
ZERO = Decimal(0)


def _floor(d: Decimal) -> int:
    return int(Decimal(d).to_integral_value(rounding=ROUND_FLOOR))


def num(d) -> str:
    """A quantity for a note: up to three decimals, no trailing zeros."""
    d = Decimal(d).quantize(Decimal("0.001")).normalize()
    return f"{d:,f}"


# ---- what one request needs --------------------------------------------------------------------

@dataclass(frozen=True)
class Need:
    """What one in-flight request holds on a task."""

    vcpu: Decimal  # vCPU it keeps busy: the function's CPU allocation (memory ÷ 1,769 MB) × cpu_share
    working_set_mb: Decimal
    overhead_mb: Decimal  # held once per task
    duration_s: Decimal
    lambda_vcpu: Decimal
    cpu_share: Decimal
    working_set_default: bool


def request_need(stage, workload, ecs) -> Need:
    lam_vcpu = Decimal(stage.memory_mb) / LAMBDA_MB_PER_VCPU
    share = Decimal(workload.cpu_share)
    ws = workload.working_set_mb
    # a downstream stage with its own memory holds what its own function holds
    default_ws = ws is None or Decimal(stage.memory_mb) != Decimal(workload.memory_mb)
    return Need(lam_vcpu * share, Decimal(stage.memory_mb) if default_ws else Decimal(ws),
                Decimal(ecs.task_overhead_mb), Decimal(stage.traffic.duration_ms) / 1000, lam_vcpu, share,
                default_ws)


def concurrency(need: Need, vcpu: Decimal, memory_mb: Decimal) -> tuple[int, int, int]:
    """(requests a task of this size holds, CPU's limit, memory's limit): whole requests."""
    by_cpu = _floor(vcpu / need.vcpu) if need.vcpu > 0 else 10**9
    by_mem = _floor((memory_mb - need.overhead_mb) / need.working_set_mb) if need.working_set_mb > 0 else 10**9
    return max(0, min(by_cpu, by_mem)), by_cpu, max(0, by_mem)


# ---- the traffic through the day ---------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    name: str  # "peak" | "active" | "idle"
    minutes: Decimal  # per active day
    rps: Decimal


@dataclass(frozen=True)
class Profile:
    """One active day as segments from the start of the active hours (the peak first), plus the month's
    active days; idle days run at the floor all day."""

    segments: tuple[Segment, ...]
    active_days: Decimal
    start_minute: int  # UTC minute the active hours start (traffic_window), 0 when undeclared
    declared_window: bool


_PROFILES: dict = {}  # (id(traffic), id(workload)) → (traffic, workload, Profile): the objects are held


def profile(stage, workload) -> Profile:
    """The stage's day (see Profile). A plan asks for it several times (each ECS option, the reads of
    its sizing): it is kept for the last few (traffic, workload) pairs, both immutable in a plan."""
    t = stage.traffic
    key = (id(t), id(workload))
    hit = _PROFILES.get(key)
    if hit is not None and hit[0] is t and hit[1] is workload:
        return hit[2]
    prof = _profile(t, workload)
    if len(_PROFILES) >= 32:
        _PROFILES.clear()
    _PROFILES[key] = (t, workload, prof)
    return prof


def _profile(t, workload) -> Profile:
    days = min(Decimal(workload.active_days_per_month), units.DAYS_PER_MONTH)
    active_min = Decimal(workload.active_hours_per_day) * 60
    avg, peak = t.average_rps, max(t.peak_rps, t.average_rps)
    segs = []
    if peak > avg and avg > 0:
        ratio = peak / avg
        if workload.peak_window_s is not None:
            p_min = Decimal(workload.peak_window_s) / 60
        else:
            p_min = min(Decimal(60), active_min / (2 * ratio))
        p_min = min(p_min, active_min / ratio)  # the peak cannot carry more than the month's volume
        rest = active_min - p_min
        base = (avg * active_min - peak * p_min) / rest if rest > 0 else ZERO
        segs.append(Segment("peak", p_min, peak))
        if rest > 0:
            segs.append(Segment("active", rest, max(base, ZERO)))
    else:
        segs.append(Segment("active", active_min, avg))
    if active_min < MINUTES_PER_DAY:
        segs.append(Segment("idle", MINUTES_PER_DAY - active_min, ZERO))
    start, declared = 0, False
    if workload.traffic_window:
        from costplan.scenario import parse_window

        start, declared = parse_window(workload.traffic_window)[0], True
    return Profile(tuple(segs), days, start, declared)


# ---- tasks through the day ---------------------------------------------------------------------

@dataclass
class Timeline:
    """Counts (tasks or instances) per segment and what the scale-out lag does to them."""

    counts: list[int]
    unit_minutes: Decimal  # count × minutes over one active day, lag included
    prescale_minutes: Decimal  # extra count-minutes a day for scheduled pre-scaling
    lag_minutes: Decimal  # count-minutes a day not yet running while target tracking catches up
    delay_minutes: Decimal  # count-minutes a day still running while scale-in waits
    floor: int
    hours: Decimal  # count-hours a month

    @property
    def peak(self) -> int:
        return max(self.counts)


def timeline(prof: Profile, counts: list[int], floor: int, lag_min: Decimal, delay_min: Decimal,
             scheduled: bool, idle_count: int | None = None) -> Timeline:
    """Count-hours a month for per-segment counts on a cyclic day. A step up is followed lag_min later
    (or, scheduled, started lag_min before and priced); a step down waits delay_min."""
    segs = prof.segments
    n = len(segs)
    base = sum((s.minutes * c for s, c in zip(segs, counts)), ZERO)
    pre = lagged = delayed = ZERO
    if n > 1:
        for i in range(n):
            prev, cur = counts[i - 1], counts[i]
            if cur > prev:
                if scheduled:
                    pre += min(lag_min, segs[i - 1].minutes) * (cur - prev)
                else:
                    lagged += min(lag_min, segs[i].minutes) * (cur - prev)
            elif cur < prev:
                delayed += min(delay_min, segs[i].minutes) * (prev - cur)
    day = base + pre - lagged + delayed
    days = prof.active_days
    idle_days_h = (HOURS - days * 24)
    idle = floor if idle_count is None else idle_count
    hours = days * day / 60 + idle_days_h * idle
    return Timeline(list(counts), day, pre, lagged, delayed, floor, hours)


def tasks_by_hour(prof: Profile, counts: list[int], lag_min: Decimal = ZERO, delay_min: Decimal = ZERO,
                  scheduled: bool = False) -> list[float]:
    """Average count in each UTC hour of an active day (the active hours start at the traffic_window,
    or at 00:00 when none is declared), with the scale-out lag or pre-scale and the scale-in wait."""
    per_min, starts = [], []
    for s, c in zip(prof.segments, counts):
        starts.append(len(per_min))
        per_min.extend([c] * int(s.minutes.to_integral_value()))
    per_min = (per_min + [counts[-1]] * 1440)[:1440]
    base = list(per_min)
    lag, delay = int(lag_min), int(delay_min)
    for i, start in enumerate(starts if len(counts) > 1 else []):
        prev, cur = counts[i - 1], counts[i]
        if cur > prev and scheduled:
            for m in range(start - lag, start):
                per_min[m % 1440] = max(per_min[m % 1440], cur)
        elif cur > prev:
            for m in range(start, min(start + lag, 1440)):
                if base[m] == cur:
                    per_min[m] = prev
        elif cur < prev:
            for m in range(start, min(start + delay, 1440)):
                if base[m] == cur:
                    per_min[m] = prev
    shift = prof.start_minute % 1440
    per_min = per_min[-shift:] + per_min[:-shift] if shift else per_min
    return [round(sum(per_min[h * 60:(h + 1) * 60]) / 60, 2) for h in range(24)]


@dataclass
class StagePlan:
    """A stage's tasks: capacity per task and the count in each segment."""

    stage: str
    role: str
    per_task_rps: Decimal  # throughput of one task at 100 %
    per_task_concurrency: Decimal
    counts: list[int]
    needed_peak: int  # before max_tasks
    capped: bool
    shortfall: str | None = None


def task_counts(prof: Profile, per_task_rps: Decimal, target: Decimal, floor: int,
                cap: int | None) -> tuple[list[int], int, bool]:
    usable = per_task_rps * target
    raw = [max(floor, ceil(s.rps / usable)) if s.rps > 0 else floor for s in prof.segments]
    needed = max(raw)
    capped = cap is not None and needed > cap
    return ([min(c, cap) for c in raw] if capped else raw), needed, capped


def lag_shortfall(prof: Profile, counts: list[int], per_task_rps: Decimal, lag_min: Decimal,
                  declared_peak: bool = False) -> str | None:
    """The first step up that the tasks already running cannot carry at 100 % while the new ones start.
    Steps are where traffic starts after an idle spell, and a peak whose length the scenario declares
    (a rush); an undeclared peak within busy hours is a ramp that target tracking follows."""
    segs = prof.segments
    if len(segs) < 2:
        return None
    for i, s in enumerate(segs):
        prev = counts[i - 1]
        step = segs[i - 1].name == "idle" or (s.name == "peak" and declared_peak)
        if step and counts[i] > prev and s.rps > prev * per_task_rps:
            served = prev * per_task_rps
            return (f"the step to {s.rps:,.1f} req/s ({s.name}) finds {prev} task(s) serving at most "
                    f"{served:,.1f} req/s for ≈{num(lag_min)} min until {counts[i]} run: "
                    f"≈{(s.rps - served) * min(lag_min, s.minutes) * 60:,.0f} requests a day queue or fail")
    return None


# ---- choosing a size ----------------------------------------------------------------------------

@dataclass
class Choice:
    vcpu: Decimal
    memory_gb: Decimal
    concurrency: int
    by_cpu: int
    by_mem: int
    measured: bool
    hourly_usd: Decimal  # one task-hour: vCPU + memory (+ its public IPv4)
    monthly_usd: Decimal
    task_hours: Decimal
    runner_up: tuple | None = None  # (vcpu, memory_gb, monthly) of the next cheapest
    considered: int = 0


def fargate_rates(book, arch: str, public_ipv4: bool) -> tuple[Decimal, Decimal, Decimal]:
    """Per hour: one vCPU, one GB, one public IPv4 address."""
    v = book.get(f"fargate.vcpu_linux_{arch}").tiers[0].usd * 3600
    m = book.get(f"fargate.memory_linux_{arch}").tiers[0].usd * 3600
    ip = book.get("vpc.public_ipv4_hours").tiers[0].usd if public_ipv4 else ZERO
    return v, m, ip


def measured_rps(ecs, need: Need) -> Decimal | None:
    if ecs.requests_per_second_per_task is not None:
        return Decimal(ecs.requests_per_second_per_task)
    if ecs.concurrent_requests_per_task is not None:
        c = Decimal(ecs.concurrent_requests_per_task)
        return c / need.duration_s if need.duration_s > 0 else Decimal(10**9)
    return None


def candidate_sizes(ecs) -> list[tuple[Decimal, Decimal]]:
    sizes = fargate_sizes()
    if ecs.vcpu is not None:
        sizes = [s for s in sizes if s[0] == Decimal(ecs.vcpu)]
    if ecs.memory_gb is not None:
        sizes = [s for s in sizes if s[1] == Decimal(ecs.memory_gb)]
    return list(sizes)


DEFAULT_MEASURED_SIZE = (Decimal(1), Decimal(2))  # a measured figure with no size was measured on 1 vCPU / 2 GB


def _settings(sc, prof: Profile) -> tuple[Decimal, Decimal, bool]:
    ecs = sc.ecs
    scheduled = prof.declared_window if ecs.scheduled_scaling is None else bool(ecs.scheduled_scaling)
    return Decimal(ecs.scale_out_lag_s) / 60, Decimal(ecs.scale_in_delay_s) / 60, scheduled


def _served_demand(sc, prof: Profile, need, cap) -> float:
    """Request-hours in flight a month that tasks certainly serve, for the searches' lower bound on
    task-hours (÷ what a task serves): every part of the day at its rate, less the first `lag` minutes after a
    step up (timeline() leaves them to the tasks already running), and nothing when max_tasks caps the count
    (capped tasks serve less than the demand). A bound that counted those would be above some sizes' real
    cost and stop the search before the cheapest (a capped workload was priced at $886.87 where a $454.38
    size existed)."""
    if cap is not None:
        return 0.0
    lag, _, scheduled = _settings(sc, prof)
    lag_f = float(lag) if not scheduled and sc.ecs.scaling != "peak" and len(prof.segments) > 1 else 0.0
    minutes = sum(float(x.rps) * max(float(x.minutes) - lag_f, 0.0) for x in prof.segments)
    return minutes * float(need.duration_s) / 60 * float(prof.active_days)


def _hours(prof: Profile, counts: list[int], floor: int, lag: Decimal, delay: Decimal, scheduled: bool,
           peak_scaling: bool) -> Timeline:
    """The count-hours of the day's counts: at the peak count all month (ecs.scaling: peak), else the
    timeline with its scale-out lag and scale-in wait (settings from _settings, read once per search)."""
    if peak_scaling:
        peak = max(counts)
        return Timeline(list(counts), Decimal(peak) * MINUTES_PER_DAY, ZERO, ZERO, ZERO, peak, Decimal(peak) * HOURS)
    return timeline(prof, counts, floor, lag, delay, scheduled)


@lru_cache(maxsize=1024)
def _fargate_shapes(need: Need, sizes: tuple, meas, rv: Decimal, rm: Decimal, rip: Decimal) -> tuple:
    """Every size that holds a request, with what it holds and costs an hour: the same at every volume."""
    out = []
    for v, m in sizes:
        conc, bc, bm = concurrency(need, v, m * 1024)
        if meas is None and conc < 1:
            continue
        rps = meas if meas is not None else conc / need.duration_s if need.duration_s > 0 else Decimal(10**9)
        c_eff = rps * need.duration_s if meas is not None else Decimal(conc)
        hourly = v * rv + m * rm + rip
        out.append((v, m, conc, bc, bm, rps, hourly, c_eff, float(hourly), float(c_eff)))
    return tuple(out)


_FLOATS: dict = {}  # id(shapes) → (shapes, ((hourly, capacity) as floats per shape)): the tuple is held


def _shape_floats(shapes: tuple) -> tuple:
    """The two floats size_fargate's bound reads of each _fargate_shapes row (kept per shapes tuple)."""
    hit = _FLOATS.get(id(shapes))
    if hit is not None and hit[0] is shapes:
        return hit[1]
    if len(_FLOATS) >= 64:
        _FLOATS.clear()
    pairs = tuple((row[8], row[9]) for row in shapes)
    _FLOATS[id(shapes)] = (shapes, pairs)
    return pairs


@dataclass
class FargateSizing:
    stage: str
    need: Need
    profile: Profile
    choice: Choice
    plan: StagePlan
    timeline: Timeline
    warnings: list[str] = field(default_factory=list)


def size_fargate(stage, sc, book, arch: str, runner_up: bool = True) -> FargateSizing:
    """The cheapest Fargate size (or the scenario's own) for one stage, with its tasks through the day."""
    ecs = sc.ecs
    need = request_need(stage, sc.workload, ecs)
    prof = profile(stage, sc.workload)
    meas = measured_rps(ecs, need)
    bad = fargate_size_problem(ecs.vcpu, ecs.memory_gb)
    if bad:
        where = "memory_gb" if ecs.vcpu is not None and ecs.memory_gb is not None and "sell" in bad else (
            "vcpu" if ecs.vcpu is not None else "memory_gb")
        raise CostplanError(sc.problem(bad, "ecs", where))
    sizes = candidate_sizes(ecs)
    if meas is not None and ecs.vcpu is None and ecs.memory_gb is None:
        sizes = [DEFAULT_MEASURED_SIZE]
    rv, rm, rip = fargate_rates(book, arch, ecs.public_ipv4)
    target = Decimal(ecs.target_utilization)
    floor = int(ecs.min_tasks)
    cap = int(ecs.max_tasks) if ecs.max_tasks is not None else None
    # Branch and bound: a size costs at least its floor all month and at least the month's
    # request-seconds at its concurrency; price sizes cheapest-bound first, stop past the best.
    demand = _served_demand(sc, prof, need, cap)
    # the bound only orders and prunes (floats are fast); every price compared below is exact
    demand_f, floor_h, target_f = demand, floor * 730.0, float(target)
    shapes = _fargate_shapes(need, tuple(sizes), meas, rv, rm, rip)
    # per shape: hourly × max(floor hours, task-hours the demand needs), a 1e-9 margin below
    bounds = [hourly_f * (floor_h if floor_h >= (h := (demand_f / (c_eff_f * target_f) if c_eff_f > 0 else 0.0))
                          else h) * (1 - 1e-9) for hourly_f, c_eff_f in _shape_floats(shapes)]
    if not shapes:
        largest = max(fargate_sizes())
        msg = (f"no Fargate task size holds one request of {stage.name}: it needs {num(need.vcpu)} vCPU "
               f"({num(need.lambda_vcpu)} vCPU at {num(stage.memory_mb)} MB × cpu_share {need.cpu_share:.0%}) and "
               f"{num(need.working_set_mb)} MB + {num(need.overhead_mb)} MB task overhead")
        if ecs.vcpu is not None or ecs.memory_gb is not None:
            msg += (f"; the scenario's ecs.vcpu/memory_gb ({num(ecs.vcpu) if ecs.vcpu else 'any'} vCPU / "
                    f"{num(ecs.memory_gb) if ecs.memory_gb else 'any'} GB) cannot")
        else:
            msg += f"; the largest is {num(largest[0])} vCPU / {num(largest[1])} GB"
        raise CostplanError(sc.problem(msg, "ecs", "vcpu"))
    # stable: ties stay in the table's order, smaller sizes first
    order = sorted(range(len(shapes)), key=bounds.__getitem__)
    # Under max_tasks a size whose tasks cannot carry the peak is cheap only because it serves less: a size
    # that carries it within the cap wins over every one that does not, whatever they cost; if none can,
    # the size that serves the most (the cap × what a task serves), then the cheapest.
    def rank(e):
        return (0, 0, e[0], e[1], e[2]) if not e[10] else (1, -e[6], e[0], e[1], e[2])

    lag, delay, scheduled = _settings(sc, prof)
    peak_scaling = ecs.scaling == "peak"
    best = second = None
    for i in order:
        if (best is not None and (not runner_up or second is not None) and not (second or best)[10]
                and bounds[i] >= (second or best)[-1]):
            break
        v, m, conc, bc, bm, rps, hourly, *_ = shapes[i]
        counts, needed, capped = task_counts(prof, rps, target, floor, cap)
        tl = _hours(prof, counts, floor, lag, delay, scheduled, peak_scaling)
        cost = tl.hours * hourly
        entry = (cost, v, m, conc, bc, bm, rps, hourly, counts, needed, capped, tl, float(cost))
        if best is None or rank(entry) < rank(best):
            best, second = entry, best
        elif second is None or rank(entry) < rank(second):
            second = entry
    cost, v, m, conc, bc, bm, rps, hourly, counts, needed, capped, tl, _ = best
    choice = Choice(v, m, conc, bc, bm, meas is not None, hourly, cost, tl.hours,
                    None if second is None else (second[1], second[2], second[0]), len(shapes))
    sp = StagePlan(stage.name, stage.role, rps, rps * need.duration_s, counts, needed, capped)
    warnings = []
    if ecs.scaling != "peak" and not scheduled and stage.role == "api":
        sp.shortfall = lag_shortfall(prof, counts, rps, lag, sc.workload.peak_window_s is not None)
        if sp.shortfall:
            warnings.append(f"warning: {stage.name}: {sp.shortfall}; declare workload.traffic_window (or "
                            f"ecs.scheduled_scaling: true) to pre-scale with a scheduled action, priced, or set "
                            f"ecs.scaling: peak")
    if meas is not None:
        holds = _floor((m * 1024 - need.overhead_mb) / need.working_set_mb)
        if sp.per_task_concurrency > holds:
            warnings.append(
                f"warning: {stage.name}: the measured {num(sp.per_task_concurrency)} requests in flight per task "
                f"hold {num(sp.per_task_concurrency * need.working_set_mb + need.overhead_mb)} MB "
                f"({num(need.working_set_mb)} MB each + {num(need.overhead_mb)} MB overhead), more than the "
                f"task's {num(m * 1024)} MB; set workload.working_set_mb (≤ "
                f"{num(max(ZERO, (m * 1024 - need.overhead_mb) / sp.per_task_concurrency))} MB fits) or a "
                f"larger task")
    if capped:
        warnings.append(f"warning: {stage.name}: max_tasks {ecs.max_tasks} is below the {needed} task(s) the "
                        f"peak needs")
    if stage.role == "api" and floor < int(ecs.availability_zones):
        warnings.append(f"{stage.name}: min_tasks {floor} leaves some of the {int(ecs.availability_zones)} AZs "
                        f"without a task while traffic is low (ecs.availability_zones)")
    return FargateSizing(stage.name, need, prof, choice, sp, tl, warnings)


# ---- ECS on EC2 ---------------------------------------------------------------------------------

class NoInstanceFits(CostplanError):
    """No instance type in the price book (or the scenario's own) holds one task of every stage."""

    reason = ""


@dataclass
class Ec2Fit:
    """One stage's tasks on one instance type."""

    stage: str
    tasks_per_instance: int
    task_vcpu: Decimal
    task_memory_mb: Decimal
    concurrency: Decimal
    per_task_rps: Decimal
    counts: list[int]
    needed: int
    capped: bool
    limit: str  # what capped tasks per instance: "cpu", "memory", "eni"


@dataclass
class Ec2Choice:
    instance_type: str
    vcpu: Decimal
    memory_gib: Decimal
    reserved_mb: Decimal
    enis: int | None
    hourly_usd: Decimal  # instance + root volume + public IPv4
    instance_usd: Decimal
    fits: list[Ec2Fit]
    counts: list[int]
    timeline: Timeline
    monthly_usd: Decimal
    runner_up: tuple | None = None
    considered: int = 0
    skipped: list[str] = field(default_factory=list)


def _fit(stage, sc, need: Need, meas, prof: Profile, itype: str, ivcpu: Decimal, mem_mb: Decimal,
         enis: int | None) -> Ec2Fit | None:
    ecs, cfg = sc.ecs, sc.ec2
    by_eni = enis - 1 if enis is not None and not cfg.eni_trunking else None
    shape = _ec2_shape(need, meas, ivcpu, mem_mb, by_eni, ecs.vcpu, ecs.memory_gb, ecs.concurrent_requests_per_task)
    if shape is None:
        return None
    t, v, m, conc, rps, limit = shape
    cap = int(ecs.max_tasks) if ecs.max_tasks is not None else None
    counts, needed, capped = task_counts(prof, rps, Decimal(ecs.target_utilization), int(ecs.min_tasks), cap)
    return Ec2Fit(stage.name, t, v, m, conc, rps, counts, needed, capped, limit)


@lru_cache(maxsize=4096)
def _ec2_shape(need: Need, meas, ivcpu: Decimal, mem_mb: Decimal, by_eni: int | None, vcpu, memory_gb,
               measured_conc) -> tuple | None:
    """Tasks per instance and what each holds; the same at every volume, so priced once per compare."""
    if meas is not None or vcpu is not None or memory_gb is not None:
        v = Decimal(vcpu) if vcpu is not None else DEFAULT_MEASURED_SIZE[0]
        m = Decimal(memory_gb) * 1024 if memory_gb is not None else DEFAULT_MEASURED_SIZE[1] * 1024
        by_size = min(_floor(ivcpu / v), _floor(mem_mb / m))
        t = by_size if by_eni is None else min(by_size, by_eni)
        if t < 1:
            return None
        limit = "eni" if by_eni is not None and by_eni < by_size else ("cpu" if _floor(ivcpu / v) <= _floor(mem_mb / m)
                                                                       else "memory")
        if meas is not None:
            rps = meas
            conc = Decimal(measured_conc) if measured_conc is not None else rps * need.duration_s
        else:
            conc = concurrency(need, v, m)[0]
            if conc < 1:
                return None
            rps = conc / need.duration_s
        return t, v, m, conc, rps, limit
    t_max = by_eni if by_eni is not None else max(1, _floor(ivcpu * 4))
    best = None
    for t in range(1, t_max + 1):
        c, bc, bm = concurrency(need, ivcpu / t, mem_mb / t)
        if c < 1:
            break
        if best is None or t * c >= best[0] * best[1]:
            best = (t, c, "cpu" if bc <= bm else "memory")
    if best is None:
        return None
    t, conc, limit = best
    if by_eni is not None and t == by_eni and concurrency(need, ivcpu / (t + 1), mem_mb / (t + 1))[0] >= 1:
        limit = "eni"
    rps = conc / need.duration_s if need.duration_s > 0 else Decimal(10**9)
    return t, ivcpu / t, mem_mb / t, conc, rps, limit


def _ec2_types(book, types: tuple, arch: str, needs: tuple, reserved_memory_mb, eni_trunking, root_volume_gb,
               public_ipv4, vcpu, memory_gb, measured_conc, min_tasks: int, floor_i: int, target: float):
    """Every instance type of the architecture with its price, what it holds of each stage and its floor:
    the same at every volume, so found once per price book and scenario settings (a break-even scan sizes
    the cluster again at a hundred volumes)."""
    from costplan.errors import PriceGap
    from costplan.services import ec2 as ec2svc

    memo = book.__dict__.setdefault("_ec2_types", {})
    key = (types, arch, needs, reserved_memory_mb, eni_trunking, root_volume_gb, public_ipv4, vcpu, memory_gb,
           measured_conc, min_tasks, floor_i, target)
    hit = memo.get(key)
    if hit is not None:
        return hit
    gp3 = book.get("ebs.gp3_storage").tiers[0].usd * Decimal(root_volume_gb) / HOURS
    ip = book.get("vpc.public_ipv4_hours").tiers[0].usd if public_ipv4 else ZERO
    specs = ec2svc.specs()
    out, skipped = [], []
    for itype in types:
        ivcpu, imem, iarch, enis, baseline = specs[itype]
        if iarch != arch:
            continue
        try:
            price = book.get(f"ec2.{itype}").tiers[0].usd
        except PriceGap:
            skipped.append(f"{itype} (no price in {book.region})")
            continue
        reserved = (Decimal(reserved_memory_mb) if reserved_memory_mb is not None
                    else (imem * 1024 * DEFAULT_RESERVED_SHARE))
        mem_mb = imem * 1024 - reserved
        by_eni = enis - 1 if enis is not None and not eni_trunking else None
        shapes = [_ec2_shape(need, meas, ivcpu, mem_mb, by_eni, vcpu, memory_gb, measured_conc) for need, meas in needs]
        if any(x is None for x in shapes):
            skipped.append(f"{itype} (cannot hold one task)")
            continue
        hourly = price + gp3 + ip
        coefs = tuple(1.0 / (float(x[3]) * target * x[0]) if x[3] > 0 else 0.0 for x in shapes)
        # every hour runs at least min_instances (a tighter floor would prune burstable types before the
        # notes can say why they were not chosen)
        idle_i = floor_i
        out.append((float(hourly), idle_i, coefs, (ivcpu, itype, imem, reserved, enis, baseline, mem_mb, hourly, price)))
    if len(memo) > 256:
        memo.clear()
    memo[key] = hit = (tuple(out), tuple(skipped))
    return hit


def size_ec2(stages, sc, book, arch: str, runner_up: bool = True) -> Ec2Choice:
    """The cheapest instance type in the price book (the scenario's own when it names one) that holds
    every stage's tasks: architecture, network interfaces, reserved memory and the root volume count."""
    from costplan.errors import PriceGap
    from costplan.services import ec2 as ec2svc

    cfg, ecs = sc.ec2, sc.ecs
    types = ec2svc.instance_types()
    if cfg.instance_type:
        try:
            name = ec2svc.instance_type_name(cfg.instance_type)
        except units.UnitError as e:
            raise CostplanError(sc.problem(str(e), "ec2", "instance_type")) from None
        iarch = ec2svc.instance_spec(name)[2]
        if iarch != arch:
            raise CostplanError(sc.problem(f"{name} is {iarch} but the tasks are {arch}; pick an {arch} "
                                           f"instance type or set ecs.architecture", "ec2", "instance_type"))
        types = [name]
    bad = fargate_size_problem(ecs.vcpu, ecs.memory_gb)
    if bad:  # the same task size on both ECS options: Fargate would refuse it
        raise CostplanError(sc.problem(bad, "ecs", "vcpu" if ecs.vcpu is not None else "memory_gb"))
    inputs = []
    for s in stages:
        need = request_need(s, sc.workload, ecs)
        inputs.append((s, need, measured_rps(ecs, need), profile(s, sc.workload)))
    prof0 = inputs[0][3]
    names = [x.name for x in prof0.segments]
    floor_i = int(cfg.min_instances)
    results = []
    specs = ec2svc.specs()
    target = Decimal(ecs.target_utilization)
    cap = int(ecs.max_tasks) if ecs.max_tasks is not None else None
    demand = [_served_demand(sc, prof, need, cap) for _, need, _, prof in inputs]  # request-hours served, per stage
    statics, skipped = _ec2_types(book, tuple(types), arch, tuple((need, meas) for _, need, meas, _ in inputs),
                                  cfg.reserved_memory_mb, cfg.eni_trunking, cfg.root_volume_gb, ecs.public_ipv4,
                                  ecs.vcpu, ecs.memory_gb, ecs.concurrent_requests_per_task, int(ecs.min_tasks),
                                  floor_i, float(target))
    skipped = list(skipped)
    cands = []
    for hourly_f, idle_i, coefs, row in statics:
        # a type costs at least its floor all month and at least the requests in flight at its capacity
        need_h = sum(d * c for d, c in zip(demand, coefs))
        cands.append((hourly_f * max(idle_i * 730.0, need_h) * (1 - 1e-9),) + row)  # orders and prunes only
    cands.sort(key=lambda c: c[0])  # stable: ties stay in the price book's order
    # each segment of the first stage's day: where it falls in every stage's own day (the same part, else
    # its busy hours, else its first)
    where = []
    for seg in names:
        row = []
        for _, _, _, prof in inputs:
            pn = [x.name for x in prof.segments]
            row.append(pn.index(seg) if seg in pn else (pn.index("active") if "active" in pn else 0))
        where.append(row)
    lag, delay, scheduled = _settings(sc, prof0)
    peak_scaling = ecs.scaling == "peak"
    min_tasks = int(ecs.min_tasks)
    used_by_seg = None  # vCPU the tasks keep busy in each segment (burstable types), found once
    for bound, ivcpu, itype, imem, reserved, enis, baseline, mem_mb, hourly, price in cands:
        enough = 2 if runner_up else 1
        if len(results) >= enough and bound >= float(sorted(r[0] for r in results)[enough - 1]):
            break
        fits = [_fit(s, sc, need, meas, prof, itype, ivcpu, mem_mb, enis) for s, need, meas, prof in inputs]
        counts = []
        for row in where:
            total = 0
            for f, j in zip(fits, row):
                total += -(-f.counts[j] // f.tasks_per_instance)  # whole instances (a ceiling)
            counts.append(max(floor_i, total))
        idle = max(floor_i, sum(-(-min_tasks // f.tasks_per_instance) for f in fits))
        tl = _hours(prof0, counts, idle, lag, delay, scheduled, peak_scaling)
        if baseline is not None:
            # every part of the day: instances launched for a peak have no credits saved up to spend
            if used_by_seg is None:
                used_by_seg = []
                for seg in names:
                    used = ZERO
                    for _, need, _, prof in inputs:
                        pn = {x.name: x for x in prof.segments}
                        x = pn.get(seg) or pn.get("active") or prof.segments[0]
                        used += x.rps * need.duration_s * need.vcpu
                    used_by_seg.append(used)
            worst = ZERO
            for i, used in enumerate(used_by_seg):
                worst = max(worst, used / (counts[i] * ivcpu)) if counts[i] else worst
            if worst > baseline:
                skipped.append(f"{itype} (burstable: the tasks would run it at {worst:.0%} CPU, above its "
                               f"{baseline:.0%} baseline)")
                continue
        results.append((tl.hours * hourly, ivcpu, itype, imem, reserved, enis, hourly, price, fits, counts, tl))
    if not results and skipped and all("no price in" in x for x in skipped):
        raise PriceGap(f"no {arch} EC2 instance type has a price in {book.region} (pricing_data/ec2.yaml); "
                       f"`costplan pricing refresh --region {book.region} --services ec2` can fetch them")
    if not results:
        small = [x.split(" ")[0] for x in skipped if x.endswith("(cannot hold one task)")]
        rest = [x for x in skipped if not x.endswith("(cannot hold one task)")]
        what = ", ".join(([f"{', '.join(small)} cannot hold one task"] if small else []) + rest) or (
            f"no {arch} instance type in the price book")
        err = NoInstanceFits(sc.problem(f"no EC2 instance type holds the tasks: {what}", "ec2", "instance_type"))
        err.reason = what
        raise err
    results.sort(key=lambda r: (r[0], r[1], r[2]))
    cost, _, itype, imem, reserved, enis, hourly, price, fits, counts, tl = results[0]
    ivcpu = specs[itype][0]
    runner = None if len(results) < 2 else (results[1][2], results[1][0])
    return Ec2Choice(itype, ivcpu, imem, reserved, enis, hourly, price, fits, counts, tl, cost, runner,
                     len(cands) - sum(1 for x in skipped if "burstable" in x), skipped)


# ---- for searches over volume (break-even) ------------------------------------------------------

def ecs_compute_usd(plan, book, option: str) -> Decimal:
    """What the ECS option's sizing costs a month for this plan: Fargate tasks (vCPU, memory, their
    public IPv4) or EC2 instances (instance, gp3 root volume, public IPv4). A search over volume plans the
    scenario at each volume (patterns are not linear: a capped queue consumer is not) and calls this:
    the cheapest size or type can change with volume. Lines that do not depend on the sizing
    (integration services, ALB, NAT, data transfer) are not included."""
    sc = plan.scenario
    stages = [s for s in plan.stages if s.ecs_capable]
    if not stages:
        return ZERO
    if option == "fargate":
        return sum((size_fargate(s, sc, book, sc.ecs.architecture or s.architecture, runner_up=False)
                    .choice.monthly_usd for s in stages), ZERO)
    arch = sc.ecs.architecture or stages[0].architecture
    return size_ec2(stages, sc, book, arch, runner_up=False).monthly_usd


# ---- the same choices in floats, for the break-even scan ----------------------------------------
#
# A break-even scan sizes ECS again at 20–150 volumes. What does not move with volume is found once
# (what each Fargate size or instance type holds of each stage and what it costs an hour, from the
# same cached tables size_fargate and size_ec2 use); at each volume only the traffic through the day
# and the task / instance counts (a ceiling) move. Floats differ from the Decimal arithmetic by parts
# in 10^15, which moves a total by far less than a cent; the only places where they could change a
# whole number (a ceiling landing on an integer, a traffic rate of zero, a burstable type at exactly
# its baseline) are detected and answered by the Decimal functions above instead (None).

_NEAR = 1e-9  # closer than this (relative) to a whole count or a threshold: ask the Decimal path
# size_fargate / size_ec2 stop at the first size or type whose bound is no lower than the best cost so far.
# Their bound counts only the demand tasks certainly serve (_served_demand: none under max_tasks, less the
# scale-out lag), so it holds; under max_tasks Fargate sizes are ranked by what they carry first, which the
# floats do not model (they hand those scans to size_fargate). Where the floats' winner has a bound that is
# not clearly below its cost (float error: bounds carry a 1e-9 margin), the Decimal search answers.
_BOUND_CHECK = 1 - 5e-10


def _segments_f(monthly: float, peak_rps: float, active_s: float, active_min: float, pw_min) -> list:
    """profile()'s segments [(name, minutes, rps)] for the stage's traffic at one volume, in floats."""
    avg = monthly / active_s if active_s else 0.0
    peak = peak_rps if peak_rps > avg else avg
    segs = []
    if peak > avg and avg > 0:
        ratio = peak / avg
        p = pw_min if pw_min is not None else min(60.0, active_min / (2 * ratio))
        p = min(p, active_min / ratio)
        rest = active_min - p
        base = (avg * active_min - peak * p) / rest if rest > 0 else 0.0
        segs.append(("peak", p, peak))
        if rest > 0:
            segs.append(("active", rest, base if base > 0 else 0.0))
    else:
        segs.append(("active", active_min, avg))
    if active_min < 1440:
        segs.append(("idle", 1440.0 - active_min, 0.0))
    return segs


def _counts_f(segs: list, usable: float, floor: int, cap) -> list | None:
    """task_counts() in floats: None where a count is not certain (a ceiling within _NEAR of a whole
    number, or a busy segment whose rate is about zero)."""
    out = []
    for name, _, rps in segs:
        if name == "idle":
            c = floor
        else:
            x = rps / usable
            r = round(x)
            if abs(x - r) <= _NEAR * (x if x > 1.0 else 1.0):
                return None
            c = math.ceil(x)
            if c < floor:
                c = floor
        if cap is not None and c > cap:
            c = cap
        out.append(c)
    return out


def _hours_f(mins: list, counts: list, idle: int, lag: float, delay: float, scheduled: bool, peak: bool,
             days: float, idle_days_h: float) -> float:
    """_hours() / timeline() in floats: count-hours a month."""
    if peak:
        return max(counts) * 730.0
    day = 0.0
    for m, c in zip(mins, counts):
        day += m * c
    n = len(counts)
    if n > 1:
        for i in range(n):
            prev, cur = counts[i - 1], counts[i]
            if cur > prev:
                if scheduled:
                    day += min(lag, mins[i - 1]) * (cur - prev)
                else:
                    day -= min(lag, mins[i]) * (cur - prev)
            elif cur < prev:
                day += min(delay, mins[i]) * (prev - cur)
    return days * day / 60 + idle_days_h * idle


@lru_cache(maxsize=256)
def _undominated(rows: tuple) -> tuple:
    """Indices of the rows no other row beats at every volume. rows: [(hourly, [(tasks an instance holds,
    req/s a task serves) per stage], may be skipped)]. A row that costs no more an hour and, for every
    stage, holds at least as many tasks that each serve at least as much needs no more tasks or instances
    in any part of the day, so (while count-hours grow with the counts: see _monotone) it costs no more;
    ties go to the first. A burstable type can be skipped at a volume, so it beats no other."""
    keep = []
    for i, (hb, sb, _) in enumerate(rows):
        if not any(j != i and not skip and (ha < hb or (ha == hb and j < i))
                   and all(ta >= tb and ua >= ub for (ta, ua), (tb, ub) in zip(sa, sb))
                   for j, (ha, sa, skip) in enumerate(rows)):
            keep.append(i)
    return tuple(keep)


class VolumeSizer:
    """size_fargate (each stage) or size_ec2 (all stages on one cluster), runner_up=False, at another
    volume: `usd([(monthly requests, peak req/s) per stage])` → the sized monthly cost as a float, or
    None where only the Decimal functions can be sure (then call them). Built once per scan."""

    def __init__(self, stages, sc, book, option: str):
        ecs, w = sc.ecs, sc.workload
        self.option = option
        self.ok = False
        days = min(Decimal(w.active_days_per_month), units.DAYS_PER_MONTH)
        self.days = float(days)
        self.idle_days_h = float(HOURS - days * 24)
        self.active_min = float(Decimal(w.active_hours_per_day) * 60)
        self.pw_min = float(Decimal(w.peak_window_s) / 60) if w.peak_window_s is not None else None
        self.target = Decimal(ecs.target_utilization)
        self.floor = int(ecs.min_tasks)
        self.cap = int(ecs.max_tasks) if ecs.max_tasks is not None else None
        self.peak_scaling = ecs.scaling == "peak"
        declared = bool(w.traffic_window)
        lag, delay = Decimal(ecs.scale_out_lag_s) / 60, Decimal(ecs.scale_in_delay_s) / 60
        self.lag, self.delay = float(lag), float(delay)
        self.scheduled = declared if ecs.scheduled_scaling is None else bool(ecs.scheduled_scaling)
        self.stages = []
        for s in stages:
            need = request_need(s, w, ecs)
            self.stages.append((need, measured_rps(ecs, need), float(s.traffic.active_seconds),
                                float(need.duration_s)))
        try:
            if option == "fargate":
                self._init_fargate(stages, sc, book)
            else:
                self._init_ec2(stages, sc, book)
        except Exception:  # noqa: BLE001 — whatever the Decimal functions would raise, they raise themselves
            return
        self.ok = True

    # -- Fargate: per stage, every size that holds a request, cheapest per unit of capacity first

    def _init_fargate(self, stages, sc, book) -> None:
        ecs = sc.ecs
        if fargate_size_problem(ecs.vcpu, ecs.memory_gb):
            raise ValueError("size the scenario's task cannot have")
        self.fargate, self.fargate_keep = [], []
        target_f = float(self.target)
        for s, (need, meas, _, _) in zip(stages, self.stages):
            sizes = candidate_sizes(ecs)
            if meas is not None and ecs.vcpu is None and ecs.memory_gb is None:
                sizes = [DEFAULT_MEASURED_SIZE]
            rv, rm, rip = fargate_rates(book, ecs.architecture or s.architecture, ecs.public_ipv4)
            by_rps: dict = {}
            for v, m, conc, bc, bm, rps, hourly, c_eff, hourly_f, c_eff_f in _fargate_shapes(
                    need, tuple(sizes), meas, rv, rm, rip):
                usable = rps * self.target
                # sizes that hold the same requests have the same counts: only the cheapest can win
                old = by_rps.get(usable)
                if old is None or hourly < old[0]:
                    by_rps[usable] = (hourly, float(usable), hourly_f, c_eff_f * target_f)
            if not by_rps:
                raise ValueError("no size holds a request")
            self.fargate.append([x[1:] for x in by_rps.values()])
            self.fargate_keep.append(_undominated(tuple((x[0], ((1, u),), False) for u, x in by_rps.items())))
        self.hints = [0] * len(self.fargate)
        # size_fargate's bound, hourly × max(floor hours, request-hours ÷ capacity), as two products
        floor_h = self.floor * 730.0
        self.fargate_bounds = [[(hourly_f * floor_h * (1 - 1e-9), hourly_f / cap_f * (1 - 1e-9) if cap_f > 0 else 0.0)
                                for _, hourly_f, cap_f in shapes] for shapes in self.fargate]
        # the search's own bound, valid with the lag and max_tasks too (_lagged_demand)
        self.fargate_own = [[(hourly_f * floor_h * (1 - 1e-9),
                              hourly_f / usable_f * (1 - 1e-9) if usable_f > 0 and self.cap is None else 0.0)
                             for usable_f, hourly_f, _ in shapes] for shapes in self.fargate]

    def _fargate_usd(self, traffics) -> float | None:
        if self.cap is not None:  # under max_tasks size_fargate ranks sizes by what they serve first: it answers
            return None
        total = 0.0
        floor_h = self.floor * 730.0
        hints = self.hints
        for n, ((need, meas, active_s, dur), shapes, (monthly, peak)) in enumerate(
                zip(self.stages, self.fargate, traffics)):
            segs = _segments_f(monthly, peak, active_s, self.active_min, self.pw_min)
            mins = [x[1] for x in segs]
            demand = sum(x[1] * x[2] for x in segs) * dur / 60 * self.days

            def cost(i):
                usable_f, hourly_f, _ = shapes[i]
                counts = _counts_f(segs, usable_f, self.floor, self.cap)
                if counts is None:
                    return None
                return _hours_f(mins, counts, self.floor, self.lag, self.delay, self.scheduled, self.peak_scaling,
                                self.days, self.idle_days_h) * hourly_f
            # the size that won at the last volume first: its cost prunes most of the others at once
            h = hints[n]
            best = cost(h)
            if best is None:
                return None
            fb = self.fargate_bounds[n]
            own = self.fargate_own[n]
            dp = self._lagged_demand(segs, mins)
            cands = sorted((b, i) for b, i in (
                ((own[i][0] if own[i][0] > dp * own[i][1] else dp * own[i][1]), i)
                for i in (self.fargate_keep[n] if self._monotone(mins) else range(len(shapes))))
                if b < best and i != h)
            for bound, i in cands:
                if bound >= best:
                    break
                c = cost(i)
                if c is None:
                    return None
                if c < best:
                    best, hints[n] = c, i
            w = hints[n]
            if max(fb[w][0], demand * fb[w][1]) >= best * _BOUND_CHECK:
                return None  # see _BOUND_CHECK
            total += best
        return total

    # -- EC2: every instance type with what it holds of each stage (size_ec2's own tables)

    def _init_ec2(self, stages, sc, book) -> None:
        from costplan.services import ec2 as ec2svc

        cfg, ecs = sc.ec2, sc.ecs
        if fargate_size_problem(ecs.vcpu, ecs.memory_gb):
            raise ValueError("size the scenario's task cannot have")
        arch = ecs.architecture or stages[0].architecture
        types = ec2svc.instance_types()
        if cfg.instance_type:  # the scenario's own type (size_ec2 says what is wrong with one)
            name = ec2svc.instance_type_name(cfg.instance_type)
            if ec2svc.instance_spec(name)[2] != arch:
                raise ValueError("another architecture")
            types = [name]
        self.floor_i = int(cfg.min_instances)
        statics, _ = _ec2_types(book, tuple(types), arch,
                                tuple((need, meas) for need, meas, _, _ in self.stages), cfg.reserved_memory_mb,
                                cfg.eni_trunking, cfg.root_volume_gb, ecs.public_ipv4, ecs.vcpu, ecs.memory_gb,
                                ecs.concurrent_requests_per_task, self.floor, self.floor_i, float(self.target))
        if not statics:
            raise ValueError("no type")
        self.types, rows = [], []
        for hourly_f, idle_i, coefs, row in statics:
            ivcpu, itype, imem, reserved, enis, baseline, mem_mb, hourly, price = row
            by_eni = enis - 1 if enis is not None and not cfg.eni_trunking else None
            per_stage = []
            for need, meas, _, _ in self.stages:
                t, v, m, conc, rps, limit = _ec2_shape(need, meas, ivcpu, mem_mb, by_eni, ecs.vcpu, ecs.memory_gb,
                                                       ecs.concurrent_requests_per_task)
                per_stage.append((t, float(rps * self.target), rps))
            rows.append((hourly, tuple((t, rps) for t, _, rps in per_stage), baseline is not None))
            per_stage = [(t, u) for t, u, _ in per_stage]
            idle = max(self.floor_i, sum(-(-self.floor // t) for t, _ in per_stage))
            self.types.append((float(hourly), idle_i, coefs, per_stage, idle, float(ivcpu),
                               None if baseline is None else float(baseline)))
        self.used_per_rps = [float(need.duration_s * need.vcpu) for need, _, _, _ in self.stages]
        self.hint = 0
        self.ec2_keep = _undominated(tuple(rows))
        # size_ec2's bound, hourly × max(min_instances all month, Σ request-hours × instances per request-hour)
        self.ec2_bounds = [(hourly_f * idle_i * 730.0 * (1 - 1e-9), [hourly_f * c * (1 - 1e-9) for c in coefs])
                           for hourly_f, idle_i, coefs, *_ in self.types]
        # the search's own bound, valid with the lag and max_tasks too: every hour runs at least `idle`
        # instances; a part of the day at least Σ stage rate ÷ (what a task serves × tasks an instance holds)
        self.ec2_own = [(hourly_f * idle * 730.0 * (1 - 1e-9),
                         [hourly_f / (u * t) * (1 - 1e-9) if u > 0 and self.cap is None else 0.0 for t, u in per])
                        for hourly_f, _, _, per, idle, *_ in self.types]

    def _ec2_usd(self, traffics) -> float | None:
        profs = [_segments_f(monthly, peak, active_s, self.active_min, self.pw_min)
                 for (_, _, active_s, _), (monthly, peak) in zip(self.stages, traffics)]
        names = [x[0] for x in profs[0]]
        mins = [x[1] for x in profs[0]]
        # for each stage, which of its segments stands for each of the first stage's (size_ec2's mapping)
        maps = []
        for prof in profs:
            pn = [x[0] for x in prof]
            maps.append([pn.index(seg) if seg in pn else (pn.index("active") if "active" in pn else 0)
                         for seg in names])
        demand = [sum(x[1] * x[2] for x in prof) * dur / 60 * self.days
                  for prof, (_, _, _, dur) in zip(profs, self.stages)]
        which = self.ec2_keep if self._monotone(mins) else range(len(self.types))
        eb, own = self.ec2_bounds, self.ec2_own
        # each stage's lagged demand on the first stage's parts of the day (the mapping size_ec2 uses)
        dp = [self._lagged_demand([prof[mp[s]] for s in range(len(names))], mins) for prof, mp in zip(profs, maps)]
        if len(dp) == 1:
            d0 = dp[0]
            bounds = [((own[i][0] if own[i][0] > d0 * own[i][1][0] else d0 * own[i][1][0]), i) for i in which]
        else:
            bounds = [(max(own[i][0], sum(d * c for d, c in zip(dp, own[i][1]))), i) for i in which]
        burst_use = []
        if any(t[6] is not None for t in self.types):
            # each part of the day's vCPU in use (for burstable types)
            for seg in names:
                used = 0.0
                for prof, per in zip(profs, self.used_per_rps):
                    pn = {x[0]: x for x in prof}
                    x = pn.get(seg) or pn.get("active") or prof[0]
                    used += x[2] * per
                burst_use.append(used)

        tasks: dict = {}

        def cost(i):
            """The cluster on type i a month; False for a burstable type run above its baseline."""
            hourly_f, _, _, per_stage, idle, ivcpu, baseline = self.types[i]
            totals = [0] * len(names)
            for j, (prof, mp, (t, usable)) in enumerate(zip(profs, maps, per_stage)):
                # types whose tasks are the same size (a size the scenario sets, a measured rate) share
                # the task counts
                c = tasks.get((j, usable), 0)
                if c == 0:
                    c = tasks[(j, usable)] = _counts_f(prof, usable, self.floor, self.cap)
                if c is None:
                    return None
                for j, jj in enumerate(mp):
                    totals[j] += -(-c[jj] // t)
            counts = [x if x > self.floor_i else self.floor_i for x in totals]
            if baseline is not None:
                worst = 0.0
                for used, c in zip(burst_use, counts):
                    if c:
                        worst = max(worst, used / (c * ivcpu))
                if abs(worst - baseline) <= _NEAR * baseline:
                    return None
                if worst > baseline:
                    return False
            return _hours_f(mins, counts, idle, self.lag, self.delay, self.scheduled, self.peak_scaling, self.days,
                            self.idle_days_h) * hourly_f
        # the type that won at the last volume first: its cost prunes most of the others at once
        h = self.hint
        best = cost(h)
        if best is None:
            return None
        if best is False:
            best = None
        cands = sorted((b, i) for b, i in bounds if i != h and (best is None or b < best))
        for bound, i in cands:
            if best is not None and bound >= best:
                break
            c = cost(i)
            if c is None:
                return None
            if c is not False and (best is None or c < best):
                best, self.hint = c, i
        if best is not None:
            w = self.hint
            if max(eb[w][0], sum(d * c for d, c in zip(demand, eb[w][1]))) >= best * _BOUND_CHECK:
                return None  # see _BOUND_CHECK
        return best

    def _lagged_demand(self, segs: list, mins: list) -> float:
        """Σ (minutes − lag) × req/s over the parts of the day, × active days ÷ 60: ÷ what a task serves, a
        lower bound on task-hours however the lag and the floor fall. A part of the day runs at least its
        rate ÷ what a task serves, less the first `lag` minutes after a step up (timeline()), and never
        below the floor (counted there at the floor, left out here)."""
        lag = self.lag if not self.scheduled and not self.peak_scaling and len(mins) > 1 else 0.0
        d = 0.0
        for m, x in zip(mins, segs):
            if m > lag:
                d += (m - lag) * x[2]
        return d * self.days / 60

    def _monotone(self, mins: list) -> bool:
        """Do count-hours grow with every count? One more task in a part of the day adds its minutes and
        takes back at most the scale-in wait into it and, pre-scaled, the lead before the next step up:
        so yes unless a pre-scaled day has a part shorter than lag + wait (then every size is priced)."""
        return self.peak_scaling or not self.scheduled or len(mins) == 1 or self.lag + self.delay <= min(mins)

    def usd(self, traffics) -> float | None:
        if not self.ok:
            return None
        return self._fargate_usd(traffics) if self.option == "fargate" else self._ec2_usd(traffics)
