"""Price one plan on each compute alternative: Lambda, ECS on Fargate, ECS on EC2 (and, where the
scenario asks for warm copies, Lambda with a scheduled warmer or with provisioned concurrency)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from costplan import services, units
from costplan.compute import coldstart
from costplan.compute.traffic import ceil
from costplan.errors import CostplanError, Problem
from costplan.pricing.bill import Component, LineItem, price_components, total
from costplan.services.base import planned_usage

HOURS = units.HOURS_PER_MONTH


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
    """A service's components for usage the planner or this module built (planned_usage: parse_usage's
    values and errors, without re-parsing Decimals tens of times a scenario). That usage comes from the
    workload, so a value a service refuses (beyond what costplan prices: 1 EB out, 1e15 requests) is the
    workload's problem, said in its words, not an internal usage key's."""
    mod = services.get(name)
    try:
        usage = planned_usage(name, mod.USAGE, usage)
    except CostplanError as e:
        raise CostplanError([Problem(f"the workload comes to more than costplan prices: {resource or name}'s "
                                     f"{name} usage {p.field or ''} {p.message}".replace("  ", " "),
                                     field="workload") for p in e.problems]) from None
    return mod.components(usage, resource=resource)


def _in_scenario(fn):
    """Problems an option's pricing finds name the scenario's file, and a line where they name a field."""
    import functools

    @functools.wraps(fn)
    def priced(plan, *args, **kwargs):
        try:
            return fn(plan, *args, **kwargs)
        except CostplanError as e:
            raise CostplanError(plan.scenario.locate(e.problems)) from None
    return priced


def fixed_components(plan, design=None, shared: bool = True) -> list[Component]:
    """The integration services of one design (the Lambda design when none is given).

    shared=False leaves out the lines that cost the same in both designs, for searches that compare
    totals: only a line identical in the other design, and only where no line of that service differs
    between the designs (so free tiers and volume tiers, which run per service, fall the same way)."""
    design = design or plan.lambda_design
    memo = plan.__dict__.setdefault("_fixed_components", {})  # the same for every option of one plan
    key = (design.name, shared)
    if key in memo:
        return list(memo[key])
    lines = design.services
    if not shared:
        other = plan.ecs_design if design is plan.lambda_design else plan.lambda_design
        theirs = other.services if other is not None else []
        # `su in theirs`, looked for among their lines of the same service only (equal lines name the same one)
        mine_by, theirs_by = _by_service(lines), _by_service(theirs)
        ours = [su in theirs_by.get(su.service, ()) for su in lines]
        differ = ({su.service for su, both in zip(lines, ours) if not both}
                  | {su.service for su in theirs if su not in mine_by.get(su.service, ())})
        lines = [su for su, both in zip(lines, ours) if not both or su.service in differ]
    out: list[Component] = []
    for su in lines:
        out.extend(_svc(su.service, su.usage, su.resource or su.service))
    memo[key] = tuple(out)
    return out


def _by_service(lines) -> dict:
    out: dict = {}
    for su in lines:
        out.setdefault(su.service, []).append(su)
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
        cs = coldstart.cold_starts(t, scenario.workload, warm_copies)
        usage["monthly_cold_starts"] = cs.total
        usage["init_duration_ms"] = coldstart.init_ms(scenario.lambda_)[0]
    usage.update(extra or {})
    return _svc("lambda", usage, stage.name)


def _function(plan, stage, warm_copies: Decimal = Decimal(0)) -> list[Component]:
    """lambda_components(stage, scenario=plan.scenario, warm_copies=...), once per plan for each function:
    every option of the plan and the bands model's lines at that volume price the same functions."""
    memo = plan.__dict__.setdefault("_functions", {})
    key = (stage.name, stage.traffic, stage.memory_mb, stage.architecture, stage.ephemeral_storage_mb, warm_copies)
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = tuple(lambda_components(stage, scenario=plan.scenario, warm_copies=warm_copies))
    return list(hit)


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


# ---- ECS sizing (the model is in compute/sizing.py) ---------------------------------------------

@dataclass
class TaskSizing:
    stage: str
    per_task_rps: Decimal  # throughput of one task at 100 %
    tasks_peak: int
    tasks_average: Decimal  # task-hours ÷ 730
    task_hours: Decimal
    active_hours: Decimal
    capped: bool  # max_tasks below what the peak needs
    vcpu: Decimal = Decimal(1)
    memory_gb: Decimal = Decimal(2)


def size_tasks(stage, ecs, scenario, book=None) -> TaskSizing:
    """One stage's Fargate tasks: the cheapest size (or the scenario's) and its task-hours a month. The
    scenario is required: what a request needs (cpu_share, working set) and the day's shape live there."""
    from costplan.compute.sizing import size_fargate
    from costplan.pricing.book import PriceBook

    sc = scenario
    z = size_fargate(stage, sc, book or PriceBook(sc.region), ecs.architecture or stage.architecture)
    return TaskSizing(stage.name, z.plan.per_task_rps, max(z.plan.counts), z.timeline.hours / HOURS,
                      z.timeline.hours, min(stage.traffic.active_seconds / 3600, HOURS), z.plan.capped,
                      z.choice.vcpu, z.choice.memory_gb)


def sized(plan, key: tuple, book, size):
    """size() once per plan, key and price book: compare's options, limits-check's designs and a fixed=False
    pricing of the same plan ask for the same sizing (an error, e.g. no instance type fits, is kept too)."""
    memo = plan.__dict__.setdefault("_sizing", {})
    hit = memo.get(key)
    if hit is not None and hit[0] is book:
        if isinstance(hit[1], CostplanError):
            raise hit[1]
        return hit[1]
    try:
        value = size()
    except CostplanError as e:
        memo[key] = (book, e)
        raise
    memo[key] = (book, value)
    return value


def lcu_terms(lb, design) -> list[tuple[Decimal, list[Decimal]]]:
    """ALB capacity units as (hours, [LCUs each dimension asks for]) terms: LCU-hours = Σ hours × the
    largest dimension (AWS bills only the highest). Connection-driven load balancers (WebSockets) state
    their dimensions; otherwise per stage new connections/25 per s, active connections/3,000, processed
    GB/1 per hour (reference: ALB LCU dimensions), one request per new connection assumed."""
    if lb.lcu is not None:
        from costplan.services.alb import LCU

        return [(min(Decimal(lb.lcu["active_hours"]), HOURS), [Decimal(lb.lcu.get(k) or 0) / per
                                                              for k, per in LCU.items()])]
    out = []
    for s in design.stages:
        if s.name not in lb.stages:
            continue
        t = s.traffic
        gb_per_hour = t.average_rps * 3600 * (t.request_size_kb + t.response_size_kb) / 1024 / 1024
        out.append((min(t.active_seconds / 3600, HOURS), [t.average_rps / 25, t.average_concurrency / 3000,
                                                           gb_per_hour]))
    return out


def _network_components(ecs, design, addresses_hours: Decimal, movable=()) -> tuple[list[Component], list[str]]:
    """The ECS design's network: its load balancer (hours, LCUs, and for an internet-facing ALB one public
    IPv4 per AZ node), NAT gateways (hours, their public IPv4, GB the tasks pull through them) and the
    tasks' or instances' own public IPv4."""
    out: list[Component] = []
    notes: list[str] = []
    azs = int(ecs.availability_zones)
    lb = design.load_balancer  # the ECS design's own: an ALB for APIs, a WebSocket ALB, or none
    if lb is not None:
        lcu_hours = sum((max(dims) * hours for hours, dims in lcu_terms(lb, design)), Decimal(0))
        out += _svc("alb", {"load_balancers": 1, "hours": HOURS, "lcu_hours": lcu_hours},
                    "internal load balancer" if lb.internal else "load balancer")
        if not lb.internal:
            out += _svc("public_ipv4", {"addresses": azs, "hours": HOURS}, "load balancer")
            notes.append(f"Internet-facing ALB: one node and one public IPv4 address in each of "
                         f"{azs} AZs (ecs.availability_zones), billed all month.")
    if ecs.nat_gateways > 0:
        n = ecs.nat_gateways
        gb = Decimal(0)
        for s in movable:
            t = s.traffic
            kb = ecs.nat_kb_per_request if ecs.nat_kb_per_request is not None else (
                t.request_size_kb + t.response_size_kb)
            gb += t.monthly_requests * kb / 1024 / 1024
        out += _svc("nat_gateway", {"nat_gateways": n, "hours": HOURS, "processed_gb": gb}, "network")
        out += _svc("public_ipv4", {"addresses": n, "hours": HOURS}, "NAT gateway")
        what = (f"{ecs.nat_kb_per_request} KB a request (ecs.nat_kb_per_request)" if ecs.nat_kb_per_request
                is not None else "the request + response size per request: the tasks' calls to AWS APIs and "
                                 "third parties without VPC endpoints (ecs.nat_kb_per_request)")
        notes.append(f"{n:,} NAT gateway(s), each with its public IPv4; tasks in private subnets pull "
                     f"{gb:,.2f} GB a month through them at {what}; image pulls are not counted.")
    if ecs.public_ipv4 and addresses_hours > 0:
        out += _svc("public_ipv4", {"addresses": addresses_hours / HOURS, "hours": HOURS}, "network")
    return out, notes


def egress_components(plan) -> tuple[list[Component], list[str]]:
    """Data transfer out: the responses that leave through the front door, the same on every option
    (a Lambda response leaves through API Gateway or the function URL at the same rate as an ALB's).
    Found once per plan."""
    hit = plan.__dict__.get("_egress")
    if hit is None:
        hit = plan.__dict__["_egress"] = _egress(plan)
    return list(hit[0]), list(hit[1])


def _egress(plan) -> tuple[tuple, tuple]:
    from costplan.compute.traffic import Traffic

    api = [s for s in plan.stages if s.role == "api"]
    if api:
        pairs = [(s.traffic.monthly_requests, s.traffic.response_size_kb) for s in api]
    elif plan.facts.get("api"):
        t = Traffic.from_workload(plan.scenario.workload)
        pairs = [(t.monthly_requests, t.response_size_kb)]
    else:
        return (), ()
    gb = sum((n * kb / 1024 / 1024 for n, kb in pairs), Decimal(0))
    if gb <= 0:
        return (), ()
    comps = _svc("data_transfer", {"internet_out_gb": gb}, "network")
    n = sum((p[0] for p in pairs), Decimal(0))
    note = (f"Data transfer out: {n:,.0f} responses × {pairs[0][1]:,} KB = {gb:,.2f} GB a month to the "
            f"internet (first 100 GB free across the account)")
    return tuple(comps), (note,)


def volume_components(plan, name: str, shared: bool = True) -> list[Component]:
    """The lines of option `name` that do not follow the tasks or instances ECS runs: the design's
    integration services, data transfer out, the functions that stay on Lambda, the load balancer and
    NAT. In the order the option prices them; the sizing lines (Fargate, EC2, EBS, the tasks' IPv4)
    are compute/sizing.py's. The bands model (compute/bands.py) reads their shape from two volumes.
    shared=False leaves out the integration services both designs price alike (fixed_components)."""
    sc = plan.scenario
    design = plan.lambda_design if name.startswith("lambda") else plan.ecs_design
    comps = fixed_components(plan, design, shared=shared) + egress_components(plan)[0]
    for s in design.stages:
        if name == "lambda" or not s.ecs_capable:
            comps += _function(plan, s)
    if name != "lambda":
        comps += _network_components(sc.ecs, design, Decimal(0), design.ecs_stages)[0]
    return comps


def _fargate_note(z, arch: str) -> list[str]:
    from costplan.compute.sizing import num

    c, n, p = z.choice, z.need, z.plan
    head = (f"{z.stage}: {num(c.vcpu)} vCPU / {num(c.memory_gb)} GB tasks "
            + ("(ecs.vcpu/memory_gb)" if c.considered == 1 else
               f"— the cheapest of {c.considered} Fargate sizes that hold a request"))
    if c.runner_up is not None and c.considered > 1:
        head += (f" (${c.monthly_usd:,.2f} a month in compute and task IPv4; next "
                 f"{num(c.runner_up[0])} vCPU / {num(c.runner_up[1])} GB at ${c.runner_up[2]:,.2f})")
    if c.measured:
        why = (f"measured {num(p.per_task_concurrency)} request(s) in flight per task → "
               f"{p.per_task_rps:,.2f} req/s per task")
    else:
        ws = "memory_mb" if n.working_set_default else "workload.working_set_mb"
        why = (f"one request needs {num(n.vcpu)} vCPU ({num(n.lambda_vcpu * 1769)} MB ÷ 1,769 MB per vCPU × "
               f"cpu_share {n.cpu_share:.0%}) and {num(n.working_set_mb)} MB ({ws}); a task holds "
               f"min(⌊{num(c.vcpu)} ÷ {num(n.vcpu)}⌋ = {c.by_cpu} by CPU, ⌊({num(c.memory_gb * 1024)} − "
               f"{num(n.overhead_mb)} overhead) ÷ {num(n.working_set_mb)}⌋ = {c.by_mem} by memory) = "
               f"{c.concurrency} → {c.concurrency} ÷ {num(n.duration_s)} s = {p.per_task_rps:,.2f} req/s per task")
    return [head + "; " + why, _schedule_note(z.stage, z.profile, p.counts, z.timeline, "task", p.per_task_rps)]


def _schedule_note(name: str, prof, counts, tl, unit: str, per_task_rps=None) -> str:
    from costplan.compute.sizing import num

    parts = []
    for s, c in zip(prof.segments, counts):
        parts.append(f"{s.name} {num(s.minutes)} min at {s.rps:,.1f} req/s → {c}")
    text = f"{name}: {unit}s through an active day: " + "; ".join(parts)
    if tl.prescale_minutes:
        text += f"; scheduled pre-scale adds {num(tl.prescale_minutes / 60)} {unit}-hours a day"
    if tl.lag_minutes:
        text += f"; scale-out lag leaves {num(tl.lag_minutes / 60)} {unit}-hours a day unstarted"
    if tl.delay_minutes:
        text += f"; scale-in waits add {num(tl.delay_minutes / 60)} {unit}-hours a day"
    return text + f"; {tl.hours:,.1f} {unit}-hours a month"


@_in_scenario
def fargate_option(plan, book, free_tier: bool, fixed: bool = True) -> Option | None:
    from costplan.compute.sizing import size_fargate, tasks_by_hour

    sc = plan.scenario
    ecs = sc.ecs
    design = plan.ecs_design
    movable = design.ecs_stages if design is not None else []
    if not movable:
        return None
    comps = fixed_components(plan, design, shared=fixed)
    notes, sizing = [], {}
    if fixed:
        egress, enotes = egress_components(plan)
        comps += egress
        notes += enotes
    task_hours_total = Decimal(0)
    warnings = []
    for s in design.stages:
        if not s.ecs_capable:
            comps += _function(plan, s)
            continue
        arch = ecs.architecture or s.architecture
        z = sized(plan, ("fargate", s.name, arch, fixed), book,
                  lambda: size_fargate(s, sc, book, arch, runner_up=fixed))  # noqa: B023 (called at once)
        task_hours_total += z.timeline.hours
        # usage keys are per task per month: the average number of tasks over a 730-hour month
        comps += _svc("fargate", {"tasks": z.timeline.hours / HOURS, "hours": HOURS, "vcpu": z.choice.vcpu,
                                  "memory_gb": z.choice.memory_gb, "architecture": arch}, s.name)
        if fixed:  # a search comparing totals (fixed=False) reads neither notes nor sizing
            sizing[s.name] = _stage_sizing(z, ecs, tasks_by_hour)
            notes += _fargate_note(z, arch)
            warnings += z.warnings
    net, nnotes = _network_components(ecs, design, task_hours_total, movable)
    comps += net
    items = price_components(comps, book, free_tier=free_tier)
    if fixed and not sc.ec2.instance_type:
        nnotes.append(_ec2_absent(plan, movable, sc, book) or "")
        nnotes = [n for n in nnotes if n]
    return Option("fargate", "ECS on Fargate", items, warnings + notes + nnotes, sizing)


def _ec2_absent(plan, movable, sc, book) -> str | None:
    """Why ECS on EC2 has no option (no instance type in the price book holds one task), or None. The
    sizing ec2_option prices (sized: found once per plan), so the EC2 option does not size it again; with or
    without a runner-up, size_ec2 fails alike (both search every type before giving up)."""
    from costplan.compute.sizing import NoInstanceFits, size_ec2

    arch = sc.ecs.architecture or movable[0].architecture
    try:
        sized(plan, ("ec2", arch, True), book, lambda: size_ec2(movable, sc, book, arch, runner_up=True))
    except NoInstanceFits as e:
        return (f"ECS on EC2 is not priced: no instance type in the price book holds one task "
                f"({e.reason}); set ec2.instance_type to a larger type with a price")
    except CostplanError:
        return None
    return None


def _stage_sizing(z, ecs, tasks_by_hour) -> dict:
    p, c = z.plan, z.choice
    return {
        "vcpu": float(c.vcpu), "memory_gb": float(c.memory_gb),
        "size_chosen_by": "scenario" if c.considered == 1 else "cheapest",
        "per_task_concurrency": float(p.per_task_concurrency), "per_task_rps": float(p.per_task_rps),
        "limited_by": "measured" if c.measured else ("cpu" if c.by_cpu <= c.by_mem else "memory"),
        "tasks_min": int(ecs.min_tasks), "tasks_peak": max(p.counts), "tasks_needed_peak": p.needed_peak,
        "tasks_average": float((z.timeline.hours / HOURS).quantize(Decimal("0.01"))),
        "task_hours": float(z.timeline.hours.quantize(Decimal("0.01"))),
        "tasks_by_hour": tasks_by_hour(z.profile, p.counts, *_lags(ecs, z.profile)) if ecs.scaling != "peak"
        else [float(max(p.counts))] * 24,
        "segments": [{"name": s.name, "minutes_per_day": float(s.minutes), "rps": float(s.rps.quantize(Decimal("0.001"))),
                      "tasks": n} for s, n in zip(z.profile.segments, p.counts)],
        "scheduled_scaling": bool(z.timeline.prescale_minutes) or (
            ecs.scheduled_scaling is True or (ecs.scheduled_scaling is None and z.profile.declared_window)),
        "scale_out_lag_s": float(ecs.scale_out_lag_s),
        "lag_shortfall": p.shortfall,
    }


@_in_scenario
def ec2_option(plan, book, free_tier: bool, fixed: bool = True) -> Option | None:
    from costplan.compute.sizing import NoInstanceFits, num, size_ec2

    sc = plan.scenario
    ecs, cfg = sc.ecs, sc.ec2
    design = plan.ecs_design
    movable = design.ecs_stages if design is not None else []
    if not movable:
        return None
    arch = ecs.architecture or movable[0].architecture
    try:
        ch = sized(plan, ("ec2", arch, fixed), book, lambda: size_ec2(movable, sc, book, arch, runner_up=fixed))
    except NoInstanceFits:
        if cfg.instance_type:
            raise  # the scenario pinned a type that cannot hold its tasks: its error
        return None  # no type in the price book is big enough: Fargate's notes say so
    
    comps = fixed_components(plan, design, shared=fixed)
    notes = []
    if fixed:
        egress, enotes = egress_components(plan)
        comps += egress
        notes += enotes
    for s in design.stages:
        if not s.ecs_capable:
            comps += _function(plan, s)
    inst_hours = ch.timeline.hours
    itype = ch.instance_type
    comps += _svc("ec2", {"instance_type": itype, "instances": inst_hours / HOURS, "hours": HOURS}, "cluster")
    comps += _svc("ebs", {"volumes": inst_hours / HOURS, "volume_size_gb": cfg.root_volume_gb, "hours": HOURS},
                  "cluster")
    net, nnotes = _network_components(ecs, design, inst_hours, movable)
    comps += net
    if not fixed:  # a search comparing totals reads neither notes nor sizing
        return Option("ec2", "ECS on EC2", price_components(comps, book, free_tier=free_tier), [], {})
    chosen = "ec2.instance_type" if cfg.instance_type else f"the cheapest of {ch.considered} {arch} types priced in {book.region} that hold the tasks"
    head = (f"{itype} ({num(ch.vcpu)} vCPU, {num(ch.memory_gib)} GiB, {num(ch.reserved_mb)} MiB kept back for the "
            f"kernel and ECS agent) — {chosen}: ${ch.instance_usd} an hour + {num(cfg.root_volume_gb)} GB gp3 root "
            f"volume" + (" + its public IPv4" if ecs.public_ipv4 else "") + f" = ${ch.hourly_usd:.5f} an hour")
    if ch.runner_up is not None and not cfg.instance_type:
        head += f"; next {ch.runner_up[0]} at ${ch.runner_up[1]:,.2f} a month"
    notes.append(head)
    for f in ch.fits:
        lim = {"eni": (f"network interfaces bind: its {ch.enis} leave {ch.enis - 1 if ch.enis else '?'} for awsvpc "
                       f"tasks; ec2.eni_trunking: true if the account has awsvpcTrunking on"),
               "cpu": "CPU binds", "memory": "memory binds"}[f.limit]
        notes.append(f"{f.stage}: {f.tasks_per_instance} task(s) of {num(f.task_vcpu)} vCPU / "
                     f"{num(f.task_memory_mb / 1024)} GB per {itype} ({lim}), {num(f.concurrency)} request(s) in flight "
                     f"each ({f.per_task_rps:,.2f} req/s); tasks through an active day "
                     + ", ".join(str(c) for c in f.counts))
        if f.capped:
            notes.insert(0, f"warning: {f.stage}: max_tasks {ecs.max_tasks} is below the {f.needed} task(s) the "
                            f"peak needs")
    notes.append(_schedule_note("cluster", movable_profile(movable, sc), ch.counts, ch.timeline, "instance"))
    if ch.enis is None:
        notes.append("Each awsvpc task takes an ENI: the price book does not know this type's network "
                     "interfaces, so tasks per instance may be fewer than CPU and memory allow.")
    elif cfg.eni_trunking:
        notes.append("ENI trunking assumed (ec2.eni_trunking): tasks are not capped by network interfaces; "
                     "ECS's per-type trunking limits are not in the bundled data.")
    if ch.skipped:
        notes.append("Not considered: " + ", ".join(ch.skipped) + ".")
    if not ecs.nat_gateways:
        notes.append("awsvpc tasks on EC2 get no public IP: to pull images and call AWS they need a NAT gateway "
                     "(set ecs.nat_gateways to price it) or VPC endpoints, neither priced here.")
    sizing = ec2_sizing(ch, movable, sc)
    items = price_components(comps, book, free_tier=free_tier)
    return Option("ec2", "ECS on EC2", items, notes + nnotes, sizing)


def ec2_sizing(ch, movable, sc) -> dict:
    """ECS on EC2's sizing as compare reports it and limits-check reads it: per stage its tasks, then the
    cluster's instances."""
    from costplan.compute.sizing import tasks_by_hour

    ecs, cfg = sc.ecs, sc.ec2
    prof = movable_profile(movable, sc)
    sizing = {}
    for f in ch.fits:
        sizing[f.stage] = {"tasks_min": int(ecs.min_tasks), "tasks_peak": max(f.counts),
                           "tasks_needed_peak": f.needed, "tasks_per_instance": f.tasks_per_instance,
                           "task_vcpu": float(f.task_vcpu), "task_memory_gb": float(f.task_memory_mb / 1024),
                           "per_task_concurrency": float(f.concurrency), "per_task_rps": float(f.per_task_rps),
                           "segments": _segments(_stage_profile(movable, f.stage, sc), f.counts),
                           "scheduled_scaling": _lags(ecs, prof)[2] if ecs.scaling != "peak" else False,
                           "scale_out_lag_s": float(ecs.scale_out_lag_s)}
    sizing["cluster"] = {"instance_type": ch.instance_type,
                         "instance_chosen_by": "scenario" if cfg.instance_type else "cheapest",
                         "instances_min": int(cfg.min_instances), "instances_peak": max(ch.counts),
                         "tasks_per_instance": ch.fits[0].tasks_per_instance,
                         "instance_hours": float(ch.timeline.hours.quantize(Decimal("0.01"))),
                         "instances_by_hour": tasks_by_hour(prof, ch.counts, *_lags(ecs, prof))
                         if ecs.scaling != "peak" else [float(max(ch.counts))] * 24,
                         "reserved_memory_mb": float(ch.reserved_mb), "root_volume_gb": float(cfg.root_volume_gb)}
    return sizing


def _segments(prof, counts) -> list[dict]:
    """Tasks in each part of the active day, as limits-check reads them (ECS-SCALE-OUT)."""
    return [{"name": s.name, "minutes_per_day": float(s.minutes), "rps": float(s.rps.quantize(Decimal("0.001"))),
             "tasks": n} for s, n in zip(prof.segments, counts)]


def _stage_profile(movable, name, sc):
    from costplan.compute.sizing import profile

    st = next(s for s in movable if s.name == name)
    return profile(st, sc.workload)


def _lags(ecs, prof) -> tuple:
    scheduled = prof.declared_window if ecs.scheduled_scaling is None else bool(ecs.scheduled_scaling)
    return Decimal(ecs.scale_out_lag_s) / 60, Decimal(ecs.scale_in_delay_s) / 60, scheduled


def movable_profile(movable, sc):
    from costplan.compute.sizing import profile

    return profile(movable[0], sc.workload)


@_in_scenario
def lambda_option(plan, book, free_tier: bool, fixed: bool = True) -> Option:
    sc = plan.scenario
    design = plan.lambda_design
    comps = fixed_components(plan, design, shared=fixed)
    notes = []
    if fixed:
        egress, notes = egress_components(plan)
        comps = comps + egress
    for s in design.stages:
        comps += _function(plan, s)
    from costplan.units import plain

    notes += [f"{s.name}: peak concurrency {s.traffic.peak_concurrency:,.1f} "
              f"({s.traffic.peak_rps:,.1f} req/s × {plain(s.traffic.duration_ms / 1000, 3)} s)" for s in plan.stages]
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


@_in_scenario
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
    egress = egress_components(plan)[0]  # the responses still leave (data transfer on every option)
    comps = fixed_components(plan, plan.lambda_design) + egress
    notes = []
    for s in plan.stages:
        if s.warm is None:
            comps += _function(plan, s)
            continue
        n = s.warm.copies
        comps += _function(plan, s, n)
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
    comps = fixed_components(plan, plan.lambda_design) + egress
    notes = []
    pc_hours, how = provisioned_schedule(sc)
    for s in plan.stages:
        if s.warm is None:
            comps += _function(plan, s)
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
    """Every alternative's line items: the Lambda options price the plan's Lambda design, Fargate and EC2
    its ECS design. fixed=False leaves out the integration services that cost the same in both designs
    (see fixed_components), for searches that compare totals.
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
