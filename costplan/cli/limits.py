"""`costplan limits-check`: scenarios at their peak against account and service quotas."""
from __future__ import annotations

from typing import Annotated

import typer

from enum import Enum

from costplan.cli.common import emit, guarded


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
    paths: Annotated[list[str], typer.Argument(help="Scenario files or folders.")],
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
):
    """Check scenarios against Lambda, API Gateway, SQS, SNS, EventBridge, Step Functions, S3, IoT,
    WebSocket and DynamoDB quotas at their peak; scenarios sharing an account and Region are added up.

    Exit 0 when every check holds, 1 when one fails (or warns, with --strict), 2 for bad input.

    Example: costplan limits-check scenarios/
    Example: costplan limits-check scenarios/global_vote.yaml --quota lambda.concurrent_executions=10
    """
    from costplan import limits, scenario
    from costplan.report import limits_view as view
    from costplan.report import scanning

    from costplan import config

    cfg = config.load()
    warn = warn if warn is not None else (cfg.warn if cfg.warn is not None else 80)
    critical = critical if critical is not None else (cfg.critical if cfg.critical is not None else 100)
    loaded = scenario.load_many(paths)
    live_values, warnings = None, []
    if live:
        from costplan.limits.live import fetch_accounts

        live_values, warnings = fetch_accounts(loaded, cfg, profile)
    result = limits.check(loaded, warn=warn, critical=critical, overrides=list(quota or []), live=live_values)
    result.warnings.extend(warnings)
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
    raise typer.Exit(result.exit_code(strict))


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
