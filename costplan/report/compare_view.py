"""Render a Comparison (costplan compare) as a table, JSON, Markdown or CSV."""
from __future__ import annotations

from decimal import Decimal

from costplan.pricing.bill import money
from costplan.report.render import csv_text, md_table, number, qty, text_table, to_json, usd


def as_dict(c) -> dict:
    sc = c.scenario
    be = c.breakeven
    return {
        "scenario": sc.name,
        "file": sc.source_file,
        "region": sc.region,
        "pattern": sc.pattern,
        "free_tier": c.free_tier,
        "options": [
            {"name": o.name, "title": o.title, "monthly_usd": money(o.monthly_usd),
             "line_items": [li.to_json() for li in o.line_items], "notes": o.notes, "sizing": o.sizing}
            for o in c.options
        ],
        "cheapest": c.cheapest.name,
        "breakeven": None if be is None else {
            "monthly_requests": float(be.monthly_requests.quantize(Decimal(1))),
            "average_rps": float(be.average_rps.quantize(Decimal("0.001"))),
            "against": be.against,
            "factor": float(be.factor.quantize(Decimal("0.0001"))),
        },
        "breakeven_note": c.breakeven_note or None,
        "recommendation": c.recommendation,
        "reason": c.reason,
        "summary": c.plan.summary,
        "designs": c.plan.designs_json(),
        "assumptions": c.plan.assumptions,
        **({"purchase": c.extra["purchase"].to_json()} if "purchase" in c.extra else {}),
    }


def json_text(comparisons: list) -> str:
    data = [as_dict(c) for c in comparisons]
    return to_json(data[0] if len(data) == 1 else data)


def _be_line(c) -> str:
    be = c.breakeven
    if be is None:
        return f"Break-even: none ({c.breakeven_note})."
    return (f"Break-even: {be.shown_requests:,.0f} requests a month ({be.shown_rps:,} req/s on "
            f"average, {be.shown_factor:,}× today) — above it {_title(c, be.against)} is cheaper than Lambda.")


def _title(c, name: str) -> str:
    o = c.option(name)
    return o.title if o else name


def markdown(comparisons: list) -> str:
    parts = []
    for c in comparisons:
        parts.append(f"## {c.scenario.name}\n\n{c.plan.summary}\n")
        rows = [[o.title, usd(o.monthly_usd), "**cheapest**" if o is c.cheapest else ""] for o in c.options]
        parts.append(md_table(["Alternative", "Monthly", ""], rows, "lrl"))
        parts.append(f"\n{_be_line(c)}\n\n**Recommendation: {_title(c, c.recommendation)}.** {c.reason}\n")
        if "purchase" in c.extra:
            from costplan.report.purchase_view import markdown as purchase_md

            parts.append(purchase_md(c))
        for o in c.options:
            rows = [[li.resource, li.name, qty(li.quantity), li.unit, li.price_display, usd(li.monthly_usd)]
                    for li in o.line_items]
            parts.append(f"\n<details><summary>{o.title}: {usd(o.monthly_usd)}</summary>\n\n"
                         + md_table(["Resource", "Item", "Quantity", "Unit", "Price", "Monthly"], rows, "llrllr")
                         + "".join(f"\n- {n}" for n in o.notes) + "\n\n</details>\n")
    return "\n".join(parts)


def csv_rows(comparisons: list) -> str:
    rows = []
    for c in comparisons:
        for o in c.options:
            for li in o.line_items:
                rows.append([c.scenario.name, o.name, li.resource, li.name, number(Decimal(li.quantity)), li.unit,
                             number(Decimal(li.unit_price_usd)), f"{Decimal(li.monthly_usd):.6f}", li.price_key])
    return csv_text(["scenario", "option", "resource", "item", "quantity", "unit", "unit_price_usd",
                     "monthly_usd", "price_key"], rows)


def table(comparisons: list, console, details: bool = True) -> None:
    """The terminal view: plain aligned columns (fast, stable in pipes), bold headings on a terminal."""
    def out(text: str = "") -> None:
        console.out(text, highlight=False)

    for c in comparisons:
        sc = c.scenario
        console.print(f"[bold]{sc.name}[/bold] ({sc.pattern}, {sc.region}"
                      + ("" if c.free_tier else ", no free tier") + ")")
        out(c.plan.summary)
        rows = [[o.title, usd(o.monthly_usd), "cheapest" if o is c.cheapest else ""] for o in c.options]
        console.out(text_table(["Alternative", "Monthly", ""], rows, "lrl"), end="", highlight=False)
        if details:
            for o in c.options:
                console.print(f"[bold]{o.title}: {usd(o.monthly_usd)}[/bold]")
                rows = [[li.resource, li.name, f"{qty(li.quantity)} {li.unit}", li.price_display,
                         usd(li.monthly_usd)] for li in o.line_items]
                console.out(text_table(["Resource", "Item", "Quantity", "Price", "Monthly"], rows, "llrlr"),
                            end="", highlight=False)
                for n in o.notes:
                    out(f"  • {n}")
        out(_be_line(c))
        console.print(f"[bold]Recommendation: {_title(c, c.recommendation)}[/bold]. ", end="")
        out(c.reason)
        for a in c.plan.assumptions:
            out(f"  assumption: {a}")
        if "purchase" in c.extra:
            from costplan.report.purchase_view import table as purchase_table

            purchase_table(c, console, details)
        out()
