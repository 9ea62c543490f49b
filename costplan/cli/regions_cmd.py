"""`costplan regions`: the regions the price book covers, how completely, and how old its prices are."""
from __future__ import annotations

import typer

from costplan.cli.common import Format, FormatOpt, emit, guarded


@guarded
def regions(format: FormatOpt = Format.table):
    """List the regions `--region` accepts, with prices known, gaps and the oldest price date.

    A gap is a price the book does not know in that region (it never prices as zero); `costplan
    pricing show SERVICE --region R` lists them, `costplan pricing refresh --region R` fills what the
    public price list has.

    Example: costplan regions --format json
    """
    from costplan.pricing.book import coverage
    from costplan.pricing.book import regions as known_regions
    from costplan.report.render import csv_text, md_table, to_json

    rows = [coverage(r) for r in known_regions()]
    if format == Format.json:
        emit(to_json({"regions": [{"region": c.region, "name": c.name, "prices": c.total, "known": c.known,
                                   "gaps": len(c.gaps), "gap_keys": list(c.gaps), "oldest_price": c.oldest,
                                   "oldest_price_key": c.oldest_key, "undated": c.undated} for c in rows]}))
        return
    header = ["Region", "Name", "Known", "Gaps", "Oldest price"]
    table = [[c.region, c.name, f"{c.known}/{c.total}", str(len(c.gaps)),
              f"{c.oldest} ({c.oldest_key})" if c.oldest else "undated"] for c in rows]
    if format == Format.markdown:
        emit(md_table(header, table))
    elif format == Format.csv:
        emit(csv_text(header, table))
    else:
        from rich.table import Table

        from costplan.report.render import console

        t = Table(title="Price book coverage by region", title_justify="left", box=None, header_style="bold",
                  pad_edge=False)
        for h in header:
            t.add_column(h, justify="right" if h in ("Known", "Gaps") else "left")
        for r in table:
            t.add_row(*r)
        console().print(t)
        undated = max(c.undated for c in rows)
        if undated:
            typer.echo(f"Oldest price: the earliest dated source; up to {undated} price(s) per region cite an "
                       f"undated page (`costplan pricing show` names them).")


def register(app: typer.Typer) -> None:
    app.command("regions")(regions)
