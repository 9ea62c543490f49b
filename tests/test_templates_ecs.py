"""`template --compute fargate|ec2` writes the ECS design compare prices (Plan.ecs_design): a service for
every ECS stage, behind the queue or load balancer compare prices, with least-privilege task roles;
`--compute auto` writes it when compare recommends ECS. Checked on the CloudFormation the session emits
(tests/test_templates_validate.py: every scenario with a Fargate option, on fargate and ec2)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from costplan.scenario import load
from tests.test_templates_validate import EC2_TOO, FARGATE_TOO, NAMES

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
PUSH_FED = ["account_bans_ttl", "avatar_resize_claim_check", "soccer_events_mqtt", "stock_explorer_websocket",
            "user_registration_fanout"]


def _cfn(emitted, name, compute) -> dict:
    from cfnlint.decode import decode_str

    tpl, _ = decode_str(emitted[(name, compute)]["cfn"])
    return json.loads(json.dumps(tpl))


def of(t, typ):
    return {k: r.get("Properties", {}) for k, r in t["Resources"].items() if r["Type"] == typ}


def statements(role: dict) -> list[dict]:
    return [s for p in role.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]


def actions(s: dict) -> set:
    return {s["Action"]} if isinstance(s["Action"], str) else set(s["Action"])


def test_every_scenario_with_a_fargate_option_is_emitted_on_ecs():
    from costplan.templates.patterns import compared
    from tests.test_templates_validate import scenario

    with_fargate = sorted(n for n in NAMES if compared(scenario(n)).option("fargate") is not None)
    # steady_heavy_api's auto is its ECS design (compare recommends ec2): emitted as fargate by the CLI test
    assert with_fargate == sorted(FARGATE_TOO + ["periodic_light_api", "qa_load_test", "steady_heavy_api"])
    assert set(FARGATE_TOO) <= set(EC2_TOO)


@pytest.mark.parametrize("name", FARGATE_TOO)
@pytest.mark.parametrize("compute", ["fargate", "ec2"])
def test_a_service_for_every_ecs_stage_of_the_plan(emitted, name, compute):
    from costplan.patterns import plan

    t = _cfn(emitted, name, compute)
    design = emitted[(name, compute)]["scenario"] and plan(emitted[(name, compute)]["scenario"]).ecs_design
    services = of(t, "AWS::ECS::Service")
    from costplan.templates.build import pascal

    want = {pascal(s.name) + "Service" for s in design.ecs_stages}
    assert set(services) == want
    # no Lambda function does the work of an ECS stage (only stages compare keeps on Lambda stay)
    # (the IoT custom authorizer is one of them: a stage of the plan that the ECS design keeps on Lambda)
    assert set(of(t, "AWS::Lambda::Function")) == {pascal(n) for n in design.on_lambda}
    for svc in services.values():
        if compute == "ec2":
            assert "CapacityProviderStrategy" in svc and "LaunchType" not in svc
        else:
            assert svc["LaunchType"] == "FARGATE"
        assert "DesiredCount" not in svc  # autoscaling owns the running count


@pytest.mark.parametrize("name", PUSH_FED)
def test_each_priced_queue_has_dlq_long_polling_and_a_backlog_scaled_consumer(emitted, name):
    from costplan.patterns import plan

    t = _cfn(emitted, name, "fargate")
    design = plan(load(SCEN / f"{name}.yaml")).ecs_design
    priced = [su.resource for su in design.services if su.service == "sqs"]
    queues = of(t, "AWS::SQS::Queue")
    roles = of(t, "AWS::IAM::Role")
    policies = {k: p for k, p in of(t, "AWS::ApplicationAutoScaling::ScalingPolicy").items()}
    for res in priced:
        qid = "".join(p.capitalize() for p in res.split())  # "mailing queue" -> MailingQueue
        q = queues[qid]
        assert q["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [f"{qid}Dlq", "Arn"]}
        assert q["ReceiveMessageWaitTimeSeconds"] == 20 and q["SqsManagedSseEnabled"] is True
        # exactly one task role consumes it, and only it
        consumers = [k for k, r in roles.items() for s in statements(r)
                     if "sqs:ReceiveMessage" in actions(s) and s["Resource"] == {"Fn::GetAtt": [qid, "Arn"]}]
        assert len(consumers) == 1 and consumers[0].endswith("TaskRole")
        backlog = [p for p in policies.values() if json.dumps(p).count(f'"{qid}"')]
        assert len(backlog) == 1 and backlog[0]["PolicyName"].endswith("-backlog")
        assert of(t, "AWS::CloudWatch::Alarm")[f"{qid}AgeAlarm"] and of(t, "AWS::CloudWatch::Alarm")[f"{qid}DlqAlarm"]
    assert len([q for q in queues if q.endswith("Dlq")]) == len(priced)


def test_pubsub_subscribers_get_a_queue_each_through_a_raw_sns_subscription(emitted):
    t = _cfn(emitted, "user_registration_fanout", "fargate")
    subs = of(t, "AWS::SNS::Subscription")
    assert {s["Protocol"] for s in subs.values()} == {"sqs"} and len(subs) == 3
    assert all(s["RawMessageDelivery"] is True and s["TopicArn"] == {"Ref": "Topic"} for s in subs.values())
    # the plan prices onboarding at 80 % of the events: its subscription filters
    assert subs["SubscriberOnboardingSubscription"]["FilterPolicy"] == {"Ref": "SubscriberOnboardingFilterPolicy"}
    assert "FilterPolicy" not in subs["SubscriberAnalyticsSubscription"]
    for k, p in of(t, "AWS::SQS::QueuePolicy").items():
        if k == "FailedEventsQueuePolicy":
            continue
        (st,) = p["PolicyDocument"]["Statement"]
        assert st["Principal"] == {"Service": "sns.amazonaws.com"} and st["Action"] == "sqs:SendMessage"
        assert st["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "Topic"}}}
    assert not of(t, "AWS::Lambda::Function")


@pytest.mark.parametrize("compute", ["fargate", "ec2"])
def test_websocket_server_sits_behind_a_websocket_friendly_https_alb(emitted, compute):
    from costplan.patterns import plan

    t = _cfn(emitted, "stock_explorer_websocket", compute)
    ws = plan(load(SCEN / "stock_explorer_websocket.yaml")).facts["websocket"]
    (lb,) = of(t, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attrs = {a["Key"]: a["Value"] for a in lb["LoadBalancerAttributes"]}
    assert attrs["idle_timeout.timeout_seconds"] == str(int(ws["idle_s"])) == "600"
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    (tg,) = of(t, "AWS::ElasticLoadBalancingV2::TargetGroup").values()
    tga = {a["Key"]: a["Value"] for a in tg["TargetGroupAttributes"]}
    assert tga == {"stickiness.enabled": "true", "stickiness.type": "lb_cookie",
                   "stickiness.lb_cookie.duration_seconds": str(int(ws["session_s"]))}
    listeners = of(t, "AWS::ElasticLoadBalancingV2::Listener")
    assert sorted(listener["Protocol"] for listener in listeners.values()) == ["HTTP", "HTTPS"]
    # what the ECS design removes is not there: no WebSocket API, no tables, no functions
    assert not of(t, "AWS::ApiGatewayV2::Api") and not of(t, "AWS::DynamoDB::Table")
    assert not of(t, "AWS::Lambda::Function")
    assert not statements(t["Resources"]["WebsocketServerTaskRole"]["Properties"])


def test_mqtt_rule_feeds_the_publishers_queue_with_an_error_action(emitted):
    t = _cfn(emitted, "soccer_events_mqtt", "fargate")
    (rule,) = of(t, "AWS::IoT::TopicRule").values()
    payload = rule["TopicRulePayload"]
    assert payload["Actions"] == [{"Sqs": {"QueueUrl": {"Ref": "EventsQueue"}, "UseBase64": False,
                                           "RoleArn": {"Fn::GetAtt": ["KeyEventsRuleRole", "Arn"]}}}]
    assert payload["ErrorAction"]["Sqs"]["QueueUrl"] == {"Ref": "FailedEventsQueue"}
    role = t["Resources"]["KeyEventsRuleRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "iot.amazonaws.com"}
    assert [(actions(s), s["Resource"]) for s in statements(role)] == [
        ({"sqs:SendMessage"}, {"Fn::GetAtt": ["EventsQueue", "Arn"]}),
        ({"sqs:SendMessage"}, {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]})]
    task = statements(t["Resources"]["PublisherTaskRole"]["Properties"])
    assert {a for s in task for a in actions(s)} >= {"iot:Publish", "sqs:ReceiveMessage", "sqs:DeleteMessage"}
    assert of(t, "AWS::IoT::Policy")  # the fans' devices still connect to IoT Core


def test_ttl_pipe_reads_the_stream_and_sends_only_ttl_deletes_to_the_queue(emitted):
    t = _cfn(emitted, "account_bans_ttl", "fargate")
    (pipe,) = of(t, "AWS::Pipes::Pipe").values()
    assert pipe["Source"] == {"Fn::GetAtt": ["TimersTable", "StreamArn"]}
    assert pipe["Target"] == {"Fn::GetAtt": ["ExpiriesQueue", "Arn"]}
    src = pipe["SourceParameters"]
    (flt,) = src["FilterCriteria"]["Filters"]
    assert json.loads(flt["Pattern"]) == {"userIdentity": {"type": ["Service"],
                                                           "principalId": ["dynamodb.amazonaws.com"]},
                                          "eventName": ["REMOVE"]}
    ds = src["DynamoDBStreamParameters"]
    assert ds["MaximumRetryAttempts"] == 3 and ds["StartingPosition"] == "LATEST"
    assert ds["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}
    pipe_role = statements(t["Resources"]["ExpiriesPipeRole"]["Properties"])
    assert {a for s in pipe_role for a in actions(s)} == {
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
        "sqs:SendMessage"}
    table = t["Resources"]["TimersTable"]
    assert table["DeletionPolicy"] == "Retain" and table["Properties"]["SSESpecification"]["SSEEnabled"] is True
    task = statements(t["Resources"]["ExpiryHandlerTaskRole"]["Properties"])
    writes = [s for s in task if any(a.startswith("dynamodb:") for a in actions(s))]
    assert writes == [{"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
                       "Resource": {"Fn::GetAtt": ["TimersTable", "Arn"]}}]


@pytest.mark.parametrize("compute", ["fargate", "ec2"])
def test_claim_check_notifies_the_resizers_queue_and_the_resizer_reads_and_writes_its_prefixes(emitted, compute):
    t = _cfn(emitted, "avatar_resize_claim_check", compute)
    bucket = t["Resources"]["UploadsBucket"]
    (qc,) = bucket["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert qc["Queue"] == {"Fn::GetAtt": ["UploadsQueue", "Arn"]}
    assert qc["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]
    assert "LambdaConfigurations" not in bucket["Properties"]["NotificationConfiguration"]
    assert bucket["DependsOn"] == "UploadsQueuePolicy" and bucket["DeletionPolicy"] == "Retain"
    (st,) = of(t, "AWS::SQS::QueuePolicy")["UploadsQueuePolicy"]["PolicyDocument"]["Statement"]
    assert st["Principal"] == {"Service": "s3.amazonaws.com"}
    assert st["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Fn::Sub": "${AWS::AccountId}"}}
    task = statements(t["Resources"]["ResizerTaskRole"]["Properties"])
    s3 = {frozenset(actions(s)): s["Resource"] for s in task if any(a.startswith("s3:") for a in actions(s))}
    assert s3 == {frozenset({"s3:GetObject"}): {"Fn::Sub": "arn:${AWS::Partition}:s3:::${UploadsBucketName}/uploads/*"},
                  frozenset({"s3:PutObject"}): {"Fn::Sub": "${OutputBucket.Arn}/avatars/*"}}
    # the presign API is the other service, behind the ALB
    assert set(of(t, "AWS::ECS::Service")) == {"UploadUrlService", "ResizerService"}
    assert len(of(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")) == 1


def test_auto_writes_the_ecs_design_when_compare_recommends_it(emitted):
    e = emitted[("stock_explorer_websocket", "auto")]
    assert e["compute"] == "fargate" and "AWS::ECS::Service" in e["cfn"]
    assert e["cfn"].splitlines()[0].endswith("(fargate)")
    assert emitted[("user_registration_fanout", "auto")]["compute"] == "lambda"  # compare recommends Lambda


def test_cli_auto_says_nothing_about_a_fallback_any_more(cli, tmp_path):
    code, out, err = cli("template", str(SCEN / "stock_explorer_websocket.yaml"), "-o", str(tmp_path / "t"))
    assert code == 0, err
    assert "compute fargate" in out and "Lambda design" not in out + err


def _variant(name, compute, **settings):
    from costplan.templates import cfn
    from costplan.templates.render import build_for

    sc = load(SCEN / f"{name}.yaml")
    sc = sc.model_copy(update={"settings": {**sc.settings, **settings}})
    b, _ = build_for(sc, compute)
    return cfn.to_json_ready(b.cfn_dict()), b


def test_pubsub_on_eventbridge_targets_a_queue_per_subscriber_and_lints_clean():
    from costplan.templates import cfn, rules
    from tests.test_templates_validate import _lint_one

    t, b = _variant("user_registration_fanout", "fargate", bus="eventbridge")
    assert rules.check(t, b.facts) == []
    targets = [r["Targets"] for r in of(t, "AWS::Events::Rule").values()]
    assert sorted(tg[0]["Arn"]["Fn::GetAtt"][0] for tg in targets) == ["AnalyticsQueue", "MailingQueue",
                                                                        "OnboardingQueue"]
    assert all(tg[0]["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}} for tg in targets)
    senders = {p["PolicyDocument"]["Statement"][0]["Principal"]["Service"] for k, p in of(t, "AWS::SQS::QueuePolicy").items()}
    assert senders == {"events.amazonaws.com"}
    assert _lint_one(cfn.dumps(b.cfn_dict(), "")) == []


def test_a_resizer_writing_under_its_own_trigger_prefix_is_refused_on_ecs():
    from costplan.errors import CostplanError

    with pytest.raises(CostplanError, match="recursive loop"):
        _variant("avatar_resize_claim_check", "fargate", same_bucket_output=True, output_prefix="uploads/small/")


def test_a_pattern_variant_whose_ecs_design_is_not_emitted_is_refused_with_the_stage():
    from costplan.errors import CostplanError

    # the WebSocket API kept in front: the ECS fan-out posts through @connections (not emitted)
    with pytest.raises(CostplanError, match="the ECS design of fanout is not emitted"):
        _variant("stock_explorer_websocket", "fargate", ecs_front_door="apigateway")
