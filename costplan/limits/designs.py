"""The ECS designs limits-check checks, sized as `compare` sizes them (compute/sizing.py) but not priced:
the checks read task and instance counts, not money. Prices are read only as far as it takes to know
which design `compare` recommends (the default exit code follows it)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from costplan.units import HOURS_PER_MONTH as HOURS

# Lambda's bill must be below an ECS design's compute alone by more than this before the ECS lines are
# left unpriced: the integration lines cancel out of Lambda − ECS only to ~1e-9 (Decimal's 28 digits).
MARGIN_USD = Decimal("0.0001")


@dataclass
class Sized:
    """An ECS design as limits-check reads it (the `name` and `sizing` of compute.options.Option)."""

    name: str
    sizing: dict
    compute_usd: Decimal  # its tasks' vCPU and memory, or its instances, a month: less than its total


def ecs_designs(plan, book) -> dict[str, Sized]:
    """{"fargate": Sized, "ec2": Sized} for the plan's ECS design: the same sizes, task counts and
    instance types compare's options carry (Option.sizing), without pricing a line item. ECS on EC2 is
    absent where no instance type holds a task (as in compare); errors are compare's (CostplanError)."""
    from costplan.compute.options import sized
    from costplan.compute.sizing import NoInstanceFits, fargate_rates, size_ec2, size_fargate

    sc = plan.scenario
    design = plan.ecs_design
    movable = design.ecs_stages if design is not None else []
    if not movable:
        return {}
    ecs = sc.ecs
    sizing, usd = {}, Decimal(0)
    for s in movable:
        arch = ecs.architecture or s.architecture
        z = sized(plan, ("fargate", s.name, arch, False), book,
                  lambda: size_fargate(s, sc, book, arch, runner_up=False))  # noqa: B023 (called at once)
        sizing[s.name] = fargate_read(z, ecs)
        rv, rm, _ = fargate_rates(book, arch, False)
        usd += z.timeline.hours * (z.choice.vcpu * rv + z.choice.memory_gb * rm)
    out = {"fargate": Sized("fargate", sizing, usd)}
    try:
        arch = ecs.architecture or movable[0].architecture
        ch = sized(plan, ("ec2", arch, False), book, lambda: size_ec2(movable, sc, book, arch, runner_up=False))
    except NoInstanceFits:
        if sc.ec2.instance_type:
            raise  # the scenario pinned a type that cannot hold its tasks: compare refuses it too
        return out
    out["ec2"] = Sized("ec2", ec2_read(ch, movable, sc), ch.timeline.hours * ch.instance_usd)
    return out


# What the checks (limits/ecs.py) read of compare's Option.sizing, the same values (floats as compare
# writes them), without what only compare's report shows (tasks by hour, chosen-by notes): that part of
# compute.options._stage_sizing / ec2_sizing is most of their cost. tests/test_limits_designs.py checks
# these keys against compare's sizing on every bundled scenario.
def fargate_read(z, ecs) -> dict:
    p, c = z.plan, z.choice
    return {"vcpu": float(c.vcpu), "per_task_rps": float(p.per_task_rps), "tasks_min": int(ecs.min_tasks),
            "tasks_peak": max(p.counts),
            "tasks_average": float((z.timeline.hours / HOURS).quantize(Decimal("0.01"))),
            "segments": [{"rps": float(s.rps.quantize(Decimal("0.001"))), "tasks": n}
                         for s, n in zip(z.profile.segments, p.counts)],
            "scheduled_scaling": bool(z.timeline.prescale_minutes) or (
                ecs.scheduled_scaling is True or (ecs.scheduled_scaling is None and z.profile.declared_window)),
            "scale_out_lag_s": float(ecs.scale_out_lag_s)}


def ec2_read(ch, movable, sc) -> dict:
    from costplan.compute.options import _lags, _stage_profile, movable_profile

    ecs = sc.ecs
    scheduled = _lags(ecs, movable_profile(movable, sc))[2] if ecs.scaling != "peak" else False
    sizing = {}
    for f in ch.fits:
        sizing[f.stage] = {"tasks_min": int(ecs.min_tasks), "tasks_peak": max(f.counts),
                           "task_vcpu": float(f.task_vcpu), "per_task_rps": float(f.per_task_rps),
                           "segments": [{"rps": float(s.rps.quantize(Decimal("0.001"))), "tasks": n} for s, n in
                                        zip(_stage_profile(movable, f.stage, sc).segments, f.counts)],
                           "scheduled_scaling": scheduled, "scale_out_lag_s": float(ecs.scale_out_lag_s)}
    sizing["cluster"] = {"instances_peak": max(ch.counts)}
    return sizing


@dataclass
class _Total:  # what compute.compare.recommend reads of an option
    name: str
    title: str
    monthly_usd: Decimal


def recommended(plan, book, free_tier: bool, designs: dict[str, Sized]) -> str:
    """The design `compare` recommends for this plan (compute.compare.recommend on its option totals),
    priced no further than that takes:
    1. Lambda's own lines (fixed=False: the integration lines both designs share left out, as compare's
       search does); below every ECS design's compute alone, Lambda is the cheaper design: done.
    2. Each design's own lines (fixed=False) give Lambda − ECS; with Lambda's full bill, each ECS total
       is Lambda's − that difference, and recommend runs on those totals.
    3. Where a total lands within MARGIN_USD of a threshold, every option is priced in full."""
    from costplan.compute.compare import CLOSE, recommend
    from costplan.compute.options import ec2_option, fargate_option, lambda_option, price_options

    if not designs:
        return "lambda"
    own = lambda_option(plan, book, free_tier, fixed=False).monthly_usd
    if all(own < d.compute_usd - MARGIN_USD for d in designs.values()):
        return "lambda"
    ecs = [fn(plan, book, free_tier, False) for fn in (fargate_option, ec2_option)]  # as price_options(fixed=False)
    diffs = {o.name: own - o.monthly_usd for o in ecs if o is not None and o.name in designs}
    lam = lambda_option(plan, book, free_tier).monthly_usd
    totals = [_Total("lambda", "Lambda", lam)] + [_Total(n, n, lam - d) for n, d in diffs.items()]
    if diffs:
        best = max(diffs.values())  # the cheapest ECS design: Lambda − it is the largest
        close = [best, best - CLOSE * lam] + [best - d for d in diffs.values() if d != best]
        if all(abs(x) > MARGIN_USD for x in close):
            return recommend(totals, None)[0]
    return recommend(price_options(plan, book, free_tier, warm=False), None)[0]
