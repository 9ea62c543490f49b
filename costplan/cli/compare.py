"""`costplan compare`: Lambda vs ECS Fargate vs ECS on EC2, the break-even and a recommendation."""
from __future__ import annotations

from typing import Annotated

import typer

from costplan.cli.common import Format, FormatOpt, RegionOpt, default_region, emit, guarded
from costplan.errors import CostplanError, Problem


def _need_unit(value: str | None, flag: str, kind: str):
    """A duration or size on the command line must say its unit: 120 alone is ambiguous."""
    if value is None:
        return None
    v = value.strip()
    if v and (v[-1].isdigit() or v[-1] == "."):
        raise CostplanError(Problem(f"{v!r} is ambiguous: give a unit, e.g. {kind}", field=flag))
    return v


def scenario_from_flags(executions, duration, memory, architecture, peak_rps, hours_per_day, region) -> dict:
    if executions is None or duration is None:
        missing = [f for f, v in (("--executions", executions), ("--duration", duration)) if v is None]
        raise CostplanError(Problem("give a scenario file, or at least " + " and ".join(missing),
                                    field="compare"))
    w = {"monthly_requests": executions, "duration_ms": _need_unit(duration, "--duration", "120ms or 1.5s")}
    if memory is not None:
        w["memory_mb"] = _need_unit(memory, "--memory", "512MB or 1.5GB")
    if architecture:
        w["architecture"] = architecture
    if peak_rps is not None:
        w["peak_rps"] = peak_rps
    if hours_per_day is not None:
        w["active_hours_per_day"] = hours_per_day
    out = {"version": 1, "name": "command line", "region": default_region(region), "workload": w}
    from costplan.config import cached

    if cached().free_tier is not None:  # the config's, as a scenario file without free_tier takes it
        out["free_tier"] = cached().free_tier
    return out


def refuse_ignored_options(scenarios, workload_flags: dict, vary, steps, brief, notify, format) -> None:
    """An option either changes the output or is refused with its reason: never accepted and ignored."""
    problems = []
    if scenarios:
        given = [flag for flag, v in workload_flags.items() if v is not None]
        if given:
            problems.append(Problem(f"{', '.join(given)} describe a workload without a scenario file; with a file, "
                                    "edit its workload: (or use --vary to sweep one input)", field=given[0]))
    if steps is not None and not vary:
        problems.append(Problem("--steps sets the points of a --vary sweep; give --vary FIELD=LOW..HIGH too",
                                field="--steps"))
    if brief and (format != Format.table or vary):
        problems.append(Problem("--brief shortens the table; json, markdown, csv and --vary have no line items "
                                "to drop", field="--brief"))
    if notify and (format in (Format.markdown, Format.csv) or vary):
        problems.append(Problem("--notify is shown in the table and in json; markdown, csv and --vary do not "
                                "carry it", field="--notify"))
    if problems:
        raise CostplanError(problems)


@guarded
def compare(
    scenarios: Annotated[list[str] | None, typer.Argument(help="Scenario files or folders.")] = None,
    executions: Annotated[str | None, typer.Option(help="Requests per month, e.g. 3M (no scenario file).")] = None,
    duration: Annotated[str | None, typer.Option(help="Average duration with unit, e.g. 120ms.")] = None,
    memory: Annotated[str | None, typer.Option(help="Memory with unit, e.g. 512MB.")] = None,
    architecture: Annotated[str | None, typer.Option(help="x86_64 or arm64.")] = None,
    peak_rps: Annotated[str | None, typer.Option("--peak-rps", help="Peak requests per second.")] = None,
    hours_per_day: Annotated[str | None, typer.Option("--hours-per-day", help="Active hours per day.")] = None,
    region: RegionOpt = None,
    free_tier: Annotated[bool | None, typer.Option("--free-tier/--no-free-tier",
                                                   help="Apply free tiers (default: the scenario's "
                                                        "free_tier, on).")] = None,
    brief: Annotated[bool, typer.Option("--brief", help="Totals only, no line items.")] = False,
    vary: Annotated[str | None, typer.Option("--vary", help="Sweep one input instead: FIELD=LOW..HIGH with FIELD "
                                                            "monthly_requests, duration_ms, memory_mb, spot_discount or commitment_share, e.g. "
                                                            "monthly_requests=0.5x..4x (same as `costplan "
                                                            "sensitivity`).")] = None,
    steps: Annotated[int | None, typer.Option("--steps", min=2, max=200,
                                              help="Points across the --vary range (default 8).")] = None,
    notify: Annotated[str | None, typer.Option(
        "--notify", help="Also price progress notification for the scenario's notify: audience, e.g. "
                         "polling,websocket,mqtt.")] = None,
    purchase: Annotated[str | None, typer.Option(
        "--purchase", help="Also price under a purchase option: on-demand, compute-sp-1y-no-upfront, "
                           "compute-sp-3y-all-upfront, ec2-instance-sp-1y-no-upfront, ... (overrides the "
                           "scenario's purchase.option).")] = None,
    format: FormatOpt = Format.table,
):
    """Price a workload on Lambda, ECS on Fargate and ECS on EC2; show the break-even and a recommendation.

    Example: costplan compare scenarios/steady_heavy_api.yaml
    Example: costplan compare --executions 3M --duration 120ms --memory 512MB
    """
    from costplan import scenario as sc_mod
    from costplan.compute.compare import compare_many
    from costplan.report import compare_view as view

    refuse_ignored_options(scenarios, {"--executions": executions, "--duration": duration, "--memory": memory,
                                       "--architecture": architecture, "--peak-rps": peak_rps,
                                       "--hours-per-day": hours_per_day}, vary, steps, brief, notify, format)
    steps = steps or 8
    if scenarios and format == Format.json and not vary and not notify and purchase is None:
        _stream_json(scenarios, free_tier, region)
        return
    if scenarios:
        loaded = sc_mod.load_many(scenarios)
    else:
        loaded = [sc_mod.from_dict(scenario_from_flags(executions, duration, memory, architecture, peak_rps,
                                                       hours_per_day, region), "command line")]
    if purchase is not None:
        from costplan.compute.purchase import with_option

        loaded = [with_option(s, purchase) for s in loaded]
    if vary:
        from costplan.compute import sensitivity as sens
        from costplan.report.sensitivity_view import show

        field = sens.parse_vary(vary)
        show([sens.sensitivity(s, field, steps, free_tier, region) for s in loaded], format.value)
        return
    if format == Format.json and not notify:
        _stream_json(None, free_tier, region, loaded)
        return
    results = compare_many(loaded, free_tier=free_tier, region=region)
    notified = []
    if notify:
        from costplan.report import notify_view

        methods = [m.strip() for m in notify.split(",") if m.strip()]
        bad = [m for m in methods if m not in notify_view.TITLES]
        if bad:
            raise CostplanError(Problem(f"unknown notify method {', '.join(bad)}; expected polling, websocket, mqtt",
                                        field="--notify"))
        notified = notify_view.compute(results, methods)
    if format == Format.json and notified:
        import json

        data = json.loads(view.json_text(results))
        by_name = {sc.name: notify_view.as_dict(r) for sc, r in notified}
        for d in data if isinstance(data, list) else [data]:
            d["notify"] = by_name.get(d["scenario"])
        emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif format == Format.json:
        emit(view.json_text(results))
    elif format == Format.markdown:
        emit(view.markdown(results))
    elif format == Format.csv:
        emit(view.csv_rows(results))
    else:
        from costplan.report.render import console

        con = console()
        view.table(results, con, details=not brief)
        if notified:
            notify_view.table(notified, con)
        import sys

        if sys.stdout.isatty():  # a compact bar chart for people, never in piped output
            from costplan.report.terminal_chart import terminal_bars

            emit("\n".join(terminal_bars(c) for c in results) + "\n")


def _stream_json(paths, free_tier, region, loaded=None) -> None:
    """JSON for any number of scenarios in flat memory: each file is loaded, compared and written as
    JSON to a temporary file, then dropped; the file is copied to stdout at the end, so a bad scenario
    still exits 2 with every problem listed (loading and pricing) and no partial document."""
    import shutil
    import sys
    import tempfile

    from costplan import scenario as sc_mod
    from costplan.compute.compare import iter_compare
    from costplan.report import compare_view as view

    problems: list = []
    if loaded is None:
        files = sc_mod.expand(paths)
        source, total = sc_mod.iter_load(files, problems), len(files)
    else:
        source, total = loaded, len(loaded)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as tmp:
        view.write_json(iter_compare(source, free_tier=free_tier, region=region, problems=problems, total=total),
                        tmp)
        if problems:
            raise CostplanError(problems)
        tmp.seek(0)
        shutil.copyfileobj(tmp, sys.stdout, 1 << 20)
        sys.stdout.flush()
