"""`costplan pricing show`: the price book with each price's source and date."""
from __future__ import annotations

from typing import Annotated

import typer

from costplan.cli.common import Format, FormatOpt, RegionOpt, default_region, emit, guarded
from costplan.errors import CostplanError, PriceGap

app = typer.Typer(help="Inspect (and refresh) the price book.", no_args_is_help=True,
                  context_settings={"help_option_names": ["-h", "--help"]})


def _price_files() -> list[str]:
    from importlib import resources

    names = sorted(p.name[:-5] for p in resources.files("costplan.pricing_data").iterdir()
                   if p.name.endswith(".yaml") and p.name != "regions.yaml")
    return names


@app.command("show")
@guarded
def show(service: Annotated[str | None, typer.Argument(help="Price file, e.g. lambda or fargate.")] = None,
         region: RegionOpt = None, format: FormatOpt = Format.table):
    """List prices with their unit, source URL and as-of date; gaps are shown as gaps."""
    from costplan.errors import did_you_mean
    from costplan.pricing.book import PriceBook
    from costplan.report.render import console, csv_text, md_table, to_json

    book = PriceBook(default_region(region))
    files = _price_files()
    if service and service not in files:
        raise CostplanError(f"no price file for {service!r}{did_you_mean(service, files)}; "
                            f"known: {', '.join(files)}")
    rows = []
    for svc in [service] if service else files:
        if svc == "savings_plans":  # rates per plan, not on-demand prices (costplan/compute/purchase.py)
            from costplan.compute.purchase import price_rows

            rows += price_rows(book.region)
            continue
        for p in book.service_prices(svc):
            if isinstance(p, PriceGap):
                rows.append({"key": "", "description": "", "price": "gap", "source": str(p), "as_of": "",
                             "origin": ""})
                continue
            tiers = "; ".join(p.display(i) for i in range(len(p.tiers)))
            free = f" (free: {p.free_quantity:,.0f} {p.unit}/month)" if p.free_quantity else ""
            rows.append({"key": p.key, "description": p.description, "price": tiers + free,
                         "source": p.source.url, "as_of": p.source.as_of, "grade": p.source.grade,
                         "origin": p.origin})
    if format == Format.json:
        emit(to_json({"region": book.region, "prices": rows}))
    elif format == Format.markdown:
        emit(md_table(["Key", "Price", "Source", "As of"],
                      [[r["key"], r["price"], r["source"], r["as_of"]] for r in rows]))
    elif format == Format.csv:
        emit(csv_text(list(rows[0].keys()) if rows else ["key"], [list(r.values()) for r in rows]))
    else:
        from rich.table import Table

        t = Table(title=f"Price book, {book.region}", title_justify="left", box=None, header_style="bold",
                  pad_edge=False)
        for c in ("Key", "Price", "As of", "Source"):
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(r["key"], r["price"], r["as_of"], r["source"])
        console().print(t)
