"""Commands that talk to AWS: `pricing refresh`, `scenario from-cloudwatch`, `iam-policy`.

boto3 is imported inside these commands only, so every other command starts without it.
"""
from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from costplan.cli.common import Format, FormatOpt, emit, guarded, one_line_option, write_atomic

ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS named profile (default: the usual "
                                                                  "credential chain).")]


def user_pricing_dir() -> Path:
    """Where refreshed price books go by default; the price book reads them before the bundled ones."""
    env = os.environ.get("COSTPLAN_PRICING_DIR")
    from costplan.pricing.book import config_dir

    return Path(env) if env else config_dir() / "pricing"


@guarded
def refresh(
    region: Annotated[list[str] | None, typer.Option("--region", "-r", help="Price-book region to refresh "
                                                                          "(repeatable; default: all).")] = None,
    services: Annotated[list[str] | None, typer.Option("--services", "-s", help="Price file to refresh "
                                                                              "(repeatable; default: all): lambda, "
                                                                              "fargate, ec2, apigateway, ... "
                                                                              "(--source api: lambda, fargate, sqs)."
                                                     )] = None,
    source: Annotated[str, typer.Option("--source", help="bulk: AWS's public bulk price list, no credentials "
                                                         "(base URL: $COSTPLAN_PRICE_LIST_URL); api: the Price "
                                                         "List query API via boto3 (needs credentials).",
                                        case_sensitive=False)] = "bulk",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write (default: "
                                                                "$COSTPLAN_PRICING_DIR or $XDG_CONFIG_HOME/costplan/pricing).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Report what changed and by how much; write nothing.")] = False,
    profile: ProfileOpt = None,
    format: FormatOpt = Format.table,
):
    """Refresh prices from AWS's price list into a user price book (atomic; a readable diff).

    --check writes nothing and lists each price that moved since the date its source gives (exit 1
    when something moved). An unknown region or service, an unreachable endpoint, an HTTP error or a
    truncated download is one line and exit 2, and no file is written.

    Example: costplan pricing refresh --region eu-central-1 --services apigateway --check
    Example: costplan pricing refresh --source api --services lambda
    """
    from costplan.errors import CostplanError, Problem, did_you_mean
    from costplan.pricing.book import check_region
    from costplan.report.render import to_json

    src = source.lower()
    if src not in ("bulk", "api"):
        raise CostplanError(Problem(f"unknown source {source!r}{did_you_mean(src, ['bulk', 'api'])}; "
                                    f"expected bulk or api", field="--source"))
    for r in region or []:
        check_region(r)
    target = out or user_pricing_dir()
    if src == "bulk":
        from costplan.aws.bulk import Progress
        from costplan.aws.refresh import refresh_bulk

        with Progress() as progress:
            result = refresh_bulk(target, services=services or None, regions=region or None, check=check,
                                  progress=progress)
    else:
        from costplan.aws.refresh import refresh_prices
        from costplan.aws.session import session

        result = refresh_prices(target, services=services or None, regions=region or None, check=check,
                                session=session(profile))
    if format == Format.json:
        emit(to_json({"as_of": result.as_of, "check": check, "source": src, "out": str(target),
                      "changes": [str(c) for c in result.changes],
                      "unchanged": [f"{k} {r}" for k, r in result.unchanged],
                      "unmapped": [str(u) for u in result.unmapped],
                      "written": [str(p) for p in result.written]}))
        return
    for c in result.changes:
        typer.echo(f"changed: {c}")
    typer.echo(f"{len(result.unchanged)} price(s) confirmed unchanged as of {result.as_of}")
    for u in result.unmapped:
        typer.echo(f"kept (not in the price list answer): {u}")
    if check:
        typer.echo("check only: nothing written")
    else:
        for p in result.written:
            typer.echo(f"wrote {p}")
    if check and result.changed:
        raise typer.Exit(1)


@guarded
def from_cloudwatch(
    function: Annotated[str, typer.Option("--function", help="Lambda function name or ARN.")],
    days: Annotated[int, typer.Option("--days", min=1, max=455, help="Days of metrics to read.")] = 14,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the scenario here (default: stdout).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    account: Annotated[str, typer.Option("--account", help="Account label for the scenario "
                                                         "(never the AWS account id).")] = "default",
    region: Annotated[str | None, typer.Option("--region", "-r", help="AWS region of the function.")] = None,
    profile: ProfileOpt = None,
):
    """Write a scenario whose workload comes from a function's CloudWatch metrics and configuration.

    Example: costplan scenario from-cloudwatch --function orders-api --days 14 --out scenarios/orders.yaml
    """
    one_line_option(function, "--function")
    one_line_option(account, "--account")
    from costplan.aws.cloudwatch import from_cloudwatch as measure
    from costplan.aws.cloudwatch import render_scenario_yaml
    from costplan.aws.session import session

    measured = measure(function, days, session(profile, region), region=region, account=account)
    for w in measured.warnings:
        typer.echo(f"warning: {w}", err=True)
    text = render_scenario_yaml(measured)
    if out:
        write_atomic(out, text, force)
        typer.echo(f"wrote {out}", err=True)
    else:
        emit(text)


class PolicyFormat(str, Enum):
    json = "json"


@guarded
def iam_policy(format: Annotated[PolicyFormat, typer.Option("--format", "-f", help="json (the policy document; "
                                                            "the only form).", case_sensitive=False)]
               = PolicyFormat.json):
    """Print the minimal IAM policy the AWS-facing commands need (pricing refresh, limits-check --live,
    scenario from-cloudwatch)."""
    from costplan.aws.iam import iam_policy as policy
    from costplan.report.render import to_json

    emit(to_json(policy()))


def register(app: typer.Typer) -> None:
    from costplan.cli import pricing, scenario_cmd

    pricing.app.command("refresh")(refresh)
    from costplan.cli.savings_plans_cmd import refresh_savings_plans  # Savings Plans offer files (i15)

    pricing.app.command("refresh-savings-plans")(refresh_savings_plans)
    scenario_cmd.app.command("from-cloudwatch")(from_cloudwatch)
    app.command("iam-policy")(iam_policy)
