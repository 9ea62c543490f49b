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
    import gc

    # A batch run keeps what it loads and finds to the end: the cyclic collector would only re-scan it
    # (about a tenth of the run at 1,000 scenarios). Off for the run; the few cycles it leaves (≈ 9 MB per
    # 1,000 scenarios) are freed when it is back on, or at exit.
    gc.disable()
    try:
        loaded = scenario.load_many(paths)
        result = _check(loaded, cfg, warn, critical, quota, live, profile, design)
        if format in (LimitsFormat.sarif, LimitsFormat.junit, LimitsFormat.github):
            emit(scan_text(format.value, scanning.from_limits(result), "limits-check",
                           [(s.scenario.name, s.scenario.source_file or "") for s in result.scenarios
                            if not any(f.status != "ok" for f in s.findings)]))
        elif format == LimitsFormat.json:
            emit(view.json_text(result))
        elif format == LimitsFormat.markdown:
            emit(view.markdown(result))
        elif format == LimitsFormat.csv:
            emit(view.csv(result))
        else:
            emit(view.text(result))
    finally:
        gc.enable()
    raise typer.Exit(result.exit_code(strict))


def _check(loaded, cfg, warn, critical, quota, live: bool, profile, design):
    from costplan import limits

    live_values, warnings = None, []
    if live:
        from costplan.limits.live import fetch_accounts

        live_values, warnings = fetch_accounts(loaded, cfg, profile)
    designs = [d.value for d in design] if design else None
    result = limits.check(loaded, warn=warn, critical=critical, overrides=list(quota or []), live=live_values,
                          designs=designs)
    result.warnings.extend(warnings)
    return result


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
