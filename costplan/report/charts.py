"""Charts for the review document, written as PNG and SVG: cost against monthly requests with the
break-even, notification cost against audience size, queue backlog against the drain rate.
matplotlib is imported only inside these functions (Agg backend), so no other command pays for it."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from costplan.errors import CostplanError

COLOURS = {"lambda": "#d95f02", "fargate": "#1b9e77", "ec2": "#7570b3"}
FORMATS = ("png", "svg")


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    matplotlib.rcParams["svg.hashsalt"] = "costplan"  # stable SVG ids: a re-run is not a diff
    import matplotlib.pyplot as plt

    return plt


def _save(fig, stem: Path, force: bool) -> list[Path]:
    """Write stem.png and stem.svg atomically; refuse to overwrite without force."""
    out = [stem.with_name(f"{stem.name}.{ext}") for ext in FORMATS]
    if not force:
        for p in out:
            if p.exists():
                raise CostplanError(f"{p}: already exists; use --force to overwrite it")
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CostplanError(f"{stem.parent}: cannot write charts here: {e.strerror or e}") from None
    for p, ext in zip(out, FORMATS):
        buf = io.BytesIO()
        meta = {"Date": None} if ext == "svg" else {"Software": "costplan"}
        fig.savefig(buf, format=ext, dpi=100, bbox_inches="tight", metadata=meta)
        from costplan.safewrite import write_file

        write_file(p, buf.getvalue(), force=force)
    return out


def _money_axis(ax):
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v:.3g}" if 0 < v < 1 else f"${v:,.0f}"))


def cost_chart(curve, stem: Path, breakeven=None, today: Decimal | None = None, title: str = "",
               force: bool = False) -> list[Path]:
    """Monthly cost of each alternative against monthly requests (log scale), break-even and today marked.
    `curve` is a sensitivity.Sweep over monthly_requests (costplan.compute.sensitivity.cost_curve)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = [float(v) for v in curve.values]
    for name in ("lambda", "fargate", "ec2"):
        ys = curve.series(name)
        if any(y is None for y in ys):
            continue
        ax.plot(xs, [float(y) if y > 0 else float("nan") for y in ys], label=curve.titles.get(name, name), color=COLOURS.get(name),
                linewidth=2)
    if breakeven is not None:
        x = float(breakeven.monthly_requests)
        ax.axvline(x, color="grey", linestyle="--", linewidth=1)
        ax.plot([x], [float(breakeven.lambda_usd)], "ko")
        ax.annotate(f"break-even {breakeven.shown_requests:,.0f}/month", (x, float(breakeven.lambda_usd)), textcoords="offset points",
                    xytext=(6, -14), fontsize=8)
    if today is not None:
        ax.axvline(float(today), color="black", linewidth=1, alpha=0.5)
        ax.annotate("today", (float(today), 0), textcoords="offset points", xytext=(4, 4), fontsize=8,
                    xycoords=("data", "axes fraction"))
        ax.set_xlim(left=min(float(today), xs[0]) / 1.5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("requests per month")
    ax.set_ylabel("monthly cost (USD, log scale)")
    _money_axis(ax)
    ax.set_title(title or f"{curve.scenario.name}: monthly cost against traffic")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    try:
        return _save(fig, stem, force)
    finally:
        plt.close(fig)


def backlog_chart(b, stem: Path, title: str = "", force: bool = False) -> list[Path]:
    """Messages waiting in the queue over the peak window and after it, against the consumer's drain rate."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ts = [float(t) / 60 for t in b.times_s]
    ax.plot(ts, [float(d) for d in b.depth], color="#1f78b4", linewidth=2, label="messages waiting")
    ax.axvspan(0, float(b.window_s) / 60, color="orange", alpha=0.15,
               label=f"peak window: {b.arrival_peak_rps:,.0f} msg/s arriving")
    if b.drained_at_s is not None and b.drained_at_s > b.window_s:
        ax.axvline(float(b.drained_at_s) / 60, color="grey", linestyle="--", linewidth=1,
                   label=f"drained after {float(b.drained_at_s) / 60:,.0f} min")
    ax.set_xlabel("minutes from the start of the peak")
    ax.set_ylabel("messages in the queue")
    ax.set_title(title or f"{b.queue}: backlog at a drain rate of {b.drain_rps:,.0f} msg/s")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    try:
        return _save(fig, stem, force)
    finally:
        plt.close(fig)


def notify_chart(series: dict[str, list[tuple[Decimal, Decimal]]], stem: Path, audience: Decimal | None = None,
                 title: str = "", force: bool = False) -> list[Path]:
    """Monthly cost of each notification mechanism (polling, WebSocket, MQTT) against audience size."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, pts in series.items():
        ax.plot([float(x) for x, _ in pts], [float(y) if y > 0 else float("nan") for _, y in pts], label=name,
                linewidth=2, marker="o", markersize=3)
    if audience is not None:
        ax.axvline(float(audience), color="black", linewidth=1, alpha=0.5)
        ax.annotate("this scenario", (float(audience), 0), textcoords="offset points", xytext=(4, 4), fontsize=8,
                    xycoords=("data", "axes fraction"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("audience (client sessions a month)")
    ax.set_ylabel("monthly cost (USD, log scale)")
    _money_axis(ax)
    ax.set_title(title or "notification cost against audience size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    try:
        return _save(fig, stem, force)
    finally:
        plt.close(fig)


def chart_slug(name: str) -> str:
    """The file-name stem of a scenario's charts."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "scenario"


def write_charts(c, out_dir: Path, force: bool = False, slug: str | None = None
                 ) -> tuple[list[tuple[str, Path]], list[str]]:
    """All charts that apply to one comparison: [(alt text, PNG path)] and notes on charts skipped.
    `slug` names the files (default: from the scenario's name)."""
    from costplan.compute import sensitivity

    out_dir = Path(out_dir)
    slug = slug or chart_slug(c.scenario.name)
    made: list[tuple[str, Path]] = []
    notes: list[str] = []
    if any(o.name in ("fargate", "ec2") for o in c.options):
        curve = sensitivity.cost_curve(c.scenario, c.breakeven, free_tier=c.free_tier)
        paths = cost_chart(curve, out_dir / f"{slug}-cost", c.breakeven, curve.base,
                           force=force)
        made.append((f"{c.scenario.name}: monthly cost of Lambda, Fargate and EC2 against requests", paths[0]))
    nc, note = sensitivity.notify_curve(c.scenario, free_tier=c.free_tier)
    if nc is not None:
        paths = notify_chart(nc.series, out_dir / f"{slug}-notify", audience=nc.audience,
                             title=f"{c.scenario.name}: notification cost against audience size", force=force)
        made.append((f"{c.scenario.name}: polling, WebSocket and MQTT cost against audience size", paths[0]))
    elif note:
        notes.append(note)
    for q in (c.plan.facts or {}).get("queues") or []:
        b = sensitivity.backlog(q, c.plan)
        if b is None:
            continue
        qslug = "".join(ch if ch.isalnum() else "-" for ch in b.queue)
        paths = backlog_chart(b, out_dir / f"{slug}-backlog-{qslug}", force=force)
        made.append((f"{c.scenario.name}: {b.queue} backlog against a drain rate of {b.drain_rps:,.0f} msg/s",
                     paths[0]))
    return made, notes
