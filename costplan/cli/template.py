"""`costplan template`: write deployable Terraform or CloudFormation for a scenario's pattern."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from costplan.cli.common import guarded


class TemplateFormat(str, Enum):
    terraform = "terraform"
    cloudformation = "cloudformation"


class Auth(str, Enum):
    iam = "iam"
    jwt = "jwt"
    none = "none"


class Compute(str, Enum):
    auto = "auto"
    lambda_ = "lambda"
    fargate = "fargate"
    ec2 = "ec2"


@guarded
def template(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    format: Annotated[TemplateFormat, typer.Option("--format", "-f", help="terraform or cloudformation.",
                                                   case_sensitive=False)] = TemplateFormat.terraform,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Directory to write (default: ./<scenario name as a slug>-<format>).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Write into a directory that holds other files.")] = False,
    compute: Annotated[Compute, typer.Option("--compute", help="auto (compare's recommendation), lambda, fargate, or "
                                                               "ec2 (ECS on an EC2 capacity provider: "
                                                               "ECS-optimised AMI, Auto Scaling group sized "
                                                               "like compare's ec2 option).",
                                             case_sensitive=False)] = Compute.auto,
    auth: Annotated[Auth, typer.Option("--auth", help="Authorization on every public API route: iam (SigV4, the "
                                                      "default), jwt (a JWT authorizer on HTTP APIs; parameters "
                                                      "JwtIssuer, JwtAudience) or none (a public API).",
                                       case_sensitive=False)] = Auth.iam,
):
    """Write a deployable template for the scenario's pattern, with the plan's numbers and costplan's rules checked."""
    from costplan.scenario import load
    from costplan.templates.render import render
    from costplan.templates.write import write_tree

    sc = load(scenario)
    r = render(sc, format.value, compute.value, auth.value)
    from costplan.templates.safe import slug

    dest = out or Path(f"{slug(sc.name)}-{format.value}")  # never outside the current folder
    written = write_tree(dest, r.files, force=force)
    typer.echo(f"wrote {len(written)} files to {dest} ({format.value}, compute {r.compute})")
    for n in r.notes:
        typer.echo(f"note: {n}")


def register(app: typer.Typer) -> None:
    app.command("template")(template)
