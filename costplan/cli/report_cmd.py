"""`costplan report`, `costplan diff` and `costplan sensitivity`: the review document, the PR cost diff,
and totals across a range of one input."""
from __future__ import annotations

import os
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from costplan.cli.common import Format, FormatOpt, RegionOpt, emit, guarded, write_atomic
from costplan.errors import CostplanError


class DiffFormat(str, Enum):
    """diff has no CSV form: a cost diff is a table of changes, not rows of one kind."""

    table = "table"
    json = "json"
    markdown = "markdown"


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

    from costplan.safewrite import check_target

    if out is not None:  # refused before charts are drawn: all of the output or none of it
        check_target(out, force)
    loaded = sc_mod.load_many(scenarios)
    results = _compare_all(loaded, free_tier, region)
    limits, note = mr.run_limits(loaded)
    chart_refs: dict[str, list[tuple[str, str]]] = {}
    no_charts = None
    if charts is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError as e:
            from costplan.errors import missing_extra

            no_charts, charts = missing_extra(e), None
    if charts is not None:
        base = (out.parent if out is not None else Path(".")).resolve()
        for c, made, skipped in _charts(results, charts, force):
            chart_refs[c.scenario.name] = [(alt, Path(os.path.relpath(p.resolve(), base)).as_posix())
                                           for alt, p in made]
            for s in skipped:
                typer.echo(f"note: {c.scenario.name}: {s}", err=True)
    text = mr.render(results, limits, note, chart_refs or None)
    if out is None:
        emit(text)
    else:
        write_atomic(out, text, force=force)
        typer.echo(f"wrote {out}" + (" without charts" if no_charts else ""), err=True)
    if no_charts is not None:  # the report is written; the charts asked for are not: say so, exit 2
        raise no_charts


def _charts(results, folder: Path, force: bool):
    """Every scenario's charts, drawn into a staging folder beside them, then checked (an existing file
    is refused without --force) and moved into `folder` together: a refusal leaves nothing behind.
    Scenarios that share a name get distinct file names (the second's file stem added), so one's charts
    never replace another's. Yields (comparison, [(alt, final path)], notes)."""
    import shutil
    import tempfile

    from costplan.errors import CostplanError, Problem
    from costplan.report.charts import chart_slug, write_charts
    from costplan.safewrite import check_target, replace_target

    if folder.exists() and not folder.is_dir():
        raise CostplanError(Problem("is not a folder; --charts names the folder for the chart files", file=str(folder)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".costplan-charts-", dir=folder))
    except OSError as e:
        raise CostplanError(Problem(f"cannot write charts here: {e.strerror or e}", file=str(folder))) from None
    try:
        drawn, used = [], set()
        for c in results:
            slug = chart_slug(c.scenario.name)
            if slug in used:
                stem = Path(c.scenario.source_file or "").stem
                slug = f"{slug}-{chart_slug(stem)}" if stem else slug
                n = 2
                while slug in used:
                    slug, n = f"{chart_slug(c.scenario.name)}-{n}", n + 1
            used.add(slug)
            made, skipped = write_charts(c, stage, force=True, slug=slug)
            drawn.append((c, made, skipped))
        staged = sorted(p for p in stage.iterdir())
        for p in staged:
            check_target(folder / p.name, force)
        for p in staged:
            target, mode = replace_target(folder / p.name)
            os.chmod(p, mode)
            os.replace(p, target)
        for c, made, skipped in drawn:
            yield c, [(alt, folder / p.name) for alt, p in made], skipped
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _gate_number(text: str | None, flag: str, expected: str) -> Decimal | None:
    """A non-negative number for a gate option: '10%' / '2.5' for --fail-on-increase, '$5,000' for --budget."""
    if text is None:
        return None
    t = text.strip().removesuffix("%").removeprefix("$").replace(",", "").strip()
    try:
        v = Decimal(t)
    except ArithmeticError:
        v = None
    if v is None or not v.is_finite() or v < 0:
        raise CostplanError(f"{flag}: expected {expected}, got {text!r}")
    return v


@guarded
def diff(
    paths: Annotated[list[str], typer.Argument(help="OLD NEW (files, REV:PATH, or two folders); or, with --base, "
                                                    "the files and folders to compare against that revision.")],
    base: Annotated[str | None, typer.Option("--base", help="Compare PATHS in the working tree with the same "
                                                            "paths at this git revision (e.g. origin/main).")] = None,
    fail_on_increase: Annotated[str | None, typer.Option("--fail-on-increase", help="Exit 1 when the total "
                                                         "monthly cost rises by more than this, e.g. 10%.")] = None,
    budget: Annotated[str | None, typer.Option("--budget", help="Exit 1 when the new total monthly cost is above "
                                               "this many US dollars.")] = None,
    region: RegionOpt = None,
    free_tier: Annotated[bool | None, typer.Option("--free-tier/--no-free-tier",
                                                   help="Apply free tiers (default: each scenario's).")] = None,
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.",
                                               case_sensitive=False)] = DiffFormat.table,
):
    """Show how a change moves the monthly cost, per scenario, per alternative and per line item.

    Two files (or REV:PATH, a git revision of one) compare one scenario; two folders compare their
    scenarios by file name; --base REV compares files and folders with themselves at that revision,
    as a pull request would. The Markdown starts with a hidden marker line so a CI job can find and
    update its own comment. --fail-on-increase and --budget gate on the total of each scenario's
    recommended design: exit 1 with the reason.

    Example: costplan diff main:scenarios/global_vote.yaml scenarios/global_vote.yaml --format markdown
    Example: costplan diff --base origin/main scenarios/ --fail-on-increase 10% --format markdown
    """
    from costplan.report import diff_view

    gate = diff_view.Gate(_gate_number(fail_on_increase, "--fail-on-increase", "a percentage such as 10% or 2.5"),
                          _gate_number(budget, "--budget", "US dollars a month such as 5000"))
    if base is not None:
        pairs = diff_view.pairs_against_base(base, paths)
    elif len(paths) != 2:
        raise CostplanError(f"diff takes OLD and NEW (got {len(paths)} path(s)); or use --base REV with "
                            f"files and folders")
    elif all(Path(p).is_dir() for p in paths):
        pairs = diff_view.pairs_of_folders(*paths)
    elif any(Path(p).is_dir() for p in paths):
        raise CostplanError("diff compares two files or two folders, not a file with a folder")
    else:
        pairs = [(paths[0], paths[1])]
    single = base is None and len(pairs) == 1 and None not in pairs[0] and not Path(paths[0]).is_dir()
    d = _diff_pairs(pairs, region, free_tier, gate)
    if single:
        one = d.diffs[0]
        if format == DiffFormat.json:
            out = diff_view.as_dict(one)
            out["gate"] = diff_view.as_dict_set(d)["gate"]
            from costplan.report.render import to_json

            emit(to_json(out))
        elif format == DiffFormat.markdown:
            emit(diff_view.markdown(one) + "".join(f"\n**Cost check failed:** {f}.\n" for f in d.failures()))
        else:
            from costplan.report.render import console

            con = console()
            diff_view.table(one, con)
            for f in d.failures():
                con.print(f"cost check failed: {f}")
    elif format == DiffFormat.json:
        from costplan.report.render import to_json

        emit(to_json(diff_view.as_dict_set(d)))
    elif format == DiffFormat.markdown:
        emit(diff_view.markdown_set(d))
    else:
        from costplan.report.render import console

        diff_view.table_set(d, console())
    if d.failures():
        for f in d.failures():
            typer.echo(f"cost check failed: {f}", err=True)
        raise typer.Exit(1)


def _diff_pairs(pairs, region, free_tier, gate):
    from costplan.errors import Problem
    from costplan.report import diff_view
    from costplan.report.markdown_report import run_limits

    olds, news, problems = [], [], []
    for a, b in pairs:
        for spec, acc in ((a, olds), (b, news)):
            if spec is None:
                acc.append(None)
                continue
            try:
                acc.append(diff_view.load_spec(spec))
            except CostplanError as e:
                problems.extend(e.problems)
                acc.append(None)
    if problems:
        raise CostplanError(problems)
    old_sc = [s for s in olds if s is not None]
    new_sc = [s for s in news if s is not None]
    if not old_sc and not new_sc:
        raise CostplanError(Problem("no scenarios to compare"))
    old_res = iter(_compare_all(old_sc, free_tier, region) if old_sc else [])
    new_res = iter(_compare_all(new_sc, free_tier, region) if new_sc else [])
    ra = [None if s is None else next(old_res) for s in olds]
    rb = [None if s is None else next(new_res) for s in news]
    la, note = run_limits(old_sc) if old_sc else (None, "no scenario before")
    lb, _ = run_limits(new_sc) if (la is not None and new_sc) else (None, note)
    labels = [(a or "(none)", b or "(none)") for a, b in pairs]
    return diff_view.diff_set(ra, rb, pairs, labels, la, lb, note, gate)


@guarded
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="A scenario file.")],
    vary: Annotated[str, typer.Option("--vary", help="FIELD=LOW..HIGH: monthly_requests, duration_ms or memory_mb, "
                                                     "as factors (0.5x..4x) or values (100ms..1s); spot_discount "
                                                     "or commitment_share as values (0%..100%).")],
    steps: Annotated[int, typer.Option("--steps", min=2, max=200,
                                       help="Points across the range (log-spaced, ends included).")] = 8,
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
