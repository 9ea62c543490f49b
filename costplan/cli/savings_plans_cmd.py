"""`costplan pricing refresh-savings-plans`: Savings Plans rates from AWS's public bulk price list."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from costplan.cli.common import Format, FormatOpt, emit, guarded


@guarded
def refresh_savings_plans(
    region: Annotated[list[str] | None, typer.Option("--region", "-r", help="Region to read (repeatable; "
                                                                          "default: us-east-1).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write (default: "
                                                                "$COSTPLAN_PRICING_DIR or ~/.config/costplan/pricing).")] = None,
    check: Annotated[bool, typer.Option("--check", help="List the rates that would change; write nothing.")] = False,
    format: FormatOpt = Format.table,
):
    """Refresh Savings Plans rates (Compute and EC2 Instance, every term and payment) into savings_plans.yaml.

    Reads the public bulk offer files (no credentials); a region's file is hundreds of MB.

    Example: costplan pricing refresh-savings-plans --region us-east-1 --check
    """
    from costplan.aws.savings_plans import refresh
    from costplan.cli.aws_cmd import user_pricing_dir
    from costplan.pricing.book import check_region
    from costplan.report.render import to_json

    regions = region or ["us-east-1"]
    for r in regions:
        check_region(r)
    target = out or user_pricing_dir()
    changes, written = refresh(target, regions, check=check)
    if format == Format.json:
        emit(to_json({"check": check, "out": str(target), "changes": changes,
                      "written": str(written) if written else None}))
        return
    for c in changes:
        typer.echo(f"changed: {c}")
    typer.echo(f"{len(changes)} Savings Plans rate(s) changed" + ("" if check else f"; wrote {written}"))
