"""What a template needs to be operated: failure paths, auth on every public route, HTTPS, access logs,
alarms that notify someone with thresholds from the plan, retained data stores, and every priced
resource present. Checked on the CloudFormation of every bundled scenario (and the ECS variants)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from costplan.scenario import load
from costplan.templates import cfn
from costplan.templates.render import build_for, render

SCEN = Path(__file__).resolve().parent.parent / "scenarios"
NAMES = sorted(p.stem for p in SCEN.glob("*.yaml"))
ECS = [("global_vote", "fargate"), ("steady_heavy_api", "ec2"), ("db_refresh_async", "fargate")]


def built(name, compute="lambda", auth="iam"):
    b, _ = build_for(load(SCEN / f"{name}.yaml"), compute, auth)
    return cfn.to_json_ready(b.cfn_dict()), b


@pytest.fixture(scope="module")
def templates():
    return {(n, c): built(n, c)[0] for n in NAMES for c in ["lambda"]} | {k: built(*k)[0] for k in ECS}


def of(t, typ):
    return {k: r for k, r in t["Resources"].items() if r["Type"] == typ}


def test_every_alarm_notifies_the_alarms_topic(templates):
    seen = 0
    for key, t in templates.items():
        for k, r in of(t, "AWS::CloudWatch::Alarm").items():
            assert r["Properties"]["AlarmActions"] == [{"Ref": "AlarmsTopic"}], (key, k)
            seen += 1
        assert of(t, "AWS::SNS::Topic").get("AlarmsTopic") or not of(t, "AWS::CloudWatch::Alarm"), key
    assert seen > 30


def test_every_function_has_an_errors_alarm(templates):
    for key, t in templates.items():
        fns = set(of(t, "AWS::Lambda::Function"))
        watched = {r["Properties"]["Dimensions"][0]["Value"]["Ref"] for r in of(t, "AWS::CloudWatch::Alarm").values()
                   if r["Properties"]["MetricName"] == "Errors"}
        assert watched == fns, key


def test_queue_age_alarm_is_the_plans_drain_time_not_half_the_retention(templates):
    t = templates[("global_vote", "lambda")]
    alarm = t["Resources"]["QueueAgeAlarm"]["Properties"]
    vt = t["Resources"]["Queue"]["Properties"]["VisibilityTimeout"]
    # μ = 25 × 100 / 0.22 s = 11,363.6/s; backlog = (25,000 − 11,363.6) × 300 s = 4,090,909;
    # it drains at μ − 8,333.3/s later arrivals in 1,350 s (22.5 min), + retries (VT × 5 receives).
    assert 1350 <= alarm["Threshold"] - vt * 5 <= 1351  # rounded up from 1,350.000…
    assert alarm["Threshold"] < 345600 / 2


def test_a_capped_consumer_is_watched_on_concurrent_executions_not_throttles(templates):
    t = templates[("global_vote", "lambda")]
    cap = t["Resources"]["ConsumerAtCapAlarm"]["Properties"]
    assert (cap["MetricName"], cap["Threshold"], cap["ComparisonOperator"]) == \
        ("ConcurrentExecutions", 25, "GreaterThanOrEqualToThreshold")
    assert "ConsumerThrottlesAlarm" not in t["Resources"]  # an ESM cap does not throttle


ASYNC = {"user_registration_fanout": 3, "avatar_resize_claim_check": 1, "soccer_events_mqtt": 1,
         "monthly_invoicing_cron": 1, "stock_explorer_websocket": 1}


@pytest.mark.parametrize("name,count", sorted(ASYNC.items()))
def test_async_invoked_functions_have_an_on_failure_destination(templates, name, count):
    t = templates[(name, "lambda")]
    configs = of(t, "AWS::Lambda::EventInvokeConfig")
    assert len(configs) == count
    for r in configs.values():
        assert r["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == \
            {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}
        assert r["DependsOn"].endswith("OnFailurePolicy")  # the role may send there before Lambda checks it


def test_scheduler_has_a_dead_letter_queue(templates):
    target = templates[("monthly_invoicing_cron", "lambda")]["Resources"]["Schedule"]["Properties"]["Target"]
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}}


def test_stream_mapping_has_on_failure_retry_limit_and_bisect(templates):
    t = templates[("account_bans_ttl", "lambda")]
    (m,) = of(t, "AWS::Lambda::EventSourceMapping").values()
    p = m["Properties"]
    assert p["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}
    assert p["MaximumRetryAttempts"] == 3 and p["BisectBatchOnFunctionError"] is True


def test_every_public_route_is_authorized_by_default(templates):
    routes = 0
    for key, t in templates.items():
        for k, r in of(t, "AWS::ApiGatewayV2::Route").items():
            p = r["Properties"]
            ws = p["RouteKey"] in ("$disconnect", "subscribe")  # WebSocket authorizes on $connect only
            assert p["AuthorizationType"] == ("NONE" if ws else "AWS_IAM"), (key, k)
            routes += 1
        for k, r in of(t, "AWS::ApiGateway::Method").items():
            assert r["Properties"]["AuthorizationType"] == "AWS_IAM", (key, k)
        for r in of(t, "AWS::Lambda::Url").values():
            assert r["Properties"]["AuthType"] == "AWS_IAM"
    assert routes >= 6
    connect = of(templates[("stock_explorer_websocket", "lambda")], "AWS::ApiGatewayV2::Route")
    assert {r["Properties"]["RouteKey"]: r["Properties"]["AuthorizationType"] for r in connect.values()}[
        "$connect"] == "AWS_IAM"


def test_jwt_and_none_are_settings():
    t, _ = built("db_refresh_async", auth="jwt")
    (auth,) = of(t, "AWS::ApiGatewayV2::Authorizer").values()
    assert auth["Properties"]["JwtConfiguration"] == {"Issuer": {"Ref": "JwtIssuer"}, "Audience": [{"Ref": "JwtAudience"}]}
    assert {r["Properties"]["AuthorizationType"] for r in of(t, "AWS::ApiGatewayV2::Route").values()} == {"JWT"}
    t, _ = built("db_refresh_async", auth="none")
    assert {r["Properties"]["AuthorizationType"] for r in of(t, "AWS::ApiGatewayV2::Route").values()} == {"NONE"}


def test_cli_refuses_jwt_where_there_is_no_jwt_authorizer(cli, tmp_path):
    code, out, err = cli("template", str(SCEN / "steady_heavy_api.yaml"), "--compute", "lambda", "--auth", "jwt",
                         "-o", str(tmp_path / "x"))
    assert code == 2 and "function URL has no JWT authorizer" in err + out


def test_api_stages_have_access_logs_and_throttle_parameters(templates):
    t = templates[("db_refresh_async", "lambda")]
    (stage,) = of(t, "AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["HttpApiAccessLogs", "Arn"]}
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] == {"Ref": "HttpApiThrottleRate"}


def test_alb_serves_https_redirects_http_drops_invalid_headers_and_logs(templates):
    t = templates[("steady_heavy_api", "ec2")]
    listeners = {r["Properties"]["Port"]: r["Properties"] for r in
                 of(t, "AWS::ElasticLoadBalancingV2::Listener").values()}
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[443]["Certificates"] == [{"CertificateArn": {"Ref": "CertificateArn"}}]
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    (lb,) = of(t, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attrs = {a["Key"]: a["Value"] for a in lb["Properties"]["LoadBalancerAttributes"]}
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attrs["access_logs.s3.enabled"] == "true"
    bucket = t["Resources"][attrs["access_logs.s3.bucket"]["Ref"]]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert "BucketEncryption" in bucket


def test_data_stores_are_retained(templates):
    for key, t in templates.items():
        for typ in ("AWS::DynamoDB::Table", "AWS::S3::Bucket"):
            for k, r in of(t, typ).items():
                assert r.get("DeletionPolicy") == r.get("UpdateReplacePolicy") == "Retain", (key, k)
    main = render(load(SCEN / "global_vote.yaml"), "terraform", "lambda").files["main.tf"]
    assert "prevent_destroy = true" in main


def test_ecs_services_leave_the_count_to_autoscaling(templates):
    for key in ECS:
        for r in of(templates[key], "AWS::ECS::Service").values():
            assert "DesiredCount" not in r["Properties"], key


# ---- every priced resource is in the template -------------------------------------------------------------

def test_priced_resources_are_present(templates):
    assert "LedgerTable" in templates[("order_ledger_convoy", "lambda")]["Resources"]
    cron = templates[("monthly_invoicing_cron", "lambda")]["Resources"]
    assert cron["JobTable"]["Type"] == "AWS::DynamoDB::Table" and cron["JobBucket"]["Type"] == "AWS::S3::Bucket"
    subs = {k: r["Properties"] for k, r in of(templates[("user_registration_fanout", "lambda")],
                                              "AWS::SNS::Subscription").items()}
    assert [k for k, p in subs.items() if "FilterPolicy" in p] == ["SubscriberOnboardingSubscription"]
    assert "80 %" in templates[("user_registration_fanout", "lambda")]["Parameters"][
        "SubscriberOnboardingFilterPolicy"]["Description"]
    assert of(templates[("soccer_events_mqtt", "lambda")], "AWS::IoT::Policy")


def test_eventbridge_rules_match_the_events_detail_type():
    sc = load(SCEN / "user_registration_fanout.yaml")
    sc = sc.model_copy(update={"settings": {**sc.settings, "bus": "eventbridge"}})
    b, _ = build_for(sc, "lambda")
    t = cfn.to_json_ready(b.cfn_dict())
    patterns = [r["Properties"]["EventPattern"] for r in of(t, "AWS::Events::Rule").values()]
    assert len(patterns) == 3
    assert all(p == {"source": [{"Ref": "EventSource"}], "detail-type": [{"Ref": "EventDetailType"}]}
               for p in patterns)


def test_glue_jobs_carry_the_plans_dpus_and_concurrency(templates):
    from costplan.patterns import plan

    t = templates[("qa_db_refresh_pipeline", "lambda")]
    sc = load(SCEN / "qa_db_refresh_pipeline.yaml")
    runs = int(plan(sc).facts["glue"]["max_concurrent_runs"])
    jobs = {k: r["Properties"] for k, r in of(t, "AWS::Glue::Job").items()}
    assert {k: p["NumberOfWorkers"] for k, p in jobs.items()} == {"RestoreJob": 2, "SanitiseJob": 4, "DumpJob": 2}
    assert {p["ExecutionProperty"]["MaxConcurrentRuns"] for p in jobs.values()} == {runs}
    role = t["Resources"]["GlueJobRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = {a for s in role for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"logs:PutLogEvents", "s3:GetObject", "s3:PutObject"} <= actions


def test_vote_consumer_is_granted_batch_write(templates):
    role = templates[("global_vote", "lambda")]["Resources"]["ConsumerRole"]["Properties"]["Policies"][0]
    acts = [s["Action"] for s in role["PolicyDocument"]["Statement"]]
    assert "dynamodb:BatchWriteItem" in acts


# ---- --compute fargate|ec2: an ECS service, or a refusal with the reason -----------------------------------

# No ECS design in compare (a scheduled job, a workflow of jobs): refused with compare's own reason.
NO_ECS_DESIGN = {"monthly_invoicing_cron": "scheduled_cron", "qa_db_refresh_pipeline": "pipes_and_filters"}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("compute", ["fargate", "ec2"])
def test_ecs_compute_emits_a_service_or_exits_2_with_the_reason(cli, tmp_path, name, compute):
    code, out, err = cli("template", str(SCEN / f"{name}.yaml"), "--compute", compute, "-f", "cloudformation",
                         "-o", str(tmp_path / "t"))
    if name in NO_ECS_DESIGN:
        from costplan.patterns import plan

        assert code == 2, out
        assert f"pattern {NO_ECS_DESIGN[name]} has no ECS design" in err
        assert plan(load(SCEN / f"{name}.yaml")).ecs_unavailable[:40] in " ".join(err.split())
        assert not (tmp_path / "t").exists()
    else:
        assert code == 0, err
        text = (tmp_path / "t" / "template.yaml").read_text()
        assert "AWS::ECS::Service" in text and f"({compute})" in text.splitlines()[0]
