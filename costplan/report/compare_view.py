"""Render a Comparison (costplan compare) as a table, JSON, Markdown or CSV."""
from __future__ import annotations

from decimal import Decimal

from costplan.pricing.bill import money
from costplan.report.render import csv_text, md_table, md_text, number, qty, text_table, to_json, usd


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
        "breakeven": breakeven_dict(c),
        "breakeven_note": c.breakeven_note or None,
        "recommendation": c.recommendation,
        "reason": c.reason,
        "free_tier_sharing": c.free_tier_sharing,
        "summary": c.plan.summary,
        "designs": c.plan.designs_json(),
        "assumptions": c.plan.assumptions,
        **({"purchase": c.extra["purchase"].to_json()} if "purchase" in c.extra else {}),
    }


def breakeven_dict(c) -> dict | None:
    """The headline crossing (as before), every crossing within 0.001×–1,000× today, and the bands."""
    be, bands = c.breakeven, c.bands
    if be is None and bands is None:
        return None
    out: dict = {}
    if be is not None:
        out.update({
            "monthly_requests": float(be.monthly_requests.quantize(Decimal(1))),
            "average_rps": float(be.average_rps.quantize(Decimal("0.001"))),
            "rps_basis": "active hours",
            "against": be.against,
            "factor": float(be.factor.quantize(Decimal("0.0001"))),
        })
    if bands is not None:
        out["range_monthly_requests"] = [float(bands.base / 1000), float(bands.base * 1000)]
        out["crossings"] = [{"monthly_requests": float(v), "cheaper_above": "lambda" if to == "lambda" else against}
                            for v, to, against in bands.crossings]
        out["bands"] = [{"cheaper": b.side, "from_monthly_requests": None if b.lo is None else float(b.lo),
                         "to_monthly_requests": None if b.hi is None else float(b.hi),
                         **({"crossings": b.crossings} if b.side == "mixed" else {})} for b in bands.bands]
        out["summary"] = bands.summary
        if bands.repriced:
            out["repriced"] = True
    return out


def json_text(comparisons: list) -> str:
    data = [as_dict(c) for c in comparisons]
    return to_json(data[0] if len(data) == 1 else data)


def write_json(comparisons, out) -> None:
    """Stream JSON to `out` as each comparison arrives: nothing but the one being written is held, so
    memory does not grow with the number of scenarios. One scenario is an indented object (as before);
    several are an array with one scenario per line (compact, written by json's C encoder: indenting
    goes through its pure-Python encoder at ~3 ms a scenario)."""
    import json

    from costplan.report.render import json_default

    first = None
    count = 0
    for c in comparisons:
        d = as_dict(c)
        if count == 0:
            first = d  # held back: one scenario is written as an object, not a list
        else:
            if count == 1:
                out.write("[\n" + json.dumps(first, ensure_ascii=False, default=json_default))
                first = None
            out.write(",\n" + json.dumps(d, ensure_ascii=False, default=json_default))
        count += 1
    if count == 1:
        out.write(to_json(first))
    elif count > 1:
        out.write("\n]\n")
    else:
        out.write("[]\n")


def sharing_line(c) -> str | None:
    s = c.free_tier_sharing
    if not s or not c.free_tier:
        return None
    nth = {1: "1st", 2: "2nd", 3: "3rd"}.get(s["position"], f"{s['position']}th")
    return (f"Free tier: once per account and region, shared by the scenarios compared together and "
            f"allocated in file order; this is the {nth} of account {s['account']} in {s['region']}: each "
            f"alternative gets what the earlier ones left on it.")


def _be_line(c) -> str:
    be = c.breakeven
    bands = c.bands
    if be is None:
        line = f"Break-even: none ({c.breakeven_note})."
    else:
        line = (f"Break-even: {be.shown_requests:,.0f} requests a month ({be.shown_rps:,} req/s while active, "
                f"{be.shown_factor:,}× today) — above it {_title(c, be.against)} is cheaper than Lambda.")
    if bands is not None:
        line += f"\nBands (0.001×–1,000× today): {bands.summary}."
        if 1 < len(bands.crossings) <= 8:
            line += " Crossings: " + ", ".join(
                f"{v:,.0f} ({'Lambda' if to == 'lambda' else _title(c, against)} cheaper above)"
                for v, to, against in bands.crossings) + "."
        elif len(bands.crossings) > 8:
            line += f" {len(bands.crossings)} crossings in all (each listed by --format json)."
    share = sharing_line(c)
    if share:
        line += "\n" + share
    return line


def _title(c, name: str) -> str:
    o = c.option(name)
    return o.title if o else name


def markdown(comparisons: list) -> str:
    parts = []
    for c in comparisons:
        parts.append(f"## {md_text(c.scenario.name)}\n\n{c.plan.summary}\n")
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
