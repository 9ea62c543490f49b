"""`costplan price SERVICE KEY=VALUE...`: the single-service calculator."""
from __future__ import annotations

from typing import Annotated

import typer

from costplan.cli.common import Format, FormatOpt, FreeTierOpt, RegionOpt, default_free_tier, default_region, emit, guarded
from costplan.errors import CostplanError, Problem


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    out, problems = {}, []
    for p in pairs:
        k, sep, v = p.partition("=")
        if not sep or not k.strip():
            problems.append(Problem(f"expected KEY=VALUE, got {p!r}", field="usage"))
            continue
        if k.strip() in out and out[k.strip()] != v.strip():  # which one would be priced? say so, never pick
            problems.append(Problem(f"given twice ({out[k.strip()]!r} and {v.strip()!r}); give it once",
                                    field=k.strip()))
            continue
        out[k.strip()] = v.strip()
    if problems:
        raise CostplanError(problems)
    return out


@guarded
def price(
    service: Annotated[str, typer.Argument(help="Service: lambda, fargate, ec2, alb, nat_gateway, ... "
                                                "(`costplan pricing show` lists them).")],
    usage: Annotated[list[str] | None, typer.Argument(help="Usage as KEY=VALUE, e.g. monthly_requests=10M "
                                                           "request_duration_ms=250 memory_mb=1024.")] = None,
    region: RegionOpt = None,
    free_tier: FreeTierOpt = None,
    format: FormatOpt = Format.table,
):
    """Price one service from its usage keys (units last: monthly_requests, request_duration_ms, memory_mb).

    Example: costplan price lambda monthly_requests=10M request_duration_ms=250 memory_mb=1024 architecture=arm64
    """
    from costplan import services
    from costplan.pricing.bill import money, total
    from costplan.pricing.book import PriceBook
    from costplan.report.render import console, csv_text, md_table, qty, to_json, usd

    book = PriceBook(default_region(region))
    items = services.price(service, parse_pairs(usage or []), book, free_tier=default_free_tier(free_tier))
    t = total(items)
    as_of = sorted({li.source.as_of for li in items if li.source})
    if format == Format.json:
        emit(to_json({"service": service, "region": book.region, "line_items": [li.to_json() for li in items],
                      "monthly_usd": money(t), "prices_as_of": as_of}))
        return
    rows = [[li.name, f"{qty(li.quantity)} {li.unit}", li.price_display, usd(li.monthly_usd)] for li in items]
    if format == Format.markdown:
        emit(md_table(["Item", "Quantity", "Price", "Monthly"], rows + [["**Total**", "", "", f"**{usd(t)}**"]],
                      "lrlr"))
        return
    if format == Format.csv:
        emit(csv_text(["item", "quantity", "unit", "unit_price_usd", "monthly_usd", "price_key"],
                      [[li.name, li.quantity, li.unit, li.unit_price_usd, li.monthly_usd, li.price_key]
                       for li in items]))
        return
    from rich.table import Table

    tab = Table(title=f"{service} in {book.region}", title_justify="left", box=None, header_style="bold",
                pad_edge=False)
    for col, j in (("Item", "left"), ("Quantity", "right"), ("Price", "left"), ("Monthly", "right")):
        tab.add_column(col, justify=j)
    for r in rows:
        tab.add_row(*r)
    tab.add_row("Total", "", "", usd(t), style="bold")
    console().print(tab)
    for url, d in sorted({(li.source.url, li.source.as_of) for li in items if li.source}):
        typer.echo(f"source: {url} ({'undated' if d == 'undated' else 'as of ' + d})")
