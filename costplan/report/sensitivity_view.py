"""Render sensitivity sweeps (costplan sensitivity, compare --vary) as a table, JSON, Markdown or CSV."""
from __future__ import annotations

import sys


def show(sweeps: list, fmt: str) -> None:
    from costplan.compute import sensitivity as sens
    from costplan.report import render

    if fmt == "json":
        data = [sens.as_dict(sw) for sw in sweeps]
        sys.stdout.write(render.to_json(data[0] if len(data) == 1 else data))
        return
    for sw in sweeps:
        headers, rows, align = sens.rows(sw)
        if fmt == "csv":
            sys.stdout.write(render.csv_text(*sens.csv_rows(sw)))
        elif fmt == "markdown":
            sys.stdout.write(f"### Sensitivity of {render.md_text(sw.scenario.name)} to {sw.field}\n\n"
                             + render.md_table(headers, rows, align)
                             + f"\n\\* cheapest at that step. {sens.summary(sw)}\n")
        else:
            con = render.console()
            con.print(f"[bold]{sw.scenario.name}: monthly totals as {sw.field} varies (* cheapest)[/bold]")
            con.out(render.text_table(headers, rows, align), end="", highlight=False)
            con.out(sens.summary(sw), highlight=False)
