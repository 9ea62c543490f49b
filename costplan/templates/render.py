"""Scenario → the files of a deployable template (CloudFormation or Terraform), checked by costplan's
own rules before anything is written."""
from __future__ import annotations

from dataclasses import dataclass, field

from costplan.errors import CostplanError, Problem
from costplan.templates import cfn, hcl, safe
from costplan.templates.build import Builder
from costplan.templates.model import Blocks, TfBlock

FORMATS = ("terraform", "cloudformation")


@dataclass
class Rendered:
    files: dict[str, str]  # relative path → text
    builder: Builder
    compute: str
    notes: list[str] = field(default_factory=list)


def build_for(scenario, compute: str = "auto", auth: str = "iam") -> tuple[Builder, str]:
    from costplan.patterns import plan as make_plan
    from costplan.templates.patterns import build, resolve_compute

    asked = compute
    compute = resolve_compute(scenario, compute)
    p = make_plan(scenario)
    sizing = None
    if compute in ("fargate", "ec2"):
        from costplan.templates.patterns import compared

        opt = compared(scenario).option(compute)
        sizing = opt.sizing if opt is not None else None
    b = build(p, compute, sizing, auth)
    _limit_alarms(b, scenario, p, compute)
    from costplan.templates.patterns import auto_note

    note = auto_note(scenario, asked, compute)
    if note:
        b.notes.append(note)
    return b, compute


def limit_findings(scenario, plan, compute: str) -> list:
    """limits-check's findings for the design this template deploys (80 % warn, 100 % fail)."""
    from decimal import Decimal

    from costplan.limits import check_plan

    return check_plan(scenario, plan, Decimal(80), Decimal(100), designs=[compute]).findings


def _limit_alarms(b: Builder, scenario, plan, compute: str) -> None:
    from costplan.templates import limit_alarms

    limit_alarms.add(b, limit_findings(scenario, plan, compute), compute)


def header(b: Builder, sc, compute: str, fmt: str = "terraform") -> str:
    lines = [f"costplan template for scenario {safe.text(sc.name)!r} ({compute})",
             "Numbers come from the plan; each carries a comment naming the check or figure that set it."]
    if b.functions:
        lines.append("Build: python3 build.py   (writes dist/<function>.zip from src/<function>/)")
    if fmt == "terraform":
        lines.append("Deploy: terraform init && terraform apply -var name_prefix=<name>   (AWS_REGION sets the region)")
    else:
        if b.functions:
            lines.append("Upload: aws s3 cp dist/ s3://<CodeBucket>/<CodePrefix> --recursive   (a new CodePrefix "
                         "per build)")
        lines.append("Deploy: aws cloudformation deploy --template-file template.yaml --stack-name <name> "
                     "--capabilities CAPABILITY_IAM --parameter-overrides <Parameter>=<value> ...")
    lines += [f"Expects an existing {what}: priced as {'; '.join(items)}" for what, items in b.expects.items()]
    return "\n".join(lines + [f"note: {n}" for n in b.notes])


def build_script(b: Builder) -> str:
    from costplan.templates.build import RUNTIME
    from costplan.templates.handlers import _HERE

    functions = {name: str(fn.stage.architecture) for name, fn in
                 sorted((f.handle.tf_name, f) for f in b.functions.values())}
    return ((_HERE / "build.py.tmpl").read_text(encoding="utf-8")
            .replace("@@FUNCTIONS@@", repr(functions)).replace("@@PYVER@@", RUNTIME.removeprefix("python")))


def render(scenario, fmt: str, compute: str = "auto", auth: str = "iam") -> Rendered:
    from costplan.templates import rules

    if fmt not in FORMATS:
        raise CostplanError(f"--format must be terraform or cloudformation, got {fmt!r}")
    try:
        b, compute = build_for(scenario, compute, auth)
    except ArithmeticError as e:  # an extreme value no scenario check caught: bad input, never a traceback
        raise CostplanError(scenario.problem(f"cannot be templated: a value makes the arithmetic fail "
                                             f"({type(e).__name__}); look for a zero or an extreme number")) from None
    tpl = cfn.to_json_ready(b.cfn_dict())
    violations = rules.check(tpl, b.facts) + rules.check_terraform(b.tf)
    if violations:
        raise CostplanError([Problem(v) for v in violations])
    files: dict[str, str] = {}
    head = header(b, scenario, compute, fmt)
    if fmt == "cloudformation":
        files["template.yaml"] = cfn.dumps(b.cfn_dict(), head)
    else:
        files.update(terraform_files(b, head, scenario.region))
        from costplan.patterns import plan as make_plan
        from costplan.templates.infracost import usage_yaml

        files["infracost-usage.yml"] = usage_yaml(make_plan(scenario), b.tf.resources, scenario.name)
    for name, text in sorted(b.handlers.items()):
        files[f"src/{name}/handler.py"] = text
    for name, text in sorted(b.requirements.items()):
        files[f"src/{name}/requirements.txt"] = text
    if b.functions:
        files["build.py"] = build_script(b)
    return Rendered(files, b, compute, list(b.notes))


def terraform_files(b: Builder, head: str, region: str) -> dict[str, str]:
    versions = [TfBlock("terraform", (), {
        "required_version": ">= 1.5",
        # 5.100 is the provider the templates are validated and applied with (it has every resource they
        # use, aws_lambda_function_recursion_config included); 6.x changes data sources they read.
        "required_providers": Blocks([{"aws": {"source": "hashicorp/aws", "version": ">= 5.100, < 6"}}])})]
    # No provider block: the region comes from the environment (AWS_REGION) or a calling module, so the
    # directory works as a root module and as a child module alike.
    variables = list(b.tf.variables)
    return {
        "versions.tf": hcl.dumps(versions, head, sort=False),
        "variables.tf": hcl.dumps(variables, head),
        "main.tf": hcl.dumps(b.tf.data, head) + "\n" + hcl.dumps(b.tf.resources),
        "outputs.tf": hcl.dumps(b.tf.outputs, head),
    }
