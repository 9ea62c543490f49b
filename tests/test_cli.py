"""The command line: real outputs, exit codes, one line per problem and never a traceback."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_price_lambda_acceptance_example(cli):
    code, out, err = cli("price", "lambda", "monthly_requests=10M", "request_duration_ms=250", "memory_mb=1024",
                         "architecture=arm64", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["monthly_usd"] == 29.80
    billed = {li["name"]: li["monthly_usd"] for li in data["line_items"]}
    assert billed["Requests"] == 1.80
    assert billed["Duration (arm64) (first 7.5B GB-seconds)"] == 28.00
    assert data["service"] == "lambda" and data["region"] == "us-east-1"
    assert "2025-10-01" in data["prices_as_of"]
    assert set(data["line_items"][0]) >= {"name", "quantity", "unit", "unit_price_usd", "monthly_usd"}


def test_price_no_free_tier(cli):
    code, out, _ = cli("price", "lambda", "monthly_requests=10M", "request_duration_ms=250", "memory_mb=1024",
                       "architecture=arm64", "--no-free-tier", "--format", "json")
    # 10M × $0.20/M + 2.5M GB-s × $0.0000133334
    assert json.loads(out)["monthly_usd"] == round(2.00 + 2_500_000 * 0.0000133334, 2)


@pytest.mark.parametrize("args,expected", [
    (["price", "lamda", "monthly_requests=1"], 'error: service: unknown service \'lamda\' (did you mean "lambda"?)'),
    (["price", "lambda", "monthly_requsts=1"], 'error: monthly_requsts: unknown usage key for lambda (did you mean "monthly_requests"?)'),
    (["price", "lambda", "monthly_requests=-1"], "error: monthly_requests: must not be negative, got '-1'"),
    (["price", "lambda", "monthly_requests"], "error: usage: expected KEY=VALUE, got 'monthly_requests'"),
    (["price", "lambda", "monthly_requests=1", "--region", "us-east-9"],
     "error: region: unknown region 'us-east-9' (did you mean \"us-east-1\" or \"us-east-2\"?)"),
    (["compare", "nope.yaml"], "error: nope.yaml: no such file"),
    (["compare", "--executions", "3M", "--duration", "120"],
     "error: --duration: '120' is ambiguous: give a unit, e.g. 120ms or 1.5s"),
    (["compare"], "error: compare: give a scenario file, or at least --executions and --duration"),
])
def test_bad_input_exits_2_with_one_line(cli, args, expected):
    code, out, err = cli(*args)
    assert code == 2
    assert err.strip().splitlines() == [expected]
    assert "Traceback" not in out + err


def test_bad_scenario_file_lines(cli, tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("version: 1\nname: x\nworkload:\n  monthly_requests: 3M\n  duraton_ms: 100\n")
    code, _, err = cli("compare", str(p))
    assert code == 2
    assert err.strip().splitlines() == [
        f'error: {p}:5: workload.duraton_ms: unknown key (did you mean "duration_ms"?)']


def test_malformed_yaml_exit_2(cli, tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("version: 1\n  name: : x\n")
    code, _, err = cli("scenario", "validate", str(p))
    assert code == 2 and "not valid YAML" in err and f"{p}:" in err


def test_compare_from_flags_json(cli):
    code, out, err = cli("compare", "--executions", "3M", "--duration", "120ms", "--memory", "512MB",
                         "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [o["name"] for o in data["options"]][:3] == ["lambda", "fargate", "ec2"]
    assert data["cheapest"] == "lambda" and data["recommendation"] == "lambda"
    assert data["options"][0]["monthly_usd"] == 0.40
    assert data["breakeven"]["monthly_requests"] > 3_000_000
    assert data["breakeven"]["average_rps"] == pytest.approx(data["breakeven"]["monthly_requests"] / 2_628_000,
                                                             rel=1e-3)


def test_compare_table_and_markdown_and_csv(cli):
    f = str(ROOT / "scenarios" / "steady_heavy_api.yaml")
    code, out, _ = cli("compare", f)
    assert code == 0 and "Recommendation: ECS on" in out and "Break-even:" in out
    code, out, _ = cli("compare", f, "--format", "markdown")
    assert code == 0 and "| Alternative | Monthly |" in out and "<details>" in out
    code, out, _ = cli("compare", f, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("scenario,option,resource,item")


def test_scenario_validate_ok_and_new_and_schema(cli, tmp_path):
    code, out, _ = cli("scenario", "validate", str(ROOT / "scenarios"))
    assert code == 0 and out.count("ok: ") >= 2
    target = tmp_path / "new.yaml"
    code, _, _ = cli("scenario", "new", "sync_api", "--out", str(target))
    assert code == 0 and target.exists()
    code, _, _ = cli("scenario", "validate", str(target))
    assert code == 0
    code, _, err = cli("scenario", "new", "sync_api", "--out", str(target))
    assert code == 2 and "already exists; use --force" in err
    code, _, _ = cli("scenario", "new", "sync_api", "--out", str(target), "--force")
    assert code == 0
    code, out, _ = cli("scenario", "schema")
    assert json.loads(out)["title"].startswith("costplan scenario")


def test_pricing_show(cli):
    code, out, _ = cli("pricing", "show", "lambda", "--format", "json")
    assert code == 0
    rows = json.loads(out)["prices"]
    req = next(r for r in rows if r["key"] == "lambda.requests")
    assert req["source"].startswith("https://") and req["as_of"] == "2025-10-01"
    code, out, _ = cli("pricing", "show", "fargate", "--region", "eu-west-1", "--format", "json")
    rows = json.loads(out)["prices"]
    assert any(r["price"] == "gap" for r in rows)  # Fargate Windows: not in the regional reference
    vcpu = next(r for r in rows if r["key"] == "fargate.vcpu_linux_x86_64")
    assert vcpu["price"] == "$0.04048 per vCPU-hour" and vcpu["as_of"] == "2025-10-27"


def test_version_and_short_help(cli):
    code, out, _ = cli("--version")
    assert code == 0 and re.match(r"costplan \d+\.\d+\.\d+", out)
    code, out, _ = cli("-h")
    assert code == 0 and "compare" in out


def _commands():
    from costplan.cli.app import app
    import typer.main

    group = typer.main.get_command(app)
    out = []
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            out += [(f"{name} {sub}", c) for sub, c in cmd.commands.items()]
        else:
            out.append((name, cmd))
    return out


def test_every_command_has_help_and_is_in_readme():
    readme = (ROOT / "README.md").read_text()
    for name, cmd in _commands():
        assert (cmd.help or "").strip(), f"{name} has no help text"
        assert f"costplan {name}" in readme, f"README does not document `costplan {name}`"


@pytest.mark.parametrize("argv", [
    ["compare", "scenarios/steady_heavy_api.yaml"],
    ["price", "lambda", "monthly_requests=1M"],
    ["scenario", "validate", "scenarios/steady_heavy_api.yaml"],
])
def test_offline_commands_do_not_import_boto3(argv):
    code = ("import sys; from costplan.cli.app import app; from typer.testing import CliRunner; "
            f"r = CliRunner().invoke(app, {argv!r}); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_console_script_never_prints_traceback(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_bytes(b"\xff\xfe\x00garbage")
    exe = Path(sys.executable).with_name("costplan")
    out = subprocess.run([str(exe), "compare", str(p)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and out.stderr.startswith("error: ")


def test_compare_vary_sweeps_and_matches_compare_at_today(cli):
    f = str(ROOT / "scenarios" / "steady_heavy_api.yaml")
    code, out, err = cli("compare", f, "--vary", "monthly_requests=0.01x..1x", "--steps", "3", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [p["recommendation"] for p in data["points"]][0] == "lambda"  # light end: Lambda
    today = data["points"][-1]
    assert today["factor"] == 1.0
    code, out, _ = cli("compare", f, "--format", "json")
    whole = json.loads(out)
    assert today["totals_usd"]["fargate"] == next(o["monthly_usd"] for o in whole["options"] if o["name"] == "fargate")
    assert today["recommendation"] == whole["recommendation"]
    code, _, err = cli("compare", f, "--vary", "colour=1x..2x")
    assert code == 2 and err.startswith("error: ")


@pytest.mark.parametrize("pattern", ["sync_api", "async_request_reply", "queue_load_leveling", "pubsub",
                                     "sequential_convoy", "claim_check", "pipes_and_filters", "scheduled_cron",
                                     "scheduled_ttl", "websocket_notify", "mqtt_notify"])
def test_every_starter_validates_and_its_commented_defaults_are_the_defaults(cli, tmp_path, pattern):
    import re

    from costplan import patterns
    from costplan.scenario import load

    code, text, err = cli("scenario", "new", pattern)
    assert code == 0, err
    plain = tmp_path / "starter.yaml"
    plain.write_text(text)
    code, _, err = cli("scenario", "validate", str(plain))
    assert code == 0, err
    # uncomment every default the starter lists: the plan must not change
    shown = re.sub(r"^  # ([a-z_0-9]+: (?!\[).*?)  — .*$", r"  \1", text, flags=re.M)
    assert shown != text or pattern == "sync_api"
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text(shown)
    a, b = load(plain), load(explicit)
    assert len(b.settings) >= len(a.settings)
    pa, pb = patterns.plan(a), patterns.plan(b)
    assert pa.services == pb.services and pa.facts == pb.facts
    assert [s.timeout_s for s in pa.stages] == [s.timeout_s for s in pb.stages]


def test_a_section_left_with_every_line_commented_out_is_empty(cli, tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("version: 1\nname: x\nworkload:\n  monthly_requests: 1M\n  duration_ms: 100ms\n"
                 "settings:\n  # api: http\nlambda:\nquotas:\n")
    code, out, err = cli("scenario", "validate", str(f))
    assert code == 0, err


@pytest.mark.parametrize("args", [
    ["scenario", "new", "sync_api", "--out", "{bad}/s.yaml"],
    ["report", "scenarios/steady_heavy_api.yaml", "--out", "{bad}/r.md"],
    ["template", "scenarios/global_vote.yaml", "--out", "{bad}/tf"],
])
def test_an_unwritable_output_path_is_one_line_and_exit_2(cli, tmp_path, args):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    argv = [a.replace("{bad}", str(blocker)) for a in args]
    argv = [str(ROOT / a) if a.startswith("scenarios/") else a for a in argv]
    code, out, err = cli(*argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {blocker}/") and "cannot write here" in lines[0]
    assert "Traceback" not in err and ".tmp" not in err


def test_charts_into_an_unwritable_folder_is_one_line(cli, tmp_path):
    pytest.importorskip("matplotlib")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = cli("report", str(ROOT / "scenarios/periodic_light_api.yaml"), "--charts", str(blocker / "c"))
    assert code == 2 and err.strip() == f"error: {blocker / 'c'}: cannot write charts here: Not a directory"


@pytest.mark.parametrize("key,value,ok", [
    ("memory_mb", "128", True), ("memory_mb", "127", False), ("memory_mb", "10240", True),
    ("memory_mb", "10241", False), ("ephemeral_storage_mb", "512", True), ("ephemeral_storage_mb", "511", False),
    ("ephemeral_storage_mb", "10GB", True), ("ephemeral_storage_mb", "10241", False),
])
def test_price_lambda_refuses_what_lambda_cannot_be_configured_with(cli, key, value, ok):
    code, out, err = cli("price", "lambda", "monthly_requests=1M", "request_duration_ms=100", f"{key}={value}")
    if ok:
        assert code == 0, err
    else:
        assert code == 2 and err.startswith(f"error: {key}: must be ") and len(err.strip().splitlines()) == 1


def test_scenario_ephemeral_storage_outside_lambda_range_names_file_and_line(cli, tmp_path):
    f = tmp_path / "e.yaml"
    f.write_text("version: 1\nname: x\nworkload:\n  monthly_requests: 1M\n  duration_ms: 100ms\n"
                 "lambda:\n  ephemeral_storage_mb: 20GB\n")
    code, _, err = cli("compare", str(f))
    assert code == 2 and err.strip() == (f"error: {f}:6: lambda: ephemeral_storage_mb must be 512–10,240 MB, "
                                         "got 20,480")
