"""The ECS designs `compare` prices (Fargate, EC2): the Fargate On-Demand vCPU quota, the task launch
rate and the scale-out lag against the peak, tasks per service, ALB targets and rules, and the subnet
addresses awsvpc tasks take. Numbers come from the option `compare` sized (Option.sizing[stage]:
tasks_min, tasks_peak, tasks_average, per_task_rps, vcpu, memory_gb), so the check is of what was priced."""
from __future__ import annotations

from decimal import Decimal

from costplan.limits.calc import ceil, dur, num, q
from costplan.limits.model import check
from costplan.limits.quotas import Limit

C1 = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html"
C2 = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html"
C3 = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"
C4 = "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html"
ECS = ("fargate", "ec2")
# Target tracking scales out after 3 one-minute datapoints over the target, then a task needs about a
# minute to start: the default when the scenario's ecs settings do not give scale_out_lag_s.
DEFAULT_SCALE_OUT_LAG_S = Decimal(240)


class Service:
    """One ECS service of the design: a stage `compare` sized into tasks."""

    def __init__(self, ctx, stage, sizing: dict):
        ecs = ctx.scenario.ecs
        self.stage, self.name = stage, stage.name
        self.tasks_min = num(sizing.get("tasks_min"), num(getattr(ecs, "min_tasks", None), Decimal(1)))
        self.tasks_peak = num(sizing.get("tasks_peak"), self.tasks_min)
        self.tasks_average = num(sizing.get("tasks_average"), self.tasks_min)
        self.vcpu = num(sizing.get("vcpu"), num(sizing.get("task_vcpu"), num(getattr(ecs, "vcpu", None))))
        self.sizing = sizing
        util = num(getattr(ecs, "target_utilization", None), Decimal("0.7")) or Decimal("0.7")
        peak = Decimal(stage.traffic.peak_rps)
        per_task = num(sizing.get("per_task_rps"))
        if per_task is None and self.tasks_peak:
            per_task = peak / (self.tasks_peak * util)  # the sizing's own ceil(peak ÷ (per task × target))
        self.per_task_rps = per_task


def services(ctx) -> list[Service]:
    """The design's ECS services (built once per design: every ECS check reads them)."""
    memo = ctx.__dict__.setdefault("_ecs_services", {})
    if ctx.design not in memo:
        memo[ctx.design] = _services(ctx)
    return memo[ctx.design]


def _services(ctx) -> list[Service]:
    opt = ctx.option
    if opt is None:
        return []
    sizing = getattr(opt, "sizing", None) or {}
    out = []
    for st in ctx.plan.stages:
        z = sizing.get(st.name)
        if isinstance(z, dict) and getattr(st, "ecs_capable", True):
            out.append(Service(ctx, st, z))
    return out


def _ecs(ctx, name, default=None):
    return getattr(ctx.scenario.ecs, name, default)


@check("FARGATE-VCPU", "Fargate On-Demand vCPU quota at the peak (L-3032A538)", ("fargate.on_demand_vcpu",),
       "Σ services tasks at the peak × task vCPU ≤ Fargate On-Demand vCPU quota (account, per Region)", C1,
       designs=("fargate",), measures="vCPUs of every running Fargate task at the peak against the account quota")
def fargate_vcpu(ctx):
    svcs = services(ctx)
    if not svcs:
        return
    if any(s.vcpu is None for s in svcs):
        ctx.needs("the task vCPU of each ECS service (compare's sizing or ecs.vcpu)")
        return
    total = sum((s.tasks_peak * s.vcpu for s in svcs), Decimal(0))
    ctx.shares["fargate_vcpu"] = total
    lim = ctx.limit("fargate.on_demand_vcpu")
    parts = " + ".join(f"{s.name} {q(s.tasks_peak)} × {q(s.vcpu, 2)} vCPU" for s in svcs)
    comfortable = ceil(total * 100 / ctx.warn) if ctx.warn > 0 else ceil(total)
    ctx.finding(total, lim, "vCPU", f"{parts} = {q(total)} vCPU at the peak against a {q(lim.value)} vCPU "
                f"{lim.source} quota; over it ECS cannot place tasks",
                f"request Fargate On-Demand vCPU resource count ≥ {q(ceil(total))} (≥ {q(comfortable)} to stay "
                f"under {q(ctx.warn)} %) via Service Quotas {lim.quota.quota_code} before the launch")


def _before(ctx, s: Service) -> tuple[Decimal, str]:
    """Tasks already running when the peak arrives, and why. Reads compare's sizing where it says
    (scheduled_scaling, per-segment task counts) and the scenario's ecs settings otherwise."""
    w = ctx.scenario.workload
    if _ecs(ctx, "scaling") == "peak":
        return s.tasks_peak, "provisioned for the peak"
    if s.sizing.get("scheduled_scaling") is True:
        return s.tasks_peak, "pre-scaled by a scheduled action"
    segments = [g for g in s.sizing.get("segments") or [] if isinstance(g, dict) and num(g.get("tasks")) is not None]
    if len(segments) > 1:
        top = max(num(g.get("rps"), Decimal(0)) for g in segments)
        below = [num(g["tasks"]) for g in segments if num(g.get("rps"), Decimal(0)) < top]
        if below:
            return max(below), "the busiest hour before the peak"
    if _ecs(ctx, "scheduled_scaling") is True or (
            _ecs(ctx, "scheduled_scaling") is None and "scheduled_scaling" in type(ctx.scenario.ecs).model_fields
            and w.traffic_window):
        return s.tasks_peak, "pre-scaled by a scheduled action"
    if Decimal(w.active_hours_per_day) < 24:
        return s.tasks_min, "the floor, when the active hours begin"
    return s.tasks_average, "the average, when the peak begins"


@check("ECS-SCALE-OUT", "Tasks running when the peak arrives vs the scale-out lag",
       (), "capacity when the peak starts = tasks running × per-task rps ≥ peak rps; else the excess waits the "
       "scale-out lag (target tracking: 3 one-minute datapoints + task start)", C2, designs=ECS,
       measures="what the running tasks serve while target tracking adds tasks (minutes, not seconds)")
def scale_out(ctx):
    for s in services(ctx):
        lag = num(s.sizing.get("scale_out_lag_s"), num(_ecs(ctx, "scale_out_lag_s"), DEFAULT_SCALE_OUT_LAG_S))
        peak = Decimal(s.stage.traffic.peak_rps)
        if not s.per_task_rps or peak <= 0:
            continue
        before, why = _before(ctx, s)
        capacity = before * s.per_task_rps
        need_tasks = max(ceil(peak / s.per_task_rps), ceil(peak * 100 / (s.per_task_rps * ctx.warn)))
        queued = s.stage.role in ("consumer", "subscriber", "job")
        msg = (f"{s.name}: {q(before)} task(s) running ({why}) serve {q(capacity)} requests/s at 100 %; the peak "
               f"is {q(peak)}/s")
        if peak > capacity:
            msg += (f", so for ≈ {dur(lag)} (scale-out lag) " + (
                "messages wait in the queue" if queued else f"{q(peak - capacity)} requests/s get 5xx or time out"))
        else:
            msg += f": they run at {q(peak * 100 / capacity)} % for ≈ {dur(lag)} while target tracking adds tasks"
        ctx.finding(peak, Limit(capacity, "config"), "requests/s", msg,
                    f"pre-scale {s.name} to ≥ {q(need_tasks)} tasks before the peak (a scheduled scaling action; "
                    f"{q(need_tasks)} keeps it under {q(ctx.warn)} %), or raise its min_tasks to {q(need_tasks)}",
                    subject=s.name, source="config",
                    delay_s=lag if queued else None)


@check("FARGATE-LAUNCH-RATE", "Fargate task launch rate when scaling out (100 at once, then 20/s)",
       ("fargate.launch_burst", "fargate.launch_rate"),
       "tasks launched at the step = peak tasks − running; t ≈ max(0, n − 100) ÷ 20 s", C2, designs=("fargate",),
       measures="tasks launched at once when the peak arrives against Fargate's launch token bucket")
def launch_rate(ctx):
    svcs = services(ctx)
    if not svcs:
        return
    n = sum((max(Decimal(0), s.tasks_peak - _before(ctx, s)[0]) for s in svcs), Decimal(0))
    if n <= 0:
        return
    burst, rate = ctx.limit("fargate.launch_burst"), ctx.limit("fargate.launch_rate")
    t = max(Decimal(0), (n - burst.value) / rate.value) if rate.value > 0 else Decimal(0)
    ctx.finding(n, burst, "tasks", f"{q(n)} task(s) start when the peak arrives; Fargate launches {q(burst.value)} at "
                f"once, then {q(rate.value)}/s: the last starts ≈ {dur(t)} later (on top of the scale-out lag)",
                f"pre-scale in steps before the peak, or run fewer, larger tasks", delay_s=t)


@check("ECS-TASKS-PER-SERVICE", "Tasks per ECS service (5,000)", ("ecs.tasks_per_service",),
       "tasks at the peak ≤ 5,000 per service", C1, designs=ECS,
       measures="one service's desired count at the peak against the per-service maximum")
def tasks_per_service(ctx):
    lim = ctx.limit("ecs.tasks_per_service")
    for s in services(ctx):
        ctx.finding(s.tasks_peak, lim, "tasks", f"{s.name}: {q(s.tasks_peak)} tasks at the peak",
                    f"split {s.name} into {q(ceil(s.tasks_peak / lim.value))} services, or run larger tasks",
                    subject=s.name)


def _alb_services(ctx) -> list[Service]:
    if _ecs(ctx, "load_balancer", "alb") != "alb":
        return []
    return [s for s in services(ctx) if s.stage.role == "api"]


@check("ALB-TARGETS", "Targets and rules per Application Load Balancer", ("elb.targets_per_alb", "elb.rules_per_alb"),
       "Σ api tasks at the peak (awsvpc: one IP target each) ≤ 1,000 targets; one rule per service ≤ 100", C3,
       designs=ECS, measures="IP targets the ALB holds at the peak (each awsvpc task is one) and its listener rules")
def alb(ctx):
    svcs = _alb_services(ctx)
    if not svcs:
        return
    targets = sum((s.tasks_peak for s in svcs), Decimal(0))
    lim = ctx.limit("elb.targets_per_alb")
    ctx.finding(targets, lim, "targets", f"{q(targets)} task targets on the load balancer at the peak",
                f"request targets per ALB ≥ {q(ceil(targets))}, run larger tasks, or split services over load "
                f"balancers", subject="targets")
    rules = ctx.limit("elb.rules_per_alb")
    ctx.finding(Decimal(len(svcs)), rules, "rules", f"{len(svcs)} service(s) routed by listener rule(s)",
                "split the routes over load balancers", subject="rules", quota=rules.quota.id)


@check("SUBNET-IPS", "Subnet addresses for awsvpc tasks at the peak", ("vpc.subnet_usable_ips",),
       "per AZ: (tasks + instances) at the peak ÷ AZs + 8 for the load balancer ≤ usable addresses per subnet", C4,
       designs=ECS, measures="IPv4 addresses awsvpc tasks (one ENI each), instances and ALB nodes take in each subnet")
def subnet_ips(ctx):
    svcs = services(ctx)
    if not svcs:
        return
    azs = num(_ecs(ctx, "availability_zones"), Decimal(2)) or Decimal(2)
    tasks = sum((s.tasks_peak for s in svcs), Decimal(0))
    instances = Decimal(0)
    if ctx.design == "ec2":
        cluster = (getattr(ctx.option, "sizing", None) or {}).get("cluster") or {}
        instances = num(cluster.get("instances_peak"), Decimal(0))
    alb_ips = Decimal(8) if _alb_services(ctx) else Decimal(0)  # an ALB needs ≥ 8 free addresses per subnet
    per_az = ceil((tasks + instances) / azs) + alb_ips
    lim = ctx.limit("vpc.subnet_usable_ips")
    what = f"{q(tasks)} tasks" + (f" + {q(instances)} instances" if instances else "")
    ctx.finding(Decimal(per_az), lim, "addresses", f"{what} over {q(azs)} AZs"
                + (" + 8 for the load balancer" if alb_ips else "") + f" = {q(per_az)} addresses per subnet "
                f"(a subnet's usable addresses: {q(lim.value)}, {lim.source})",
                f"use subnets of ≥ {q(per_az + 5)} addresses (e.g. a /{_prefix(per_az + 5)}), or more AZs; "
                f"declare the subnet size as quotas: vpc.subnet_usable_ips")


def _prefix(addresses) -> int:
    bits = 0
    while (1 << bits) < addresses:
        bits += 1
    return 32 - bits
