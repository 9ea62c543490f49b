"""Operations pieces of the templates: the IoT custom authorizer fans connect through, and the ELB
access-log delivery principal per region."""
from __future__ import annotations

import base64
import importlib.util
import json
import uuid
from functools import lru_cache
from decimal import Decimal
from pathlib import Path

import pytest

from costplan.scenario import load
from costplan.templates import cfn
from costplan.templates.render import render

SCEN = Path(__file__).resolve().parent.parent / "scenarios"


@lru_cache(maxsize=None)
def _soccer(fmt: str):
    return render(load(SCEN / "soccer_events_mqtt.yaml"), fmt, "lambda")


def _authorizer_module(tmp_path):
    path = tmp_path / "authorizer_handler.py"
    path.write_text(_soccer("terraform").files["src/device_authorizer/handler.py"])
    spec = importlib.util.spec_from_file_location(f"h_{uuid.uuid4().hex}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class _Ctx:
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fans-device-authorizer"


def _event(token="tok", signed=True, client="fan42"):
    # the event IoT Core sends a custom authorizer for an MQTT CONNECT (custom-auth-lambda.html)
    return {"token": token, "signatureVerified": signed, "protocols": ["tls", "mqtt"],
            "protocolData": {"tls": {"serverName": "example-ats.iot.us-east-1.amazonaws.com"},
                             "mqtt": {"username": "fan?x-amz-customauthorizer-name=a", "clientId": client,
                                      "password": base64.b64encode(b"pw").decode()}},
            "connectionMetadata": {"id": str(uuid.uuid4())}}


def test_the_authorizer_denies_what_iot_core_did_not_verify(tmp_path):
    h = _authorizer_module(tmp_path)
    assert h.handler(_event(signed=False), _Ctx())["isAuthenticated"] is False
    assert h.handler({"signatureVerified": True, "protocolData": {}}, _Ctx())["isAuthenticated"] is False


def test_the_authorizer_placeholder_allows_nobody(tmp_path):
    """The token check is the user's to write: until then every signed token raises (IoT denies)."""
    h = _authorizer_module(tmp_path)
    with pytest.raises(NotImplementedError):
        h.handler(_event(), _Ctx())


def test_the_authorizer_returns_the_fans_policy_once_the_token_checks(tmp_path):
    h = _authorizer_module(tmp_path)
    h.verify_token = lambda token: "fan42" if token == "good" else (_ for _ in ()).throw(PermissionError(token))
    out = h.handler(_event("good"), _Ctx())
    assert (out["isAuthenticated"], out["principalId"]) == (True, "fan42")
    assert 300 <= out["refreshAfterInSeconds"] <= 86400 and 300 <= out["disconnectAfterInSeconds"] <= 86400
    (doc,) = [json.loads(d) for d in out["policyDocuments"]]
    grants = {s["Action"]: s["Resource"] for s in doc["Statement"]}
    assert grants == {"iot:Connect": "arn:aws:iot:us-east-1:123456789012:client/fan42",
                      "iot:Subscribe": "arn:aws:iot:us-east-1:123456789012:topicfilter/fixtures/*",
                      "iot:Receive": "arn:aws:iot:us-east-1:123456789012:topic/fixtures/*"}
    with pytest.raises(PermissionError):
        h.handler(_event("forged"), _Ctx())
    h.verify_token = lambda token: "fan/42"  # IoT's principalId is 1-128 letters and digits
    with pytest.raises(ValueError):
        h.handler(_event("good"), _Ctx())


def test_the_authorizer_resources_in_both_formats():
    tpl = cfn.to_json_ready(_soccer("cloudformation").builder.cfn_dict())["Resources"]
    auth = tpl["FanTokenAuthorizer"]["Properties"]
    assert auth["SigningDisabled"] is False and auth["Status"] == "ACTIVE"
    assert auth["AuthorizerFunctionArn"] == {"Fn::GetAtt": ["DeviceAuthorizer", "Arn"]}
    assert auth["TokenSigningPublicKeys"] == {"FanTokenKey": {"Ref": "DeviceTokenSigningPublicKey"}}
    perm = tpl["FanTokenAuthorizerInvokePermission"]["Properties"]
    assert (perm["Principal"], perm["SourceArn"]) == ("iot.amazonaws.com", {"Fn::GetAtt": ["FanTokenAuthorizer", "Arn"]})
    assert tpl["DeviceAuthorizer"]["Properties"]["Timeout"] == 5  # IoT Core's limit for the function
    # least privilege: the authorizer's role may write its own logs and nothing else
    (policy,) = tpl["DeviceAuthorizerRole"]["Properties"]["Policies"]
    assert [s["Action"] for s in policy["PolicyDocument"]["Statement"]] == [["logs:CreateLogStream", "logs:PutLogEvents"]]
    main = _soccer("terraform").files["main.tf"]
    assert 'resource "aws_iot_authorizer" "fan_token_authorizer"' in main
    assert "signing_disabled = false" in main


def test_elb_log_principal_per_region():
    """AWS's table (regions before August 2022) names an account; later regions the service principal."""
    import yaml

    from costplan.templates.ecs import ELB_LOG_ACCOUNTS, ELB_LOG_SERVICE, elb_log_principal

    assert elb_log_principal("us-east-1") == {"AWS": "arn:aws:iam::127311923021:root"}
    assert elb_log_principal("ap-southeast-3") == {"AWS": "arn:aws:iam::589379963580:root"}
    assert elb_log_principal("me-central-1") == {"Service": ELB_LOG_SERVICE}
    assert all(len(a) == 12 and a.isdigit() for a in ELB_LOG_ACCOUNTS.values())
    assert len(set(ELB_LOG_ACCOUNTS.values())) == len(ELB_LOG_ACCOUNTS)
    regions = yaml.safe_load((SCEN.parent / "pricing_data" / "regions.yaml").read_text())["regions"]
    assert set(regions) <= set(ELB_LOG_ACCOUNTS)  # every costplan region opened before August 2022


# ---- the custom authorizer is a stage of the plan: priced, checked, emitted from it ---------------------------

def _soccer_scenario(**settings):
    sc = load(SCEN / "soccer_events_mqtt.yaml")
    return sc.model_copy(update={"settings": {**sc.settings, **settings}}) if settings else sc


def test_the_authorizer_is_a_stage_of_both_designs_invoked_once_per_connect():
    from costplan.patterns import plan

    p = plan(_soccer_scenario())
    (auth,) = [s for s in p.stages if s.role == "authorizer"]
    # the scenario: 1.5M sessions a month, 250,000 devices connecting over 600 s
    assert auth.name == "device-authorizer" and auth.traffic.monthly_requests == 1_500_000
    assert auth.traffic.peak_rps == Decimal(250_000) / 600
    assert (auth.memory_mb, auth.timeout_s, auth.traffic.duration_ms) == (128, 5, 20)
    assert auth in p.lambda_design.stages
    (kept,) = [s for s in p.ecs_design.stages if s.name == "device-authorizer"]
    assert not kept.ecs_capable and "device-authorizer" in p.ecs_design.on_lambda
    assert [s.name for s in p.ecs_design.ecs_stages] == ["publisher"]
    assert any("3,750.00 GB-seconds" in a and "1,500,000 invocations" in a for a in p.assumptions)


def test_the_authorizer_costs_the_same_on_every_design_and_adds_its_requests_and_duration():
    from costplan.compute.compare import compare

    cmp = compare(_soccer_scenario(), free_tier=False)
    lines = {}
    for name in ("lambda", "fargate", "ec2"):
        items = [li for li in cmp.option(name).line_items if li.resource in ("device-authorizer",
                                                                              "device-authorizer logs")]
        lines[name] = sum(li.monthly_usd for li in items)
        req = sum(li.quantity for li in items if li.price_key.startswith("lambda.requests"))
        assert req == 1_500_000, name
    # without the free tier: 1.5M × $0.20/M = $0.30 in requests alone
    assert lines["lambda"] == lines["fargate"] == lines["ec2"] > Decimal("0.30")
    off = compare(_soccer_scenario(authorizer=False), free_tier=False)
    for name in ("lambda", "fargate", "ec2"):
        assert cmp.option(name).monthly_usd - off.option(name).monthly_usd == lines[name], name


def test_limits_check_counts_the_authorizer_at_the_connect_surge():
    from costplan.limits import check

    def need(sc, design):
        found = [f.needed for f in check([sc]).findings if f.check == "LAMBDA-CONCURRENCY" and f.design == design]
        return found[0] if found else Decimal(0)

    surge = Decimal(250_000) / 600 * Decimal("0.02")  # 250,000 devices ÷ 600 s × 0.02 s = 8.33 concurrent
    for design in ("lambda", "fargate", "ec2"):  # the ECS designs keep the authorizer (only it) on Lambda
        added = need(_soccer_scenario(), design) - need(_soccer_scenario(authorizer=False), design)
        assert abs(added - surge) < Decimal("1e-9"), design


def test_no_authorizer_setting_drops_the_stage_and_the_authorizer_resources():
    from costplan.patterns import plan

    sc = _soccer_scenario(authorizer=False)
    p = plan(sc)
    assert [s.name for s in p.stages] == ["publisher"] and not p.ecs_design.on_lambda
    for fmt in ("cloudformation", "terraform"):
        r = render(sc, fmt, "lambda")
        text = "\n".join(r.files.values())
        assert "FanTokenAuthorizer" not in text and "aws_iot_authorizer" not in text, fmt
        assert not any("device_authorizer" in f for f in r.files), fmt
        assert "FanDevicePolicy" in text or "fan_device" in text  # devices still get their policy
