"""Render a LimitsResult (costplan limits-check): a table per scenario and per account, JSON, Markdown."""
from __future__ import annotations

from decimal import Decimal

from costplan.report.render import md_table

HEAD = ["status", "design", "check", "quota", "needed", "limit", "unit", "headroom", "source", "fix"]
MARK = {"ok": "ok", "warn": "WARN", "fail": "FAIL"}


def _n(d) -> str:
    from costplan.limits.calc import q

    return "—" if d is None else q(d)


def _pct(d) -> str:
    if d is None:
        return "—"
    d = Decimal(d)
    return f"{d:,.0f} %" if abs(d) >= 10 or d == d.to_integral_value() else f"{d:,.1f} %"


def _row(f) -> list[str]:
    check = f.check + (f" [{f.subject}]" if f.subject else "")
    return [MARK[f.status], f.design or "all", check, f.quota or "—", _n(f.needed), _n(f.limit), f.unit,
            _pct(f.headroom_pct), f.limit_source, f.fix if f.status != "ok" else ""]


def _text_table(rows: list[list[str]]) -> str:
    cols = HEAD[:-1]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    right = {4, 5, 7}

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
                         ).rstrip()

    return "\n".join([line(cols), *(line(r[:-1]) for r in rows)]) + "\n"


def _notes(findings) -> str:
    out = []
    for f in findings:
        if f.status == "ok" and not f.fix:
            continue
        design = f" ({f.design})" if f.design else ""
        out.append(f"  {MARK[f.status]} {f.check}{' [' + f.subject + ']' if f.subject else ''}{design}: {f.message}")
        if f.delay_s is not None and f.status != "ok":
            out.append(f"       delay: ≈ {_dur(f.delay_s)} late, not lost (retried or queued)")
        if f.fix:
            out.append(f"       {'note' if f.status == 'ok' else 'fix'}: {f.fix}")
    return "\n".join(out) + ("\n" if out else "")


def _dur(s) -> str:
    from costplan.limits.calc import dur

    return dur(s)


def _designs(s) -> str:
    """'designs: lambda FAIL · fargate ok · ec2 WARN (recommended: fargate)'."""
    st = s.design_status()
    if len(st) <= 1 and not s.recommended:
        return ""
    line = " · ".join(f"{d} {MARK[v]}" for d, v in st.items())
    if s.recommended:
        line += f" (compare recommends {s.recommended}; the exit code follows {', '.join(s.gating)})"
    return f"  designs: {line}\n"


def _summary(result) -> str:
    c = result.counts()
    return (f"{c['fail']} failed, {c['warn']} warning{'' if c['warn'] == 1 else 's'}, {c['ok']} ok — thresholds: warning "
            f"{_n(result.warn)} %, critical {_n(result.critical)} % of the quota\n")


def text(result) -> str:
    parts = []
    for s in result.scenarios:
        sc = s.scenario
        parts.append(f"== {sc.name} ({sc.source_file or 'scenario'}) — account {sc.account}, {sc.region}, "
                     f"{sc.pattern}\n")
        if s.unchecked:
            parts.append(f"  not checked: {s.unchecked}\n\n")
            continue
        if s.findings:
            parts.append(_text_table([_row(f) for f in s.findings]))
        parts.append(_designs(s))
        parts.append(_notes(s.findings))
        for m in s.missing:
            parts.append(f"  needs: {m}\n")
        parts.append("\n")
    for (account, region), fs in result.by_account().items():
        parts.append(f"== account {account}, {region} (scenarios sharing its quotas, at coinciding peaks)\n")
        parts.append(_text_table([_row(f) for f in fs]))
        parts.append(_notes(fs))
        parts.append("\n")
    for w in result.warnings:
        parts.append(f"warning: {w}\n")
    parts.append(_summary(result))
    return "".join(parts)


def markdown(result) -> str:
    head = ["Status", "Design", "Check", "Quota", "Needed", "Limit", "Headroom", "Source", "Fix"]

    def rows(fs):
        return [[MARK[f.status], f.design or "all", f.check + (f" ({f.subject})" if f.subject else ""), f.quota or "—",
                 f"{_n(f.needed)} {f.unit}".strip(), _n(f.limit), _pct(f.headroom_pct),
                 f"[{f.limit_source}]({f.source_url})" if f.source_url else f.limit_source,
                 f.fix if f.status != "ok" else (f.fix or "")] for f in fs]

    parts = ["# Limits check\n\n", _summary(result), "\n"]
    for s in result.scenarios:
        sc = s.scenario
        parts.append(f"## {sc.name}\n\nAccount `{sc.account}`, {sc.region}, pattern `{sc.pattern}`.\n\n")
        if s.unchecked:
            parts.append(f"Not checked: {s.unchecked}\n\n")
            continue
        if s.findings:
            parts.append(md_table(head, rows(s.findings), "llllrrrll") + "\n")
        if _designs(s):
            parts.append(f"Designs: {_designs(s).strip()[len('designs: '):]}\n\n")
        for f in s.findings:
            if f.status != "ok":
                parts.append(f"- **{f.check}**{' (' + f.design + ')' if f.design else ''} {f.message}"
                             + (f" Delay ≈ {_dur(f.delay_s)}, not lost." if f.delay_s is not None else "") + "\n")
        for m in s.missing:
            parts.append(f"- needs: {m}\n")
        parts.append("\n")
    for (account, region), fs in result.by_account().items():
        parts.append(f"## Account `{account}`, {region}\n\n")
        parts.append(md_table(head, rows(fs), "llllrrrll") + "\n")
        for f in fs:
            parts.append(f"- **{f.check}** {f.message}\n")
        parts.append("\n")
    for w in result.warnings:
        parts.append(f"> warning: {w}\n")
    return "".join(parts)


def json_text(result) -> str:
    """Pretty JSON, one finding per line: json's C encoder only runs without indent, and a folder of
    scenarios has thousands of findings."""
    import json

    dump = json.JSONEncoder(ensure_ascii=False, default=float).encode  # one encoder, not one per finding

    data = result.to_dict()
    out = ["{\n"]
    for key in ("thresholds", "summary"):
        out.append(f'  "{key}": {dump(data[key])},\n')
    for key in ("scenarios", "accounts"):
        items = data[key]
        out.append(f'  "{key}": [')
        for i, item in enumerate(items):
            findings = item.pop("findings")
            head = dump(item)[:-1]
            body = ",\n      ".join(dump(f) for f in findings)
            sep = "," if i < len(items) - 1 else ""
            out.append(f'\n    {head}, "findings": [' + (f"\n      {body}]" if findings else "]") + "}" + sep)
        out.append("\n  ],\n" if items else "],\n")
    out.append(f'  "warnings": {dump(data["warnings"])}\n}}\n')
    return "".join(out)


def csv(result) -> str:
    from costplan.report.render import csv_text

    cols = ["level", "scenario", "account", "region", "design", "check", "subject", "status", "needed", "limit", "unit",
            "used_pct", "headroom_pct", "delay_s", "limit_source", "quota", "message", "fix", "formula", "source_url"]
    rows = []
    for f in result.findings:
        d = f.to_dict()
        rows.append(["" if d[c] is None else d[c] for c in cols])
    return csv_text(cols, rows)


def check_rows() -> list[list[str]]:
    """One row per check: id, quotas, what it measures, the designs it checks, its source (the README table)."""
    from costplan.limits import load_checks

    rows = []
    for c in sorted(load_checks(), key=lambda c: c.id):
        quotas = ", ".join(f"`{qid}`" for qid in c.quotas) or "—"
        designs = ", ".join(c.designs) if c.designs else "all"
        src = f"[docs]({c.source})" if c.source else "—"
        rows.append([f"`{c.id}`", quotas, c.measures or c.title, designs, src])
    return rows


def checks_markdown() -> str:
    return md_table(["Check", "Quota", "What it measures", "Designs", "Source"], check_rows(), "lllll") + "\n"


def checks_json() -> str:
    import json

    from costplan.limits import load_checks

    return json.dumps([{"id": c.id, "title": c.title, "quotas": list(c.quotas), "measures": c.measures,
                        "formula": c.formula, "designs": list(c.designs) or ["all"], "source": c.source}
                       for c in sorted(load_checks(), key=lambda c: c.id)], ensure_ascii=False, indent=2) + "\n"
