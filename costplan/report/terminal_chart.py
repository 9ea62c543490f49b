"""A compact terminal chart: one unicode bar per alternative's monthly total (printed by `compare` on a TTY)."""
from __future__ import annotations

from decimal import Decimal

from costplan.report.render import usd

EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: Decimal, top: Decimal, width: int) -> str:
    """A bar of `width` cells at most, in eighths of a cell; any non-zero value shows at least a sliver."""
    if top <= 0 or value <= 0:
        return ""
    eighths = int((Decimal(value) / top * width * 8).to_integral_value())
    eighths = max(eighths, 1)
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def terminal_bars(comparison, width: int = 40) -> str:
    """Lines of `title  ███▌  $1,234.56`, the cheapest and the recommendation marked."""
    opts = comparison.options
    if not opts:
        return ""
    top = max(o.monthly_usd for o in opts)
    tw = max(len(o.title) for o in opts)
    money = [usd(o.monthly_usd) for o in opts]
    mw = max(len(m) for m in money)
    cheapest = comparison.cheapest
    lines = []
    for o, m in zip(opts, money):
        marks = []
        if o is cheapest:
            marks.append("cheapest")
        if o.name == comparison.recommendation:
            marks.append("recommended")
        line = f"{o.title:<{tw}}  {m:>{mw}}  {bar(o.monthly_usd, top, width):<{width}}"
        lines.append((line + (f"  {', '.join(marks)}" if marks else "")).rstrip())
    return "\n".join(lines) + "\n"
