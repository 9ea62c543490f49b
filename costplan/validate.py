"""One validation pipeline for every command: `scenario.load` runs `problems()` on each scenario, so
what `scenario validate` accepts, compare, limits-check, template and report accept, and the reverse.

Three stages, each adding problems with file:line and field:
1. the pydantic model (types, units, AWS ranges as annotated types, cross-field validators);
2. scenario checks (references resolved against the price book, quota table and instance types);
3. the pattern's plan (its settings model), then plan checks on the numbers templates will carry.
A new field plugs in with a pydantic validator on its model, or a function registered with
`@scenario_check` / `@plan_check` below (each returns a list of Problems).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from costplan.errors import CostplanError, Problem

SCENARIO_CHECKS: list[Callable] = []
PLAN_CHECKS: list[Callable] = []


def scenario_check(fn: Callable) -> Callable:
    """Register fn(scenario) -> list[Problem], run before the scenario is planned."""
    SCENARIO_CHECKS.append(fn)
    return fn


def plan_check(fn: Callable) -> Callable:
    """Register fn(scenario, plan) -> list[Problem], run on the pattern's plan."""
    PLAN_CHECKS.append(fn)
    return fn


_LAST: list = [None, None]  # the last scenario validated here and its plan (see planned)


def planned(sc):
    """The scenario's plan: the one problems() built while validating this same scenario object (a
    command that loads and then plans a file plans it once), else a new one."""
    if _LAST[0] is sc:
        return _LAST[1]
    from costplan import patterns

    return patterns.plan(sc)


def problems(sc) -> list[Problem]:
    """Every problem with one loaded scenario (empty when every command will accept it)."""
    from costplan import patterns

    found: list[Problem] = []
    for check in SCENARIO_CHECKS:
        found += check(sc)
    if found:  # planning needs the references to resolve
        return found
    try:
        plan = patterns.plan(sc)
    except CostplanError as e:
        return e.problems
    except ArithmeticError as e:  # a value no check above caught makes the arithmetic impossible
        return [sc.problem(f"cannot be planned: a value makes the arithmetic fail ({type(e).__name__}); "
                           "look for a zero or an extreme number in settings")]
    for check in PLAN_CHECKS:
        found += check(sc, plan)
    if not found:
        _LAST[:] = sc, plan  # one slot, by identity: holds one scenario's plan, not one per file
    return found


# ---- references --------------------------------------------------------------------------------------

@scenario_check
def _region(sc) -> list[Problem]:
    """A region the price book or the quota table knows, or any real AWS Region (limits-check needs only
    quotas; pricing a Region the price book lacks is refused by compare, so `every_command_accepts`)."""
    from costplan.pricing.book import check_region, regions

    if sc.region in regions():
        return []
    from costplan.limits.quotas import table  # only off the price book's map: compare need not load limits

    if any(sc.region in (q.regions or {}) for q in table().values()):
        return []
    from costplan.aws.regions import aws_regions

    if sc.region in aws_regions():  # a real Region the price book lacks: limits-check runs, pricing
        return []                   # is refused by compare (and so by validate) as a price gap
    try:
        check_region(sc.region)
    except CostplanError as e:
        return [sc.problem(p.message, "region") for p in e.problems]
    return []


@scenario_check
def _quota_ids(sc) -> list[Problem]:
    if not sc.quotas:  # nothing to resolve: compare need not load the quota table
        return []
    from costplan.limits.quotas import scenario_problems

    return scenario_problems(sc)


# Fargate task sizes: vCPU → memory GB allowed
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
FARGATE_SIZES: dict[Decimal, list[Decimal]] = {
    Decimal("0.25"): [Decimal("0.5"), Decimal(1), Decimal(2)],
    Decimal("0.5"): [Decimal(g) for g in range(1, 5)],
    Decimal(1): [Decimal(g) for g in range(2, 9)],
    Decimal(2): [Decimal(g) for g in range(4, 17)],
    Decimal(4): [Decimal(g) for g in range(8, 31)],
    Decimal(8): [Decimal(g) for g in range(16, 61, 4)],
    Decimal(16): [Decimal(g) for g in range(32, 121, 8)],
}


def _gb(d: Decimal) -> str:
    from costplan.units import plain

    return plain(d)


@scenario_check
def _fargate_size(sc) -> list[Problem]:
    vcpu, mem = getattr(sc.ecs, "vcpu", None), getattr(sc.ecs, "memory_gb", None)
    if vcpu is None or mem is None:
        return []
    if vcpu not in FARGATE_SIZES:
        return [sc.problem(f"{_gb(vcpu)} vCPU is not a Fargate size; Fargate offers "
                           f"{', '.join(_gb(v) for v in FARGATE_SIZES)} vCPU", "ecs", "vcpu")]
    allowed = FARGATE_SIZES[vcpu]
    if mem not in allowed:
        return [sc.problem(f"{_gb(mem)} GB with {_gb(vcpu)} vCPU is not a Fargate size; with {_gb(vcpu)} vCPU "
                           f"Fargate offers {_gb(allowed[0])}–{_gb(allowed[-1])} GB "
                           f"({', '.join(_gb(g) for g in allowed)})", "ecs", "memory_gb")]
    return []


@scenario_check
def _instance_type(sc) -> list[Problem]:
    from costplan import units
    from costplan.services import ec2 as ec2svc

    cfg, ecs = sc.ec2, sc.ecs
    arch = getattr(ecs, "architecture", None) or sc.workload.architecture
    if not cfg.instance_type:
        return []  # compare picks the cheapest type that holds the tasks (compute/sizing.py)
    itype = cfg.instance_type
    try:
        vcpu, mem_gib, iarch = ec2svc.instance_spec(itype)
    except units.UnitError as e:
        return [sc.problem(str(e), "ec2", "instance_type")]
    if iarch != arch:
        return [sc.problem(f"{itype} is {iarch} but the tasks are {arch}; pick an {arch} instance type or set "
                           "ecs.architecture", "ec2", "instance_type")]
    evcpu, emem = getattr(ecs, "vcpu", None), getattr(ecs, "memory_gb", None)
    if evcpu is None or emem is None or emem not in FARGATE_SIZES.get(evcpu, ()):
        return []  # no size, or not a Fargate size (reported once, by _fargate_size)
    from costplan.compute.sizing import DEFAULT_RESERVED_SHARE

    reserved_mb = (Decimal(cfg.reserved_memory_mb) if cfg.reserved_memory_mb is not None
                   else Decimal(mem_gib) * 1024 * DEFAULT_RESERVED_SHARE)
    usable = Decimal(mem_gib) - reserved_mb / 1024
    if usable <= 0:
        return [sc.problem(f"reserves {_gb(reserved_mb)} MB of {itype}'s {_gb(mem_gib)} GiB",
                           "ec2", "reserved_memory_mb")]
    if evcpu > vcpu or emem > usable:
        return [sc.problem(f"a task of {_gb(evcpu)} vCPU / {_gb(emem)} GB does not fit on {itype} "
                           f"({_gb(vcpu)} vCPU, {_gb(usable)} GiB usable)", "ec2", "instance_type")]
    return []


@scenario_check
def _duplicate_names(sc) -> list[Problem]:
    """Named items in a settings list (pipeline steps, subscribers) must be unique: each becomes a
    resource, and two resources cannot share a name."""
    out = []
    for key, items in (sc.settings or {}).items():
        if not isinstance(items, list):
            continue
        names = [i.get("name") for i in items if isinstance(i, dict) and isinstance(i.get("name"), str)]
        for name, n in Counter(names).items():
            if n > 1:
                index = max(i for i, v in enumerate(names) if v == name)
                out.append(sc.problem(f"{n} items are named {name!r}; each needs its own name",
                                      "settings", key, index, "name"))
    return out


# ---- the plan's numbers ------------------------------------------------------------------------------

def _settings_path(sc, *keys: str) -> tuple:
    """The first of keys the scenario's settings set, as a path for file:line (else `settings`)."""
    for k in keys:
        if k in (sc.settings or {}):
            return ("settings", k)
    return ("settings",)


@plan_check
def _stage_durations(sc, plan) -> list[Problem]:
    from costplan.units import plain

    out = []
    for st in plan.stages:
        ms = st.traffic.duration_ms
        if ms > 900_000:
            out.append(sc.problem(f"stage {st.name!r} runs {plain(ms / 1000)} s per invocation; a Lambda "
                                  "invocation runs at most 900 s (a smaller batch or a shorter step)",
                                  *_settings_path(sc, "batch_size", "steps", "processor_batch_size")))
    return out


@plan_check
def _queues(sc, plan) -> list[Problem]:
    """What Lambda's SQS event source mapping accepts, and the visibility timeout AWS asks for."""
    from costplan.units import plain

    out = []
    timeouts = {st.name: st.timeout_s for st in plan.stages}
    for q in plan.facts.get("queues") or []:
        consumer = q.get("consumer") or ""
        batch = Decimal(q.get("batch_size") or 1)
        window = Decimal(q.get("batching_window_s") or 0)
        where = _settings_path(sc, f"{consumer}_batch_size", "batch_size")
        if q.get("fifo") and window:
            out.append(sc.problem("a FIFO queue's event source takes no batching window",
                                  *_settings_path(sc, "batching_window_s")))
        if not q.get("fifo") and batch > 10 and window < 1:
            out.append(sc.problem(f"a batch size of {plain(batch)} (above 10) needs batching_window_s of at "
                                  "least 1 s (Lambda's SQS event source)", *where))
        vis = q.get("visibility_timeout_s")
        timeout = timeouts.get(consumer)
        if vis is not None and timeout is not None:
            need = Decimal(timeout) * 6 + window
            if Decimal(vis) < need:
                out.append(sc.problem(f"visibility timeout {plain(vis)} s is below 6 × the consumer's "
                                      f"{plain(timeout)} s timeout + {plain(window)} s window = {plain(need)} s "
                                      "(AWS's guidance for Lambda consumers)",
                                      *_settings_path(sc, "visibility_timeout_s")))
            elif Decimal(vis) > 43_200:
                out.append(sc.problem(f"visibility timeout {plain(vis)} s is above SQS's 12 hours (43,200 s)",
                                      *_settings_path(sc, "visibility_timeout_s", "batch_size")))
        ret = q.get("retention_s")
        if ret is not None and not (60 <= Decimal(ret) <= 1_209_600):
            out.append(sc.problem(f"retention {plain(ret)} s is outside SQS's 60 s–14 days",
                                  *_settings_path(sc, "retention_s")))
    return out


@plan_check
def _unique_stages(sc, plan) -> list[Problem]:
    names = [st.name for st in plan.stages]
    dup = sorted(n for n, c in Counter(names).items() if c > 1)
    return [sc.problem(f"two parts of the design are both named {n!r}", "settings") for n in dup]




def every_command_accepts(sc) -> list[Problem]:
    """Beyond loading: what compare (pricing in the scenario's region) and template (building both
    formats) would still refuse. `scenario validate` runs this, so its exit 0 means every command's."""
    from costplan.compute.compare import compare_many
    from costplan.errors import in_file
    from costplan.templates.render import render

    found: list[Problem] = []
    try:
        compare_many([sc])
    except CostplanError as e:
        found += e.problems
    for fmt in ("terraform", "cloudformation"):
        try:
            render(sc, fmt, "auto")
        except CostplanError as e:
            found += [p for p in in_file(e.problems, sc.source_file) if str(p) not in {str(f) for f in found}]
    return found
