"""costplan's own template rules: each is broken on purpose in a built template and reports exactly one
line; plus the serialisers, the schedule grammar, and how the command writes files."""
from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from costplan.scenario import load
from costplan.templates import cfn, hcl, rules
from costplan.templates.model import Blocks, C, Call, Expr, GetAtt, Ref, Sub, TfBlock
from costplan.templates.render import build_for, render

SCEN = Path(__file__).resolve().parent.parent / "scenarios"

_CACHE: dict = {}


def built(name: str, compute: str = "lambda", **settings) -> tuple[dict, dict]:
    """(long-form CloudFormation dict, plan facts) for a bundled scenario (with `settings` overridden),
    built once per test run."""
    key = (name, compute, tuple(sorted(settings.items())))
    if key not in _CACHE:
        from tests.test_templates_validate import scenario

        sc = scenario(name)  # shared: compared once for every compute
        if settings:
            sc = sc.model_copy(update={"settings": {**sc.settings, **settings}})
        b, _ = build_for(sc, compute)
        from costplan.patterns import plan

        _CACHE[key] = (cfn.to_json_ready(b.cfn_dict()), plan(sc).facts)
    tpl, facts = _CACHE[key]
    return copy.deepcopy(tpl), facts


def props(t, rid):
    return t["Resources"][rid]["Properties"]


def mapping(t, fn):
    return next(r["Properties"] for r in t["Resources"].values()
                if r["Type"] == "AWS::Lambda::EventSourceMapping" and fn in str(r["Properties"]["FunctionName"]))


@pytest.mark.parametrize("name", sorted(p.stem for p in SCEN.glob("*.yaml")))
@pytest.mark.parametrize("compute", ["lambda", "fargate", "ec2"])
def test_every_bundled_template_passes_the_rules(name, compute):
    from costplan.errors import CostplanError
    from costplan.patterns import plan
    from costplan.templates.patterns import ecs_refusal

    if compute != "lambda" and ecs_refusal(plan(load(SCEN / f"{name}.yaml"))):
        with pytest.raises(CostplanError, match="has no ECS design"):  # refused, never relabelled
            built(name, compute)
        return
    t, facts = built(name, compute)
    assert rules.check(t, facts) == []


def test_cp101_visibility_below_six_timeouts_plus_window():
    t, f = built("global_vote")
    props(t, "Queue")["VisibilityTimeout"] = 18  # the plan's 6 x 3 s forgot the 1 s batching window
    assert rules.check(t, f) == ["CP101 Queue: VisibilityTimeout 18 s < 6 x 3 s timeout of Consumer + 1 s "
                                 "batching window = 19 s"]


def test_cp102_maximum_concurrency_range_and_reserved():
    t, f = built("global_vote")
    mapping(t, "Consumer")["ScalingConfig"]["MaximumConcurrency"] = 1
    assert rules.check(t, f) == ["CP102 ConsumerQueueMapping: MaximumConcurrency 1 is outside 2-1000"]
    t, f = built("global_vote")
    props(t, "Consumer")["ReservedConcurrentExecutions"] = 10
    assert rules.check(t, f) == ["CP102 ConsumerQueueMapping: MaximumConcurrency 25 > reserved concurrency 10 "
                                 "of Consumer"]


def test_cp103_big_standard_batch_needs_a_window():
    t, f = built("global_vote")
    del mapping(t, "Consumer")["MaximumBatchingWindowInSeconds"]
    assert rules.check(t, f) == ["CP103 ConsumerQueueMapping: BatchSize 100 > 10 on a standard queue needs "
                                 "MaximumBatchingWindowInSeconds"]


def test_cp104_fifo_dlq_batch_and_window():
    t, f = built("order_ledger_convoy")
    del props(t, "LedgerFifoQueueDlq")["FifoQueue"]
    assert rules.check(t, f) == ["CP104 LedgerFifoQueue: a FIFO queue needs a FIFO dead-letter queue "
                                 "(LedgerFifoQueueDlq is standard)"]
    t, f = built("order_ledger_convoy")
    m = mapping(t, "Processor")
    m["BatchSize"] = 20
    m["MaximumBatchingWindowInSeconds"] = 0  # even 0: FIFO mappings reject the property
    assert rules.check(t, f) == ["CP104 ProcessorTransactionsFifoQueueMapping: BatchSize 20 > 10 on a FIFO queue",
                                 "CP104 ProcessorTransactionsFifoQueueMapping: FIFO queues do not support "
                                 "MaximumBatchingWindowInSeconds"]


@pytest.mark.parametrize("name, permission, line", [
    ("user_registration_fanout", "SubscriberMailingSnsPermission",
     "CP201 SubscriberMailing: invoked by sns (Topic) without a Lambda::Permission for sns.amazonaws.com with SourceArn"),
    ("soccer_events_mqtt", "PublisherKeyEventsRulePermission",
     "CP201 Publisher: invoked by iot (KeyEventsRule) without a Lambda::Permission for iot.amazonaws.com with SourceArn"),
    ("periodic_light_api", None, None),
])
def test_cp201_push_source_needs_permission_with_source_arn(name, permission, line):
    t, f = built(name)
    if permission is None:
        return
    del props(t, permission)["SourceArn"]
    assert rules.check(t, f) == [line]


def test_cp201_eventbridge_and_api_gateway():
    t, f = built("stock_explorer_websocket")
    t["Resources"].pop("ConnectionHandlersWebSocketApiPermission")
    assert rules.check(t, f) == ["CP201 ConnectionHandlers: invoked by apigateway (WebSocketApi) without a "
                                 "Lambda::Permission for apigateway.amazonaws.com with SourceArn"] * 3


def test_cp201_rest_api_methods_need_the_permission_too():
    t, f = built("steady_heavy_api", api="rest")
    assert rules.check(t, f) == []
    t["Resources"].pop("ApiRestApiPermission")
    # ANY / and ANY /{proxy+} both invoke the function
    assert rules.check(t, f) == ["CP201 Api: invoked by apigateway (RestApi) without a Lambda::Permission for "
                                 "apigateway.amazonaws.com with SourceArn"] * 2


def test_cp202_s3_notification_through_getatt_is_a_cycle():
    t, f = built("avatar_resize_claim_check")
    props(t, "ResizerS3Permission")["SourceArn"] = {"Fn::GetAtt": ["UploadsBucket", "Arn"]}
    out = rules.check(t, f)
    assert out == ["CP202 ResizerS3Permission: dependency cycle ResizerS3Permission -> UploadsBucket -> "
                   "ResizerS3Permission"]


def test_cp203_claim_check_output_under_trigger_prefix_and_loop_guard():
    t, f = built("avatar_resize_claim_check")
    env = props(t, "Resizer")["Environment"]["Variables"]
    env["OUTPUT_BUCKET"] = {"Ref": "UploadsBucketName"}
    env["OUTPUT_PREFIX"] = "uploads/resized/"
    del props(t, "Resizer")["RecursiveLoop"]
    assert rules.check(t, f) == [
        "CP203 Resizer: writes under 'uploads/resized/' in UploadsBucket, inside the trigger prefix 'uploads/' "
        "(recursive trigger)",
        "CP203 Resizer: S3-triggered function without RecursiveLoop: Terminate"]


def test_cp301_cp302_stream_position_and_ttl_attribute():
    t, f = built("account_bans_ttl")
    del mapping(t, "ExpiryHandler")["StartingPosition"]
    props(t, "TimersTable")["TimeToLiveSpecification"]["AttributeName"] = "ttl"
    assert rules.check(t, f) == ["CP301 ExpiryHandlerStreamMapping: DynamoDB stream mapping without StartingPosition",
                                 "CP302 Table: no table has TTL enabled on the plan's attribute 'expires_at'"]


@pytest.mark.parametrize("expr, problem", [
    ("rate(1 minute)", None),
    ("rate(5 minutes)", None),
    ("rate(5 minute)", "'rate(5 minute)': use the singular unit only for 1 (rate(1 minute), rate(5 minutes))"),
    ("rate(1 hours)", "'rate(1 hours)': use the singular unit only for 1 (rate(1 hour), rate(1 hours))"),
    ("rate(0 minutes)", "'rate(0 minutes)': the value must be at least 1"),
    ("rate(5 seconds)", "'rate(5 seconds)' is not rate(<n> <unit>)"),
    ("cron(0 2 1 * ? *)", None),
    ("cron(0 2 1 * *)", "'cron(0 2 1 * *)': cron needs 6 fields (minutes hours day-of-month month day-of-week "
                        "year), got 5"),
    ("cron(0 2 ? * ? *)", "'cron(0 2 ? * ? *)': exactly one of day-of-month and day-of-week must be ?"),
    ("cron(0 2 1 * MON *)", "'cron(0 2 1 * MON *)': exactly one of day-of-month and day-of-week must be ?"),
    ("every day", "'every day' is neither rate(...) nor cron(...)"),
])
def test_cp401_schedule_grammar(expr, problem):
    assert rules.schedule_problem(expr) == problem


def test_cp401_in_a_template():
    t, f = built("monthly_invoicing_cron")
    props(t, "Schedule")["ScheduleExpression"] = "rate(5 minute)"
    assert rules.check(t, f) == ["CP401 Schedule: 'rate(5 minute)': use the singular unit only for 1 "
                                 "(rate(1 minute), rate(5 minutes))"]


def _definition(t, sm):
    import json

    return json.loads(props(t, sm)["DefinitionString"]["Fn::Sub"])


def _set_definition(t, sm, d):
    import json

    props(t, sm)["DefinitionString"]["Fn::Sub"] = json.dumps(d)


def test_cp501_dangling_next_and_start():
    t, f = built("qa_db_refresh_pipeline")
    d = _definition(t, "Pipeline")
    d["States"]["Restore"]["Next"] = "Sanitize"  # the state is "Sanitise"
    d["StartAt"] = "Begin"
    _set_definition(t, "Pipeline", d)
    assert rules.check(t, f) == ["CP501 Pipeline: StartAt 'Begin' is not a state",
                                 "CP501 Pipeline: state 'Restore' goes to 'Sanitize', which does not exist"]


def test_cp502_role_grants_exactly_the_invoked_arns():
    t, f = built("qa_db_refresh_pipeline")
    stmts = props(t, "PipelineRole")["Policies"][0]["PolicyDocument"]["Statement"]
    glue = next(s for s in stmts if "glue:StartJobRun" in s["Action"])
    glue["Action"] = ["glue:GetJobRun", "glue:StartJobRun"]
    assert rules.check(t, f) == [
        "CP502 Pipeline: a Glue .sync task needs ['glue:BatchStopJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', "
        "'glue:StartJobRun']; role has ['glue:GetJobRun', 'glue:StartJobRun']"]
    t, f = built("qa_db_refresh_pipeline")
    stmts = props(t, "PipelineRole")["Policies"][0]["PolicyDocument"]["Statement"]
    lam = next(s for s in stmts if s["Action"] == "lambda:InvokeFunction")
    lam["Resource"] = [lam["Resource"], {"Fn::GetAtt": ["FilterSeedFixturesLogs", "Arn"]}]
    assert rules.check(t, f) == [
        "CP502 Pipeline: role grants ['DumpJob', 'FilterSeedFixtures', 'FilterSeedFixturesLogs', 'RestoreJob', "
        "'SanitiseJob'] but the states invoke ['DumpJob', 'FilterSeedFixtures', 'RestoreJob', 'SanitiseJob']"]


def test_cp601_fargate_pairs():
    t, f = built("steady_heavy_api", "fargate")
    cpu = props(t, "ApiTaskDefinition")["Cpu"]  # the size compare chose
    props(t, "ApiTaskDefinition")["Memory"] = "3000"
    assert rules.check(t, f) == [f"CP601 ApiTaskDefinition: Cpu {cpu} / Memory 3000 is not a Fargate size"]


def test_cp701_physical_names():
    t, f = built("global_vote")
    props(t, "Queue")["QueueName"] = "votes"
    props(t, "ResultsTable")["TableName"] = {"Fn::Sub": "${AWS::StackName}-results"}  # per stack: allowed
    assert rules.check(t, f) == ["CP701 Queue: hard-coded QueueName 'votes' (a second deploy in the account collides)"]


def test_cp702_wildcard_actions_and_resources():
    t, f = built("global_vote")
    stmts = props(t, "ConsumerRole")["Policies"][0]["PolicyDocument"]["Statement"]
    stmts.append({"Effect": "Allow", "Action": "logs:*", "Resource": "*"})
    stmts.append({"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"})  # AWS requires *
    assert rules.check(t, f) == ["CP702 ConsumerRole: wildcard action 'logs:*'",
                                 "CP702 ConsumerRole: Resource '*' for ['logs:*'] (AWS does not require it)"]


def test_cp703_encryption_and_public_access():
    t, f = built("avatar_resize_claim_check")
    props(t, "OutputBucket")["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] = False
    t2, f2 = built("user_registration_fanout")
    del props(t2, "Topic")["KmsMasterKeyId"]
    assert rules.check(t, f) == ["CP703 OutputBucket: bucket without all four PublicAccessBlockConfiguration "
                                 "settings true"]
    assert rules.check(t2, f2) == ["CP703 Topic: topic without KmsMasterKeyId"]


def test_every_rule_is_listed_and_exercised():
    text = Path(__file__).read_text()
    for rid in rules.RULES:
        assert f'"{rid} ' in text, rid


def test_terraform_dangling_reference():
    text = hcl.dumps([TfBlock("resource", ("aws_sqs_queue", "work"), {}),
                      TfBlock("resource", ("aws_lambda_event_source_mapping", "m"), {
                          "event_source_arn": Expr("aws_sqs_queue.wrok.arn"), "function_name": "${var.fn}"})])
    assert rules.dangling_references(text) == [
        "TF001 aws_sqs_queue.wrok: reference to an undeclared resource or variable",
        "TF001 var.fn: reference to an undeclared resource or variable"]


# ---- serialisers ---------------------------------------------------------------------------------------

def test_cfn_writer_tags_comments_and_quoting():
    text = cfn.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {
        "VisibilityTimeout": C(19, "rule CP101"), "Tags": [{"Key": "yes", "Value": "0123"}],
        "A": Ref("X"), "B": GetAtt("Q", "Arn"), "S": Sub("${AWS::StackName}-q"),
        "D": Sub("{\n  \"a\": \"${X.Arn}\"\n}\n")}}}})
    assert text == (
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 19  # rule CP101\n"
        "      Tags:\n        - Key: \"yes\"\n          Value: \"0123\"\n      A: !Ref X\n      B: !GetAtt Q.Arn\n"
        "      S: !Sub \"${AWS::StackName}-q\"\n      D: !Sub |\n        {\n          \"a\": \"${X.Arn}\"\n        }\n")
    import yaml

    class L(yaml.SafeLoader):
        pass

    L.add_multi_constructor("!", lambda loader, tag, node: {tag: loader.construct_scalar(node)})
    assert yaml.load(text, L)["Resources"]["Q"]["Properties"]["Tags"] == [{"Key": "yes", "Value": "0123"}]


def test_hcl_writer_aligns_like_terraform_fmt_and_parses_back():
    import hcl2

    text = hcl.dumps([TfBlock("resource", ("aws_sqs_queue", "q"), {
        "visibility_timeout_seconds": C(19, "rule CP101"), "fifo_queue": True,
        "name": "${var.name_prefix}-q.fifo", "policy": Call("jsonencode", {"a": Expr("var.x")}),
        "timeouts": Blocks([{"create": "1m"}])})])
    assert text == ('resource "aws_sqs_queue" "q" {\n  # rule CP101\n  visibility_timeout_seconds = 19\n'
                    '  fifo_queue                 = true\n  name                       = "${var.name_prefix}-q.fifo"\n'
                    '  policy = jsonencode({\n    a = var.x\n  })\n\n  timeouts {\n    create = "1m"\n  }\n}\n')
    parsed = hcl2.loads(text)
    body = parsed["resource"][0]['"aws_sqs_queue"']['"q"']
    assert body["visibility_timeout_seconds"] == 19


# ---- writing -----------------------------------------------------------------------------------------

def test_write_refuses_a_non_empty_directory_without_force(tmp_path, cli):
    out = tmp_path / "tpl"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, stdout, stderr = cli("template", str(SCEN / "global_vote.yaml"), "--format", "terraform", "--out", str(out))
    assert code == 2
    assert stderr.strip() == f"error: {out}: directory is not empty; use --force to write into it"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    code, stdout, stderr = cli("template", str(SCEN / "global_vote.yaml"), "--format", "terraform", "--out", str(out),
                               "--force")
    assert code == 0, stderr
    assert (out / "notes.txt").read_text() == "mine"
    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf"} <= {p.name for p in out.iterdir()}
    assert (out / "src" / "consumer" / "handler.py").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tpl.")]  # temp dir cleaned up


def test_write_is_atomic_nothing_lands_when_a_write_fails(tmp_path, monkeypatch):
    from costplan.templates import write

    out = tmp_path / "tpl"
    real = os.replace
    calls = []

    def failing(src, dst):
        calls.append(dst)
        raise OSError("disk full")

    monkeypatch.setattr(write.os, "replace", failing)
    with pytest.raises(OSError):
        write.write_tree(out, {"a.tf": "x", "src/f/handler.py": "y"})
    monkeypatch.setattr(write.os, "replace", real)
    # every file was written to the temporary directory first; nothing was half-written in place
    assert calls and not (out / "a.tf").exists() and not (out / "src").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tpl.")]


def test_cli_reports_one_line_per_violation(tmp_path, cli, monkeypatch):
    monkeypatch.setattr(rules, "check", lambda t, f=None: ["CP101 Queue: one", "CP702 Role: two"])
    code, _, stderr = cli("template", str(SCEN / "global_vote.yaml"), "--out", str(tmp_path / "x"))
    assert code == 2
    assert stderr.splitlines() == ["error: CP101 Queue: one", "error: CP702 Role: two"]
    assert not (tmp_path / "x").exists()


def test_render_checks_against_the_plans_facts(monkeypatch):
    from costplan.templates import components

    real = components.table
    monkeypatch.setattr(components, "table", lambda b, cid, **kw: real(b, cid, **dict(kw, ttl="ttl") if kw.get("ttl")
                                                                           else kw))
    with pytest.raises(Exception) as e:
        render(load(SCEN / "account_bans_ttl.yaml"), "terraform", "lambda")
    assert str(e.value) == "CP302 Table: no table has TTL enabled on the plan's attribute 'expires_at'"


def test_cli_ec2_writes_an_ecs_service_on_an_ec2_capacity_provider(tmp_path, cli):
    code, stdout, _ = cli("template", str(SCEN / "steady_heavy_api.yaml"), "--compute", "ec2",
                          "--format", "cloudformation", "--out", str(tmp_path / "x"))
    assert code == 0 and "compute ec2" in stdout
    assert (tmp_path / "x" / "template.yaml").exists()


def test_ec2_uses_compares_cluster_sizing_and_the_capacity_provider():
    from costplan.compute.compare import compare

    sc = load(SCEN / "steady_heavy_api.yaml")
    cluster = compare(sc).option("ec2").sizing["cluster"]
    t, _ = built("steady_heavy_api", "ec2")
    res = t["Resources"]
    ami = t["Parameters"]["EcsAmiId"]
    assert ami["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    from costplan.services.ec2 import instance_spec

    assert instance_spec(cluster["instance_type"])[2] == "arm64"  # the scenario's tasks are arm64
    assert ami["Default"] == "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
    lt = props(t, "Ec2LaunchTemplate")["LaunchTemplateData"]
    assert lt["InstanceType"] == cluster["instance_type"]
    assert lt["MetadataOptions"]["HttpTokens"] == "required"
    assert lt["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    assert "ECS_CLUSTER=${Cluster}" in lt["UserData"]["Fn::Base64"]["Fn::Sub"]
    asg = props(t, "Ec2AutoScalingGroup")
    # max: room for a rolling deploy (MaximumPercent 200) at the peak
    assert (asg["MinSize"], asg["MaxSize"]) == (str(cluster["instances_min"]), str(2 * cluster["instances_peak"]))
    assert asg["VPCZoneIdentifier"] == {"Ref": "SubnetIds"}
    role = props(t, "Ec2InstanceRole")
    assert role["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"}]
    assert "Policies" not in role
    assert props(t, "Ec2CapacityProvider")["AutoScalingGroupProvider"]["ManagedScaling"]["Status"] == "ENABLED"
    assert props(t, "ClusterCapacityProviders")["CapacityProviders"] == [{"Ref": "Ec2CapacityProvider"}]
    td = props(t, "ApiTaskDefinition")
    assert td["RequiresCompatibilities"] == ["EC2"] and td["NetworkMode"] == "awsvpc"
    svc = res["ApiService"]
    assert "LaunchType" not in svc["Properties"]
    assert svc["Properties"]["CapacityProviderStrategy"] == [{"CapacityProvider": {"Ref": "Ec2CapacityProvider"},
                                                              "Weight": 1}]
    assert "ClusterCapacityProviders" in svc["DependsOn"]


def test_auto_takes_compare_recommendation():
    from costplan.compute.compare import compare

    sc = load(SCEN / "steady_heavy_api.yaml")
    assert render(sc, "cloudformation", "auto").compute == compare(sc).recommendation == "ec2"
    sc = load(SCEN / "periodic_light_api.yaml")
    assert render(sc, "cloudformation", "auto").compute == "lambda"


def _stage_throttle(t):
    """The stage's rate and burst: template parameters whose defaults are the plan's."""
    stage = next(r["Properties"] for r in t["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Stage")
    return {k: t["Parameters"][v["Ref"]]["Default"] for k, v in stage["DefaultRouteSettings"].items()}


def test_api_throttle_follows_the_accounts_declared_quota():
    # global_vote declares apigateway.account_rps 35,000: the stage may take the peak × 1.2 = 30,000
    t, _ = built("global_vote")
    assert _stage_throttle(t)["ThrottlingRateLimit"] == 30000
    assert _stage_throttle(t)["ThrottlingBurstLimit"] == 5000  # the burst bucket is not requestable


def test_api_throttle_is_capped_at_the_default_account_rate():
    sc = load(SCEN / "global_vote.yaml")
    sc = sc.model_copy(update={"quotas": {}})
    b, _ = build_for(sc, "lambda")
    t = cfn.to_json_ready(b.cfn_dict())
    assert _stage_throttle(t)["ThrottlingRateLimit"] == 10000
