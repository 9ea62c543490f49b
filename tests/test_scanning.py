"""Findings for code scanning: SARIF validated against the SARIF 2.1.0 JSON Schema, JUnit XML and GitHub
workflow annotations, from limits-check and scenario validate, pointing at the scenario's lines."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, SCENARIOS

DIRECT = SCENARIOS / "alternatives" / "global_vote_direct.yaml"
SCHEMA = ROOT / ".venv" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def sarif_schema():
    if not SCHEMA.exists():
        pytest.fail(f"{SCHEMA} is missing: `make install-test` fetches it (npm pack @microsoft/jest-sarif)")
    return json.loads(SCHEMA.read_text())


def _line_of(path, key: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip().startswith(key + ":"):
            return i
    raise AssertionError(key)


def test_limits_sarif_validates_and_points_at_the_scenario(cli, sarif_schema):
    import jsonschema

    code, out, err = cli("limits-check", str(DIRECT), "--format", "sarif")
    assert code == 1, err  # the direct vote breaches Lambda concurrency and API Gateway's rate
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema)
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    results = {r["ruleId"]: r for r in run["results"]}
    conc = results["LAMBDA-CONCURRENCY"]
    assert conc["level"] == "error"
    loc = conc["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("alternatives/global_vote_direct.yaml")
    assert loc["region"]["startLine"] == _line_of(DIRECT, "peak_to_average")
    assert results["APIGW-RPS"]["locations"][0]["physicalLocation"]["region"]["startLine"] == _line_of(DIRECT, "api")
    assert rules["LAMBDA-CONCURRENCY"]["helpUri"].startswith("https://docs.aws.amazon.com/")
    assert run["tool"]["driver"]["rules"][conc["ruleIndex"]]["id"] == "LAMBDA-CONCURRENCY"
    # A broken log is caught: the schema really is checking.
    conc["level"] = "critical"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, sarif_schema)


def test_validate_sarif_carries_file_line_and_exit_2(cli, tmp_path, sarif_schema):
    import jsonschema

    bad = tmp_path / "bad.yaml"
    bad.write_text(DIRECT.read_text().replace("memory_mb: 256MB", "memroy_mb: 256MB"))
    code, out, _ = cli("scenario", "validate", str(bad), str(SCENARIOS / "global_vote.yaml"), "--format", "sarif")
    assert code == 2
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema)
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "SCENARIO" and res["level"] == "error"
    assert 'did you mean "memory_mb"' in res["message"]["text"]
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == _line_of(bad, "memroy_mb")


def test_junit_counts_failures_and_passes(cli):
    code, out, _ = cli("limits-check", str(DIRECT), "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    failures = suite.findall("testcase/failure")
    assert int(suite.get("failures")) == len(failures) >= 2
    assert {f.get("type") for f in failures} >= {"LAMBDA-CONCURRENCY", "APIGW-RPS"}
    assert int(suite.get("tests")) == len(suite.findall("testcase"))
    for f in failures:
        assert "global_vote_direct.yaml:" in f.text


def test_github_annotations(cli):
    code, out, _ = cli("limits-check", str(DIRECT), "--format", "github")
    assert code == 1
    lines = out.splitlines()
    err = next(x for x in lines if "title=LAMBDA-CONCURRENCY" in x)
    assert err.startswith("::error file=") and f"line={_line_of(DIRECT, 'peak_to_average')}," in err
    assert all(x.startswith(("::error ", "::warning ")) for x in lines)
    assert all("\n" not in x and "%0A" not in x.split("::", 2)[1] for x in lines)


def test_github_escapes_what_would_break_a_command():
    from costplan.report.scanning import ScanFinding, github

    out = github([ScanFinding("X-Y", "t", "fail", "50 % used\nnext: line", "a,b:c.yaml", 3)])
    assert out == "::error file=a%2Cb%3Ac.yaml,line=3,title=X-Y::50 %25 used%0Anext: line\n"


def test_valid_scenarios_give_an_empty_sarif_run(cli, sarif_schema):
    import jsonschema

    code, out, _ = cli("scenario", "validate", str(SCENARIOS), "--format", "sarif")
    assert code == 0
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema)
    assert log["runs"][0]["results"] == []
