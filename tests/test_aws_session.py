"""IAM policy, redaction, the fake's response shapes, and boto3 staying inside costplan.aws."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import botocore.session
import pytest
from botocore.validate import ParamValidator
from fakeaws import FIXTURES, FakeAws, fake, fake_server, fast, load  # noqa: F401

from costplan.aws import iam
from costplan.aws.cloudwatch import from_cloudwatch
from costplan.aws.quotas import LAMBDA_CONCURRENCY, read_applied_quotas
from costplan.aws.refresh import refresh_prices
from costplan.aws.session import IAM_ACTIONS, redact


@pytest.mark.parametrize("text, expected", [
    ("User: arn:aws:iam::123456789012:user/dev is not authorized",
     "User: arn:aws:iam::<account-id>:user/dev is not authorized"),
    ("key AKIAIOSFODNN7EXAMPLE failed", "key <access-key-id> failed"),
    ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key=<redacted>"),
    ("bare wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here", "bare <redacted> here"),
    ("token " + "IQoJb3JpZ2luX2VjE" * 20, "token <redacted>"),
    ("account 123456789012.", "account <account-id>."),
    ("1,209 errors in 336 hours, 12096000 invocations", "1,209 errors in 336 hours, 12096000 invocations"),
    ("SKU TG3M4CAGBA3NYQBH", "SKU TG3M4CAGBA3NYQBH"),
])
def test_redact(text, expected):
    assert redact(text) == expected


def test_the_iam_policy_covers_every_call_costplan_makes(fake, fast, tmp_path):
    refresh_prices(tmp_path, ["lambda"], check=True, config=fast)
    read_applied_quotas([LAMBDA_CONCURRENCY, ("apigateway", "L-8A5B8E43"), ("apigateway", "L-9ED1E49A")],
                        config=fast)
    from_cloudwatch("orders-api", config=fast)
    used = set(fake.calls)
    assert used == iam.actions()  # every action is used, and nothing is called without one
    assert iam.actions() == set(IAM_ACTIONS.values())


def test_iam_policy_document():
    doc = iam.iam_policy()
    json.dumps(doc)
    assert doc["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in doc["Statement"]]
    assert len(set(sids)) == len(sids) and all(s.isalnum() for s in sids)
    assert all(s["Effect"] == "Allow" and not any(a.endswith("*") for a in s["Action"]) for s in doc["Statement"])
    only = iam.iam_policy(["CostplanPricesRefresh"])
    assert only["Statement"] == [{"Sid": "CostplanPricesRefresh", "Effect": "Allow",
                                  "Action": ["pricing:GetProducts"], "Resource": "*"}]


def _validate(service: str, operation: str, response: dict) -> None:
    shape = botocore.session.get_session().get_service_model(service).operation_model(operation).output_shape
    report = ParamValidator().validate(response, shape)
    assert not report.has_errors(), f"{service} {operation}: {report.generate_report()}"


def test_recorded_responses_have_the_documented_shapes():
    fake = FakeAws.__new__(FakeAws)  # the data, without a server
    FakeAws.reset(fake)
    for (service_code, region) in fake.products:
        page = fake.get_products({"ServiceCode": service_code, "Filters": [
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]})
        _validate("pricing", "GetProducts", page)
        for item in page["PriceList"]:
            p = json.loads(item)
            assert {"product", "serviceCode", "terms"} <= set(p)
            assert {"sku", "attributes", "productFamily"} <= set(p["product"])
            assert p["product"]["attributes"]["regionCode"] == region
            for term in p["terms"]["OnDemand"].values():
                for d in term["priceDimensions"].values():
                    assert {"unit", "pricePerUnit", "beginRange", "endRange", "description", "rateCode"} <= set(d)
                    assert isinstance(d["pricePerUnit"]["USD"], str)
    for table in (fake.applied, fake.defaults):
        for service_code, quotas in table.items():
            if service_code.startswith("_"):
                continue
            for q in quotas.values():
                _validate("service-quotas", "GetServiceQuota", {"Quota": q})
                assert "123456789012" not in json.dumps(q)
        _validate("service-quotas", "ListServiceQuotas", {"Quotas": list(table["apigateway"].values())})
    _validate("lambda", "GetAccountSettings", fake.account_settings)
    for fn in fake.functions.values():
        _validate("lambda", "GetFunctionConfiguration", fn["Configuration"])
        _validate("lambda", "GetFunctionConcurrency", fn["Concurrency"])
    out = fake.get_metric_data({"EndTime": dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc), "MetricDataQueries": [
        {"Id": k, "MetricStat": {"Period": 60}} for k in fake.metric_values if not k.startswith("_")]})
    _validate("cloudwatch", "GetMetricData", out)
    assert sorted(p.name for p in FIXTURES.iterdir())  # fixtures exist


def test_boto3_is_imported_only_inside_costplan_aws():
    code = """
import pkgutil, importlib, sys, costplan
for m in pkgutil.walk_packages(costplan.__path__, "costplan."):
    if m.name.startswith("costplan.aws") or m.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(m.name)
    except (Exception, SystemExit):
        pass  # a module that cannot import is another test's concern
bad = [n for n in ("boto3", "botocore") if n in sys.modules]
print(",".join(bad))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"imported at module import time outside costplan.aws: {out.stdout}"
