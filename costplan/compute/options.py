"""Price one plan on each compute alternative: Lambda, ECS on Fargate, ECS on EC2 (and, where the
scenario asks for warm copies, Lambda with a scheduled warmer or with provisioned concurrency)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from costplan import units
from costplan.compute.traffic import ceil
from costplan.errors import CostplanError
from costplan.pricing.bill import Component, LineItem, price_components, total

HOURS = units.HOURS_PER_MONTH
DEFAULT_CONCURRENT_PER_TASK = Decimal(10)


@dataclass
class Option:
    name: str  # lambda | fargate | ec2 | lambda_warmer | lambda_provisioned
    title: str
    line_items: list[LineItem]
    notes: list[str] = field(default_factory=list)
    sizing: dict = field(default_factory=dict)

    @property
    def monthly_usd(self) -> Decimal:
        return total(self.line_items)


def _svc(name: str, usage: dict, resource: str) -> list[Component]:
    from costplan import services
    from costplan.services.base import parse_usage

    mod = services.get(name)
    return mod.components(parse_usage(name, mod.USAGE, usage), resource=resource)


def fixed_components(plan) -> list[Component]:
    cached = plan.__dict__.get("_fixed_components")  # the same for every alternative of one plan
    if cached is not None:
        return list(cached)
    out: list[Component] = []
    for su in plan.services:
        out.extend(_svc(su.service, su.usage, su.resource or su.service))
    plan.__dict__["_fixed_components"] = tuple(out)
    return out


def lambda_components(stage, traffic=None, extra: dict | None = None, scenario=None,
                      warm_copies: Decimal = Decimal(0)) -> list[Component]:
    """One function's Lambda bill; with the scenario, its cold starts' INIT billed as duration."""
    t = traffic or stage.traffic
    usage = {
        "monthly_requests": t.monthly_requests,
        "request_duration_ms": t.duration_ms,
        "memory_mb": stage.memory_mb,
        "architecture": stage.architecture,
        "ephemeral_storage_mb": stage.ephemeral_storage_mb,
    }
    if scenario is not None:
        from costplan.compute import coldstart

        cs = coldstart.cold_starts(t, scenario.workload, warm_copies)
        usage["monthly_cold_starts"] = cs.total
        usage["init_duration_ms"] = coldstart.init_ms(scenario.lambda_)[0]
    usage.update(extra or {})
    return _svc("lambda", usage, stage.name)


def cold_start_note(stage, scenario, warm_copies: Decimal = Decimal(0), traffic=None) -> str:
    """The cold-start line, with the arithmetic: count × INIT × memory = GB-seconds billed as duration."""
    from costplan.compute import coldstart

    t = traffic or stage.traffic
    cs = coldstart.cold_starts(t, scenario.workload, warm_copies)
    ms, where = coldstart.init_ms(scenario.lambda_)
    gbs = cs.total * ms / 1000 * Decimal(stage.memory_mb) / 1024
    return (f"{stage.name}: {cs.total:,.0f} cold starts a month ({cs.rate:.2%} of requests: {cs.scale_ups:,.0f} "
            f"scale-ups, {cs.recycled:,.0f} environments recycled every {coldstart.ENVIRONMENT_LIFETIME_HOURS} h, "
            f"{cs.idle:,.0f} after idle gaps over {coldstart.IDLE_REUSE_MINUTES} min) × INIT {ms:,} ms [{where}] × "
            f"{Decimal(stage.memory_mb) / 1024:,.3f} GB = {gbs:,.1f} GB-seconds, billed as duration since 2025-08-01")


# ---- ECS sizing -------------------------------------------------------------------------------

@dataclass
class TaskSizing:
    stage: str
    per_task_rps: Decimal  # throughput of one task at 100 %
    tasks_peak: int
    tasks_average: int
    task_hours: Decimal
    active_hours: Decimal
    capped: bool  # max_tasks below what the peak needs


def size_tasks(stage, ecs) -> TaskSizing:
    t = stage.traffic
    duration_s = t.duration_ms / 1000
    if ecs.requests_per_second_per_task is not None:
        per_task = ecs.requests_per_second_per_task
    else:
        conc = ecs.concurrent_requests_per_task or DEFAULT_CONCURRENT_PER_TASK
        per_task = conc / duration_s if duration_s > 0 else Decimal(10**9)
    usable = per_task * ecs.target_utilization
    floor = int(ecs.min_tasks)
    peak = max(floor, ceil(t.peak_rps / usable))
    avg = max(floor, ceil(t.average_rps / usable))
    capped = False
    if ecs.max_tasks is not None and peak > ecs.max_tasks:
        peak, capped = int(ecs.max_tasks), True
        avg = min(avg, peak)
    active = min(t.active_seconds / 3600, HOURS)
    if ecs.scaling == "peak":
        hours = Decimal(peak) * HOURS
    else:
        hours = Decimal(avg) * active + Decimal(floor) * (HOURS - active)
    return TaskSizing(stage.name, per_task, peak, avg, hours, active, capped)


def _lcu_hours(stages) -> Decimal:
    """ALB capacity units: per hour the largest of new connections/25 per s, active connections/3,000,
    processed GB/1 per hour (reference: ALB LCU dimensions). One request per new connection is assumed."""
    lcu = Decimal(0)
    for s in stages:
        t = s.traffic
        gb_per_hour = t.average_rps * 3600 * (t.request_size_kb + t.response_size_kb) / 1024 / 1024
        per_hour = max(t.average_rps / 25, t.average_concurrency / 3000, gb_per_hour)
        lcu += per_hour * min(t.active_seconds / 3600, HOURS)
    return lcu


def _network_components(ecs, api_stages, addresses_hours: Decimal) -> list[Component]:
    out: list[Component] = []
    if api_stages and ecs.load_balancer == "alb":
        out += _svc("alb", {"load_balancers": 1, "hours": HOURS, "lcu_hours": _lcu_hours(api_stages)},
                    "load balancer")
    if ecs.nat_gateways > 0:
        out += _svc("nat_gateway", {"nat_gateways": ecs.nat_gateways, "hours": HOURS}, "network")
    if ecs.public_ipv4 and addresses_hours > 0:
        out += _svc("public_ipv4", {"addresses": addresses_hours / HOURS, "hours": HOURS}, "network")
    return out


def fargate_option(plan, book, free_tier: bool, fixed: bool = True) -> Option | None:
    sc = plan.scenario
    ecs = sc.ecs
    movable = [s for s in plan.stages if s.ecs_capable]
    if not movable:
        return None
    comps = fixed_components(plan) if fixed else []
    notes, sizing = [], {}
    task_hours_total = Decimal(0)
    for s in plan.stages:
        if not s.ecs_capable:
            comps += lambda_components(s, scenario=sc)
            continue
        z = size_tasks(s, ecs)
        task_hours_total += z.task_hours
        arch = ecs.architecture or s.architecture
        # usage keys are per task per month: the average number of tasks over a 730-hour month
        comps += _svc("fargate", {"tasks": z.task_hours / HOURS, "hours": HOURS, "vcpu": ecs.vcpu,
                                  "memory_gb": ecs.memory_gb, "architecture": arch}, s.name)
        sizing[s.name] = {"tasks_min": int(ecs.min_tasks), "tasks_peak": z.tasks_peak,
                          "tasks_average": z.tasks_average, "task_hours": float(z.task_hours),
                          "per_task_rps": float(z.per_task_rps)}
        notes.append(_task_note(s, z, ecs))
    api = [s for s in movable if s.role == "api"]
    comps += _network_components(ecs, api, task_hours_total)
    items = price_components(comps, book, free_tier=free_tier)
    return Option("fargate", "ECS on Fargate", items, notes, sizing)


def _task_note(stage, z: TaskSizing, ecs) -> str:
    mode = ("provisioned for the peak all month" if ecs.scaling == "peak"
            else f"autoscaled: {z.tasks_average} while active ({z.active_hours:,.0f} h), "
                 f"{int(ecs.min_tasks)} otherwise")
    note = (f"{stage.name}: {z.tasks_peak} task(s) of {ecs.vcpu} vCPU / {ecs.memory_gb} GB at the peak "
            f"({stage.traffic.peak_rps:,.1f} req/s ÷ {z.per_task_rps:,.1f} req/s per task at "
            f"{ecs.target_utilization:.0%} target); {mode}")
    if z.capped:
        note += f"; max_tasks {ecs.max_tasks} is below the peak's need"
    return note


def ec2_option(plan, book, free_tier: bool, fixed: bool = True) -> Option | None:
    from costplan.services import ec2 as ec2svc

    sc = plan.scenario
    ecs, cfg = sc.ecs, sc.ec2
    movable = [s for s in plan.stages if s.ecs_capable]
    if not movable:
        return None
    arch = ecs.architecture or movable[0].architecture
    itype = cfg.instance_type or ("m7g.large" if arch == "arm64" else "m5.large")
    vcpu, mem_gib, iarch = ec2svc.instance_spec(itype)
    if iarch != arch:
        raise CostplanError(sc.problem(f"{itype} is {iarch} but the tasks are {arch}; pick an {arch} "
                                       f"instance type or set ecs.architecture", "ec2", "instance_type"))
    usable_mem = Decimal(mem_gib) - cfg.reserved_memory_mb / 1024
    by_size = min(int(Decimal(vcpu) / ecs.vcpu), int(usable_mem / ecs.memory_gb))
    # awsvpc: every task takes an ENI of its own and the instance keeps its primary one
    enis = ec2svc.instance_enis(itype)
    by_eni = enis - 1 if enis is not None and not cfg.eni_trunking else None
    per_instance = by_size if by_eni is None else min(by_size, by_eni)
    if per_instance < 1:
        raise CostplanError(sc.problem(f"a task of {ecs.vcpu} vCPU / {ecs.memory_gb} GB does not fit on "
                                       f"{itype} ({vcpu} vCPU, {mem_gib} GiB)", "ec2", "instance_type"))
    comps = fixed_components(plan) if fixed else []
    peak_tasks = avg_tasks = floor_tasks = 0
    active = Decimal(0)
    notes, sizing = [], {}
    for s in plan.stages:
        if not s.ecs_capable:
            comps += lambda_components(s, scenario=sc)
            continue
        z = size_tasks(s, ecs)
        peak_tasks += z.tasks_peak
        avg_tasks += z.tasks_average
        floor_tasks += int(ecs.min_tasks)
        active = max(active, z.active_hours)
        sizing[s.name] = {"tasks_min": int(ecs.min_tasks), "tasks_peak": z.tasks_peak,
                          "tasks_average": z.tasks_average}
    floor_i = int(cfg.min_instances)
    inst_peak = max(floor_i, ceil(Decimal(peak_tasks) / per_instance))
    inst_avg = max(floor_i, ceil(Decimal(avg_tasks) / per_instance))
    inst_idle = max(floor_i, ceil(Decimal(floor_tasks) / per_instance))
    if ecs.scaling == "peak":
        inst_hours = Decimal(inst_peak) * HOURS
    else:
        inst_hours = Decimal(inst_avg) * active + Decimal(inst_idle) * (HOURS - active)
    comps += _svc("ec2", {"instance_type": itype, "instances": inst_hours / HOURS, "hours": HOURS}, "cluster")
    if by_eni is not None and by_eni < by_size:
        fit = (f"{per_instance} task(s) of {ecs.vcpu} vCPU / {ecs.memory_gb} GB run on one {itype}: its {enis} "
               f"network interfaces leave {by_eni} for awsvpc tasks, though CPU and memory would hold {by_size} "
               f"(ec2.eni_trunking: true if the account has awsvpcTrunking on)")
    else:
        fit = (f"{per_instance} task(s) of {ecs.vcpu} vCPU / {ecs.memory_gb} GB fit on one {itype} "
               f"({vcpu} vCPU, {mem_gib} GiB)")
    notes.append(fit + f"; {inst_peak} instance(s) at the peak for {peak_tasks} task(s)"
                 + ("" if ecs.scaling == "peak" else f", {inst_avg} while active, {inst_idle} otherwise"))
    notes.append("EBS root volumes are not priced: the reference has no EBS price.")
    if enis is None:
        notes.append("Each awsvpc task takes an ENI: the price book does not know this type's network "
                     "interfaces, so tasks per instance may be fewer than CPU and memory allow.")
    elif cfg.eni_trunking:
        notes.append("ENI trunking assumed (ec2.eni_trunking): tasks are not capped by network interfaces; "
                     "ECS's per-type trunking limits are not in the bundled data.")
    sizing["cluster"] = {"instance_type": itype, "instances_min": floor_i, "instances_peak": inst_peak,
                         "tasks_per_instance": per_instance}
    api = [s for s in movable if s.role == "api"]
    comps += _network_components(ecs, api, inst_hours)
    items = price_components(comps, book, free_tier=free_tier)
    return Option("ec2", "ECS on EC2", items, notes, sizing)


def lambda_option(plan, book, free_tier: bool, fixed: bool = True) -> Option:
    sc = plan.scenario
    comps = fixed_components(plan) if fixed else []
    for s in plan.stages:
        comps += lambda_components(s, scenario=sc)
    notes = [f"{s.name}: peak concurrency {s.traffic.peak_concurrency:,.1f} "
             f"({s.traffic.peak_rps:,.1f} req/s × {s.traffic.duration_ms / 1000} s)" for s in plan.stages]
    notes += [cold_start_note(s, sc) for s in plan.stages]
    return Option("lambda", "Lambda", price_components(comps, book, free_tier=free_tier), notes)


def provisioned_schedule(scenario) -> tuple[Decimal, str]:
    """Hours a month provisioned concurrency is enabled, and how: the active hours, scheduled each day
    from the start of the scenario's traffic window (each enable→disable period rounded up to 5 min),
    or all month when the scenario declares no window."""
    from costplan.scenario import parse_window

    w = scenario.workload
    if not w.traffic_window:
        return HOURS, ("all month (730 h): declare workload.traffic_window to schedule it to the "
                       "active hours")
    start, _ = parse_window(w.traffic_window)
    minutes = ceil(Decimal(w.active_hours_per_day) * 60 / 5) * 5
    days = Decimal(w.active_days_per_month)
    hours = min(Decimal(minutes) / 60 * days, HOURS)
    return hours, (f"scheduled {minutes // 60:02d}:{minutes % 60:02d} a day from {start // 60:02d}:{start % 60:02d} "
                   f"UTC (the traffic window) on {days:,.1f} days = {hours:,.1f} h a month, not 730 h "
                   f"(Application Auto Scaling scheduled actions)")


def warm_options(plan, book, free_tier: bool, ledger: dict | None = None) -> list[Option]:
    """The two cold-start mitigations for N warm copies, priced on top of the plain Lambda option, each
    with what it covers: copies kept warm against the concurrency needed, and the cold starts left."""
    from costplan.compute import coldstart

    out = []
    warm_stages = [s for s in plan.stages if s.warm is not None]
    if not warm_stages:
        return out
    sc = plan.scenario
    # 1) A scheduled rule pings a warmer that invokes N copies concurrently every few minutes.
    comps = fixed_components(plan)
    notes = []
    for s in plan.stages:
        if s.warm is None:
            comps += lambda_components(s, scenario=sc)
            continue
        n = s.warm.copies
        comps += lambda_components(s, scenario=sc, warm_copies=n)
        pings = HOURS * 60 / s.warm.ping_interval_minutes
        # the pinged environments are recycled too: each replacement is a cold start on a ping
        ping_colds = n * HOURS / coldstart.ENVIRONMENT_LIFETIME_HOURS
        comps += _svc("eventbridge", {"scheduler_invocations": pings}, f"{s.name} warmer")
        comps += _svc("lambda", {"monthly_requests": pings * n, "request_duration_ms": s.warm.ping_duration_ms,
                                 "memory_mb": s.memory_mb, "architecture": s.architecture,
                                 "monthly_cold_starts": ping_colds,
                                 "init_duration_ms": coldstart.init_ms(sc.lambda_)[0]},
                      f"{s.name} warm-up pings")
        notes.append(f"{s.name}: {n:,.0f} copies pinged every {s.warm.ping_interval_minutes} min "
                     f"({pings * n:,.0f} extra invocations of {s.warm.ping_duration_ms} ms a month, "
                     f"{ping_colds:,.0f} of them cold as pinged environments are recycled)")
        notes.append(_coverage(s, sc, n, "the warmer") + "; the pings keep N warm only if they overlap in time "
                     "(each copy must still be busy when the next ping arrives)")
    from costplan.pricing.bill import account_free_tier

    with account_free_tier(None if ledger is None else ledger.setdefault("lambda_warmer", {})):
        items = price_components(comps, book, free_tier)
    out.append(Option("lambda_warmer", "Lambda + scheduled warmer", items, notes))
    # 2) Provisioned concurrency of N during the active hours; requests up to N concurrent run on it.
    comps = fixed_components(plan)
    notes = []
    pc_hours, how = provisioned_schedule(sc)
    for s in plan.stages:
        if s.warm is None:
            comps += lambda_components(s, scenario=sc)
            continue
        n = s.warm.copies
        conc = s.traffic.average_concurrency
        share = Decimal(1) if conc <= n else n / conc
        comps += lambda_components(s, scenario=sc, warm_copies=n,
                                   extra={"provisioned_concurrency": n, "provisioned_hours": pc_hours,
                                          "provisioned_requests": s.traffic.monthly_requests * share})
        notes.append(f"{s.name}: provisioned concurrency {n:,.0f}, {how}; {share:.0%} of requests "
                     f"served on it (average concurrency {conc:,.1f}); the free tier does not apply")
        notes.append(_coverage(s, sc, n, "provisioned concurrency"))
    with account_free_tier(None if ledger is None else ledger.setdefault("lambda_provisioned", {})):
        items = price_components(comps, book, free_tier)
    out.append(Option("lambda_provisioned", "Lambda + provisioned concurrency", items, notes))
    return out


def _coverage(stage, scenario, n: Decimal, what: str) -> str:
    from costplan.compute import coldstart

    t = stage.traffic
    before = coldstart.cold_starts(t, scenario.workload).total
    left = coldstart.cold_starts(t, scenario.workload, n).total
    peak = ceil(max(t.peak_concurrency, Decimal(1)))
    short = (f"{peak - n:,.0f} short of the peak: each day's ramp above {n:,.0f} still starts cold"
             if peak > n else "enough for the peak")
    return (f"{stage.name}: {what} keeps {n:,.0f} environment(s) warm against a peak concurrency of {peak:,} "
            f"(average {t.average_concurrency:,.1f}), {short}; cold starts {before:,.0f} → {left:,.0f} a month")


def price_options(plan, book, free_tier: bool = True, warm: bool = True, fixed: bool = True,
                  ledger: dict | None = None) -> list[Option]:
    """Every alternative's line items. fixed=False leaves out the integration services, which cost the
    same on every alternative (priced first on each option's meter), for searches that compare totals.
    `ledger` (option name → free-tier pools left in the account) shares one free tier between the
    scenarios of an account priced together: each alternative draws on what that alternative left."""
    from costplan.pricing.bill import account_free_tier

    def pools(name: str):
        return None if ledger is None else ledger.setdefault(name, {})

    opts = []
    for name, fn in (("lambda", lambda_option), ("fargate", fargate_option), ("ec2", ec2_option)):
        with account_free_tier(pools(name)):
            o = fn(plan, book, free_tier, fixed)
        if o is not None:
            opts.append(o)
    if warm:
        opts += warm_options(plan, book, free_tier, ledger)
    return opts
