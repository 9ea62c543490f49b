"""`costplan limits-check`: scenarios at their peak against account and service quotas."""
from __future__ import annotations

from typing import Annotated

import typer

from enum import Enum

from costplan.cli.common import emit, guarded


class Design(str, Enum):
    lambda_ = "lambda"
    fargate = "fargate"
    ec2 = "ec2"
    recommended = "recommended"


class LimitsFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    sarif = "sarif"
    junit = "junit"
    github = "github"


@guarded
def limits_check(
    paths: Annotated[list[str] | None, typer.Argument(help="Scenario files or folders.")] = None,
    format: Annotated[LimitsFormat, typer.Option("--format", "-f", case_sensitive=False, help=(
        "Output format; sarif (code scanning), junit (test reports) and github (workflow annotations) "
        "point at each scenario's file and line."))] = LimitsFormat.table,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    warn: Annotated[float | None, typer.Option("--warn", help="Warning threshold, % of the quota (default: "
                                               "the repository config's, else 80).")] = None,
    critical: Annotated[float | None, typer.Option("--critical", help="Critical threshold, % of the quota "
                                                   "(above it a check fails; default: the config's, else 100).")]
    = None,
    quota: Annotated[list[str] | None, typer.Option("--quota", help="Override a quota: ID=VALUE "
                                                    "(e.g. lambda.concurrent_executions=10); repeatable.")] = None,
    live: Annotated[bool, typer.Option("--live", help="Read the account's applied quotas "
                                       "(Service Quotas, Lambda account settings).")] = False,
    profile: Annotated[str | None, typer.Option("--profile", help="AWS profile for --live, for every account "
                                                "(default: each account's profile from costplan.toml).")] = None,
    design: Annotated[list[Design] | None, typer.Option(
        "--design", help="Check this design: lambda, fargate, ec2, or recommended (the one compare recommends); "
                         "repeatable. Default: every design compare prices.")] = None,
    list_checks: Annotated[bool, typer.Option("--list-checks", help="List the checks (id, quota, what it "
                                              "measures, source) and exit.")] = False,
):
    """Check scenarios against Lambda, API Gateway, SQS, SNS, EventBridge, Step Functions, S3, IoT,
    WebSocket and DynamoDB quotas at their peak; scenarios sharing an account and Region are added up.

    Each design compare prices is checked (Lambda, ECS on Fargate, ECS on EC2: vCPU quota, task launch
    rate and scale-out lag, tasks per service, ALB targets, subnet addresses); `--design` picks one.
    Exit 0 when every check holds, 1 when one fails (or warns, with --strict), 2 for bad input. The exit
    code follows the design compare recommends, or the designs given with --design (gate CI on the one
    you will run); every design's findings are shown either way.

    Example: costplan limits-check scenarios/
    Example: costplan limits-check scenarios/steady_heavy_api.yaml --design fargate
    Example: costplan limits-check scenarios/global_vote.yaml --quota lambda.concurrent_executions=10
    """
    from costplan import scenario
    from costplan.report import limits_view as view
    from costplan.report import scanning

    if list_checks:
        emit(view.checks_json() if format == LimitsFormat.json else view.checks_markdown())
        raise typer.Exit(0)
    if not paths:
        from costplan.errors import CostplanError

        raise CostplanError("give scenario files or folders (or --list-checks)")

    from costplan import config

    cfg = config.load()
    warn = warn if warn is not None else (cfg.warn if cfg.warn is not None else 80)
    critical = critical if critical is not None else (cfg.critical if cfg.critical is not None else 100)
    code = _stream(paths, format, cfg, warn, critical, quota, live, profile, design, strict)
    raise typer.Exit(code)


def _stream(paths, format, cfg, warn, critical, quota, live: bool, profile, design, strict: bool) -> int:
    """Load, check and render one scenario at a time: each scenario's output goes to a temporary file
    as it is checked and the scenario, its plan and findings are let go, so memory does not grow with
    the number of scenarios. The file is copied to stdout at the end, so bad input still exits 2 with
    every problem listed and no partial output. Returns the exit code."""
    from costplan import limits
    from costplan import scenario as sc_mod

    load_problems: list = []
    live_values, warnings = None, []
    if live:  # the accounts are read before checking: every scenario is loaded first
        from costplan.limits.live import fetch_accounts

        loaded = sc_mod.load_many(paths)
        live_values, warnings = fetch_accounts(loaded, cfg, profile)
        source, reload = loaded, loaded.__getitem__
    else:
        files = sc_mod.expand(paths)
        source, reload = sc_mod.iter_load(files, load_problems), (lambda i: sc_mod.load(files[i]))
    designs = [d.value for d in design] if design else None
    batch = limits.Batch(warn, critical, list(quota or []), live_values, designs)
    out = _Sink(format)
    try:
        code = _run(batch, source, reload, load_problems, out, warnings)
    finally:
        out.file.close()
        import gc

        gc.unfreeze()  # (frozen in _run) back to the collector, for a caller that goes on in this process
    return 1 if code == 2 or (strict and code == 1) else 0


def _run(batch, source, reload, load_problems, out, warnings) -> int:
    """Check, write each result to `out`, then the document to stdout; returns the worst gated status
    (0 ok, 1 warn, 2 fail) over the scenarios and the account-wide findings."""
    from costplan.errors import CostplanError
    from costplan.limits.model import STATUSES

    rank = {s: i for i, s in enumerate(STATUSES)}
    worst = bytearray()  # per scenario: the worst gated status (exit code)
    counts: list = []  # per scenario: [ok, warn, fail]
    for i, r in batch.run(source, reload, halted=lambda: bool(load_problems)):
        while len(worst) <= i:
            worst.append(0)
            counts.append(None)
        if i == 0:
            import gc

            # What is alive now (modules, the quota and price tables read for the first scenario) lives to
            # the end: the collector need not scan it again each time it runs over the scenarios' garbage.
            gc.freeze()
        worst[i] = rank[r.gated_worst()]
        c = [0, 0, 0]
        for f in r.findings:
            c[rank[f.status]] += 1
        counts[i] = c
        out.put(i, r)
    problems = load_problems or batch.problems
    if problems:
        raise CostplanError(problems)
    total = dict.fromkeys(STATUSES, 0)
    for c in counts:
        if c is not None:
            for k, n in zip(STATUSES, c):
                total[k] += n
    for f in batch.account_findings:
        total[f.status] += 1
    out.finish(total, batch, warnings)
    return max([*worst, *(rank[f.status] for f in batch.account_findings)], default=0)


SCAN = (LimitsFormat.sarif, LimitsFormat.junit, LimitsFormat.github)


class _Sink:
    """Each scenario's part of the output, in a temporary file (a part written again replaces the
    first: see limits.Batch), then the document around them, in scenario order. For sarif, junit and
    github a part is the scenario's scanning findings (pickled): the document needs all of them
    (rules, counts) before the first result, so they are read back twice."""

    def __init__(self, format):
        import tempfile
        from array import array

        self.format = format
        self.file = tempfile.TemporaryFile()
        self.at, self.size = array("q"), array("q")
        self.end = 0

    def put(self, i: int, r) -> None:
        from costplan.report import limits_view as view

        if self.format in SCAN:
            import pickle

            from costplan.report import scanning

            found, missing = scanning.scenario_scan(r)
            passed = None if any(f.status != "ok" for f in r.findings) else (r.scenario.name,
                                                                             r.scenario.source_file or "")
            data = pickle.dumps((found, missing, passed), pickle.HIGHEST_PROTOCOL)
        else:
            if self.format == LimitsFormat.json:
                text = view.json_scenario(r)
            elif self.format == LimitsFormat.markdown:
                text = view.markdown_scenario(r)
            elif self.format == LimitsFormat.csv:
                text = view.csv_rows(r.findings)
            else:
                text = view.text_scenario(r)
            data = text.encode("utf-8")
        self.file.write(data)
        while len(self.at) <= i:
            self.at.append(0)
            self.size.append(0)
        self.at[i], self.size[i] = self.end, len(data)
        self.end += len(data)

    def _read(self):
        self.file.flush()
        for at, size in zip(self.at, self.size):
            if size:
                self.file.seek(at)
                yield self.file.read(size)

    def parts(self):
        """The scenarios' parts in order."""
        for data in self._read():
            yield data.decode("utf-8")

    def scans(self):
        """The scenarios' (findings, missing inputs, passed) in order (sarif, junit, github)."""
        import pickle

        for data in self._read():
            yield pickle.loads(data)

    def finish(self, counts, batch, warnings) -> None:
        from itertools import chain

        from costplan.report import limits_view as view

        w, c, acct = batch.warn, batch.critical, batch.account_findings
        if self.format in SCAN:
            pieces = self._scan_document(acct)
        elif self.format == LimitsFormat.json:
            pieces = view.json_document(counts, w, c, self.parts(), acct, warnings)
        elif self.format == LimitsFormat.markdown:
            pieces = chain([view.markdown_head(counts, w, c)], self.parts(), [view.markdown_tail(acct, warnings)])
        elif self.format == LimitsFormat.csv:
            pieces = chain([view.csv_head()], self.parts(), [view.csv_rows(acct)])
        else:
            pieces = chain(self.parts(), [view.text_tail(acct, warnings, counts, w, c)])
        buf, size = [], 0
        for p in pieces:  # to stdout in ~1 MB writes
            buf.append(p)
            size += len(p)
            if size > 1 << 20:
                emit("".join(buf))
                buf, size = [], 0
        emit("".join(buf))

    def _scan_document(self, account_findings):
        """scan_text(format, scanning.from_limits(result), "limits-check", passed) in pieces."""
        from costplan.report import scanning

        acct = scanning.account_scan(account_findings)

        def findings():  # in from_limits' order: the scenarios', the accounts', then the missing inputs
            for found, _, _ in self.scans():
                yield from found
            yield from acct
            for _, missing, _ in self.scans():
                yield from missing

        if self.format == LimitsFormat.github:
            for found, _, _ in self.scans():
                yield scanning.github(found)
            yield scanning.github(acct)
            for _, missing, _ in self.scans():
                yield scanning.github(missing)
        elif self.format == LimitsFormat.sarif:
            from costplan import __version__

            yield from scanning.sarif_text(findings, scanning.limit_rules(), __version__)
        else:
            suite, total, failures = "limits-check", 0, 0
            for f in findings():
                total += 1
                failures += f.status == "fail"
            total += sum(1 for _, _, passed in self.scans() if passed)
            yield scanning.junit_head(suite, total, failures)
            for f in findings():
                yield scanning.junit_cases([f], suite)[0][0] + "\n"
            for _, _, passed in self.scans():
                if passed:
                    yield scanning.junit_passed(*passed) + "\n"
            yield scanning.JUNIT_TAIL


def scan_text(kind: str, findings, suite: str, passed=()) -> str:
    """SARIF, JUnit or GitHub annotations for a list of scanning.ScanFinding."""
    from costplan import __version__
    from costplan.report import scanning

    if kind == "sarif":
        import json

        rules = scanning.limit_rules() if suite == "limits-check" else {}
        return json.dumps(scanning.sarif(findings, rules, __version__), indent=2) + "\n"
    if kind == "junit":
        return scanning.junit(findings, suite, list(passed))
    return scanning.github(findings)


def register(app) -> None:
    app.command("limits-check")(limits_check)
