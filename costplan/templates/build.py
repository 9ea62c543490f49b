"""The template builder: each component (function, queue, topic, table, ...) is added once and written
into both the CloudFormation resources and the Terraform blocks, from the same plan numbers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from costplan.templates.model import (C, Blocks, Call, CfnTemplate, Expr, GetAtt, Ref, Sub, TfBlock,
                                      TfModule)

RUNTIME = "python3.12"  # accepted by cfn-lint 1.58 and the Terraform AWS provider 5.100


def pascal(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", name) if p)


def snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()


def num(d) -> int | Decimal:
    d = Decimal(d)
    return int(d) if d == d.to_integral_value() else d.normalize()


# ---- neutral references: one value, written as CloudFormation or Terraform -------------------------

@dataclass(frozen=True)
class Handle:
    """A resource in both forms: CloudFormation logical id and Terraform address, with attribute maps."""

    cfn_id: str
    tf_type: str
    tf_name: str
    cfn_attrs: tuple = ()  # (("arn", "GetAtt:Arn"), ("name", "Ref"))
    tf_attrs: tuple = ()  # (("arn", "arn"), ("name", "name"))

    def __call__(self, attr: str) -> "A":
        return A(self, attr)

    @property
    def tf_addr(self) -> str:
        return f"{self.tf_type}.{self.tf_name}"


@dataclass(frozen=True)
class A:
    """An attribute of a handle: `q("arn")`."""

    h: Handle
    attr: str

    def cfn(self):
        how = dict(self.h.cfn_attrs).get(self.attr, f"GetAtt:{pascal(self.attr)}")
        return Ref(self.h.cfn_id) if how == "Ref" else GetAtt(self.h.cfn_id, how.split(":", 1)[1])

    def cfn_sub(self) -> str:
        how = dict(self.h.cfn_attrs).get(self.attr, f"GetAtt:{pascal(self.attr)}")
        return self.h.cfn_id if how == "Ref" else f"{self.h.cfn_id}.{how.split(':', 1)[1]}"

    def tf(self) -> str:
        return f"{self.h.tf_addr}.{dict(self.h.tf_attrs).get(self.attr, self.attr)}"


@dataclass(frozen=True)
class P:
    """A template input: CloudFormation parameter / Terraform variable."""

    cfn: str
    tf: str


@dataclass(frozen=True)
class F:
    """A formatted string: {partition} {region} {account} {stack} and {0}, {1} for A/P arguments."""

    text: str
    args: tuple = ()


PSEUDO_CFN = {"partition": "${AWS::Partition}", "region": "${AWS::Region}", "account": "${AWS::AccountId}",
              "stack": "${AWS::StackName}"}
PSEUDO_TF = {"partition": "${data.aws_partition.current.partition}",
             "region": "${data.aws_region.current.name}",
             "account": "${data.aws_caller_identity.current.account_id}", "stack": "${var.name_prefix}"}


@dataclass(frozen=True)
class Dual:
    """Different values for the two formats (e.g. ARN suffixes that differ)."""

    cfn: Any
    tf: Any


def to_cfn(v: Any) -> Any:
    if isinstance(v, Dual):
        return to_cfn(v.cfn)
    if isinstance(v, C):
        return C(to_cfn(v.value), v.comment)
    if isinstance(v, A):
        return v.cfn()
    if isinstance(v, P):
        return Ref(v.cfn)
    if isinstance(v, F):
        args = []
        for a in v.args:
            args.append("${" + (a.cfn_sub() if isinstance(a, A) else a.cfn if isinstance(a, P) else str(a)) + "}"
                        if isinstance(a, (A, P)) else str(a))
        return Sub(_fmt(v.text, PSEUDO_CFN, args))
    if isinstance(v, dict):
        return {k: to_cfn(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_cfn(x) for x in v]
    return v


def to_tf(v: Any) -> Any:
    if isinstance(v, Dual):
        return to_tf(v.tf)
    if isinstance(v, C):
        return C(to_tf(v.value), v.comment)
    if isinstance(v, A):
        return Expr(v.tf())
    if isinstance(v, P):
        return Expr(f"var.{v.tf}") if v.tf else None
    if isinstance(v, F):
        args = ["${" + (a.tf() if isinstance(a, A) else f"var.{a.tf}") + "}" if isinstance(a, (A, P)) else str(a)
                for a in v.args]
        return _fmt(v.text, PSEUDO_TF, args)
    if isinstance(v, dict):
        return {k: to_tf(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_tf(x) for x in v]
    if isinstance(v, Blocks):
        return Blocks([to_tf(b) for b in v.bodies])
    if isinstance(v, Call):
        return Call(v.fn, to_tf(v.arg))
    return v


def _fmt(text: str, pseudo: dict, args: list) -> str:
    out = text
    for k, x in pseudo.items():
        out = out.replace("{" + k + "}", x)
    for i, x in enumerate(args):
        out = out.replace("{" + str(i) + "}", x)
    return out


@dataclass
class Statement:
    actions: list[str]
    resources: list[Any]  # A / F / "*"
    why: str = ""


def policy_doc(statements: list[Statement], conv) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": sorted(s.actions) if len(s.actions) > 1 else s.actions[0],
                           "Resource": [conv(r) for r in s.resources] if len(s.resources) > 1 else conv(s.resources[0])}
                          for s in statements]}


def tf_policy_doc(statements: list[Statement]) -> Call:
    return Call("jsonencode", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": sorted(s.actions) if len(s.actions) > 1 else s.actions[0],
         "Resource": [to_tf(r) for r in s.resources] if len(s.resources) > 1 else to_tf(s.resources[0])}
        for s in statements]})


# ---- the builder ------------------------------------------------------------------------------------

@dataclass
class Function:
    stage: Any
    handle: Handle
    role: Handle
    statements: list[Statement]
    env: dict
    code_role: str  # which handler body to write
    recursive_guard: bool = False


@dataclass
class Builder:
    title: str
    cfn: CfnTemplate = None
    tf: TfModule = field(default_factory=TfModule)
    functions: dict[str, Function] = field(default_factory=dict)
    handlers: dict[str, str] = field(default_factory=dict)  # src/<name>/handler.py → text
    requirements: dict[str, str] = field(default_factory=dict)  # src/<name>/requirements.txt → text
    notes: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)  # the plan's facts, for the rules that compare with the plan
    auth: str = "iam"  # public routes: iam (SigV4), jwt (HTTP APIs), none
    region: str = "us-east-1"  # the scenario's region (region-specific values: the ELB log account)
    # Priced line items the template does not create because they belong to a resource it takes as an
    # input: what it expects → ["price_key (resource)", ...]; the header names each in one comment.
    expects: dict[str, list[str]] = field(default_factory=dict)

    def expect(self, what: str, *items: str) -> None:
        """Say, in the header, that the template expects an existing `what` that the plan prices as
        `items` ("vpc.nat_gateway_hours (network)")."""
        have = self.expects.setdefault(what, [])
        have += [i for i in items if i not in have]

    def __post_init__(self):
        self.cfn = CfnTemplate(self.title)
        self.tf.data += [TfBlock("data", ("aws_partition", "current"), {}),
                         TfBlock("data", ("aws_region", "current"), {}),
                         TfBlock("data", ("aws_caller_identity", "current"), {})]
        self.variable(P("", "name_prefix"), "string",
                      "Prefix for the names Terraform requires (functions, tables, rules): one per deployment, "
                      "so a second deploy in the same account does not collide.")

    # -- inputs
    def parameter(self, p: P, typ: str, description: str, default=None, **extra) -> P:
        body = {"Type": typ, "Description": description}
        if default is not None:
            body["Default"] = default
        body.update(extra)
        self.cfn.parameters[p.cfn] = body
        return p

    def variable(self, p: P, typ: str, description: str, default=None) -> P:
        body: dict = {"description": description, "type": Expr(typ)}
        if default is not None:
            body["default"] = default
        self.tf.variables.append(TfBlock("variable", (p.tf,), body))
        return p

    def both_input(self, cfn_name: str, tf_name: str, cfn_type: str, tf_type: str, description: str,
                   default=None) -> P:
        p = P(cfn_name, tf_name)
        self.parameter(p, cfn_type, description, default)
        self.variable(p, tf_type, description, default)
        return p

    def output(self, name: str, value: Any, description: str) -> None:
        self.cfn.outputs[pascal(name)] = {"Description": description, "Value": to_cfn(value)}
        self.tf.outputs.append(TfBlock("output", (snake(name),), {"description": description, "value": to_tf(value)}))

    # -- raw resources
    def resource(self, cfn_id: str, cfn_type: str, cfn_props: dict, tf_type: str | None, tf_body: dict | None,
                 cfn_attrs: dict | None = None, tf_attrs: dict | None = None, depends_on: list[str] | None = None,
                 tf_name: str | None = None, tf_comment: str | None = None) -> Handle:
        if cfn_id in self.cfn.resources:
            raise ValueError(f"duplicate logical id {cfn_id}")
        res: dict = {"Type": cfn_type}
        if depends_on:
            res["DependsOn"] = depends_on if len(depends_on) > 1 else depends_on[0]
        if cfn_props:
            res["Properties"] = to_cfn(cfn_props)
        self.cfn.resources[cfn_id] = res
        name = tf_name or snake(cfn_id)
        if tf_type is not None:
            self.tf.resources.append(TfBlock("resource", (tf_type, name), to_tf(tf_body or {}), tf_comment))
        return Handle(cfn_id, tf_type or "", name, tuple((cfn_attrs or {}).items()), tuple((tf_attrs or {}).items()))

    def tf_only(self, cfn_id: str, tf_type: str, tf_body: dict, tf_attrs: dict | None = None) -> Handle:
        """A Terraform resource with no CloudFormation resource of its own (CloudFormation nests it in
        another, e.g. a REST method's integration)."""
        name = snake(cfn_id)
        self.tf.resources.append(TfBlock("resource", (tf_type, name), to_tf(tf_body)))
        return Handle(cfn_id, tf_type, name, (), tuple((tf_attrs or {}).items()))

    # -- IAM
    def role(self, cfn_id: str, service: str, statements: list[Statement], managed: list[str] | None = None) -> Handle:
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                          "Action": "sts:AssumeRole"}]}
        props: dict = {"AssumeRolePolicyDocument": trust}
        if managed:
            props["ManagedPolicyArns"] = [F("arn:{partition}:iam::aws:policy/" + m) for m in managed]
        if statements:
            props["Policies"] = [{"PolicyName": "least-privilege", "PolicyDocument": policy_doc(statements, to_cfn)}]
        h = self.resource(cfn_id, "AWS::IAM::Role", props, "aws_iam_role",
                          {"assume_role_policy": Call("jsonencode", trust)},
                          cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"}, tf_attrs={"arn": "arn", "name": "name"})
        if statements:
            self.tf.resources.append(TfBlock("resource", ("aws_iam_role_policy", h.tf_name), {
                "role": Expr(f"{h.tf_addr}.id"), "policy": tf_policy_doc(statements)}))
        for m in managed or []:
            self.tf.resources.append(TfBlock("resource", ("aws_iam_role_policy_attachment",
                                                          f"{h.tf_name}_{snake(m.rsplit('/', 1)[-1])}"), {
                "role": Expr(f"{h.tf_addr}.name"),
                "policy_arn": to_tf(F("arn:{partition}:iam::aws:policy/" + m))}))
        return h

    # -- Lambda
    def function(self, stage, statements: list[Statement], env: dict | None = None, code_role: str = "",
                 recursive_guard: bool = False) -> Function:
        cid = pascal(stage.name)
        name = snake(cid)
        logs = self.resource(f"{cid}Logs", "AWS::Logs::LogGroup", {"RetentionInDays": 30},
                             "aws_cloudwatch_log_group",
                             {"name": f"/aws/lambda/${{var.name_prefix}}-{name.replace('_', '-')}",
                              "retention_in_days": 30},
                             cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"}, tf_attrs={"arn": "arn", "name": "name"})
        # CloudFormation's log-group Arn already ends in ":*"; Terraform's does not.
        stmts = [Statement(["logs:CreateLogStream", "logs:PutLogEvents"],
                           [Dual(logs("arn"), F("{0}:*", (logs("arn"),)))], "own log group")]
        stmts += statements
        role = self.role(f"{cid}Role", "lambda.amazonaws.com", stmts)
        mem = C(num(stage.memory_mb), f"plan: {stage.name} memory_mb")
        timeout = C(num(stage.timeout_s), f"plan: {stage.name} timeout (max(3 s, 2 x p99) unless set)")
        props: dict = {
            "Description": f"costplan {self.title}: {stage.name} ({stage.role})",
            "Runtime": RUNTIME, "Handler": "handler.handler",
            "Code": {"S3Bucket": P("CodeBucket", ""), "S3Key": F("{0}" + f"{name}.zip", (P("CodePrefix", ""),))},
            "Role": role("arn"), "MemorySize": mem, "Timeout": timeout,
            "Architectures": [C(stage.architecture, "plan: workload.architecture")],
            "LoggingConfig": {"LogGroup": logs("name")},
        }
        tf: dict = {
            "function_name": f"${{var.name_prefix}}-{name.replace('_', '-')}",
            "description": props["Description"],
            "role": role("arn"), "runtime": RUNTIME, "handler": "handler.handler",
            "filename": f"${{path.module}}/dist/{name}.zip",
            "source_code_hash": C(Expr(f'filebase64sha256("${{path.module}}/dist/{name}.zip")'),
                                  "redeploys when the built code changes (python3 build.py)"),
            "memory_size": mem, "timeout": timeout,
            "architectures": [C(stage.architecture, "plan: workload.architecture")],
        }
        if stage.reserved_concurrency is not None:
            rc = C(num(stage.reserved_concurrency), f"plan: {stage.name} reserved concurrency (lambda.reserved_concurrency)")
            props["ReservedConcurrentExecutions"] = rc
            tf["reserved_concurrent_executions"] = rc
        if Decimal(stage.ephemeral_storage_mb) != 512:
            eph = C(num(stage.ephemeral_storage_mb), "plan: lambda.ephemeral_storage_mb")
            props["EphemeralStorage"] = {"Size": eph}
            tf["ephemeral_storage"] = Blocks([{"size": eph}])
        if recursive_guard:
            props["RecursiveLoop"] = C("Terminate", "stop S3/SQS/SNS recursive invocation loops")
        if env:
            props["Environment"] = {"Variables": env}
            tf["environment"] = Blocks([{"variables": env}])
        tf["logging_config"] = Blocks([{"log_format": "Text", "log_group": logs("name")}])
        source = f"src/{name}/handler.py"
        h = self.resource(cid, "AWS::Lambda::Function", props, "aws_lambda_function", tf,
                          cfn_attrs={"arn": "GetAtt:Arn", "name": "Ref"},
                          tf_attrs={"arn": "arn", "name": "function_name", "invoke_arn": "invoke_arn"},
                          tf_comment=f"handler: {source} (python3 build.py writes dist/{name}.zip)")
        self.cfn.resources[cid]["Metadata"] = {"costplan:source": source,
                                               "costplan:package": f"python3 build.py writes dist/{name}.zip; upload "
                                                                   f"it to s3://<CodeBucket>/<CodePrefix>{name}.zip"}
        if recursive_guard:
            self.tf.resources.append(TfBlock("resource", ("aws_lambda_function_recursion_config", name), to_tf({
                "function_name": h("name"),
                "recursive_loop": C("Terminate", "stop S3/SQS/SNS recursive invocation loops")})))
        if "CodeBucket" not in self.cfn.parameters:
            self.parameter(P("CodeBucket", ""), "String",
                           "S3 bucket holding the built handlers (python3 build.py writes dist/<function>.zip)")
            self.parameter(P("CodePrefix", ""), "String",
                           "Key prefix of the built handlers in CodeBucket; use a new prefix for each build "
                           "(build.py prints one) so CloudFormation deploys the new code",
                           default="costplan/")
        fn = Function(stage, h, role, stmts, env or {}, code_role or stage.role, recursive_guard)
        from costplan.templates import components

        components.errors_alarm(self, fn)
        from costplan.templates import handlers

        self.handlers[name] = handlers.handler_source(fn.code_role, stage.name, name)
        reqs = handlers.requirements(fn.code_role)
        if reqs:
            self.requirements[name] = reqs
        self.functions[stage.name] = fn
        return fn

    def permission(self, fn: Function, cfn_id: str, principal: str, source_arn: Any) -> None:
        self.resource(cfn_id, "AWS::Lambda::Permission",
                      {"Action": "lambda:InvokeFunction", "FunctionName": fn.handle("name"),
                       "Principal": principal, "SourceArn": source_arn},
                      "aws_lambda_permission",
                      {"action": "lambda:InvokeFunction", "function_name": fn.handle("name"),
                       "principal": principal, "source_arn": source_arn})

    # -- outputs
    def cfn_dict(self) -> dict:
        return self.cfn.as_dict()
