"""Editor support: the scenario JSON Schema checks what costplan checks — patterns and regions
enumerated, unit strings, and each pattern's own settings — and `scenario new` points editors at it."""
from __future__ import annotations

import json

import pytest
import yaml

from conftest import SCENARIOS
from costplan import scenario

BUNDLED = sorted([*SCENARIOS.glob("*.yaml"), *(SCENARIOS / "alternatives").glob("*.yaml")])


@pytest.fixture(scope="module")
def validator():
    import jsonschema

    s = scenario.json_schema()
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_scenario_matches_the_schema(path, validator):
    assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == []


def _vote():
    return yaml.safe_load((SCENARIOS / "global_vote.yaml").read_text())


@pytest.mark.parametrize("edit", [
    lambda d: d["settings"].__setitem__("batch_sise", 5),            # misspelt setting
    lambda d: d.__setitem__("pattern", "pubsub"),                     # queue settings under another pattern
    lambda d: d.__setitem__("pattern", "queue_levelling"),           # unknown pattern
    lambda d: d.__setitem__("region", "mars-1"),                      # unknown region
    lambda d: d["workload"].__setitem__("duration_ms", "150 parsecs"),  # not a duration
    lambda d: d["workload"].__setitem__("memory_mb", "1 furlong"),      # not a size
    lambda d: d["workload"].__setitem__("monthly_requests", "lots"),    # not a count
])
def test_schema_rejects_what_the_loader_rejects(edit, validator, tmp_path):
    from costplan import patterns
    from costplan.errors import CostplanError

    d = _vote()
    edit(d)
    assert list(validator.iter_errors(d)), "the schema accepts it"
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(d))
    with pytest.raises(CostplanError):  # and costplan rejects it too: the two agree
        sc = scenario.load(p)
        patterns.plan(sc)
        from costplan.pricing.book import check_region

        check_region(sc.region)


def test_unit_strings_the_loader_takes_are_accepted(validator):
    d = _vote()
    d["workload"].update({"duration_ms": "1.5s", "memory_mb": "2GB", "monthly_requests": "30M",
                          "p99_duration_ms": 900, "request_size_kb": "512 bytes"})
    assert list(validator.iter_errors(d)) == []


def test_pattern_settings_carry_descriptions_and_defaults():
    s = scenario.json_schema()
    q = s["$defs"]["settings_queue_load_leveling"]["properties"]
    assert q["batch_size"]["description"] and "default" in q["batch_size"]
    assert s["properties"]["pattern"]["enum"] == list(scenario.PATTERNS)
    assert "eu-west-1" in s["properties"]["region"]["enum"]


def test_scenario_new_writes_the_modeline_and_schema_out_writes_the_file(cli, tmp_path):
    code, out, _ = cli("scenario", "new", "queue_load_leveling")
    assert code == 0 and out.splitlines()[0] == "# yaml-language-server: $schema=costplan.schema.json"
    code, out, _ = cli("scenario", "new", "sync_api", "--schema", "../schema.json")
    assert out.splitlines()[0].endswith("$schema=../schema.json")
    target = tmp_path / "costplan.schema.json"
    code, _, err = cli("scenario", "schema", "--out", str(target))
    assert code == 0, err
    assert json.loads(target.read_text())["title"].startswith("costplan scenario")
    assert cli("scenario", "schema", "--out", str(target))[0] == 2  # exists: needs --force
