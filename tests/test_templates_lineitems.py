"""Every line item compare prices has its resource in the template it prices.

For every bundled scenario × every compute `costplan template` accepts for it (discovered by asking it,
so a pattern that gains an ECS emitter is walked from then on), take the compare option of that compute
and find each line item in the emitted CloudFormation and Terraform: a resource of the type that bills
it (and for a stage's compute and logs, the resource of that stage), or one header comment
"Expects an existing <what>: priced as <price_key> (<resource>)" naming the input resource that bills it.
Nothing else is accepted."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from costplan.compute.compare import compare as REAL_COMPARE
from costplan.errors import CostplanError
from costplan.scenario import load
from costplan.templates.build import pascal, snake
from costplan.templates.patterns import COMPUTES

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("scenarios/*.yaml"),
                                                   *ROOT.glob("scenarios/alternatives/*.yaml")])
EXPECTS = re.compile(r"Expects an existing (?P<what>.+?): priced as (?P<items>.+)$", re.M)

# price key (prefix) → (CloudFormation types, Terraform types) of the resources that bill it. The first
# matching row wins; a key no row matches fails the test (add its row).
FRONT_DOOR = ({"AWS::ApiGatewayV2::Api", "AWS::ApiGateway::RestApi", "AWS::Lambda::Url",
               "AWS::ElasticLoadBalancingV2::LoadBalancer"},
              {"aws_apigatewayv2_api", "aws_api_gateway_rest_api", "aws_lambda_function_url", "aws_lb"})
TYPES = [
    ("alb.", {"AWS::ElasticLoadBalancingV2::LoadBalancer"}, {"aws_lb"}),
    ("apigateway.http_", {"AWS::ApiGatewayV2::Api"}, {"aws_apigatewayv2_api"}),
    ("apigateway.rest_", {"AWS::ApiGateway::RestApi"}, {"aws_api_gateway_rest_api"}),
    ("apigateway.websocket_", {"AWS::ApiGatewayV2::Api"}, {"aws_apigatewayv2_api"}),
    ("data_transfer.out_internet", *FRONT_DOOR),  # responses leave through the front door
    ("dynamodb.stream_", {"AWS::DynamoDB::Table"}, {"aws_dynamodb_table"}),
    ("dynamodb.", {"AWS::DynamoDB::Table"}, {"aws_dynamodb_table"}),
    ("ebs.gp3", {"AWS::EC2::LaunchTemplate"}, {"aws_launch_template"}),
    ("ec2.", {"AWS::AutoScaling::AutoScalingGroup"}, {"aws_autoscaling_group"}),
    ("eventbridge.scheduler_", {"AWS::Scheduler::Schedule"}, {"aws_scheduler_schedule"}),
    ("eventbridge.pipes_", {"AWS::Pipes::Pipe"}, {"aws_pipes_pipe"}),
    ("eventbridge.custom_events", {"AWS::Events::EventBus"}, {"aws_cloudwatch_event_bus"}),
    ("eventbridge.api_destination", {"AWS::Events::ApiDestination"}, {"aws_cloudwatch_event_api_destination"}),
    ("glue.", {"AWS::Glue::Job"}, {"aws_glue_job"}),
    # the broker is AWS's; what the template deploys for its devices' connections and messages is the
    # device policy (and authorizer) they connect with, and the rule for rules and actions
    ("iot.rules_triggered", {"AWS::IoT::TopicRule"}, {"aws_iot_topic_rule"}),
    ("iot.actions", {"AWS::IoT::TopicRule"}, {"aws_iot_topic_rule"}),
    ("iot.", {"AWS::IoT::Policy", "AWS::IoT::Authorizer"}, {"aws_iot_policy", "aws_iot_authorizer"}),
    ("s3.", {"AWS::S3::Bucket"}, {"aws_s3_bucket"}),
    ("sns.requests", {"AWS::SNS::Topic"}, {"aws_sns_topic"}),
    ("sns.fifo_publish", {"AWS::SNS::Topic"}, {"aws_sns_topic"}),
    ("sns.", {"AWS::SNS::Subscription"}, {"aws_sns_topic_subscription"}),
    ("sqs.", {"AWS::SQS::Queue"}, {"aws_sqs_queue"}),
    ("stepfunctions.", {"AWS::StepFunctions::StateMachine"}, {"aws_sfn_state_machine"}),
]


@lru_cache(maxsize=None)
def _scenario(path):
    return load(str(ROOT / path))


@lru_cache(maxsize=None)
def _comparison(path):
    return REAL_COMPARE(_scenario(path))


def _option(path, compute):
    return _comparison(path).option(compute)


@lru_cache(maxsize=None)
def _rendered(path: str, compute: str):
    """(CloudFormation dict, CloudFormation text, Terraform blocks, Terraform text), or the refusal."""
    from costplan.templates import cfn
    from costplan.templates.render import build_for, header, terraform_files

    import costplan.compute.compare as cmp

    sc = _scenario(path)
    real = REAL_COMPARE
    # compare is deterministic: the template's sizing and the walk read one comparison per scenario
    cmp.compare = lambda s, *a, **k: _comparison(path) if s is sc and not a and not k else real(s, *a, **k)
    try:  # one build gives both formats; the files are written from it as `template` writes them
        b, resolved = build_for(sc, compute)
    except CostplanError as e:
        return str(e)
    finally:
        cmp.compare = real
    cfn_text = cfn.dumps(b.cfn_dict(), header(b, sc, resolved, "cloudformation"))
    tf_text = "\n".join(terraform_files(b, header(b, sc, resolved, "terraform"), sc.region).values())
    return cfn.to_json_ready(b.cfn_dict()), cfn_text, [blk.labels for blk in b.tf.resources], tf_text


def pairs():
    """(scenario, compute) for every compute `template` accepts: asked, not listed here."""
    out = []
    for path in FILES:
        for compute in COMPUTES:
            if compute != "auto" and not isinstance(_rendered(path, compute), str):
                out.append((path, compute))
    return out


def _expected(text: str) -> set[str]:
    items = set()
    for m in EXPECTS.finditer(text):
        items |= {i.strip() for i in m.group("items").split(";")}
    return items


def _stage_ids(resource: str) -> tuple[str, str]:
    cid = pascal(resource)
    return cid, snake(cid)


def find(item, tpl: dict, tf_labels: list) -> tuple[list[str], list[str]]:
    """The CloudFormation logical ids and Terraform addresses that bill this line item."""
    res = tpl.get("Resources", {})
    key, owner = item.price_key, item.resource

    def cfn(types, pred=lambda rid, r: True):
        return [rid for rid, r in res.items() if r["Type"] in types and pred(rid, r.get("Properties", {}))]

    def tf(types, prefix=""):
        return [f"{t}.{n}" for t, n, *_ in tf_labels if t in types and n.startswith(prefix)]

    if key.startswith("lambda."):  # the stage's function
        cid, name = _stage_ids(owner)
        return (cfn({"AWS::Lambda::Function"}, lambda rid, p: rid == cid),
                [a for a in tf({"aws_lambda_function"}) if a == f"aws_lambda_function.{name}"])
    if key.startswith("fargate."):  # the stage's service on Fargate
        cid, name = _stage_ids(owner)
        return (cfn({"AWS::ECS::Service"}, lambda rid, p: rid.startswith(cid) and p.get("LaunchType") == "FARGATE"),
                tf({"aws_ecs_service"}, name))
    if key.startswith("cloudwatch_logs."):  # the stage's log group ("<stage> logs")
        cid, name = _stage_ids(owner.removesuffix(" logs"))
        return (cfn({"AWS::Logs::LogGroup"}, lambda rid, p: rid.startswith(cid)),
                tf({"aws_cloudwatch_log_group"}, name))
    if key.startswith("ec2."):  # the cluster's instances, of the type compare priced
        itype = key.removeprefix("ec2.")
        lts = cfn({"AWS::EC2::LaunchTemplate"},
                  lambda rid, p: p["LaunchTemplateData"].get("InstanceType") == itype)
        return (cfn({"AWS::AutoScaling::AutoScalingGroup"}) if lts else [],
                tf({"aws_autoscaling_group"}) if lts else [])
    if key == "vpc.public_ipv4_hours" and owner == "load balancer":
        return (cfn({"AWS::ElasticLoadBalancingV2::LoadBalancer"}, lambda rid, p: p.get("Scheme") == "internet-facing"),
                tf({"aws_lb"}))
    if key == "vpc.public_ipv4_hours" and owner == "network":  # the Fargate tasks' own addresses
        public = cfn({"AWS::ECS::Service"}, lambda rid, p: p.get("NetworkConfiguration", {})
                     .get("AwsvpcConfiguration", {}).get("AssignPublicIp") == "ENABLED")
        return public, [f"aws_ecs_service.{snake(rid)}" for rid in public
                        if ("aws_ecs_service", snake(rid)) in {tuple(lab[:2]) for lab in tf_labels}]
    for prefix, cfn_types, tf_types in TYPES:
        if key.startswith(prefix):
            pred = lambda rid, p: True  # noqa: E731
            if key == "sqs.fifo_requests":
                pred = lambda rid, p: bool(p.get("FifoQueue"))  # noqa: E731
            elif key.startswith("dynamodb.stream_"):
                pred = lambda rid, p: "StreamSpecification" in p  # noqa: E731
            elif key == "dynamodb.ttl_deletes":
                pred = lambda rid, p: "TimeToLiveSpecification" in p  # noqa: E731
            return cfn(cfn_types, pred), tf(tf_types)
    return [], []


PAIRS = pairs()


def test_the_walk_covers_every_compute_template_accepts():
    """Lambda for every scenario, and ECS wherever template emits it; a refusal says why."""
    computes = {}
    for path, compute in PAIRS:
        computes.setdefault(path, set()).add(compute)
    assert set(computes) == set(FILES)
    assert all("lambda" in c for c in computes.values())
    assert sum("fargate" in c for c in computes.values()) >= 5
    for path in FILES:
        for compute in ("fargate", "ec2"):
            why = _rendered(path, compute)
            if isinstance(why, str):
                assert "ECS" in why or "ecs" in why, why


@pytest.mark.parametrize("path,compute", PAIRS, ids=[f"{Path(p).stem}-{c}" for p, c in PAIRS])
def test_every_priced_line_item_has_its_resource(path, compute):
    tpl, cfn_text, tf_labels, tf_text = _rendered(path, compute)
    option = _option(path, compute)
    assert option is not None and option.line_items
    expected_cfn, expected_tf = _expected(cfn_text), _expected(tf_text)
    missing = []
    for item in option.line_items:
        label = f"{item.price_key} ({item.resource})"
        in_cfn, in_tf = find(item, tpl, tf_labels)
        cfn_ok = bool(in_cfn) or label in expected_cfn
        tf_ok = bool(in_tf) or label in expected_tf
        if not (cfn_ok and tf_ok):
            missing.append(f"{label} {item.name}: " + ", ".join(
                w for w, ok in (("CloudFormation", cfn_ok), ("Terraform", tf_ok)) if not ok))
    assert not missing, f"{path} --compute {compute}: priced but not in the template:\n" + "\n".join(missing)


def test_an_expects_comment_names_only_what_the_template_does_not_create():
    """The comment is the exception: an item the template creates is not also 'expected'."""
    seen = 0
    for path, compute in PAIRS:
        tpl, cfn_text, tf_labels, tf_text = _rendered(path, compute)
        expected = _expected(cfn_text)
        assert expected == _expected(tf_text), (path, compute)
        for item in _option(path, compute).line_items:
            label = f"{item.price_key} ({item.resource})"
            if label in expected:
                seen += 1
                assert find(item, tpl, tf_labels) == ([], []), f"{label} is created and also 'expected'"
    assert seen, "no bundled scenario prices an input resource: the comment path is untested"


def test_the_walk_fails_when_a_priced_resource_is_dropped():
    """Take a priced table out of a rendered template: the walk no longer finds it."""
    path = "scenarios/alternatives/global_vote_direct.yaml"
    tpl, cfn_text, tf_labels, tf_text = _rendered(path, "lambda")
    item = next(i for i in _option(path, "lambda").line_items if i.price_key.startswith("dynamodb."))
    assert find(item, tpl, tf_labels) != ([], [])
    stripped = {"Resources": {k: v for k, v in tpl["Resources"].items() if v["Type"] != "AWS::DynamoDB::Table"}}
    assert find(item, stripped, [lab for lab in tf_labels if lab[0] != "aws_dynamodb_table"]) == ([], [])


# ---- limits-check FAILs and WARNs → alarms ------------------------------------------------------------

@lru_cache(maxsize=None)
def _findings(path: str, compute: str):
    import costplan.compute.compare as cmp
    from costplan.patterns import plan as make_plan
    from costplan.templates.render import limit_findings

    sc = _scenario(path)
    real = REAL_COMPARE
    cmp.compare = lambda s, *a, **k: _comparison(path) if s is sc and not a and not k else real(s, *a, **k)
    try:
        return limit_findings(sc, make_plan(sc), compute)
    finally:
        cmp.compare = real


def _alarm_for(tpl: dict, check: str) -> list[dict]:
    return [r["Properties"] for r in tpl["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
            and f"limits-check {check}" in r["Properties"]["AlarmDescription"]]


def test_every_fail_and_warn_with_a_metric_has_an_alarm():
    """Each FAIL/WARN limits-check finds for the deployed design: an alarm naming the check, notifying the
    alarms topic, or the check is one NO_METRIC explains. A check in neither fails here (map it)."""
    from costplan.templates.limit_alarms import ABOUT, METRICS, NO_METRIC

    assert set(ABOUT) == set(METRICS) and not set(METRICS) & set(NO_METRIC)
    alarmed, missing = 0, []
    for path, compute in PAIRS:
        tpl = _rendered(path, compute)[0]
        types = {r["Type"] for r in tpl["Resources"].values()}
        for f in _findings(path, compute):
            if f.status not in ("fail", "warn") or f.design not in ("", compute):
                continue
            if f.check in NO_METRIC:
                continue
            if f.check not in METRICS:
                missing.append(f"{path} {compute}: {f.check} {f.status} has no alarm mapping and no NO_METRIC reason")
                continue
            if not ABOUT[f.check] & types:
                continue  # this design has nothing the metric is about (an ALB instead of API Gateway)
            alarms = _alarm_for(tpl, f.check)
            if not alarms:
                missing.append(f"{path} {compute}: {f.check} {f.status} ({f.subject}) has no alarm")
                continue
            alarmed += 1
            for a in alarms:
                assert a["AlarmActions"] == [{"Ref": "AlarmsTopic"}], a
    assert not missing, "\n".join(missing)
    assert alarmed >= 15  # measured: the bundled scenarios' FAILs/WARNs with a metric


def test_limit_alarm_thresholds_come_from_the_quota():
    """global_vote_direct on Lambda: 1,500 concurrent against the 1,000 quota alarms at 800; its 25,000
    rps against API Gateway's 10,000 at 8,000/s (480,000 a minute); soccer's IoT outbound 20,000/s at
    960,000 a minute on PublishOut.Success."""
    tpl = _rendered("scenarios/alternatives/global_vote_direct.yaml", "lambda")[0]
    (conc,) = _alarm_for(tpl, "LAMBDA-CONCURRENCY")
    assert (conc["MetricName"], conc["Threshold"], conc["Dimensions"]) == ("ConcurrentExecutions", 800, [])
    (api,) = _alarm_for(tpl, "APIGW-RPS")
    assert (api["MetricName"], api["Threshold"], api["Statistic"], api["Period"]) == ("Count", 480000, "Sum", 60)
    assert api["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    throttles = _alarm_for(tpl, "DYNAMODB-HOT-KEY")
    assert [a["MetricName"] for a in throttles] == ["WriteThrottleEvents"]
    iot = _alarm_for(_rendered("scenarios/soccer_events_mqtt.yaml", "lambda")[0], "IOT-PUBLISH-RATE")
    assert [(a["Namespace"], a["MetricName"], a["Threshold"]) for a in iot] == [("AWS/IoT", "PublishOut.Success", 960000)]
    fargate = _alarm_for(_rendered("scenarios/steady_heavy_api.yaml", "fargate")[0], "FARGATE-VCPU")
    assert [(a["Namespace"], a["Threshold"]) for a in fargate] == [("AWS/Usage", 4.8)]  # 80 % of 6 vCPU


def test_no_alarm_for_a_limit_the_plan_does_not_reach():
    """steady_heavy_api on Lambda passes every check: no limits-check alarm."""
    tpl = _rendered("scenarios/steady_heavy_api.yaml", "lambda")[0]
    assert not [r for r in tpl["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
                and "limits-check" in r["Properties"]["AlarmDescription"]]


def test_a_priced_nat_gateway_is_named_as_expected(tmp_path):
    """steady_heavy_api on Fargate in private subnets behind 2 NAT gateways (no task IPv4): compare prices
    the NATs, their data and addresses; the template takes the VPC as an input and names them, in both
    formats, so the walk accepts every line."""
    import yaml

    from costplan.compute.compare import compare
    from costplan.templates.render import build_for, header

    doc = yaml.safe_load((ROOT / "scenarios/steady_heavy_api.yaml").read_text())
    doc.setdefault("ecs", {}).update({"nat_gateways": 2, "public_ipv4": False})
    path = tmp_path / "nat.yaml"
    path.write_text(yaml.safe_dump(doc))
    sc = load(str(path))
    items = {f"{i.price_key} ({i.resource})" for i in compare(sc).option("fargate").line_items}
    nat = {"vpc.nat_gateway_hours (network)", "vpc.nat_gateway_data (network)", "vpc.public_ipv4_hours (NAT gateway)"}
    assert nat <= items and "vpc.public_ipv4_hours (network)" not in items
    b, _ = build_for(sc, "fargate")
    for fmt in ("cloudformation", "terraform"):
        assert nat <= _expected(header(b, sc, "fargate", fmt))
