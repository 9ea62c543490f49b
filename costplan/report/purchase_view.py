"""Render compare's purchase block: on-demand and committed side by side, the hourly commitment,
the break-even and recommendation under the commitment (costplan.compute.purchase)."""
from __future__ import annotations

from costplan.report.render import md_table, qty, text_table, usd


def _rows(r) -> list[list[str]]:
    rows = []
    for o in r.options:
        up = "—"
        if o.upfront_usd:
            up = f"{usd(o.upfront_usd)} ({usd(o.upfront_monthly_usd)}/month)"
        rows.append([o.title, usd(o.on_demand_usd), usd(o.monthly_usd), usd(o.saving_usd),
                     f"${o.needed_per_hour:,.4f}" if o.needed_per_hour else "—", up])
    return rows


HEADERS = ["Alternative", "On-demand", "Committed", "Saving", "Commitment/hour", "Upfront (amortised)"]


def _breakeven(c, r) -> str:
    be = r.breakeven
    if be is None:
        return f"Break-even under {r.label}: none ({r.breakeven_note})."
    od = c.breakeven
    was = "" if od is None else f" (on-demand: {od.shown_requests:,.0f})"
    title = c.option(be.against).title if c.option(be.against) else be.against
    return (f"Break-even under {r.label}: {be.shown_requests:,.0f} requests a month{was}, "
            f"{be.shown_factor:,}× today — above it {title} is cheaper than Lambda.")


def _verdict(c, r) -> tuple[str, str]:
    """(headline, the rest): 'Recommendation under X: ECS on EC2', ' — the commitment changes ...'."""
    title = c.option(r.recommendation).title if c.option(r.recommendation) else r.recommendation
    head = f"Recommendation under {r.label}: {title}"
    if r.changes_answer:
        od = c.option(r.on_demand_recommendation)
        return head, (f" — the commitment changes the answer (on-demand: "
                      f"{od.title if od else r.on_demand_recommendation}). {r.reason}")
    return head, f", as on-demand. {r.reason}"


def _applied(o) -> list[str]:
    out = []
    for p in o.items:
        if p.how in ("on-demand",):
            continue
        li = p.item
        rate = f" × {p.rate}" if p.rate and p.how == "savings plan" else (f", {p.rate}" if p.rate else "")
        out.append(f"{o.title} / {li.resource or '-'} / {li.name}: {qty(li.quantity)} {li.unit}{rate} = "
                   f"{usd(p.committed_usd)} ({p.how}; on-demand {usd(li.monthly_usd)})")
    return out


def table(c, console, details: bool = True) -> None:
    r = c.extra["purchase"]

    def out(text: str = "") -> None:
        console.out(text, highlight=False)

    console.print(f"[bold]Purchase option: {r.plan.title} ({r.label})[/bold]")
    console.out(text_table(HEADERS, _rows(r), "lrrrrr"), end="", highlight=False)
    if details:
        for o in r.options:
            for line in _applied(o):
                out(f"  • {line}")
    out(_breakeven(c, r))
    head, rest = _verdict(c, r)
    console.print(f"[bold]{head}[/bold]", end="")
    out(rest)
    for g in r.gaps:
        out(f"  gap: {g}")
    for a in r.assumptions:
        out(f"  assumption: {a}")


def markdown(c) -> str:
    r = c.extra["purchase"]
    parts = [f"\n### Purchase option: {r.plan.title} (`{r.label}`)\n",
             md_table(HEADERS, _rows(r), "lrrrrr"),
             f"\n{_breakeven(c, r)}\n\n**{_verdict(c, r)[0]}**{_verdict(c, r)[1]}\n"]
    lines = [f"- {x}" for o in r.options for x in _applied(o)]
    lines += [f"- gap: {g}" for g in r.gaps] + [f"- assumption: {a}" for a in r.assumptions]
    if lines:
        parts.append("\n" + "\n".join(lines) + "\n")
    return "".join(parts)


__all__ = ["HEADERS", "markdown", "table"]
