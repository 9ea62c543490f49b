"""Applied quotas from Lambda account settings and Service Quotas; every failure is one warning."""
from __future__ import annotations

import pytest
from fakeaws import (Reply, closed_port_url, denied, dummy_credentials, fake, fake_server, fast,  # noqa: F401
                     json_error, malformed, rest_error, throttled)

from costplan.aws.quotas import LAMBDA_CONCURRENCY, LAMBDA_UNRESERVED, LiveQuota, read_applied_quotas

WANTED = [LAMBDA_CONCURRENCY, LAMBDA_UNRESERVED, ("apigateway", "L-8A5B8E43"), ("apigateway", "L-9ED1E49A"),
          ("apigateway", "L-CDF5615A"), ("apigateway", "L-46624B39"), ("lambda", "L-2ACBD22F")]


def test_reads_account_settings_applied_values_and_aws_defaults(fake, fast):
    got = read_applied_quotas(WANTED, config=fast)
    assert got.warnings == []
    assert got.quotas[LAMBDA_CONCURRENCY] == LiveQuota(10.0, "live", "Concurrent executions", True, "None")
    assert got.quotas[LAMBDA_UNRESERVED].value == 10.0
    assert got.get("apigateway", "L-8A5B8E43") == LiveQuota(20000.0, "live", "Throttle rate", True, "None")
    assert got.get("apigateway", "L-CDF5615A").adjustable is False
    default = got.get("apigateway", "L-9ED1E49A")
    assert (default.value, default.source) == (500.0, "aws-default")
    assert got.get("lambda", "L-2ACBD22F").value == 75.0
    # each service is listed once per run (4 applied API Gateway quotas = 2 pages of 3)
    assert fake.calls.count("servicequotas:ListServiceQuotas") == 3  # apigateway ×2, lambda ×1
    assert fake.calls.count("lambda:GetAccountSettings") == 1


def test_lambda_concurrency_comes_from_account_settings_not_the_aws_default(fake, fast):
    got = read_applied_quotas([LAMBDA_CONCURRENCY], config=fast)
    assert got.quotas[LAMBDA_CONCURRENCY].value == 10.0  # a new account: 10, not the default 1,000
    assert "servicequotas:GetAWSDefaultServiceQuota" not in fake.calls


def test_unknown_quota_code_is_one_warning(fake, fast):
    got = read_applied_quotas([("lambda", "L-00000000")], config=fast)
    assert got.quotas == {}
    assert got.warnings == ["Service Quotas has no quota lambda/L-00000000 in us-east-1; using the bundled default"]


@pytest.mark.parametrize("op, reply, expected", [
    ("servicequotas:ListServiceQuotas", denied("servicequotas:ListServiceQuotas"),
     "Service Quotas not read, using the bundled defaults for 5 quotas: access denied to "
     "servicequotas:ListServiceQuotas (AccessDeniedException); grant it (see `costplan iam-policy`)"),
    ("servicequotas:ListServiceQuotas", throttled(),
     "Service Quotas not read, using the bundled defaults for 5 quotas: Service Quotas throttled "
     "ListServiceQuotas (ThrottlingException) after 3 attempts"),
    ("servicequotas:ListServiceQuotas", malformed(),
     "Service Quotas not read, using the bundled defaults for 5 quotas: Service Quotas sent an unexpected "
     "response to ListServiceQuotas: no Quotas list"),
    ("servicequotas:GetAWSDefaultServiceQuota", Reply(200, b'{"Quota": {"QuotaCode": "L-9ED1E49A", "Value": "lots"}}',
                                                     {"Content-Type": "application/x-amz-json-1.1"}),
     "Service Quotas not read, using the bundled defaults for 4 quotas: Service Quotas sent an unexpected "
     "response to GetAWSDefaultServiceQuota: quota L-9ED1E49A has no numeric Value"),
    ("servicequotas:GetServiceQuota", json_error("ServiceException", "internal error", 500),
     "Service Quotas not read, using the bundled defaults for 4 quotas: Service Quotas GetServiceQuota "
     "failed: ServiceException: internal error"),
])
def test_service_quotas_failures_are_one_warning(fake, fast, op, reply, expected):
    fake.on(op, reply)
    got = read_applied_quotas(WANTED, config=fast)
    assert got.warnings == [expected]
    assert got.quotas[LAMBDA_CONCURRENCY].value == 10.0  # Lambda's own API still answered
    assert "123456789012" not in expected


def test_throttling_is_retried_first(fake, fast):
    fake.on("servicequotas:ListServiceQuotas", throttled())
    read_applied_quotas([("apigateway", "L-8A5B8E43")], config=fast)
    assert fake.calls.count("servicequotas:ListServiceQuotas") == 3  # botocore's standard retries
    # and a throttle that clears is invisible
    fake.calls.clear()
    replies = iter([throttled()])
    fake.on("servicequotas:ListServiceQuotas", lambda req: next(replies, None))
    got = read_applied_quotas([("apigateway", "L-8A5B8E43")], config=fast)
    assert got.warnings == [] and got.get("apigateway", "L-8A5B8E43").value == 20000.0


@pytest.mark.parametrize("reply, expected", [
    (denied("lambda:GetAccountSettings", "rest"),
     "Lambda account settings not read (access denied to lambda:GetAccountSettings (AccessDeniedException); "
     "grant it (see `costplan iam-policy`)); Lambda concurrency comes from Service Quotas or the bundled default"),
    (rest_error("TooManyRequestsException", "Rate exceeded", 429),
     "Lambda account settings not read (Lambda throttled GetAccountSettings (TooManyRequestsException) after "
     "3 attempts); Lambda concurrency comes from Service Quotas or the bundled default"),
    (Reply(200, b'{"AccountLimit": {"ConcurrentExecutions": "lots"}}', {"Content-Type": "application/json"}),
     "Lambda account settings not read (Lambda sent an unexpected response to GetAccountSettings (ValueError: "
     "invalid literal for int() with base 10: 'lots')); Lambda concurrency comes from Service Quotas or the "
     "bundled default"),
    (Reply(200, b'{"AccountUsage": {}}', {"Content-Type": "application/json"}),
     "Lambda account settings not read (Lambda sent an unexpected response to GetAccountSettings: no "
     "AccountLimit.ConcurrentExecutions); Lambda concurrency comes from Service Quotas or the bundled default"),
])
def test_lambda_account_settings_failures_are_one_warning(fake, fast, reply, expected):
    fake.on("lambda:GetAccountSettings", reply)
    got = read_applied_quotas([LAMBDA_CONCURRENCY, LAMBDA_UNRESERVED], config=fast)
    assert got.warnings == [expected]
    # concurrency then comes from Service Quotas: AWS's default, labelled as such
    assert got.quotas[LAMBDA_CONCURRENCY] == LiveQuota(1000.0, "aws-default", "Concurrent executions", True, "None")
    assert LAMBDA_UNRESERVED not in got.quotas


def test_unreachable_endpoint_is_one_warning(fake, fast, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SERVICE_QUOTAS", closed_port_url())
    got = read_applied_quotas([LAMBDA_CONCURRENCY, ("apigateway", "L-8A5B8E43")], config=fast)
    assert len(got.warnings) == 1
    assert got.warnings[0].startswith("Service Quotas not read, using the bundled defaults for 1 quota: "
                                      "cannot reach Service Quotas for ListServiceQuotas (http://127.0.0.1:")
    assert got.quotas[LAMBDA_CONCURRENCY].value == 10.0


def test_a_region_without_the_service_is_one_warning(monkeypatch, fast):
    dummy_credentials(monkeypatch)  # no endpoint override: judged from botocore's endpoint data, offline
    got = read_applied_quotas([("apigateway", "L-8A5B8E43")], region="xx-nowhere-1", config=fast)
    assert got.quotas == {}
    [warning] = got.warnings
    assert warning.startswith("Service Quotas not read, using the bundled defaults for 1 quota: Service Quotas is "
                              "not available in xx-nowhere-1 (botocore's endpoint data lists ")


def test_no_credentials_is_one_warning_not_a_second_wait(monkeypatch, fast, fake):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    got = read_applied_quotas([LAMBDA_CONCURRENCY, ("apigateway", "L-8A5B8E43")], config=fast)
    assert got.quotas == {}
    assert len(got.warnings) == 1  # Service Quotas would fail the same way: not tried
    assert all("no AWS credentials found (set AWS_PROFILE or configure credentials)" in w for w in got.warnings)
    assert fake.calls == []


def test_empty_request_makes_no_calls(fake):
    assert read_applied_quotas([]).quotas == {} and fake.calls == []
