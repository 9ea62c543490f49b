"""Operations pieces of the templates: the IoT custom authorizer fans connect through, and the ELB
access-log delivery principal per region."""
from __future__ import annotations

import base64
import importlib.util
import json
import uuid
from functools import lru_cache
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
