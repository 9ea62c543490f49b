"""Hostile environment: a user price book (COSTPLAN_PRICING_DIR) that is empty, truncated, not UTF-8 or
hand-edited into the wrong shape, and a broken repository config. Every case is one line naming the
file that is wrong and exit 2, never an internal error or a scenario blamed for a price file."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SCENARIOS

GOOD = str(SCENARIOS / "global_vote.yaml")


def _clear_caches():
    """Every lru_cache in costplan (price files, regions, quotas, instance specs) and the config's."""
    for name, mod in list(sys.modules.items()):
        if name.startswith("costplan"):
            for v in list(vars(mod).values()):
                if callable(getattr(v, "cache_clear", None)):
                    v.cache_clear()
    from costplan import config

    config._CACHE.clear()


@pytest.fixture
def price_dir(tmp_path, monkeypatch):
    d = tmp_path / "prices"
    d.mkdir()
    monkeypatch.setenv("COSTPLAN_PRICING_DIR", str(d))
    monkeypatch.setenv("COSTPLAN_NO_CACHE", "1")
    _clear_caches()
    yield d
    monkeypatch.delenv("COSTPLAN_PRICING_DIR")
    _clear_caches()


SRC = "sources: {S: {url: 'https://example.com', as_of: '2025-01-01'}}\n"


@pytest.mark.parametrize("name,text,expected", [
    ("lambda.yaml", "", "price file: expected a mapping of price data, got nothing (an empty file?)"),
    ("lambda.yaml", "[]\n", "price file: expected a mapping of price data, got a list"),
    ("lambda.yaml", "prices: 5\n", "price file: prices: expected a mapping of entries, got the value '5'"),
    ("lambda.yaml", "prices:\n  requests: 5\n", "price file: prices.requests: expected a mapping of its fields"),
    ("lambda.yaml", SRC + "prices:\n  requests: {unit: requests, source: S, regions: {us-east-1: {usd: abc}}}\n",
     "price file: prices.requests in us-east-1: cannot read the entry (a value is not a number)"),
    ("lambda.yaml", SRC + "prices:\n  requests: {unit: requests, source: S, regions: {us-east-1: {usd: .nan}}}\n",
     "price file: prices.requests in us-east-1: a price must be a finite amount of at least 0"),
    ("lambda.yaml", SRC + "prices:\n  requests: {unit: requests, source: S, regions: {us-east-1: {usd: '-1'}}}\n",
     "price file: prices.requests in us-east-1: a price must be a finite amount of at least 0"),
    ("lambda.yaml", SRC + "prices:\n  requests: {source: S, regions: {us-east-1: {usd: '1'}}}\n",
     "price file: prices.requests in us-east-1: cannot read the entry (missing 'unit')"),
    ("lambda.yaml", "prices:\n  requests: {unit: requests, regions: {us-east-1: {usd: '1'}}}\n",
     "price file: prices.requests in us-east-1: cannot read the entry (source '' is not listed under 'sources')"),
    ("lambda.yaml", SRC + "prices:\n  requests: {unit: requests, source: S, regions: {us-east-1: {usd: '1'}}}\n",
     "price file: has no entry prices.duration_arm64, which the bundled file has"),
    ("lambda.yaml", "garbage: [unclosed\n", None),
    ("lambda.yaml", b"\xff\xfe", "price file: not UTF-8 text (byte 1)"),
    ("regions.yaml", "regions: [us-east-1]\n", "price file: regions: expected a mapping of region codes to names"),
    ("regions.yaml", "x: 1\n", "price file: regions: expected a mapping of region codes to names"),
    ("ec2.yaml", "instances:\n  m7g.large: 5\n", "price file: instances.m7g.large: expected a mapping of its fields"),
    ("fargate.yaml", "task_sizes: 5\n", "price file: task_sizes: expected a list of mappings (vcpu, memory_gb)"),
])
def test_a_broken_user_price_file_is_one_line_naming_it(cli, price_dir, name, text, expected):
    f = price_dir / name
    f.write_bytes(text if isinstance(text, bytes) else text.encode())
    code, _, err = cli("compare", GOOD)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    if expected is None:  # YAML's own complaint, with file:line
        assert lines[0] == f"error: {f}:2: price file is not valid YAML: did not find expected ',' or ']'"
    else:
        assert lines[0].startswith(f"error: {f}: {expected}"), lines[0]


def test_a_value_no_shape_check_reaches_is_still_named_and_exit_2(tmp_path):
    """A quota entry missing its fields: the reader fails deep inside; the entry point names the user's
    price files instead of reporting an internal error."""
    (tmp_path / "quotas.yaml").write_text("quotas:\n  lambda.concurrent_executions: {}\n")
    env = {"COSTPLAN_PRICING_DIR": str(tmp_path), "COSTPLAN_NO_CACHE": "1", "COSTPLAN_CONFIG": "none",
           "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "costplan", "limits-check", GOOD], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(f"error: {tmp_path / 'quotas.yaml'}: a user price file could not be used (KeyError")
    assert "internal error" not in r.stderr


# ---- the repository config (costplan.toml) ----------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ('region = "eu-west-9"\n', 'region: unknown region \'eu-west-9\' (did you mean "eu-west-1" or "eu-west-2" or '
                               '"eu-west-3"?)'),
    ('region = ""\n', "region: unknown region ''; the price book covers us-east-1, "),
    (b"region = \"\xff\"\n", "not UTF-8 text (byte 11); TOML files are UTF-8"),
    ("accounts = []\n", "accounts: expected [accounts.LABEL] tables"),
    ("thresholds = 0\n", "thresholds: expected a table with warn and critical"),
    ("[thresholds]\nwarn = 90\ncritical = 50\n", "thresholds: warn 90% is above critical 50%; the warning comes first"),
    ('[accounts.prod]\nregions = ["us-east-9"]\n', "accounts.prod.regions: unknown region 'us-east-9'"),
])
@pytest.mark.parametrize("command", ["compare", "limits-check", "scenario validate"])
def test_a_broken_config_is_blamed_on_the_config_not_the_scenario(cli, tmp_path, monkeypatch, text, expected,
                                                                   command):
    from costplan import config

    cfg = tmp_path / "costplan.toml"
    cfg.write_bytes(text if isinstance(text, bytes) else text.encode())
    monkeypatch.setenv("COSTPLAN_CONFIG", str(cfg))
    config._CACHE.clear()
    plain = tmp_path / "s.yaml"  # no region: the config's would apply
    plain.write_text("version: 1\nname: s\nworkload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n")
    try:
        code, _, err = cli(*command.split(), str(plain))
    finally:
        config._CACHE.clear()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith(f"error: {cfg}: {expected}"), err


def test_someone_elses_broken_pyproject_does_not_stop_costplan_but_a_broken_tool_costplan_does(cli, tmp_path,
                                                                                            monkeypatch):
    from costplan import config

    monkeypatch.delenv("COSTPLAN_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text("version: 1\nname: s\nworkload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n")
    try:
        (tmp_path / "pyproject.toml").write_text('[project\nname = "unrelated"\n')  # not ours, and broken
        config._CACHE.clear()
        assert cli("compare", "s.yaml")[0] == 0
        (tmp_path / "pyproject.toml").write_text('[tool.costplan\nregion = "eu-west-1"\n')
        config._CACHE.clear()
        code, _, err = cli("compare", "s.yaml")
        assert code == 2 and err.startswith(f"error: {tmp_path / 'pyproject.toml'}: not valid TOML: ")
    finally:
        config._CACHE.clear()


def test_a_config_saved_with_a_byte_order_mark_and_crlf_is_read(cli, tmp_path, monkeypatch):
    import json

    from costplan import config

    cfg = tmp_path / "costplan.toml"
    cfg.write_bytes(b'\xef\xbb\xbfregion = "eu-west-1"\r\n')  # as Windows Notepad saves it
    monkeypatch.setenv("COSTPLAN_CONFIG", str(cfg))
    config._CACHE.clear()
    f = tmp_path / "s.yaml"
    f.write_text("version: 1\nname: s\nworkload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n")
    try:
        code, out, err = cli("compare", str(f), "-f", "json")
    finally:
        config._CACHE.clear()
    assert code == 0, err
    assert json.loads(out)["region"] == "eu-west-1"
