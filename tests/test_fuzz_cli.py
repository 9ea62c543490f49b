"""Fuzzing the command line as a hostile user would: whole scenario files (valid, broken, hostile YAML) and
whole command lines. Every run must end with exit 0, 1 or 2 — never an internal error (3), a traceback or
an exception — within a time and memory bound. Runs in-process (CliRunner), bounded and derandomized."""
from __future__ import annotations

import importlib
import os
import resource
import time

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import SCENARIOS
from costplan.cli.app import app
from costplan.patterns import REGISTRY
from costplan.scenario import PATTERNS

SECONDS = 20  # per command, on a loaded 2-core machine; a normal run takes well under one
MAX_RSS_MB = 1500
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# values of every kind: good ones in units, zeros, negatives, huge, tiny, not numbers, wrong types
NUMBERS = st.sampled_from([0, 1, 2, 10, 300, 10_000, 20_000, -1, 0.5, 1e-9, 1e30, 1e300, "9" * 60, float("nan"),
                           float("inf"), "3M", "1.5s", "500/0s", "500/s", "0s", "120ms", "15min", "10d", "2KB",
                           "512MB", "16GB", "70%", "1e999999M", "abc", "", None, True, [], {}, "${uuid()}"])
TEXT = st.sampled_from(["sync_api", "vote-${uuid()}", 'a"b', "../../x", "/abs/name", "x" * 300, "%{for}",
                        "rate(0 minutes)", "rate(1 minutes)", "cron(61 25 32 13 ? *)", "cron(0 2 1 * ? *)",
                        "rate(5 minutes)", "us-east-9", "eu-west-1", "m9z.huge", "m7g.large", "arm64", "fifo",
                        "standard", "\u00e9\u00e8\u2014", "\x00", "- a\n- b"])
VALUE = st.one_of(NUMBERS, TEXT, st.integers(min_value=-10**40, max_value=10**40),
                  st.floats(allow_nan=True, allow_infinity=True))
WORKLOAD_GOOD = {"monthly_requests": ["3M", 1000, "1B"], "peak_rps": [5000, "50/s"], "peak_to_average": [1, 3],
                 "duration_ms": ["50ms", "1s", "14min"], "p99_duration_ms": ["15min", "2s"],
                 "memory_mb": [128, "1GB", 10240], "architecture": ["arm64", "x86_64"],
                 "active_hours_per_day": [1, 8, 24], "active_days_per_month": [1, 22], "request_size_kb": ["2KB", 200],
                 "traffic_window": ["09:00-10:00"], "duraton_ms": ["1s"]}


def _settings_fields(pattern: str) -> dict:
    """Each setting with its default as a YAML-ready value (the good value to try most of the time)."""
    from decimal import Decimal

    model = importlib.import_module(REGISTRY[pattern]).Settings
    out = {}
    for name, f in model.model_fields.items():
        d = f.get_default(call_default_factory=True)
        out[name] = float(d) if isinstance(d, Decimal) else d if isinstance(d, str | bool | int) else 1
    out["bogus_key"] = 1
    return out


def mostly(good: list, bad=None):
    """Mostly good values (so examples reach pricing, limits and templates), sometimes hostile ones."""
    return st.one_of(st.sampled_from(good), st.sampled_from(good), st.sampled_from(good), bad if bad is not None else VALUE)


SECTIONS = {"ecs": {"vcpu": [0.5, 1, 4], "memory_gb": ["2GB", 8], "min_tasks": [1, 3], "max_tasks": [10, 100],
                    "concurrent_requests_per_task": [10, 50], "scaling": ["peak", "autoscale"]},
            "ec2": {"instance_type": ["m7g.large", "m5.large", "c7g.xlarge"], "min_instances": [1, 2],
                    "reserved_memory_mb": [256]},
            "lambda": {"timeout_s": [30, "900s"], "reserved_concurrency": [10, 100], "ephemeral_storage_mb": [512, 2048]},
            "quotas": {"lambda.concurrent_executions": [1000, 5], "lambda.concurent_executions": [1]}}
GOOD_VALUES = [1, 2, 5, 10, 50, 100, "3M", "250k", "120ms", "1.5s", "2KB", "512MB", "1GB", 0.5, "70%", True, False]


@st.composite
def scenario_text(draw) -> str:
    pattern = draw(mostly(list(PATTERNS), st.just("no_such_pattern")))
    base = {"version": draw(mostly([1], st.sampled_from([2, "1", None]))),
            "name": draw(mostly(["fuzz"], TEXT)),
            "pattern": pattern, "region": draw(mostly(["us-east-1", "eu-west-1"], st.sampled_from(["us-east-9", 7]))),
            "workload": {"monthly_requests": "3M", "duration_ms": "120ms"}}
    for k in draw(st.lists(st.sampled_from(list(WORKLOAD_GOOD)), max_size=3)):
        base["workload"][k] = draw(mostly(WORKLOAD_GOOD[k]))
    if pattern in REGISTRY:
        fields = _settings_fields(pattern)
        settings_ = {k: draw(mostly([fields[k], fields[k]] + GOOD_VALUES))
                     for k in draw(st.lists(st.sampled_from(sorted(fields)), max_size=2))}
        if draw(st.booleans()) and pattern == "pipes_and_filters":
            settings_["steps"] = [{"name": "a", "kind": "lambda", "duration_ms": draw(mostly(["30s"], NUMBERS))},
                                  {"name": draw(st.sampled_from(["a", "b"])), "kind": "glue", "duration_ms": "1min"}]
        base["settings"] = settings_
    for section, good in SECTIONS.items():
        if draw(st.integers(0, 3)) == 3:
            base[section] = {k: draw(mostly(good[k])) for k in draw(st.lists(st.sampled_from(sorted(good)), max_size=2))}
    if draw(st.integers(0, 9)) == 9:
        base["lambda"] = {"warm": {"copies": draw(mostly([1, 5])), "ping_interval_minutes": draw(mostly([5]))}}
    try:
        text = yaml.safe_dump(base, allow_unicode=True)
    except yaml.YAMLError:
        text = "version: 1\n"
    hostile = draw(st.sampled_from([""] * 12 + ["alias", "recursive", "deep", "tab", "dupkey", "truncate"]))
    if hostile == "alias":
        text += "x: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
            f"x{i}: &a{i} [{','.join(['*a' if i == 0 else f'*a{i - 1}'] * 10)}]\n" for i in range(7))
    elif hostile == "recursive":
        text += "loop: &l [*l]\n"
    elif hostile == "deep":
        text += "deep: " + "[" * 200 + "]" * 200 + "\n"
    elif hostile == "tab":
        text = text.replace("  ", "\t", 1)
    elif hostile == "dupkey":
        text += "name: again\n"
    elif hostile == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    return text


def _run(args: list[str]):
    start = time.monotonic()
    result = CliRunner().invoke(app, args, catch_exceptions=True, env={"COLUMNS": "100", "NO_COLOR": "1"})
    elapsed = time.monotonic() - start
    out = (result.stdout or "") + (result.stderr or "")
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"{args}: {type(exc).__name__}: {exc}"
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, out[-500:])
    assert "internal error" not in out and "Traceback" not in out, (args, out[-500:])
    assert elapsed < SECONDS, (args, elapsed)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 < MAX_RSS_MB
    return result


@FUZZ
@given(text=scenario_text(), command=st.sampled_from(["validate", "compare", "limits-check", "template", "report"]))
def test_any_scenario_file_gives_0_1_or_2(tmp_path_factory, text, command):
    d = tmp_path_factory.mktemp("fuzz")
    f = d / "s.yaml"
    f.write_text(text, encoding="utf-8")
    args = {"validate": ["scenario", "validate", str(f)], "template": ["template", str(f), "--out", str(d / "t")]}
    result = _run(args.get(command, [command, str(f)]))
    if command != "validate":  # the one pipeline: what another command rejects, validate rejects; what
        valid = _run(["scenario", "validate", str(f)]).exit_code != 2  # validate rejects, the others reject
        if result.exit_code == 2:                                      # (limits-check needs no prices, so
            assert not valid, text                                     # a price gap does not stop it)
        elif not valid:
            assert command == "limits-check", text


GOOD = str(SCENARIOS / "global_vote.yaml")
OPTIONS = ["--executions", "--duration", "--memory", "--architecture", "--peak-rps", "--hours-per-day", "--vary",
           "--steps", "--notify", "--brief", "--format", "-f", "--region", "--strict", "--warn", "--critical",
           "--quota", "--out", "--force", "--compute", "--free-tier", "--no-free-tier", "-h", "--bogus"]
ARGS = st.sampled_from(["3M", "120ms", "512MB", "arm64", "banana", "0", "-1", "1e999", "json", "csv", "markdown",
                        "table", "polling,websocket", "duration_ms=1ms..10d", "monthly_requests=0.5x..4x",
                        "memory_mb=1x..1000x", "lambda.concurrent_executions=10", "nope=1", "us-east-9", "eu-west-1",
                        "fargate", "ec2", "\u00e9", "", "1", "200", GOOD, "scenarios/"])


@FUZZ
@given(command=st.sampled_from([["compare"], ["limits-check"], ["report"], ["diff"], ["sensitivity"], ["price"],
                                ["scenario", "validate"], ["scenario", "new"], ["template"], ["iam-policy"],
                                ["pricing", "show"]]),
       words=st.lists(st.one_of(st.sampled_from(OPTIONS), ARGS), max_size=6), with_file=st.booleans())
def test_any_command_line_gives_0_1_or_2(tmp_path, command, words, with_file):
    argv = []
    for w in words:
        argv += ["--out", str(tmp_path / "o")] if w == "--out" else [w]
    here = os.getcwd()
    os.chdir(tmp_path)  # template's default output folder lands here, never in the repository
    try:
        _run(command + ([GOOD] if with_file else []) + argv)
    finally:
        os.chdir(here)
