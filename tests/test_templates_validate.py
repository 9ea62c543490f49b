"""Every bundled scenario's templates, both formats: golden files, python-hcl2 parse with every reference
resolved, cfn-lint, terraform validate against the local provider mirror, and a moto smoke deploy.
The slow validators run once per session (terraform in the background while cfn-lint runs)."""
from __future__ import annotations

import glob
import io
import itertools
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from costplan.scenario import load
from costplan.templates.render import render

SCEN = Path(__file__).resolve().parent.parent / "scenarios"
NAMES = sorted(p.stem for p in SCEN.glob("*.yaml"))
# Scenarios also emitted as their ECS design on Fargate (API behind an ALB, queue consumers as services,
# push sources feeding a queue per service, the WebSocket server behind an ALB): every scenario whose
# compare has a Fargate option (test_templates_ecs.py checks the list against compare).
FARGATE_TOO = ["account_bans_ttl", "avatar_resize_claim_check", "db_refresh_async", "global_vote",
               "order_ledger_convoy", "soccer_events_mqtt", "stock_explorer_websocket", "user_registration_fanout"]
# ... and on EC2 capacity (launch template, Auto Scaling group, capacity provider), sized by compare's ec2 option.
EC2_TOO = FARGATE_TOO + ["steady_heavy_api"]

# cfn-lint findings we accept, with the reason: the serverless rule pack's and checkov's are in
# tests/template_gates.yaml; cfn-lint's own rules have none (every bundled template lints clean).
GATES = __import__("yaml").safe_load((Path(__file__).resolve().parent / "template_gates.yaml").read_text())
CFN_LINT_ALLOWED: dict[str, str] = dict(GATES["cfn_lint_serverless"])
CHECKOV_ALLOWED: dict[str, str] = dict(GATES["checkov"])
CHECKOV = Path(__file__).resolve().parent.parent / ".venv-checkov" / "bin" / "checkov"

# Resource types moto's CloudFormation cannot create (it warns "not supported" and skips them); the smoke
# test deploys the rest. If moto learns one of these, this set shrinks and the test says so.
MOTO_CANNOT_MODEL = {
    "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage", "AWS::Glue::Job", "AWS::IoT::TopicRule", "AWS::Lambda::Url",
    "AWS::SNS::Subscription", "AWS::Scheduler::Schedule", "AWS::CloudWatch::Alarm",
    "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy",
    # --compute ec2: moto creates the launch template, Auto Scaling group and instance profile, not these
    # (and so not the services that use the capacity provider)
    "AWS::ECS::CapacityProvider", "AWS::ECS::ClusterCapacityProviderAssociations",
    # settings.api rest: moto creates the REST API, its resources, methods and deployment, not the stage
    "AWS::ApiGateway::Stage",
    # failure paths and access logs: moto's CloudFormation has no model for these (the terraform deploy
    # creates the role policies and event invoke configs through the service APIs)
    "AWS::IAM::RolePolicy", "AWS::Lambda::EventInvokeConfig", "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy",
    # mqtt_notify's custom authorizer: moto has no IoT authorizers at all
    "AWS::IoT::Authorizer",
    # the TTL timer's ECS design reads the stream through an EventBridge Pipe (terraform creates it)
    "AWS::Pipes::Pipe",
}


# Pattern options no bundled scenario uses, emitted on Lambda so the validators cover them too.
VARIANTS = {
    ("user_registration_fanout", "eventbridge"): {"bus": "eventbridge"},
    ("monthly_invoicing_cron", "rule"): {"service": "rule"},
    ("steady_heavy_api", "http"): {"api": "http"},
    # REST APIs: Lambda proxy methods (a catch-all, and routes with a path parameter) and the SQS front door
    ("steady_heavy_api", "rest"): {"api": "rest"},
    ("db_refresh_async", "rest"): {"api": "rest"},
    ("avatar_resize_claim_check", "rest"): {"api": "rest"},
    ("global_vote", "rest"): {"api": "rest"},
    ("avatar_resize_claim_check", "same_bucket"): {"same_bucket_output": True},
    # compare recommends fargate, so auto is the ECS design: the Lambda design is emitted explicitly
    ("stock_explorer_websocket", "lambda"): {},
}


def _emit(sc, compute):
    c = render(sc, "cloudformation", compute)
    t = render(sc, "terraform", compute)
    return {"cfn": c.files["template.yaml"], "compute": c.compute, "scenario": sc,
            "tf": {k: v for k, v in t.files.items() if k.endswith(".tf")},
            "src": {k: v for k, v in t.files.items() if k.startswith("src/")}, "tf_files": t.files}


_LOADED: dict = {}


def scenario(name: str):
    """A bundled scenario, loaded once per session and shared by the template tests (never mutated: a
    variant is a model_copy), so each is compared once (templates.patterns.compared keys on the object)."""
    if name not in _LOADED:
        _LOADED[name] = load(SCEN / f"{name}.yaml")
    return _LOADED[name]


def emit_all():
    """(scenario, compute or variant) → {"cfn": text, "tf": {file: text}, "compute", "scenario", "src"}.
    The `emitted` session fixture (tests/conftest.py) holds it once for every template test module."""
    out = {}
    for name in NAMES:
        sc = scenario(name)
        explicit = (["fargate"] if name in FARGATE_TOO else []) + (["ec2"] if name in EC2_TOO else [])
        for compute in explicit:
            out[(name, compute)] = _emit(sc, compute)
        # auto writes what compare recommends: where that is one of the explicit computes, the same files
        # (kept under both keys, validated and deployed once: see unique())
        from costplan.templates.patterns import resolve_compute

        resolved = resolve_compute(sc, "auto")
        out[(name, "auto")] = (dict(out[(name, resolved)], same_as=(name, resolved)) if resolved in explicit
                               else _emit(sc, "auto"))
    for (name, label), settings in VARIANTS.items():
        sc = load(SCEN / f"{name}.yaml")
        sc = sc.model_copy(update={"settings": {**sc.settings, **settings}})
        out[(name, label)] = _emit(sc, "lambda")
    return out


def unique(emitted: dict) -> dict:
    """The emitted templates without the aliases (auto where it equals an explicit compute): what the slow
    validators and the deploys run over."""
    return {k: e for k, e in emitted.items() if "same_as" not in e}


# ---- goldens ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_golden_templates(name, emitted, golden):
    e = emitted[(name, "auto")]
    golden(f"templates/{name}.cfn.yaml", e["cfn"])
    for fname, text in sorted(e["tf"].items()):
        golden(f"templates/{name}/{fname}", text)


@pytest.mark.parametrize("name", ["steady_heavy_api"])
def test_golden_templates_ec2(name, emitted, golden):
    e = emitted[(name, "ec2")]
    assert e["compute"] == "ec2"
    golden(f"templates/{name}.ec2.cfn.yaml", e["cfn"])
    golden(f"templates/{name}.ec2/main.tf", e["tf"]["main.tf"])


# The ECS designs of the push-fed patterns (and the WebSocket's Lambda design, which auto no longer writes):
# one golden each, so a reviewer reads what changes in them.
ECS_GOLDENS = [("account_bans_ttl", "fargate"), ("avatar_resize_claim_check", "fargate"),
               ("soccer_events_mqtt", "fargate"), ("user_registration_fanout", "fargate"),
               ("stock_explorer_websocket", "ec2"), ("stock_explorer_websocket", "lambda")]


@pytest.mark.parametrize("name,compute", ECS_GOLDENS)
def test_golden_templates_ecs_designs(name, compute, emitted, golden):
    e = emitted[(name, compute)]
    golden(f"templates/{name}.{compute}.cfn.yaml", e["cfn"])
    if compute == "lambda":
        golden(f"templates/{name}.{compute}/main.tf", e["tf"]["main.tf"])


def test_handlers_are_written_beside_the_template(emitted):
    for (name, compute), e in emitted.items():
        for path, text in e["src"].items():
            assert re.fullmatch(r"src/[a-z0-9_]+/(handler\.py|requirements\.txt)", path)
            if path.endswith(".py"):
                compile(text, path, "exec")
        fn_files = set(re.findall(r'dist/([a-z0-9_]+)\.zip', e["tf"]["main.tf"]))
        assert fn_files == {p.split("/")[1] for p in e["src"]}, name


# ---- python-hcl2: parse back, resolve every reference ------------------------------------------------------

REF = re.compile(r"(?<![\w.])(var\.[A-Za-z_]\w*|data\.aws_\w+\.\w+|aws_\w+\.\w+|module\.\w+|local\.\w+)")


def _strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def test_terraform_parses_and_every_reference_resolves(emitted):
    import hcl2
    from hcl2 import SerializationOptions

    opts = SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
    for (name, compute), e in emitted.items():
        parsed = {f: hcl2.loads(text, serialization_options=opts) for f, text in e["tf"].items()}
        declared = set()
        for doc in parsed.values():
            for blk in doc.get("resource", []):
                for typ, named in blk.items():
                    declared |= {f"{typ}.{n}" for n in named}
            for blk in doc.get("data", []):
                for typ, named in blk.items():
                    declared |= {f"data.{typ}.{n}" for n in named}
            for blk in doc.get("variable", []):
                declared |= {f"var.{n}" for n in blk}
        used = set()
        for doc in parsed.values():
            for kind in ("resource", "output", "data"):
                for s in _strings(doc.get(kind, [])):
                    if s.startswith("${") or "${" in s:
                        for expr in re.findall(r"\$\{(.*)\}", s, re.S):
                            used |= set(REF.findall(re.sub(r'"(?:[^"\\$]|\\.)*"', '""', expr)))
        assert used, name
        assert used - declared == set(), f"{name} ({compute}): undeclared references {sorted(used - declared)}"
        versions = parsed["versions.tf"]["terraform"][0]["required_providers"][0]
        assert versions == {"aws": {"source": "hashicorp/aws", "version": ">= 5.100, < 6"}}
        assert "provider" not in parsed["versions.tf"] and "archive_file" not in e["tf"]["main.tf"]


# ---- slow validators, once per session ------------------------------------------------------------------

def _mirror() -> str | None:
    candidates = [os.environ.get("COSTPLAN_TF_MIRROR", "")]
    candidates += glob.glob("/opt/tf-plugins") + glob.glob(os.path.expanduser("~/.terraform.d/plugins"))
    candidates += glob.glob("/usr/share/terraform/plugins") + glob.glob("/usr/local/share/terraform/plugins")
    for c in candidates:
        if c and glob.glob(os.path.join(c, "registry.terraform.io", "hashicorp", "aws", "*")):
            return c
    return None


def _tf_start(emitted, root: Path):
    tf, mirror = shutil.which("terraform"), _mirror()
    if not tf:
        return None, "terraform is not on PATH"
    if not mirror:
        return None, "no filesystem mirror of hashicorp/aws (set COSTPLAN_TF_MIRROR)"
    import hcl2

    mods = []
    for (name, compute), e in sorted(unique(emitted).items()):
        mod = f"{name}_{compute}"
        d = root / mod
        d.mkdir(parents=True)
        for f, text in e["tf_files"].items():
            (d / f).parent.mkdir(parents=True, exist_ok=True)
            (d / f).write_text(text)
        if (d / "build.py").exists():  # source_code_hash reads dist/<function>.zip at plan time
            subprocess.run([sys.executable, "build.py", "--no-deps"], cwd=d, check=True, capture_output=True)
        args = []
        for blk in hcl2.loads(e["tf"]["variables.tf"]).get("variable", []):
            for var, body in blk.items():
                if "default" not in body:
                    val = '["subnet-1", "subnet-2"]' if "list" in str(body.get("type")) else '"x"'
                    args.append(f"  {var.strip(chr(34))} = {val}\n")
        mods.append(f'module "{mod}" {{\n  source = "./{mod}"\n{"".join(args)}}}\n')
    (root / "main.tf").write_text("\n".join(mods))
    (root / "cli.tfrc").write_text(
        'provider_installation {\n  filesystem_mirror {\n    path    = "%s"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n'
        '    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n' % mirror)
    cache = Path(tempfile.gettempdir()) / "costplan-tf-plugin-cache"
    cache.mkdir(exist_ok=True)
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(root / "cli.tfrc"), CHECKPOINT_DISABLE="1",
               TF_IN_AUTOMATION="1", TF_PLUGIN_CACHE_DIR=str(cache), TF_INPUT="0")
    script = (f"{tf} init -backend=false -input=false -no-color > init.log 2>&1 || exit 90; "
              f"{tf} validate -json -no-color > validate.json 2> validate.err")
    return subprocess.Popen(["sh", "-c", script], cwd=root, env=env), None


def _lint_one(text: str) -> list[str]:
    import cfnlint.api

    # with AWS's serverless rules (cfn-lint-serverless) appended to cfn-lint's own
    ms = cfnlint.api.lint(text, config=cfnlint.api.ManualArgs(regions=["us-east-1"],
                                                              append_rules=["cfn_lint_serverless.rules"]))
    return [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in ms if m.rule.id not in CFN_LINT_ALLOWED]


def _cfn_lint(emitted) -> dict:
    """cfn-lint (about 1 s a template) on both cores."""
    from concurrent.futures import ProcessPoolExecutor

    keys = sorted(unique(emitted))
    with ProcessPoolExecutor(max_workers=2) as pool:
        return dict(zip(keys, pool.map(_lint_one, [emitted[k]["cfn"] for k in keys])))


def _checkov_start(emitted, root: Path):
    """checkov over every emitted template (CloudFormation and Terraform), from its own virtualenv."""
    if not CHECKOV.exists():
        return None, f"checkov is not installed in {CHECKOV.parent.parent.name} (make checkov-venv)"
    for (name, compute), e in sorted(unique(emitted).items()):
        d = root / f"{name}_{compute}"
        (d / "cfn").mkdir(parents=True)
        (d / "cfn" / "template.yaml").write_text(e["cfn"])
        for f, text in e["tf"].items():
            (d / "tf" / f).parent.mkdir(parents=True, exist_ok=True)
            (d / "tf" / f).write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    out = open(root / "checkov.json", "w")
    return subprocess.Popen([str(CHECKOV), "-d", str(root), "--framework", "cloudformation", "terraform",
                             "--skip-download", "--quiet", "--compact", "-o", "json"],
                            stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=root), None


@pytest.fixture(scope="session")
def validators(emitted, tmp_path_factory):
    import time

    root = tmp_path_factory.mktemp("tf")
    t0 = time.monotonic()
    proc, skip = _tf_start(emitted, root)
    ck_root = tmp_path_factory.mktemp("checkov")
    ck_proc, ck_skip = _checkov_start(emitted, ck_root)
    lint = _cfn_lint(emitted)  # runs while terraform initialises and validates in the background
    t_lint = time.monotonic() - t0
    tf = {"skip": skip}
    if proc is not None:
        rc = proc.wait(timeout=300)
        tf.update(rc=rc, seconds=time.monotonic() - t0, root=root,
                  init=(root / "init.log").read_text() if (root / "init.log").exists() else "",
                  validate=json.loads((root / "validate.json").read_text() or "{}") if rc != 90 else {})
    ck = {"skip": ck_skip}
    if ck_proc is not None:
        ck_proc.wait(timeout=600)
        data = json.loads((ck_root / "checkov.json").read_text() or "[]")
        ck["reports"] = data if isinstance(data, list) else [data]
        ck["seconds"] = time.monotonic() - t0
    return {"cfn_lint": lint, "cfn_lint_seconds": t_lint, "terraform": tf, "checkov": ck}


def test_cfn_lint_reports_nothing(validators):
    bad = {f"{k[0]} ({k[1]})": v for k, v in validators["cfn_lint"].items() if v}
    assert bad == {}


def test_checkov_reports_nothing_outside_the_ignore_list(validators):
    ck = validators["checkov"]
    if ck["skip"]:
        pytest.skip(ck["skip"])
    frameworks = {r.get("check_type") for r in ck["reports"]}
    assert {"cloudformation", "terraform"} <= frameworks, frameworks
    passed = sum(r.get("summary", {}).get("passed", 0) for r in ck["reports"])
    failed = [f"{x['check_id']} {x['resource']} ({x['file_path']}): {x['check_name']}"
              for r in ck["reports"] for x in r.get("results", {}).get("failed_checks", [])
              if x["check_id"] not in CHECKOV_ALLOWED]
    assert passed > 500  # it really ran the checks
    assert failed == [], "\n".join(sorted(set(f.split(" ", 1)[0] + " " + f.rsplit(": ", 1)[-1] for f in failed)))


def test_gate_ignore_lists_are_short_and_reasoned():
    for gate, ids in GATES.items():
        assert all(isinstance(r, str) and len(r) > 30 for r in ids.values()), gate
    assert len(GATES["cfn_lint_serverless"]) <= 7 and len(GATES["checkov"]) <= 36


def test_serverless_rules_are_wired(emitted):
    # without its EventInvokeConfig an SNS-invoked function has no on-failure destination: ES1007
    text = emitted[("user_registration_fanout", "auto")]["cfn"]
    assert not [m for m in _lint_one(text) if m.startswith("ES1007")]
    assert any(line.startswith("ES1007") for line in _lint_one(_without_invoke_configs(text)))


def _without_invoke_configs(text: str) -> str:
    from cfnlint.decode import decode_str

    tpl, _ = decode_str(text)
    tpl = json.loads(json.dumps(tpl))
    for k in [k for k, r in tpl["Resources"].items() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]:
        del tpl["Resources"][k]
    return json.dumps(tpl)


def test_cfn_lint_is_wired_to_catch_a_broken_template(emitted):
    text = emitted[("global_vote", "auto")]["cfn"].replace("MemorySize:", "MemorySze:", 1)
    assert any(line.startswith("E3002") for line in _lint_one(text))


def test_terraform_init_and_validate(validators):
    tf = validators["terraform"]
    if tf["skip"]:
        pytest.skip(tf["skip"])
    assert tf["rc"] != 90, f"terraform init failed:\n{tf['init']}"
    v = tf["validate"]
    diags = [f"{d['severity']}: {d['summary']}: {d.get('detail', '')} "
             f"({d.get('range', {}).get('filename')}:{d.get('range', {}).get('start', {}).get('line')})"
             for d in v.get("diagnostics", [])]
    assert v.get("valid") is True and diags == [], "\n".join(diags)


# ---- moto smoke deploy -------------------------------------------------------------------------------------

def _long_form(text: str) -> dict:
    from cfnlint.decode import decode_str

    tpl, matches = decode_str(text)
    assert not matches, matches
    return json.loads(json.dumps(tpl))


def _refs(v) -> set:
    from costplan.templates.rules import refs

    return refs(v)


_FIFO_NAMES = itertools.count(1)


def _for_moto(tpl: dict, supported: set) -> tuple[dict, set]:
    """Drop what moto cannot model, and whatever references it; FIFO queues get the .fifo name moto needs."""
    res = tpl["Resources"]
    dropped = {k for k, r in res.items() if r["Type"] not in supported}
    changed = True
    while changed:
        changed = False
        for k, r in res.items():
            if k not in dropped and _refs(r.get("Properties", {})) & dropped:
                dropped.add(k)
                changed = True
    types = {res[k]["Type"] for k in dropped if res[k]["Type"] not in supported}
    for k in dropped:
        res.pop(k)
    for r in res.values():
        dep = r.get("DependsOn")
        if dep:
            dep = [dep] if isinstance(dep, str) else dep
            r["DependsOn"] = [d for d in dep if d in res]
        if r["Type"] == "AWS::SQS::Queue" and r["Properties"].get("FifoQueue"):
            # moto does not generate one; queue names are unique per account and Region, across stacks too
            # (id() % 100000 once gave two stacks' queues one name, and a stack lost its DLQ)
            r["Properties"]["QueueName"] = f"q-{next(_FIFO_NAMES)}.fifo"
    tpl["Outputs"] = {k: o for k, o in (tpl.get("Outputs") or {}).items() if not _refs(o) & dropped}
    if not tpl["Outputs"]:
        tpl.pop("Outputs")
    return tpl, types


# a syntactically valid PEM public key (the IoT authorizer's signing key); nothing is signed with it here
TEST_PUBLIC_KEY = ("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "A" * 300
                   + "IDAQAB\n-----END PUBLIC KEY-----")


def fill_in(name: str, known: dict) -> str:
    """A value for a template input a user fills in (README: what to fill in)."""
    if name in known:
        return known[name]
    if name.endswith("FilterPolicy"):
        return '{"segment": ["new-user"]}'
    if name in ("EventSource", "EventDetailType"):
        return {"EventSource": "com.example.users", "EventDetailType": "UserRegistered"}[name]
    if name.endswith("Path"):
        return "data-bucket/qa/"
    if name == "DeviceTokenSigningPublicKey":
        return TEST_PUBLIC_KEY
    if name.startswith("Jwt"):
        return {"JwtIssuer": "https://issuer.example.com", "JwtAudience": "app"}[name]
    raise AssertionError(f"the test has no value for the template input {name}")


@pytest.fixture(scope="session")
def moto_deploy(emitted, moto_server):
    """CloudFormation create-stack of every emitted template against moto in server mode."""
    import boto3
    from moto.cloudformation.parsing import get_model_map

    supported = set(get_model_map())
    results, unmodelled = {}, set()
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")

    class _Boto:  # every client goes to the moto server
        @staticmethod
        def client(name, **kw):
            return session.client(name, endpoint_url=moto_server)

    boto3 = _Boto  # noqa: F811
    if True:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="code")
        z = io.BytesIO()
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("handler.py", "def handler(event, context):\n    return {}\n")
        cf = boto3.client("cloudformation", region_name="us-east-1")
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")
                   ["Subnet"]["SubnetId"] for i, az in enumerate("ab")]
        params = {"CodeBucket": "code", "UploadsBucketName": "uploads-costplan-test",
                  "GlueScriptPrefix": "s3://scripts/glue/", "GlueScriptBucketPath": "scripts/glue/",
                  "VpcId": vpc, "SubnetIds": ",".join(subnets), "ContainerImage": "app:1",
                  "OutputWidthsPx": "64,128,256",
                  "CertificateArn": boto3.client("acm", region_name="us-east-1").request_certificate(
                      DomainName="app.example.com")["CertificateArn"]}
        for (name, compute), e in sorted(unique(emitted).items()):
            tpl, types = _for_moto(_long_form(e["cfn"]), supported)
            unmodelled |= types
            for fn in re.findall(r"\$\{CodePrefix\}([a-z0-9_]+)\.zip", e["cfn"]):
                s3.put_object(Bucket="code", Key=f"costplan/{fn}.zip", Body=z.getvalue())
            stack = f"{name}-{compute}".replace("_", "-")
            params["UploadsBucketName"] = f"uploads-{stack}"  # bucket names are global: one per stack
            cf.create_stack(StackName=stack, TemplateBody=json.dumps(tpl), Capabilities=["CAPABILITY_IAM"],
                            Parameters=[{"ParameterKey": k, "ParameterValue": fill_in(k, params)}
                                        for k, p in tpl.get("Parameters", {}).items() if "Default" not in p])
            status = cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
            physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                        for r in cf.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
            results[(name, compute)] = {"status": status, "physical": physical, "template": tpl,
                                        "scenario": e["scenario"]}
        # what moto created, read back through the service APIs
        sqs, lam = boto3.client("sqs", region_name="us-east-1"), boto3.client("lambda", region_name="us-east-1")
        apigw = boto3.client("apigateway", region_name="us-east-1")
        for key, r in results.items():
            r["queues"] = {}
            r["mappings"] = {}
            r["rest"] = {}
            if "RestApi" in r["physical"]:
                api_id = r["physical"]["RestApi"]
                for res in apigw.get_resources(restApiId=api_id)["items"]:
                    for method in res.get("resourceMethods") or {}:
                        m = apigw.get_method(restApiId=api_id, resourceId=res["id"], httpMethod=method)
                        r["rest"][f"{method} {res['path']}"] = m.get("methodIntegration") or {}
            for lid, res in r["template"]["Resources"].items():
                if res["Type"] == "AWS::SQS::Queue":
                    r["queues"][lid] = sqs.get_queue_attributes(QueueUrl=r["physical"][lid],
                                                                AttributeNames=["All"])["Attributes"]
                if res["Type"] == "AWS::Lambda::EventSourceMapping":
                    fn = _refs(res["Properties"]["FunctionName"]).pop()
                    r["mappings"][fn] = lam.get_event_source_mapping(UUID=r["physical"][lid])
    return results, unmodelled


def test_moto_creates_every_stack_with_the_plans_numbers(moto_deploy):
    from costplan.patterns import plan

    results, _ = moto_deploy
    checked_queues = checked_mappings = 0
    for (name, compute), r in results.items():
        assert r["status"] == "CREATE_COMPLETE", name
        facts = plan(r["scenario"]).facts
        for q in facts.get("queues") or []:
            base = "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", q["name"]) if p)
            lid = base if base.endswith("Queue") else base + "Queue"  # logical id: "ledger.fifo" → LedgerFifoQueue
            attrs = r["queues"][lid]
            tprops = r["template"]["Resources"][lid]["Properties"]
            assert int(attrs["VisibilityTimeout"]) == tprops["VisibilityTimeout"] >= q["visibility_timeout_s"]
            assert int(attrs["MessageRetentionPeriod"]) == int(q["retention_s"])
            if q.get("dlq"):
                assert json.loads(attrs["RedrivePolicy"])["maxReceiveCount"] == int(q["max_receive_count"])
            checked_queues += 1
            consumer = "".join(p.capitalize() for p in re.split(r"[^A-Za-z0-9]+", q["consumer"]))
            if consumer in r["mappings"]:
                m = r["mappings"][consumer]
                assert m["BatchSize"] == int(q["batch_size"])
                if q.get("max_concurrency") is not None:
                    assert m["ScalingConfig"]["MaximumConcurrency"] == int(q["max_concurrency"])
                checked_mappings += 1
    assert checked_queues >= 5 and checked_mappings >= 3


def test_moto_creates_the_rest_api_routes_and_integrations(moto_deploy):
    results, _ = moto_deploy
    proxy = results[("steady_heavy_api", "rest")]["rest"]
    assert set(proxy) == {"ANY /", "ANY /{proxy+}"}
    assert all(i["type"] == "AWS_PROXY" and ":lambda:path/2015-03-31/functions/" in i["uri"] for i in proxy.values())
    assert set(results[("db_refresh_async", "rest")]["rest"]) == {"POST /start", "GET /status/{jobId}"}
    vote = results[("global_vote", "rest")]
    front = vote["rest"]["POST /"]
    assert front["type"] == "AWS" and f":sqs:path/123456789012/{vote['physical']['Queue'].rsplit('/', 1)[-1]}" \
        in front["uri"]
    # (moto keeps the integration's type, method and URI; the request template and role are checked by
    # cfn-lint and terraform validate, and the role's single action by CP702)
    assert front["httpMethod"] == "POST"


def test_moto_cannot_model_the_expected_types(moto_deploy):
    _, unmodelled = moto_deploy
    assert unmodelled == MOTO_CANNOT_MODEL


# ---- autoscaling: queue consumers on their backlog, API services on CPU ------------------------------------

def _policies(cfn_text: str) -> dict:
    from cfnlint.decode import cfn_yaml

    doc = cfn_yaml.loads(cfn_text)
    return {k: r["Properties"]["TargetTrackingScalingPolicyConfiguration"] for k, r in doc["Resources"].items()
            if r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"}


@pytest.mark.parametrize("compute", ["fargate", "ec2"])
def test_a_queue_consumer_service_scales_on_backlog_per_task(emitted, compute):
    pol = _policies(emitted[("global_vote", compute)]["cfn"])["ConsumerScalingPolicy"]
    # A task runs 10 batches at once (ecs.concurrent_requests_per_task) of 100 votes, 220 ms each
    # (20 ms + 100 × 2 ms): 45.45 batches/s; at the 70 % target, 60 s of its work is
    # 45.45 × 0.7 × 100 × 60 = 190,909 messages.
    assert pol["TargetValue"] == 190909
    metrics = {m["Id"]: m for m in pol["CustomizedMetricSpecification"]["Metrics"]}
    assert metrics["visible"]["MetricStat"]["Metric"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert metrics["tasks"]["MetricStat"]["Metric"]["MetricName"] == "RunningTaskCount"
    assert [m["Id"] for m in metrics.values() if m["ReturnData"]] == ["backlog"]
    assert "PredefinedMetricSpecification" not in pol
    tf = emitted[("global_vote", compute)]["tf"]["main.tf"]
    assert "ApproximateNumberOfMessagesVisible" in tf and "target_value = 190909" in tf


def test_an_api_service_still_scales_on_cpu(emitted):
    pols = _policies(emitted[("steady_heavy_api", "ec2")]["cfn"])
    assert [p["PredefinedMetricSpecification"]["PredefinedMetricType"] for p in pols.values()] == \
        ["ECSServiceAverageCPUUtilization"]
