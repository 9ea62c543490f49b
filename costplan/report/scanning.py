"""Findings for code scanning: SARIF 2.1.0 (GitHub code scanning and most CI), JUnit XML (test
reports) and GitHub workflow annotations. One shape in, three renderers: a finding is a rule id,
a level, a message, a file and a line, and the rule's help is the quota's source URL."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://github.com/costplan/costplan"

LEVEL = {"fail": "error", "warn": "warning", "ok": "note"}


@dataclass(frozen=True)
class ScanFinding:
    rule: str  # LAMBDA-CONCURRENCY, or SCENARIO for a validation problem
    title: str
    status: str  # ok | warn | fail
    message: str
    file: str | None
    line: int | None
    help_uri: str | None = None
    subject: str = ""

    @property
    def level(self) -> str:
        return LEVEL[self.status]


# Where in a scenario a limits finding points: the first of these fields the file has.
_FIELDS = {
    "LAMBDA": (("workload", "peak_to_average"), ("workload", "peak_rps"), ("workload", "duration_ms"),
               ("lambda",), ("workload",)),
    "APIGW": (("settings", "api"), ("workload", "peak_to_average"), ("workload", "peak_rps"), ("workload",)),
    "SQS": (("settings", "batch_size"), ("settings",), ("workload",)),
    "WS": (("notify",), ("settings",), ("workload",)),
    "IOT": (("notify",), ("settings",), ("workload",)),
    "DYNAMODB": (("settings",), ("workload",)),
    "FARGATE": (("ecs",), ("workload",)),
    "ECS": (("ecs",), ("workload",)),
    "EC2": (("ec2",), ("ecs",), ("workload",)),
}


def finding_line(scenario, check_id: str) -> int | None:
    """The line of the scenario field a check is about (its family's first field present), else the
    `workload:` line, else the first line."""
    if scenario is None:
        return None
    family = check_id.split("-", 1)[0]
    for path in _FIELDS.get(family, (("settings",), ("workload",))):
        line = scenario.line(*path)
        if line is not None and path[0] in _top_keys(scenario):
            return line
    return scenario.line("workload") or 1


def _top_keys(scenario) -> set:
    return {k[0] for k in scenario.source_lines if isinstance(k, tuple) and k}


def from_limits(result, include_ok: bool = False) -> list[ScanFinding]:
    """limits-check findings (warn and fail; ok too when asked), each at the line of its scenario."""
    found, missing = [], []
    for s in result.scenarios:
        f, m = scenario_scan(s, include_ok)
        found += f
        missing += m
    return found + account_scan(result.account_findings, include_ok) + missing


def _scan(f, sc) -> ScanFinding:
    design = getattr(f, "design", "")
    msg = (f"[{design} design] " if design and design != "lambda" else "") + f.message + (
        f" Fix: {f.fix}" if f.fix else "")
    return ScanFinding(f.check, f.title, f.status, msg, f.file or (sc.source_file if sc else None),
                       finding_line(sc, f.check), f.source_url, f.subject)


def scenario_scan(s, include_ok: bool = False) -> tuple[list[ScanFinding], list[ScanFinding]]:
    """One scenario's part of from_limits: (its findings on the designs that gate, its missing inputs)."""
    sc = s.scenario
    gates = getattr(s, "gates", None)
    found = [_scan(f, sc) for f in s.findings
             if (include_ok or f.status != "ok") and (gates is None or gates(f))]
    missing = [ScanFinding("LIMITS-INPUT", "a check needs a number the scenario does not give", "warn",
                           f"{sc.name}: {need}", sc.source_file, sc.line("workload") or 1) for need in s.missing]
    return found, missing


def account_scan(account_findings, include_ok: bool = False) -> list[ScanFinding]:
    """The account-level findings of from_limits (no file: they are about several)."""
    return [_scan(f, None) for f in account_findings if include_ok or f.status != "ok"]


def from_problems(problems) -> list[ScanFinding]:
    """Scenario validation problems (costplan.errors.Problem): each an error at its file:line."""
    return [ScanFinding("SCENARIO", "scenario file is not valid", "fail",
                        (f"{p.field}: " if p.field else "") + p.message, p.file, p.line)
            for p in problems]


def _uri(file: str | None) -> str:
    if not file:
        return "."
    p = Path(file)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return p.as_posix()


def _rule_table(findings, rules) -> dict[str, tuple[str, str | None]]:
    table: dict[str, tuple[str, str | None]] = dict(rules or {})
    for f in findings:
        table.setdefault(f.rule, (f.title, f.help_uri))
    return table


def _driver(table, version: str) -> tuple[dict, dict]:
    """The SARIF tool driver with its rules, and each rule's index."""
    ids = sorted(table)
    index = {r: i for i, r in enumerate(ids)}
    rule_objs = []
    for r in ids:
        title, url = table[r]
        obj = {"id": r, "name": r.title().replace("-", ""), "shortDescription": {"text": title},
               "fullDescription": {"text": title}}
        if url:
            obj["helpUri"] = url
            obj["help"] = {"text": f"{title}. Quota and source: {url}",
                           "markdown": f"{title}. Quota and source: [{url}]({url})"}
        rule_objs.append(obj)
    driver = {"name": "costplan", "informationUri": TOOL_URI, "rules": rule_objs}
    if version:
        driver["version"] = version
    return driver, index


def _result(f: ScanFinding, index: dict) -> dict:
    res = {"ruleId": f.rule, "ruleIndex": index[f.rule], "level": f.level,
           "message": {"text": f.message}}
    loc = {"physicalLocation": {"artifactLocation": {"uri": _uri(f.file)}}}
    if f.line:
        loc["physicalLocation"]["region"] = {"startLine": int(f.line)}
    res["locations"] = [loc]
    if f.subject:
        res["properties"] = {"subject": f.subject}
    return res


def _log(driver: dict, results: list) -> dict:
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": results, "columnKind": "unicodeCodePoints"}]}


def sarif(findings: list[ScanFinding], rules: dict[str, tuple[str, str | None]] | None = None,
          version: str = "") -> dict:
    """A SARIF 2.1.0 log with one run. `rules` maps rule id → (title, help URL) for every rule the tool
    has (findings' own titles and URLs fill in the rest)."""
    driver, index = _driver(_rule_table(findings, rules), version)
    return _log(driver, [_result(f, index) for f in findings])


def sarif_text(findings, rules=None, version: str = ""):
    """json.dumps(sarif(...), indent=2) + "\n" in pieces, one result at a time: `findings` is a callable
    giving the findings afresh (read twice: the rules, then the results), so none need be held."""
    import json

    driver, index = _driver(_rule_table(findings(), rules), version)
    mark = "\x00results\x00"
    text = json.dumps(_log(driver, [mark]), indent=2)
    at = text.index(json.dumps(mark))
    head, tail = text[:at], text[at + len(json.dumps(mark)):]
    indent = head[head.rfind("\n") + 1:]
    first = True
    for f in findings():
        item = json.dumps(_result(f, index), indent=2).replace("\n", "\n" + indent)
        if first:
            yield head + item
            first = False
        else:
            yield ",\n" + indent + item
    if first:  # no results: json.dumps writes an empty list on one line
        yield json.dumps(_log(driver, []), indent=2) + "\n"
    else:
        yield tail + "\n"


def junit_cases(findings, suite: str) -> tuple[list[str], int]:
    """JUnit test cases for findings (a failure for fail, a skipped note for warn), and how many fail."""
    from xml.sax.saxutils import escape, quoteattr

    cases = []
    failures = 0
    for f in findings:
        where = f"{f.file or ''}{':' + str(f.line) if f.line else ''}"
        name = quoteattr(f"{f.rule}{' ' + f.subject if f.subject else ''}")
        cls = quoteattr(where or suite)
        body = escape(f"{where}: {f.message}" + (f"\nSource: {f.help_uri}" if f.help_uri else ""))
        if f.status == "fail":
            failures += 1
            cases.append(f'    <testcase name={name} classname={cls}>\n'
                         f'      <failure message={quoteattr(f.message)} type="{f.rule}">{body}</failure>\n'
                         f'    </testcase>')
        elif f.status == "warn":
            cases.append(f'    <testcase name={name} classname={cls}>\n'
                         f'      <system-out>{body}</system-out>\n    </testcase>')
        else:
            cases.append(f'    <testcase name={name} classname={cls}/>')
    return cases, failures


def junit_passed(name: str, classname: str) -> str:
    from xml.sax.saxutils import quoteattr

    return f'    <testcase name={quoteattr(name)} classname={quoteattr(classname)}/>'


def junit_head(suite: str, total: int, failures: int) -> str:
    from xml.sax.saxutils import quoteattr

    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="costplan" tests="{total}" failures="{failures}" errors="0">\n'
            f'  <testsuite name={quoteattr(suite)} tests="{total}" failures="{failures}" errors="0" skipped="0">\n')


JUNIT_TAIL = "  </testsuite>\n</testsuites>\n"


def junit(findings: list[ScanFinding], suite: str, passed: list[tuple[str, str]] = ()) -> str:
    """JUnit XML: one test case per finding (a failure for fail, a skipped note for warn) and one per
    (name, classname) that passed."""
    cases, failures = junit_cases(findings, suite)
    cases += [junit_passed(n, c) for n, c in passed]
    return junit_head(suite, len(cases), failures) + "\n".join(cases) + ("\n" if cases else "") + JUNIT_TAIL


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github(findings: list[ScanFinding]) -> str:
    """GitHub Actions workflow commands: ::error / ::warning / ::notice with file and line."""
    cmd = {"fail": "error", "warn": "warning", "ok": "notice"}
    out = []
    for f in findings:
        props = []
        if f.file:
            props.append(f"file={_gh_escape(_uri(f.file), True)}")
        if f.line:
            props.append(f"line={int(f.line)}")
        props.append(f"title={_gh_escape(f.rule + (' ' + f.subject if f.subject else ''), True)}")
        out.append(f"::{cmd[f.status]} {','.join(props)}::{_gh_escape(f.message)}")
    return "\n".join(out) + ("\n" if out else "")


def limit_rules() -> dict[str, tuple[str, str | None]]:
    """Every registered limits check as a SARIF rule (id → title, source URL)."""
    from costplan.limits import load_checks

    return {c.id: (c.title, c.source or None) for c in load_checks()}
