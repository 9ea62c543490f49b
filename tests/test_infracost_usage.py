"""template --format terraform writes infracost-usage.yml: the plan's volumes in Infracost's usage keys,
on resources that exist in the emitted Terraform."""
from __future__ import annotations

from decimal import Decimal

import hcl2
import pytest
import yaml

from conftest import SCENARIOS
from costplan import patterns, scenario
from costplan.templates.render import render

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_usage_entry_names_a_resource_in_the_terraform(path):
    sc = scenario.load(path)
    files = render(sc, "terraform", "lambda").files
    usage = yaml.safe_load(files["infracost-usage.yml"])
    assert usage["version"] == "0.1"
    main = hcl2.loads(files["main.tf"])
    addresses = {f"{t.strip(chr(34))}.{n.strip(chr(34))}" for block in main.get("resource", []) for t, named in block.items() for n in named}
    entries = usage["resource_usage"] or {}
    assert entries, "no usage written"
    assert set(entries) <= addresses
    plan = patterns.plan(sc)
    for st in plan.stages:  # each Lambda stage carries the plan's requests and duration exactly
        key = "aws_lambda_function." + "".join(c if c.isalnum() else "_" for c in st.name.lower())
        if key in entries:
            assert abs(Decimal(str(entries[key]["monthly_requests"])) - st.traffic.monthly_requests) < Decimal("0.000001")
            assert abs(Decimal(str(entries[key]["request_duration_ms"])) - st.traffic.duration_ms) < Decimal("0.000001")


def test_global_vote_queue_and_table_volumes():
    sc = scenario.load(SCENARIOS / "global_vote.yaml")
    usage = yaml.safe_load(render(sc, "terraform", "lambda").files["infracost-usage.yml"])["resource_usage"]
    plan = patterns.plan(sc)
    sqs = next(u for u in plan.services if u.service == "sqs")
    ddb = next(u for u in plan.services if u.service == "dynamodb")
    assert usage["aws_sqs_queue.queue"]["monthly_requests"] == int(sqs.usage["monthly_requests"])
    assert Decimal(str(usage["aws_dynamodb_table.results_table"]["monthly_write_request_units"])) == \
        ddb.usage["monthly_write_request_units"]
    assert "aws_sqs_queue.queue_dlq" not in usage  # the DLQ is not the queue the plan meters


def test_cloudformation_has_no_infracost_file():
    sc = scenario.load(SCENARIOS / "global_vote.yaml")
    assert "infracost-usage.yml" not in render(sc, "cloudformation", "lambda").files
