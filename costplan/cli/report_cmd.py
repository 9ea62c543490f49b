"""`costplan report`, `costplan diff` and `costplan sensitivity`: the review document, the PR cost diff,
and totals across a range of one input."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from costplan.cli.common import Format, FormatOpt, FreeTierOpt, RegionOpt, emit, guarded, write_atomic
from costplan.errors import CostplanError


def _compare_all(scenarios, free_tier, region, share_free_tier: bool = True):
    from costplan.compute.compare import compare_many

    return compare_many(scenarios, free_tier=free_tier, region=region, share_free_tier=share_free_tier)


@guarded
def report(
    scenarios: Annotated[list[str], typer.Argument(help="Scenario files or folders.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the Markdown here (default: stdout).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out and chart files.")] = False,
    charts: Annotated[Path | None, typer.Option("--charts", help="Write PNG and SVG charts to this folder and "
                                                                 "reference them from the report.")] = None,
    region: RegionOpt = None,
    free_tier: Annotated[bool | None, typer.Option("--free-tier/--no-free-tier",
                                                   help="Apply free tiers (default: the scenario's).")] = None,
):
    """Write the design-review document: architecture, costs, break-even, recommendation, limits, assumptions, sources.

    Example: costplan report scenarios/steady_heavy_api.yaml --out review.md --charts review-charts
    """
    from costplan import scenario as sc_mod
    from costplan.report import markdown_report as mr

    loaded = sc_mod.load_many(scenarios)
    results = _compare_all(loaded, free_tier, region)
    limits, note = mr.run_limits(loaded)
    chart_refs: dict[str, list[tuple[str, str]]] = {}
    if charts is not None:
        from costplan.report.charts import write_charts

        base = (out.parent if out is not None else Path(".")).resolve()
        for c in results:
            made, skipped = write_charts(c, charts, force=force)
            chart_refs[c.scenario.name] = [(alt, Path(os.path.relpath(p.resolve(), base)).as_posix())
                                           for alt, p in made]
            for s in skipped:
                typer.echo(f"note: {c.scenario.name}: {s}", err=True)
    text = mr.render(results, limits, note, chart_refs or None)
    if out is None:
        emit(text)
    else:
        write_atomic(out, text, force=force)
        typer.echo(f"wrote {out}", err=True)


@guarded
def diff(
    old: Annotated[str, typer.Argument(help="The scenario before: a file, or REV:PATH (a git revision of it).")],
    new: Annotated[str, typer.Argument(help="The scenario after: a file, or REV:PATH.")],
    region: RegionOpt = None,
    free_tier: Annotated[bool | None, typer.Option("--free-tier/--no-free-tier",
                                                   help="Apply free tiers (default: each scenario's).")] = None,
    format: FormatOpt = Format.table,
):
    """Show how a change to a scenario moves the monthly cost, per alternative and per line item.

    REV:PATH takes PATH from the repository root (or ./PATH from the current folder).
    Example: costplan diff main:scenarios/global_vote.yaml scenarios/global_vote.yaml --format markdown
    """
    from costplan.report import diff_view
    from costplan.report.markdown_report import run_limits

    a, b = diff_view.load_spec(old), diff_view.load_spec(new)
    ra, rb = _compare_all([a, b], free_tier, region, share_free_tier=False)  # two versions, not two workloads
    la, note = run_limits([a])
    lb, _ = run_limits([b]) if la is not None else (None, note)
    d = diff_view.cost_diff(ra, rb, old, new, la, lb, note)
    if format == Format.json:
        emit(diff_view.json_text(d))
    elif format == Format.markdown:
        emit(diff_view.markdown(d))
    elif format == Format.csv:
        raise CostplanError("diff has no CSV form: use --format table, markdown or json")
    else:
        from costplan.report.render import console

        diff_view.table(d, console())


@guarded
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="A scenario file.")],
    vary: Annotated[str, typer.Option("--vary", help="FIELD=LOW..HIGH: monthly_requests, duration_ms or memory_mb, "
                                                     "as factors (0.5x..4x) or values (100ms..1s).")],
    steps: Annotated[int, typer.Option("--steps", help="Points across the range (log-spaced, ends included).")] = 8,
    region: RegionOpt = None,
    free_tier: Annotated[bool | None, typer.Option("--free-tier/--no-free-tier",
                                                   help="Apply free tiers (default: the scenario's).")] = None,
    format: FormatOpt = Format.table,
):
    """Show each alternative's monthly total and the recommendation across a range of one input.

    Example: costplan sensitivity scenarios/steady_heavy_api.yaml --vary monthly_requests=0.5x..4x --steps 8
    """
    from costplan import scenario as sc_mod
    from costplan.compute import sensitivity as sens
    from costplan.report.sensitivity_view import show

    show([sens.sensitivity(sc_mod.load(scenario), sens.parse_vary(vary), steps, free_tier, region)], format.value)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("diff")(diff)
    app.command("sensitivity")(sensitivity)
