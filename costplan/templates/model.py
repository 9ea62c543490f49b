"""Templates as data: CloudFormation intrinsics, Terraform expressions and blocks, and values that
carry a comment saying which check or plan figure set them. Serialisers in cfn.py and hcl.py."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Ref:
    """CloudFormation `!Ref name`."""

    name: str


@dataclass(frozen=True)
class GetAtt:
    """CloudFormation `!GetAtt resource.attr`."""

    resource: str
    attr: str


@dataclass(frozen=True)
class Sub:
    """CloudFormation `!Sub "text with ${Names}"`."""

    text: str


@dataclass(frozen=True)
class Expr:
    """A bare Terraform expression: `aws_sqs_queue.work.arn`, `var.vpc_id`, `jsonencode({...})`."""

    text: str


@dataclass(frozen=True)
class C:
    """A value with the reason it has that value, written as a comment beside it."""

    value: Any
    comment: str


@dataclass
class Blocks:
    """Terraform nested blocks of one type: `name { ... }` once per body."""

    bodies: list[dict]


def literal(v: Any) -> str | None:
    """null, booleans and numbers as both YAML and HCL write them; None for anything else."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (Decimal, float)):
        d = Decimal(str(v)).normalize()
        return str(int(d)) if d == d.to_integral_value() else format(d, "f")
    return None


def plain(v: Any) -> Any:
    """Strip comments (C) recursively: the value the template will hold."""
    if isinstance(v, C):
        return plain(v.value)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, Blocks):
        return Blocks([plain(b) for b in v.bodies])
    return v


@dataclass
class TfBlock:
    """A top-level Terraform block: resource "type" "name" { body }, variable "x" { }, output ..."""

    kind: str  # "resource" | "variable" | "output" | "data"
    labels: tuple[str, ...]
    body: dict
    comment: str | None = None

    @property
    def address(self) -> str:
        if self.kind == "resource":
            return ".".join(self.labels)
        if self.kind == "data":
            return "data." + ".".join(self.labels)
        return {"variable": "var", "output": "output"}[self.kind] + "." + self.labels[0]


@dataclass
class CfnTemplate:
    description: str
    parameters: dict[str, dict] = field(default_factory=dict)
    resources: dict[str, dict] = field(default_factory=dict)
    outputs: dict[str, dict] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        d: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Description": self.description}
        if self.metadata:
            d["Metadata"] = self.metadata
        if self.parameters:
            d["Parameters"] = self.parameters
        d["Resources"] = self.resources
        if self.outputs:
            d["Outputs"] = self.outputs
        return d


@dataclass
class TfModule:
    resources: list[TfBlock] = field(default_factory=list)
    variables: list[TfBlock] = field(default_factory=list)
    outputs: list[TfBlock] = field(default_factory=list)
    data: list[TfBlock] = field(default_factory=list)


@dataclass(frozen=True)
class Call:
    """A Terraform function call on one HCL value: `jsonencode({ ... })`."""

    fn: str
    arg: Any
