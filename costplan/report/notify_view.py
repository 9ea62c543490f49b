"""Render the notify comparison (polling vs WebSocket vs MQTT): cost by audience size and crossovers."""
from __future__ import annotations

from costplan.pricing.bill import money
from costplan.report.render import qty, usd

TITLES = {"polling": "HTTP polling", "websocket": "WebSocket API", "mqtt": "IoT Core MQTT"}


def compute(comparisons, methods) -> list:
    """(scenario, NotifyResult) for each comparison whose scenario has a notify section."""
    from costplan.patterns.notify import price_notify
    from costplan.pricing.book import PriceBook

    out = []
    for c in comparisons:
        sc = c.scenario
        if sc.notify is None:
            continue
        out.append((sc, price_notify(sc, PriceBook(sc.region), c.free_tier, methods=methods)))
    return out


def crossover_text(method: str, value) -> str:
    if value is None:
        return f"polling stays cheaper than {TITLES[method]} up to 100M sessions"
    if value <= 1:
        return f"polling costs more than {TITLES[method]} at every audience size"
    return f"polling costs more than {TITLES[method]} above {qty(value)} sessions a month"


def as_dict(result) -> dict:
    return {
        "audience": float(result.settings.audience),
        "methods": list(result.methods),
        "monthly_usd": {m: money(v) for m, v in result.at_audience.items()},
        "by_audience": [{"audience": float(r["audience"]), **{m: money(r[m]) for m in result.methods}}
                        for r in result.rows],
        "crossovers": {m: (None if v is None else float(v.quantize(1))) for m, v in result.crossovers.items()},
    }


def table(pairs, console) -> None:
    from rich.table import Table

    for sc, r in pairs:
        t = Table(title=f"{sc.name}: progress notification by audience (sessions a month)", title_justify="left",
                  box=None, show_header=True, header_style="bold", pad_edge=False)
        t.add_column("Sessions", justify="right")
        for m in r.methods:
            t.add_column(TITLES[m], justify="right")
        for row in r.rows:
            t.add_row(qty(row["audience"]), *[usd(row[m]) for m in r.methods])
        console.print(t)
        for m, v in r.crossovers.items():
            console.print(f"  crossover: {crossover_text(m, v)}")
        console.print()
