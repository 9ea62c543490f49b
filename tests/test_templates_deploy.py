"""Deploy every bundled template the way an AWS engineer would, against moto in server mode (started
here, on 127.0.0.1): `terraform apply` with the provider from the filesystem mirror and every endpoint
pointed at moto. What moto cannot create is listed once, below, with the reason; everything else must
be created, with the plan's numbers. (CloudFormation `create-stack` of the same templates runs against
the same server in test_templates_validate.py.) Resource counts are printed."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# Terraform resource types moto (5.x, server mode) cannot create, with the reason; the gap shrinks
# as moto learns them. Resources that depend on one of these are not attempted either.
MOTO_TF_CANNOT = {
    "aws_lambda_function_recursion_config": "moto has no PutFunctionRecursionConfig (404)",
    "aws_appautoscaling_target": "moto's Application Auto Scaling ListTagsForResource fails after create",
    "aws_appautoscaling_policy": "needs the scalable target (above)",
    "aws_sfn_state_machine": "moto's Step Functions ValidateStateMachineDefinition fails (the same machines "
                             "create through moto's CloudFormation); what references the machine's ARN "
                             "(the /start function, db_refresh_async's API service) is not attempted",
    "aws_iot_topic_rule": "moto's IoT ListTagsForResource fails after create",
    "aws_iot_policy": "moto's IoT ListTagsForResource fails after create",
    "aws_iot_authorizer": "moto has no IoT CreateAuthorizer (the authorizer's invoke permission waits on it)",
}

# terraform apply is the suite's slowest step (moto answers every create and read; ~0.15 s of CPU a
# resource): it applies every scenario's auto template, every ECS design on Fargate, and the EC2
# capacity (ecs.ec2_capacity: the same launch template, Auto Scaling group and capacity provider for
# every pattern) under one API and one queue consumer. The rest are linted, scanned, validated and
# deployed with CloudFormation create-stack (tests/test_templates_validate.py).
TF_APPLY_EC2 = {"global_vote", "steady_heavy_api"}
TF_NOT_APPLIED = {
    "db_refresh_async": "its ECS API service needs the state machine's ARN, which moto cannot create "
                        "(aws_sfn_state_machine); CloudFormation create-stack deploys it",
}

ENDPOINTS = ("acm apigateway apigatewayv2 appautoscaling autoscaling cloudwatch dynamodb ec2 ecs elbv2 events "
             "glue iam iot kms lambda logs pipes s3 scheduler sfn sns sqs ssm sts").split()


def _tf_value(var: str, body: dict, env: dict, module: str) -> str:
    v = var.strip('"')
    known = {"vpc_id": f'"{env["vpc"]}"', "subnet_ids": json.dumps(env["subnets"]),
             "container_image": '"app:1"', "certificate_arn": f'"{env["cert"]}"',
             "uploads_bucket_name": f'"up-{module.replace("_", "-")[:50]}"', "output_widths_px": '"64,128,256"',
             "jwt_issuer": '"https://issuer.example.com"', "jwt_audience": '"app"',
             "event_source": '"com.example.users"', "event_detail_type": '"UserRegistered"',
             "device_token_signing_public_key": '"-----BEGIN PUBLIC KEY-----\\nMIIBIjAN\\n-----END PUBLIC KEY-----"'}
    if v in known:
        return known[v]
    if v.endswith("_filter_policy"):
        return json.dumps('{"segment": ["new-user"]}')
    if v.endswith("_path") or v.endswith("_prefix"):
        return '"data-bucket/qa/"'
    raise AssertionError(f"the deploy test has no value for variable {v}")


@pytest.fixture(scope="session")
def deployed(request):
    """The deploy started in the background at session start (tests/conftest.py), joined here."""
    DEPLOY = getattr(request.config, "costplan_deploy", {})

    if "thread" not in DEPLOY:
        pytest.skip("the background deploy was not started")
    DEPLOY["thread"].join(timeout=900)
    if "error" in DEPLOY:
        raise DEPLOY["error"]
    return DEPLOY["result"]


def clean_environment() -> dict:
    """The environment the deploy runs in, taken as the session starts: the deploy runs in a thread while
    other tests set AWS_PROFILE, AWS_ENDPOINT_URL_* or AWS_CONFIG_FILE on the process (monkeypatch), so
    neither terraform nor build.py may read the live os.environ; no AWS_* variable is inherited at all."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


def aws_fixtures(moto_server: str) -> dict:
    """The VPC, subnets and certificate the templates take as inputs, created in moto. Called before the
    deploy thread starts, while no test has touched the process environment boto3 reads."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    ec2 = session.client("ec2", endpoint_url=moto_server)
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"us-east-1{az}")
               ["Subnet"]["SubnetId"] for i, az in enumerate("ab")]
    cert = session.client("acm", endpoint_url=moto_server).request_certificate(
        DomainName="app.example.com")["CertificateArn"]
    return {"vpc": vpc, "subnets": subnets, "cert": cert}


def run_deploy(emitted, moto_server, root: Path, env: dict | None = None, base_env: dict | None = None) -> dict:
    from tests.test_templates_validate import _mirror

    tf, mirror = shutil.which("terraform"), _mirror()
    if not tf or not mirror:
        pytest.skip("terraform or its provider mirror is missing (see tests/test_templates_validate.py)")
    import hcl2

    url = moto_server
    env = env if env is not None else aws_fixtures(url)
    base_env = base_env if base_env is not None else clean_environment()
    mods = []
    # every bundled scenario on each compute it emits (the API-flavour variants are covered by
    # terraform validate and the CloudFormation deploy)
    from tests.test_templates_validate import unique

    emitted = {k: e for k, e in unique(emitted).items() if k[1] in ("auto", "lambda", "fargate", "ec2")
               and (e["compute"] != "ec2" or k[0] in TF_APPLY_EC2)
               and (e["compute"] == "lambda" or k[0] not in TF_NOT_APPLIED)}
    for (name, compute), e in sorted(emitted.items()):
        mod = f"{name}_{compute}"
        d = root / mod
        for f, text in e["tf_files"].items():
            (d / f).parent.mkdir(parents=True, exist_ok=True)
            (d / f).write_text(text)
        if (d / "build.py").exists():  # the header's build step: dist/<function>.zip
            subprocess.run([sys.executable, "build.py", "--no-deps"], cwd=d, check=True, capture_output=True,
                           env=base_env)
        args = [f'  name_prefix = "{mod.replace("_", "-")[:40]}"\n']
        for blk in hcl2.loads(e["tf"]["variables.tf"]).get("variable", []):
            for var, body in blk.items():
                if "default" not in body and var.strip('"') != "name_prefix":
                    args.append(f"  {var.strip(chr(34))} = {_tf_value(var, body, env, mod)}\n")
        mods.append(f'module "{mod}" {{\n  source = "./{mod}"\n{"".join(args)}}}\n')
    endpoints = "".join(f'    {s} = "{url}"\n' for s in ENDPOINTS)
    (root / "main.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n  access_key = "testing"\n  secret_key = "testing"\n'
        "  skip_credentials_validation = true\n  skip_requesting_account_id = true\n"
        "  skip_metadata_api_check = true\n  s3_use_path_style = true\n"
        # one retry more than none: moto's server answers a read racing a write with a 500 now and then
        "  max_retries = 2\n"
        f"  endpoints {{\n{endpoints}  }}\n}}\n\n" + "\n".join(mods))
    (root / "cli.tfrc").write_text(
        'provider_installation {\n  filesystem_mirror {\n    path    = "%s"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n'
        '    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n' % mirror)
    cache = Path(base_env.get("TMPDIR", "/tmp")) / "costplan-tf-plugin-cache"
    cache.mkdir(exist_ok=True)
    tenv = dict(base_env, TF_CLI_CONFIG_FILE=str(root / "cli.tfrc"), CHECKPOINT_DISABLE="1",
                TF_IN_AUTOMATION="1", TF_PLUGIN_CACHE_DIR=str(cache), TF_INPUT="0")
    t0 = time.monotonic()
    init = subprocess.run([tf, "init", "-backend=false", "-input=false", "-no-color"], cwd=root, env=tenv,
                          capture_output=True, text=True)
    assert init.returncode == 0, init.stdout + init.stderr
    apply = subprocess.run([tf, "apply", "-auto-approve", "-input=false", "-no-color", "-json", "-parallelism=40"],
                           cwd=root, env=tenv, capture_output=True, text=True, timeout=600)
    (root / "apply.json").write_text(apply.stdout)  # per-resource timings, to see where a slow apply waits
    errors = []
    for line in apply.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("type") == "diagnostic" and msg["diagnostic"]["severity"] == "error":
            errors.append(msg["diagnostic"])
    show = subprocess.run([tf, "show", "-json", "-no-color"], cwd=root, env=tenv, capture_output=True, text=True)
    state = json.loads(show.stdout or "{}")
    created: dict[str, list[dict]] = {}
    for m in state.get("values", {}).get("root_module", {}).get("child_modules", []):
        created[m["address"].split(".", 1)[1]] = m.get("resources", [])
    return {"errors": errors, "created": created, "seconds": time.monotonic() - t0, "emitted": emitted,
            "planned": {f"{n}_{c}": sum(1 for line in e["tf"]["main.tf"].splitlines()
                                        if line.startswith("resource ")) for (n, c), e in emitted.items()}}


def test_terraform_apply_fails_only_where_moto_cannot(deployed, capsys):
    unexpected = []
    for d in deployed["errors"]:
        addr = d.get("address") or ""
        typ = next((p for p in addr.split(".") if p.startswith("aws_")), None)
        if typ not in MOTO_TF_CANNOT:
            unexpected.append(f"{addr}: {d['summary']} {d.get('detail', '')[:300]}")
    created = deployed["created"]
    by_type = Counter(r["type"] for rs in created.values() for r in rs if r["mode"] == "managed")
    with capsys.disabled():
        print(f"\nterraform apply against moto: {sum(by_type.values())} resources created in "
              f"{len(created)} modules ({sum(deployed['planned'].values())} planned) in {deployed['seconds']:.0f} s; "
              f"{len(deployed['errors'])} failed on types moto cannot create")
        print("  " + ", ".join(f"{t.removeprefix('aws_')} {n}" for t, n in sorted(by_type.items())))
        seen = sorted({(next((p for p in (d.get("address") or "").split(".") if p.startswith("aws_")), "?"),
                        d["summary"][:110]) for d in deployed["errors"]})
        for typ, summary in seen:
            print(f"  moto cannot: {typ}: {summary}")
    assert unexpected == []
    assert len(created) == len(deployed["emitted"])


def _resources(deployed, module, typ):
    return [r["values"] for r in deployed["created"].get(module, []) if r["type"] == typ and r["mode"] == "managed"]


def test_functions_carry_the_plans_memory_and_timeout(deployed):
    from costplan.patterns import plan

    checked = 0
    for (name, compute), e in deployed["emitted"].items():
        fns = {f["function_name"]: f for f in _resources(deployed, f"{name}_{compute}", "aws_lambda_function")}
        for st in plan(e["scenario"]).stages:
            match = [f for n, f in fns.items() if n.endswith("-" + re.sub(r"[^a-z0-9]+", "-", st.name.lower()))]
            if not match:
                continue
            f = match[0]
            assert f["memory_size"] == int(st.memory_mb) and f["timeout"] == int(st.timeout_s), (name, st.name)
            assert f["source_code_hash"]  # the built zip
            checked += 1
    assert checked >= 15


def test_queues_and_mappings_carry_the_plans_numbers(deployed):
    queues = _resources(deployed, "global_vote_auto", "aws_sqs_queue")
    work = [x for x in queues if x["redrive_policy"]]
    assert len(work) == 1 and json.loads(work[0]["redrive_policy"])["maxReceiveCount"] == 5
    assert work[0]["message_retention_seconds"] == 345600 and work[0]["sqs_managed_sse_enabled"] is True
    (esm,) = _resources(deployed, "global_vote_auto", "aws_lambda_event_source_mapping")
    assert esm["batch_size"] == 100 and esm["scaling_config"][0]["maximum_concurrency"] == 25
    assert esm["function_response_types"] == ["ReportBatchItemFailures"]
    (stream,) = _resources(deployed, "account_bans_ttl_auto", "aws_lambda_event_source_mapping")
    assert stream["bisect_batch_on_function_error"] is True and stream["maximum_retry_attempts"] == 3
    assert stream["destination_config"][0]["on_failure"][0]["destination_arn"].endswith(":" + next(
        x["name"] for x in _resources(deployed, "account_bans_ttl_auto", "aws_sqs_queue")))


def test_alarms_notify_and_data_stores_exist(deployed):
    alarms = [a for m in deployed["created"] for a in _resources(deployed, m, "aws_cloudwatch_metric_alarm")]
    assert len(alarms) > 30 and all(a["alarm_actions"] for a in alarms)
    ledger = _resources(deployed, "order_ledger_convoy_auto", "aws_dynamodb_table")
    assert [t["hash_key"] for t in ledger] == ["orderId"]
    cron = deployed["created"]["monthly_invoicing_cron_auto"]
    assert {"aws_dynamodb_table", "aws_s3_bucket"} <= {r["type"] for r in cron}


def test_ecs_designs_are_deployed(deployed):
    # queue consumers on Fargate and on EC2 capacity; API services sit behind an ALB, which moto cannot
    # create with its attributes (MOTO_TF_CANNOT), so only their task definitions are checked
    services = {m: _resources(deployed, m, "aws_ecs_service") for m in
                ("global_vote_fargate", "global_vote_ec2", "order_ledger_convoy_fargate")}
    assert {m: len(v) for m, v in services.items()} == {"global_vote_fargate": 1, "global_vote_ec2": 1,
                                                         "order_ledger_convoy_fargate": 2}
    assert all(s["deployment_maximum_percent"] == 200 for v in services.values() for s in v)
    # (db_refresh_async's API service needs the state machine's ARN: blocked with aws_sfn_state_machine)
    m = "steady_heavy_api_ec2"
    assert _resources(deployed, m, "aws_ecs_task_definition") and _resources(deployed, m, "aws_lb_target_group")
    assert _resources(deployed, m, "aws_launch_template") and _resources(deployed, m, "aws_autoscaling_group")
    assert _resources(deployed, "steady_heavy_api_ec2", "aws_autoscaling_group")


def test_push_fed_ecs_designs_are_deployed(deployed):
    """The ECS designs of pub/sub, WebSocket, MQTT, TTL and the claim check, applied on Fargate: a service
    per ECS stage, fed by the queue compare prices (or the WebSocket ALB), with the plan's settings."""
    services = {n: len(_resources(deployed, f"{n}_fargate", "aws_ecs_service")) for n in
                ("user_registration_fanout", "stock_explorer_websocket", "soccer_events_mqtt", "account_bans_ttl",
                 "avatar_resize_claim_check")}
    assert services == {"user_registration_fanout": 3, "stock_explorer_websocket": 1, "soccer_events_mqtt": 1,
                        "account_bans_ttl": 1, "avatar_resize_claim_check": 2}
    subs = _resources(deployed, "user_registration_fanout_fargate", "aws_sns_topic_subscription")
    assert len(subs) == 3 and all(s["protocol"] == "sqs" and s["raw_message_delivery"] for s in subs)
    assert [s["filter_policy_scope"] for s in subs if s["filter_policy"]] == ["MessageAttributes"]
    queues = _resources(deployed, "user_registration_fanout_fargate", "aws_sqs_queue")
    work = [q for q in queues if q["redrive_policy"]]
    assert len(work) == 3 and all(q["receive_wait_time_seconds"] == 20 for q in work)
    assert len(_resources(deployed, "user_registration_fanout_fargate", "aws_sqs_queue_policy")) == 4
    (lb,) = _resources(deployed, "stock_explorer_websocket_fargate", "aws_lb")
    (tg,) = _resources(deployed, "stock_explorer_websocket_fargate", "aws_lb_target_group")
    assert lb["idle_timeout"] == 600 and tg["stickiness"][0]["type"] == "lb_cookie"
    assert tg["stickiness"][0]["cookie_duration"] == 5400 and tg["stickiness"][0]["enabled"] is True
    assert not _resources(deployed, "stock_explorer_websocket_fargate", "aws_dynamodb_table")
    (pipe,) = _resources(deployed, "account_bans_ttl_fargate", "aws_pipes_pipe")
    (table,) = _resources(deployed, "account_bans_ttl_fargate", "aws_dynamodb_table")
    assert pipe["source"] == table["stream_arn"] and pipe["desired_state"] == "RUNNING"
    assert pipe["source_parameters"][0]["dynamodb_stream_parameters"][0]["maximum_retry_attempts"] == 3
    (note,) = _resources(deployed, "avatar_resize_claim_check_fargate", "aws_s3_bucket_notification")
    assert note["queue"][0]["filter_prefix"] == "uploads/" and not note["lambda_function"]
