"""The design-review document (`costplan report`): architecture, cost per alternative, break-even,
recommendation, limits findings with fixes, every input and default used, and the sources with dates.
Markdown that renders on GitHub: pipe tables, <details> for line items."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from costplan.report.render import md_code, md_table, md_text, qty, usd

STATUS_ICON = {"ok": "✅ ok", "warn": "⚠️ warn", "fail": "❌ fail"}


# ---- limits (optional: costplan.limits.check is built separately) -----------------------------

def run_limits(scenarios: list, warn: int = 80, critical: int = 100) -> tuple[Any, str]:
    """(LimitsResult, "") when costplan.limits.check exists, else (None, why not)."""
    try:
        from costplan import limits
    except ImportError:
        return None, "limits-check is not available in this build of costplan (no costplan.limits)."
    check = getattr(limits, "check", None)
    if check is None:
        return None, "limits-check is not available in this build of costplan (costplan.limits.check is missing)."
    # The report reviews the design it recommends: limits-check that design (and what every design shares).
    return check(scenarios, warn=warn, critical=critical, designs=["recommended"]), ""


def field_of(obj, *names, default=None):
    """A finding's field, whether findings are objects or dicts and whatever the exact spelling."""
    for n in names:
        v = obj.get(n) if isinstance(obj, dict) else getattr(obj, n, None)
        if v is not None:
            return v
    return default


def finding_scenario(f) -> str:
    s = field_of(f, "scenario", "scenario_name", default="")
    return str(getattr(s, "name", s))


def finding_check(f) -> str:
    return str(field_of(f, "check", "check_id", "id", "code", default="?"))


def finding_status(f) -> str:
    s = field_of(f, "status", "level", default="")
    return str(getattr(s, "value", s)).lower()


def findings_for(limits, sc) -> list:
    if limits is None:
        return []
    by = getattr(limits, "by_scenario", None)
    if callable(by):
        return list(by().get(sc.name, []))
    return [f for f in (field_of(limits, "findings", default=[]) or []) if finding_scenario(f) in ("", sc.name)]


def _num(v) -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float, Decimal)):
        d = Decimal(str(v))
        return qty(d)
    return str(v)


def _headroom(f) -> str:
    pct = field_of(f, "headroom_pct")
    if pct is not None:
        return f"{Decimal(str(pct)):,.0f}%"
    v = field_of(f, "headroom")
    if v is None:
        return "—"
    if isinstance(v, (int, float, Decimal)):
        d = Decimal(str(v))
        return f"{d:.0%}" if -10 <= d <= 10 else qty(d)
    return str(v)


def limits_section(limits, note: str, sc) -> str:
    if limits is None:
        return f"_{note or 'Limits were not checked.'}_\n"
    fs = findings_for(limits, sc)
    if not fs:
        return "_No limits apply to this scenario._\n"
    return findings_table(fs)


def findings_table(fs: list) -> str:
    order = {"fail": 0, "warn": 1, "ok": 2}
    fs = sorted(fs, key=lambda f: (order.get(finding_status(f), 3), finding_check(f)))
    rows = []
    for f in fs:
        unit = field_of(f, "unit", default="")
        rows.append([STATUS_ICON.get(finding_status(f), finding_status(f)), f"`{finding_check(f)}`",
                     f"{_num(field_of(f, 'needed'))} {unit}".strip(), f"{_num(field_of(f, 'limit'))} {unit}".strip(),
                     _headroom(f), str(getattr(field_of(f, "limit_source", default="—"), "value",
                                               field_of(f, "limit_source", default="—"))),
                     field_of(f, "message", default=""),
                     field_of(f, "fix", default="") if finding_status(f) != "ok" else ""])
    counts = {s: sum(1 for f in fs if finding_status(f) == s) for s in ("fail", "warn", "ok")}
    head = f"{counts['fail']} failing, {counts['warn']} warning, {counts['ok']} within limits.\n\n"
    return head + md_table(["Status", "Check", "Needed", "Limit", "Headroom", "Limit from", "Finding", "Fix"], rows,
                           "llrrrlll")


# ---- inputs and defaults ------------------------------------------------------------------------

def _sizing(sizing: dict) -> str:
    """{"api": {"per_task_rps": 333.33…, "tasks_peak": 3}} → 'api: per task rps 333.33, tasks peak 3'."""
    from costplan.units import plain

    def fmt(v) -> str:
        if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
            return str(v)
        return plain(Decimal(str(v)))

    parts = []
    for name, d in sorted(sizing.items()):
        if isinstance(d, dict):
            parts.append(f"{name}: " + ", ".join(f"{k.replace('_', ' ')} {fmt(v)}" for k, v in sorted(d.items())))
        else:
            parts.append(f"{name.replace('_', ' ')} {fmt(d)}")
    return "; ".join(parts)


def _value(v) -> str:
    if v is None:
        return "— (not set)"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, Decimal):
        from costplan.units import plain

        return plain(v, 4)
    if isinstance(v, (dict, list)):
        return md_code(json.dumps(v, default=str, sort_keys=True))
    return md_text(v)  # the user's text (a name, a description): literal, not Markdown


def effective_inputs(sc) -> list[tuple[str, str, str]]:
    """(dotted field, effective value, "file" | "default") for every scenario field, defaults included."""
    from pydantic import BaseModel

    out: list[tuple[str, str, str]] = []

    def walk(model, prefix: str, parent_set: bool):
        for name, f in type(model).model_fields.items():
            if name in ("source_file", "source_lines"):
                continue
            key = prefix + (f.alias or name)
            v = getattr(model, name)
            given = parent_set and name in model.model_fields_set
            if isinstance(v, BaseModel):
                walk(v, key + ".", given)
            elif isinstance(v, dict) and v:
                for k in sorted(v):
                    out.append((f"{key}.{k}", _value(v[k]), "file" if given else "default"))
            else:
                out.append((key, _value(v), "file" if given else "default"))

    walk(sc, "", True)
    return out


def derived_inputs(c) -> list[tuple[str, str]]:
    """What the plan computed from the inputs (the numbers every alternative was priced on)."""
    from costplan.compute.traffic import Traffic

    t = Traffic.from_workload(c.scenario.workload)
    rows = [("monthly requests", f"{t.monthly_requests:,.0f}"),
            ("active hours a month", f"{t.active_hours:,.1f}"),
            ("average rate while active", f"{t.average_rps:,.2f} req/s"),
            ("peak rate", f"{t.peak_rps:,.2f} req/s")]
    for s in c.plan.stages:
        rows.append((f"{s.name}: invocations a month", f"{s.traffic.monthly_requests:,.0f}"))
        if s.batch_size != 1:
            rows.append((f"{s.name}: messages per invocation", f"{s.batch_size:,}"))
        rows.append((f"{s.name}: duration of one invocation", f"{_value(s.traffic.duration_ms)} ms"))
        rows.append((f"{s.name}: peak concurrency (Little's law)", f"{s.traffic.peak_concurrency:,.1f}"))
        rows.append((f"{s.name}: Lambda timeout", f"{_value(s.timeout_s)} s"))
    rows.append(("free tier applied", "yes" if c.free_tier else "no"))
    return rows


# ---- sources ----------------------------------------------------------------------------------------

def price_sources(comparisons: list) -> list[dict]:
    """Every price source behind a line item, once, with the price keys it backs."""
    seen: dict[tuple, dict] = {}
    for c in comparisons:
        for o in c.options:
            for li in o.line_items:
                s = li.source
                if s is None:
                    continue
                k = (s.url, s.as_of, s.title)
                e = seen.setdefault(k, {"title": s.title or s.key, "url": s.url, "as_of": s.as_of, "keys": set()})
                e["keys"].add(li.price_key)
    return sorted(seen.values(), key=lambda e: (e["title"], e["url"]))


def _quota_as_of(qid: str) -> str:
    if not qid:
        return ""
    try:
        from costplan.limits import quotas

        return quotas.get(qid).as_of
    except Exception:  # the quota table is optional here: a missing date is shown as "—"
        return ""


def quota_sources(limits, comparisons: list) -> list[dict]:
    if limits is None:
        return []
    seen: dict[tuple, dict] = {}
    for f in field_of(limits, "findings", default=[]) or []:  # only the documented scenarios were checked
        url = field_of(f, "source_url", "url", default="")
        src = field_of(f, "limit_source", "source", default="")
        src = getattr(src, "value", src)
        as_of = field_of(f, "as_of", default="")
        if not as_of:
            as_of = _quota_as_of(field_of(f, "quota", default=""))
        e = seen.setdefault((str(url), str(src)), {"url": url, "source": src, "as_of": as_of, "checks": set()})
        e["checks"].add(finding_check(f))
    return sorted(seen.values(), key=lambda e: (str(e["url"]), str(e["source"])))


# ---- the document -------------------------------------------------------------------------------

def _title(c, name: str) -> str:
    o = c.option(name)
    return o.title if o else name


def cost_table(c) -> str:
    cheapest = c.cheapest
    rows = []
    for o in c.options:
        mark = []
        if o is cheapest:
            mark.append("cheapest")
        if o.name == c.recommendation:
            mark.append("**recommended**")
        delta = o.monthly_usd - cheapest.monthly_usd
        rows.append([o.title, usd(o.monthly_usd), usd(o.monthly_usd * 12), "—" if o is cheapest else "+" + usd(delta),
                     ", ".join(mark)])
    return md_table(["Alternative", "Monthly", "Yearly", "vs cheapest", ""], rows, "lrrrl")


def line_items(o) -> str:
    rows = [[li.resource, li.name, qty(li.quantity), li.unit, li.price_display, usd(li.monthly_usd)]
            for li in o.line_items]
    rows.append(["", "**Total**", "", "", "", f"**{usd(o.monthly_usd)}**"])
    body = md_table(["Resource", "Item", "Quantity", "Unit", "Price", "Monthly"], rows, "llrllr")
    notes = "".join(f"- {n}\n" for n in o.notes)
    sizing = ""
    if o.sizing:
        sizing = "\nSizing: " + _sizing(o.sizing) + "\n"
    return (f"<details><summary>{o.title}: {usd(o.monthly_usd)} a month ({len(o.line_items)} line items)"
            f"</summary>\n\n{body}\n{notes}{sizing}\n</details>\n")


def breakeven_text(c) -> str:
    be = c.breakeven
    bands = getattr(c, "bands", None)
    extra = f"\nBands from 0.001× to 1,000× today: {bands.summary}.\n" if bands is not None else ""
    if be is None:
        return f"No break-even: {c.breakeven_note or 'none found'}.\n" + extra
    from costplan.compute.traffic import Traffic

    today = Traffic.from_workload(c.scenario.workload).monthly_requests
    side = "below" if be.factor > 1 else "above"
    return (f"At **{be.shown_requests:,.0f} requests a month** ({be.shown_rps:,} req/s while traffic flows, "
            f"{be.shown_factor:,}× today's {today:,.0f}) {_title(c, be.against)} costs the same as Lambda "
            f"({usd(be.lambda_usd)} against {usd(be.ecs_usd)}); above it {_title(c, be.against)} is cheaper. "
            f"Today's volume is {side} the break-even.\n" + extra)


def scenario_section(c, limits=None, limits_note: str = "", charts: list[tuple[str, str]] | None = None) -> str:
    sc = c.scenario
    meta = [f"pattern `{sc.pattern}`", f"region `{sc.region}`", f"account {md_code(sc.account)}",
            "free tier applied" if c.free_tier else "no free tier"]
    if sc.source_file:
        meta.insert(0, f"file {md_code(sc.source_file)}")
    parts = [f"## {md_text(sc.name)}\n", (sc.description + "\n\n" if sc.description else "") + " · ".join(meta) + "\n",
             "### Architecture\n", c.plan.summary + "\n",
             "### Monthly cost\n", cost_table(c)]
    parts += [line_items(o) for o in c.options]
    parts += ["### Break-even\n", breakeven_text(c),
              "### Recommendation\n", f"**{_title(c, c.recommendation)}.** {c.reason}\n",
              "### Limits\n", limits_section(limits, limits_note, sc)]
    if charts:
        parts.append("### Charts\n")
        parts.append("\n".join(f"![{alt}]({path})" for alt, path in charts) + "\n")
    parts.append("### Assumptions\n")
    if c.plan.assumptions:
        parts.append("".join(f"- {a}\n" for a in c.plan.assumptions))
    parts.append("Derived by the plan:\n\n" + md_table(["Quantity", "Value"], derived_inputs(c), "lr"))
    rows = [[f"`{k}`", v, "scenario file" if src == "file" else "default"] for k, v, src in effective_inputs(sc)]
    parts.append(f"<details><summary>Every input, with defaults ({len(rows)} fields)</summary>\n\n"
                 + md_table(["Field", "Value", "From"], rows, "lll") + "\n</details>\n")
    return "\n".join(parts)


def sources_section(comparisons: list, limits=None) -> str:
    rows = [[f"[{e['title']}]({e['url']})", e["as_of"], ", ".join(f"`{k}`" for k in sorted(e["keys"]))]
            for e in price_sources(comparisons)]
    out = ["## Sources\n", "Prices (bundled price book unless a user price file overrides it):\n",
           md_table(["Source", "As of", "Price keys"], rows, "lll")]
    q = quota_sources(limits, comparisons)
    if q:
        qrows = [[f"[{str(e['url']).split('://')[-1]}]({e['url']})" if e["url"] else "—", str(e["source"] or "—"), str(e["as_of"] or "—"),
                  ", ".join(f"`{k}`" for k in sorted(e["checks"]))] for e in q]
        out += ["\nQuotas:\n", md_table(["Source", "Limit from", "As of", "Checks"], qrows, "llll")]
    return "\n".join(out)


def render(comparisons: list, limits=None, limits_note: str = "",
           charts: dict[str, list[tuple[str, str]]] | None = None) -> str:
    """The whole review document for one or more compared scenarios.

    limits: a LimitsResult (or None, with limits_note saying why not); charts: scenario name →
    [(alt text, path relative to the document)]."""
    names = ", ".join(md_text(c.scenario.name) for c in comparisons)
    head = [f"# Cost and capacity review: {names}\n"]
    if len(comparisons) > 1:
        rows = [[md_text(c.scenario.name), _title(c, c.recommendation), usd(c.option(c.recommendation).monthly_usd)
                 if c.option(c.recommendation) else "—", c.cheapest.title, usd(c.cheapest.monthly_usd)]
                for c in comparisons]
        head.append(md_table(["Scenario", "Recommended", "Monthly", "Cheapest", "Monthly"], rows, "llrlr"))
    body = [scenario_section(c, limits, limits_note, (charts or {}).get(c.scenario.name)) for c in comparisons]
    shared = list(field_of(limits, "account_findings", default=[]) or []) if limits is not None else []
    if shared:
        body.append("## Shared account quotas\n\nScenarios on the same account and Region draw on one quota "
                    "together:\n\n" + findings_table(shared))
    return "\n".join(head + body + [sources_section(comparisons, limits)])
