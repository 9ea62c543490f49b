"""Render a LimitsResult (costplan limits-check): a table per scenario and per account, JSON, Markdown."""
from __future__ import annotations

from decimal import Decimal

from costplan.report.render import md_code, md_table, md_text

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
    return summary_line(result.counts(), result.warn, result.critical)


def summary_line(c: dict, warn, critical) -> str:
    return (f"{c['fail']} failed, {c['warn']} warning{'' if c['warn'] == 1 else 's'}, {c['ok']} ok — thresholds: warning "
            f"{_n(warn)} %, critical {_n(critical)} % of the quota\n")


def text_scenario(s) -> str:
    """One scenario's block of the table output."""
    sc = s.scenario
    parts = [f"== {sc.name} ({sc.source_file or 'scenario'}) — account {sc.account}, {sc.region}, {sc.pattern}\n"]
    if s.unchecked:
        parts.append(f"  not checked: {s.unchecked}\n\n")
        return "".join(parts)
    if s.findings:
        parts.append(_text_table([_row(f) for f in s.findings]))
    parts.append(_designs(s))
    parts.append(_notes(s.findings))
    for m in s.missing:
        parts.append(f"  needs: {m}\n")
    parts.append("\n")
    return "".join(parts)


def text_tail(account_findings, warnings, counts: dict, warn, critical) -> str:
    """What follows the scenarios in the table output: the accounts, warnings and the summary."""
    from costplan.limits.model import by_account

    parts = []
    for (account, region), fs in by_account(account_findings).items():
        parts.append(f"== account {account}, {region} (scenarios sharing its quotas, at coinciding peaks)\n")
        parts.append(_text_table([_row(f) for f in fs]))
        parts.append(_notes(fs))
        parts.append("\n")
    for w in warnings:
        parts.append(f"warning: {w}\n")
    parts.append(summary_line(counts, warn, critical))
    return "".join(parts)


def text(result) -> str:
    return "".join([*(text_scenario(s) for s in result.scenarios),
                    text_tail(result.account_findings, result.warnings, result.counts(), result.warn, result.critical)])


MD_HEAD = ["Status", "Design", "Check", "Quota", "Needed", "Limit", "Headroom", "Source", "Fix"]


def _md_rows(fs):
    return [[MARK[f.status], f.design or "all", f.check + (f" ({f.subject})" if f.subject else ""), f.quota or "—",
             f"{_n(f.needed)} {f.unit}".strip(), _n(f.limit), _pct(f.headroom_pct),
             f"[{f.limit_source}]({f.source_url})" if f.source_url else f.limit_source,
             f.fix if f.status != "ok" else (f.fix or "")] for f in fs]


def markdown_head(counts: dict, warn, critical) -> str:
    return "".join(["# Limits check\n\n", summary_line(counts, warn, critical), "\n"])


def markdown_scenario(s) -> str:
    sc = s.scenario
    parts = [f"## {md_text(sc.name)}\n\nAccount {md_code(sc.account)}, {sc.region}, pattern `{sc.pattern}`.\n\n"]
    if s.unchecked:
        parts.append(f"Not checked: {s.unchecked}\n\n")
        return "".join(parts)
    if s.findings:
        parts.append(md_table(MD_HEAD, _md_rows(s.findings), "llllrrrll") + "\n")
    if _designs(s):
        parts.append(f"Designs: {_designs(s).strip()[len('designs: '):]}\n\n")
    for f in s.findings:
        if f.status != "ok":
            parts.append(f"- **{f.check}**{' (' + f.design + ')' if f.design else ''} {f.message}"
                         + (f" Delay ≈ {_dur(f.delay_s)}, not lost." if f.delay_s is not None else "") + "\n")
    for m in s.missing:
        parts.append(f"- needs: {m}\n")
    parts.append("\n")
    return "".join(parts)


def markdown_tail(account_findings, warnings) -> str:
    from costplan.limits.model import by_account

    parts = []
    for (account, region), fs in by_account(account_findings).items():
        parts.append(f"## Account {md_code(account)}, {region}\n\n")
        parts.append(md_table(MD_HEAD, _md_rows(fs), "llllrrrll") + "\n")
        for f in fs:
            parts.append(f"- **{f.check}** {f.message}\n")
        parts.append("\n")
    for w in warnings:
        parts.append(f"> warning: {w}\n")
    return "".join(parts)


def markdown(result) -> str:
    return "".join([markdown_head(result.counts(), result.warn, result.critical),
                    *(markdown_scenario(s) for s in result.scenarios),
                    markdown_tail(result.account_findings, result.warnings)])


def _dump():
    import json

    return json.JSONEncoder(ensure_ascii=False, default=float).encode  # one encoder, not one per finding


def _json_item(item: dict, findings, dump) -> str:
    """One entry of "scenarios" or "accounts": its fields on one line, then one finding per line."""
    from costplan.limits.model import finding_json

    head = dump(item)[:-1]
    body = ",\n      ".join(finding_json(f, dump) for f in findings)
    return f"    {head}, \"findings\": [" + (f"\n      {body}]" if findings else "]") + "}"


def json_scenario(s, dump=None) -> str:
    """One scenario's entry of the JSON output (json_text), without the separator."""
    from costplan.limits.model import scenario_dict

    return _json_item(scenario_dict(s, findings=False), s.findings, dump or _dump())


def json_document(counts: dict, warn, critical, scenario_items, account_findings, warnings):
    """The JSON output in pieces: scenario_items are json_scenario texts (any iterable, read once)."""
    from costplan.limits.model import by_account

    dump = _dump()
    yield "{\n"
    yield f'  "thresholds": {dump({"warning_pct": float(warn), "critical_pct": float(critical)})},\n'
    yield f'  "summary": {dump(counts)},\n'
    accounts = by_account(account_findings).items()
    for key, items in (("scenarios", scenario_items),
                       ("accounts", (_json_item({"account": a, "region": r}, fs, dump) for (a, r), fs in accounts))):
        yield f'  "{key}": ['
        any_ = False
        for item in items:
            yield ("," if any_ else "") + "\n" + item
            any_ = True
        yield "\n  ],\n" if any_ else "],\n"
    yield f'  "warnings": {dump(warnings)}\n}}\n'


def json_text(result) -> str:
    """Pretty JSON, one finding per line: json's C encoder only runs without indent, and a folder of
    scenarios has thousands of findings."""
    dump = _dump()
    return "".join(json_document(result.counts(), result.warn, result.critical,
                                 (json_scenario(s, dump) for s in result.scenarios), result.account_findings,
                                 result.warnings))


CSV_COLS = ["level", "scenario", "account", "region", "design", "check", "subject", "status", "needed", "limit",
            "unit", "used_pct", "headroom_pct", "delay_s", "limit_source", "quota", "message", "fix", "formula",
            "source_url"]


def csv_rows(findings) -> str:
    """CSV lines (no header) for findings."""
    from costplan.report.render import csv_text

    rows = []
    for f in findings:
        d = f.to_dict()
        rows.append(["" if d[c] is None else d[c] for c in CSV_COLS])
    return csv_text(CSV_COLS, rows).split("\n", 1)[1]


def csv_head() -> str:
    from costplan.report.render import csv_text

    return csv_text(CSV_COLS, [])


def csv(result) -> str:
    return "".join([csv_head(), *(csv_rows(s.findings) for s in result.scenarios), csv_rows(result.account_findings)])


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
