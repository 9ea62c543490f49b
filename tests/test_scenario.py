"""Scenario files: valid ones load; bad ones give one line per problem with file, line and field."""
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costplan import scenario
from costplan.errors import CostplanError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


GOOD = """version: 1
name: t
workload:
  monthly_requests: 3M
  duration_ms: 120ms
  memory_mb: 1.5GB
"""


def test_loads_and_converts_units(tmp_path):
    sc = scenario.load(write(tmp_path, GOOD))
    assert sc.workload.monthly_requests == 3_000_000
    assert sc.workload.duration_ms == 120
    assert sc.workload.memory_mb == 1536
    assert sc.region == "us-east-1" and sc.pattern == "sync_api"


def problems_of(tmp_path, text):
    with pytest.raises(CostplanError) as e:
        scenario.load(write(tmp_path, text))
    return [str(p) for p in e.value.problems]


def test_misspelled_key_names_file_line_field_and_suggestion(tmp_path):
    lines = problems_of(tmp_path, GOOD.replace("memory_mb", "memroy_mb"))
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path / 's.yaml'}:6: workload.memroy_mb: unknown key")
    assert 'did you mean "memory_mb"' in lines[0]


def test_every_problem_reported_at_once(tmp_path):
    text = GOOD.replace("3M", "-3M") + "ecs:\n  scalign: peak\n"
    lines = problems_of(tmp_path, text)
    assert len(lines) == 2
    assert ":4: workload.monthly_requests: must not be negative" in lines[0]
    assert ':8: ecs.scalign: unknown key (did you mean "scaling"?)' in lines[1]


def test_malformed_yaml_gives_line(tmp_path):
    lines = problems_of(tmp_path, "version: 1\nname: [unclosed\nworkload: {}\n")
    assert len(lines) == 1 and "not valid YAML" in lines[0] and "s.yaml:" in lines[0]


def test_wrong_unit_kind(tmp_path):
    lines = problems_of(tmp_path, GOOD.replace("120ms", "512MB"))
    assert "workload.duration_ms" in lines[0] and "expected a duration" in lines[0]


def test_missing_version_and_workload(tmp_path):
    lines = problems_of(tmp_path, "name: x\n")
    assert any("version: required field is missing" in l for l in lines)
    assert any("workload: required field is missing" in l for l in lines)


def test_wrong_version(tmp_path):
    lines = problems_of(tmp_path, GOOD.replace("version: 1", "version: 2"))
    assert ":1: version: expected 1" in lines[0]


def test_unknown_pattern_suggests(tmp_path):
    lines = problems_of(tmp_path, GOOD + "pattern: pubsbu\n")
    assert 'did you mean "pubsub"' in lines[0]


def test_duplicate_key(tmp_path):
    lines = problems_of(tmp_path, GOOD + "name: again\n")
    assert "duplicate key 'name'" in lines[0] and ":7:" in lines[0]


def test_missing_file():
    with pytest.raises(CostplanError) as e:
        scenario.load("does/not/exist.yaml")
    assert str(e.value.problems[0]) == "does/not/exist.yaml: no such file"


def test_memory_out_of_range(tmp_path):
    lines = problems_of(tmp_path, GOOD.replace("1.5GB", "64MB"))
    assert "memory_mb must be 128–10,240 MB" in lines[0]


def test_bundled_scenarios_all_load():
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 2
    for f in files:
        assert scenario.load(f).version == 1


def test_schema_lists_workload_fields():
    s = scenario.json_schema()
    assert "workload" in s["properties"] and "lambda" in s["properties"]
    assert s["additionalProperties"] is False


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["3M", "120ms", "-1", "512MB", "1e400", "2h", "x"]))
keys = st.sampled_from(["version", "name", "workload", "monthly_requests", "duration_ms", "memory_mb",
                        "ecs", "lambda", "pattern", "region", "settings", "quotas", "warm", "copies", "vcpu",
                        "peak_rps", "traffic_window", "zzz"])
docs = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                    st.dictionaries(keys, kids, max_size=6)), max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs)
def test_loader_never_raises_anything_but_its_own_error(doc):
    """Random documents either load or raise CostplanError — never another exception."""
    try:
        text = yaml.safe_dump(doc)
    except yaml.YAMLError:
        return
    try:
        from costplan.yamlfile import parse

        data, lines = parse(text, "fuzz.yaml")
        scenario.from_dict(data, "fuzz.yaml", lines)
    except CostplanError as e:
        assert e.problems and all(str(p) for p in e.problems)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_loader_survives_arbitrary_text(text):
    from costplan.yamlfile import parse

    try:
        data, lines = parse(text, "fuzz.yaml")
        scenario.from_dict(data, "fuzz.yaml", lines)
    except CostplanError as e:
        assert e.problems


def test_wrong_shapes_and_bad_window_name_their_field(tmp_path):
    lines = problems_of(tmp_path, GOOD + "settings: 5\nquotas: [1]\n")
    assert lines == [f"{tmp_path / 's.yaml'}:7: settings: expected a mapping (key: value lines)",
                     f"{tmp_path / 's.yaml'}:8: quotas: expected a mapping (key: value lines)"]
    lines = problems_of(tmp_path, GOOD + "  traffic_window: 25:00-26:00\n")
    assert len(lines) == 1 and ":7: workload.traffic_window: " in lines[0] and '"09:00-10:30"' in lines[0]
