"""Hostile inputs: a corpus of bad scenario files, each with the exact one-line message every command
gives for it (tests/fixtures/bad_scenarios/), and the one validation pipeline's promise — `scenario validate`
exits 2 exactly when compare, limits-check, template or report reject a file as bad input."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import ROOT, SCENARIOS

BAD = Path(__file__).resolve().parent / "fixtures" / "bad_scenarios"

# file → the lines on stderr ({f} is the path given); a line ending in "..." is matched as a prefix.
EXPECTED = {
    "peak_two_ways.yaml": ["error: {f}:5: workload: give peak_rps or peak_to_average, not both (each sets the peak)"],
    "p99_below_average.yaml": ["error: {f}:5: workload: p99_duration_ms must be at least the average duration_ms"],
    "alias_bomb.yaml": ["error: {f}:1: expands to more than 20,000 values (nested aliases?); a scenario may hold at most 20,000"],
    "alias_recursive.yaml": ["error: {f}:1: an alias refers to itself (a recursive structure)"],
    "active_under_a_second.yaml": ["error: {f}:4: workload: active_hours_per_day × active_days_per_month comes to under "
                                   "one second of traffic a month; give the hours and days the traffic really runs"],
    "peak_overflow.yaml": ["error: {f}:4: workload: the peak comes to 2.78e+16 requests a second (the volume in 36 s of "
                           "traffic a month × peak_to_average); costplan accepts a peak of up to 1e15 a second"],
    "average_and_monthly.yaml": ["error: {f}:5: workload: give monthly_requests or average_rps, not both (each sets the volume)"],
    "base60_duration.yaml": ["error: {f}:6: workload.duration_ms: YAML reads 1:30 as a base-60 number (90), not a time; "
                             "write a number with its unit (e.g. 90s or 1.5min), or quote it"],
    "octal_count.yaml": ["error: {f}:8: ecs.min_tasks: YAML reads 010 as an octal number (8); write it in decimal (10)"],
    "null_required.yaml": ["error: {f}:6: workload.duration_ms: expected a number, got nothing (null); give a value or "
                           "remove the line"],
    "batch_longer_than_lambda_max.yaml": ["error: {f}:9: settings.batch_size: stage 'consumer' runs 1,000.02 s per invocation; a Lambda invocation runs at most 900 s (a smaller batch or a shorter step)"],
    "cron_both_days.yaml": ["error: {f}:9: settings.expression: 'cron(0 2 1 * MON *)': exactly one of day-of-month and day-of-week must be ?"],
    "cron_five_fields.yaml": ["error: {f}:9: settings.expression: 'cron(0 2 1 * ?)': cron needs 6 fields (minutes hours day-of-month month day-of-week year), got 5"],
    "cron_impossible.yaml": ["error: {f}:9: settings.expression: 'cron(61 25 32 13 ? *)': minutes '61' is out of range (0–59)"],
    "deep_nesting.yaml": ["error: {f}:1: not valid YAML: exceeded maximum nesting depth"],
    "duplicate_steps.yaml": ["error: {f}:11: settings.steps.1.name: 2 items are named 'restore'; each needs its own name"],
    "duration_over_lambda_max.yaml": ["error: {f}:5: workload: duration_ms must be at most 900 s (Lambda's maximum timeout), got 1,200 s"],
    "exponent_overflow.yaml": ["error: {f}:6: workload.monthly_requests: is out of range ('1e999999M'); costplan reads numbers from 1e-30 to 1e30"],
    "fargate_size_missing.yaml": ["error: {f}:10: ecs.memory_gb: 16 GB with 0.25 vCPU is not a Fargate size; with 0.25 vCPU Fargate offers 0.5–2 GB (0.5, 1, 2)"],
    "fargate_vcpu_missing.yaml": ["error: {f}:9: ecs.vcpu: 3 vCPU is not a Fargate size; Fargate offers 0.25, 0.5, 1, 2, 4, 8, 16 vCPU"],
    "fifo_batch_too_big.yaml": ["error: {f}:9: settings.processor_batch_size: an SQS batch size (FIFO queue) is 1–10, got 20"],
    "huge_integer.yaml": ["error: {f}:6: workload.monthly_requests: a number of 5,000 characters; costplan reads numbers of at most 100"],
    "misspelt_key.yaml": ["error: {f}:7: workload.duraton_ms: unknown key (did you mean \"duration_ms\"?)"],
    "nan_value.yaml": ["error: {f}:6: workload.monthly_requests: must be finite, got nan"],
    "not_a_mapping.yaml": ["error: {f}:1: expected a mapping of scenario fields (version, name, workload, ...)"],
    "not_utf8.yaml": ["error: {f}: not UTF-8 text (byte 18)"],
    "peak_below_average.yaml": ["error: {f}:5: workload: peak_rps 50/s is below the average rate while active (100/s); the peak is at least the average"],
    "rate_plural.yaml": ["error: {f}:9: settings.expression: 'rate(1 minutes)': EventBridge wants rate(1 minute) and rate(2 minutes)"],
    "rate_zero.yaml": ["error: {f}:9: settings.expression: 'rate(0 minutes)': the value must be at least 1"],
    "retention_out_of_range.yaml": ["error: {f}:9: settings.retention_s: retention 2,592,000 s is outside SQS's 60 s–14 days"],
    "sqs_batch_needs_window.yaml": ["error: {f}:9: settings.batch_size: a batch size of 100 (above 10) needs batching_window_s of at least 1 s (Lambda's SQS event source)"],
    "sqs_batch_too_big.yaml": ["error: {f}:9: settings.batch_size: an SQS batch size (standard queue) is 1–10,000, got 20,000"],
    "sqs_batch_zero.yaml": ["error: {f}:9: settings.batch_size: an SQS batch size (standard queue) is 1–10,000, got 0"],
    "sqs_window_too_long.yaml": ["error: {f}:9: settings.batching_window_s: the batching window is 0–300 s, got 600 s"],
    "timeout_over_lambda_max.yaml": ["error: {f}:8: lambda: timeout_s must be 1–900 s (Lambda's range), got 1,000 s"],
    "unknown_instance_type.yaml": ["error: {f}:9: ec2.instance_type: unknown instance type 'm9z.huge'; the price book knows ..."],
    "unknown_quota_id.yaml": ["error: {f}:9: quotas.lambda.concurent_executions: unknown quota id (did you mean \"lambda.concurrent_executions\"?)"],
    "unknown_region.yaml": ["error: {f}:3: region: unknown region 'us-east-9' (did you mean \"us-east-1\" or \"us-east-2\"?)"],
    "visibility_too_short.yaml": ["error: {f}:9: settings.visibility_timeout_s: visibility timeout 5 s is below 6 × the consumer's 3 s timeout + 0 s window = 18 s (AWS's guidance for Lambda consumers)"],
    "warm_zero_interval.yaml": ["error: {f}:9: lambda.warm: ping_interval_minutes must be at least 1 (EventBridge's finest schedule)"],
    "zero_divisor_rps.yaml": ["error: {f}:6: workload.average_rps: the period after '/' must be more than zero, got '500/0s'"],
    "zero_duration.yaml": ["error: {f}:5: workload: duration_ms must be more than 0 ms"],
    "zero_ecs_vcpu.yaml": ["error: {f}:8: ecs: vcpu must be more than 0"],
    "zero_memory_ecs.yaml": ["error: {f}:8: ecs: memory_gb must be more than 0"],
}


def _matches(lines: list[str], expected: list[str], f: str) -> bool:
    want = [e.replace("{f}", f) for e in expected]
    if len(lines) != len(want):
        return False
    return all(l.startswith(w[:-3]) if w.endswith("...") else l == w for l, w in zip(lines, want))


def test_every_corpus_file_has_an_expected_message():
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_gives_the_expected_line_and_exit_2(cli, name):
    f = str(BAD / name)
    code, out, err = cli("scenario", "validate", f)
    assert code == 2, out
    assert _matches(err.strip().splitlines(), EXPECTED[name], f), err


COMMANDS = (("compare",), ("limits-check",), ("report",))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_command_rejects_what_validate_rejects_with_the_same_lines(cli, tmp_path, name):
    f = str(BAD / name)
    _, _, want = cli("scenario", "validate", f)
    for cmd in COMMANDS:
        code, _, err = cli(*cmd, f)
        assert (code, err) == (2, want), cmd
    code, _, err = cli("template", f, "--out", str(tmp_path / "t"))
    assert (code, err) == (2, want)
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("path", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_what_validate_accepts_no_command_rejects(cli, tmp_path, path):
    f = str(SCENARIOS / path)
    assert cli("scenario", "validate", f)[0] == 0
    for cmd in COMMANDS:
        code, _, err = cli(*cmd, f)
        assert code in (0, 1), (cmd, err)
    for fmt in ("terraform", "cloudformation"):
        code, _, err = cli("template", f, "-f", fmt, "--out", str(tmp_path / fmt))
        assert code == 0, err


@pytest.mark.parametrize("cmd", ["compare", "limits-check", "report", ("scenario", "validate")])
def test_an_empty_folder_is_bad_input_not_success(cli, tmp_path, cmd):
    args = cmd if isinstance(cmd, tuple) else (cmd,)
    code, out, err = cli(*args, str(tmp_path))
    assert code == 2
    assert err.strip() == f"error: {tmp_path}: folder holds no scenario files (*.yaml, *.yml)"


def test_a_named_pipe_is_not_read(cli, tmp_path):
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    code, _, err = cli("scenario", "validate", str(fifo))
    assert (code, err.strip()) == (2, f"error: {fifo}: is not a regular file, expected a scenario file")


# ---- the safe writer ------------------------------------------------------------------------------------

def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


@pytest.mark.parametrize("args", [
    ("scenario", "new", "sync_api", "--out", "{p}"),
    ("report", "scenarios/global_vote.yaml", "--out", "{p}"),
])
def test_written_files_get_the_umask_mode_and_are_created_exclusively(cli, tmp_path, args):
    p = tmp_path / "out.txt"
    argv = [a.replace("{p}", str(p)) for a in args]
    argv = [str(ROOT / a) if a.startswith("scenarios/") else a for a in argv]
    old = os.umask(0o027)
    try:
        assert cli(*argv)[0] == 0
        assert stat.S_IMODE(p.stat().st_mode) == 0o640
    finally:
        os.umask(old)
    code, _, err = cli(*argv)
    assert code == 2 and err.strip() == f"error: {p}: already exists; use --force to overwrite it"


def test_force_onto_a_symlink_writes_its_target(cli, tmp_path):
    target = tmp_path / "real.yaml"
    target.write_text("old\n")
    target.chmod(0o600)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    assert cli("scenario", "new", "sync_api", "--out", str(link), "--force")[0] == 0
    assert link.is_symlink() and "pattern: sync_api" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # an overwritten file keeps its mode


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_force_never_replaces_what_is_not_a_regular_file(cli, tmp_path, kind):
    if kind == "fifo":
        p = tmp_path / "pipe"
        os.mkfifo(p)
        msg = "is not a regular file (a named pipe); costplan writes only regular files"
    elif kind == "device":
        p = Path("/dev/null")
        msg = "is not a regular file (a device); costplan writes only regular files"
    else:
        p = tmp_path / "d"
        p.mkdir()
        msg = "is a directory; give a file name"
    code, _, err = cli("report", str(SCENARIOS / "global_vote.yaml"), "--out", str(p), "--force")
    assert (code, err.strip()) == (2, f"error: {p}: {msg}")
    assert not any(x.name.startswith(".") for x in tmp_path.iterdir())  # no temporary file left


def test_a_second_writer_to_the_same_out_is_refused_not_silently_replacing(tmp_path, monkeypatch):
    """Two writers race for one --out: the one that loses the race is refused (exclusive create)."""
    from costplan import safewrite
    from costplan.errors import CostplanError

    p = tmp_path / "r.md"
    real = safewrite._target

    def racing(path, force):  # the other writer creates the file after our existence check
        t = real(path, force)
        p.write_text("the other writer's report\n")
        return t

    monkeypatch.setattr(safewrite, "_target", racing)
    with pytest.raises(CostplanError, match="was created by another writer meanwhile"):
        safewrite.write_file(p, "ours\n")
    assert p.read_text() == "the other writer's report\n"


# ---- starters ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", __import__("costplan.scenario", fromlist=["PATTERNS"]).PATTERNS)
def test_each_starter_is_plausible_valid_and_inside_the_quotas(cli, tmp_path, pattern):
    import jsonschema
    import yaml

    from costplan.compute.traffic import Traffic
    from costplan.scenario import json_schema, load

    code, text, _ = cli("scenario", "new", pattern)
    assert code == 0
    jsonschema.validate(yaml.safe_load(text), json_schema())  # settings: is a mapping, never null
    f = tmp_path / "s.yaml"
    f.write_text(text)
    assert cli("scenario", "validate", str(f))[0] == 0
    code, out, _ = cli("limits-check", str(f))
    assert code == 0, out
    sc = load(f)
    assert sc.pattern == pattern
    monthly = Traffic.from_workload(sc.workload).monthly_requests
    if pattern in ("scheduled_cron", "pipes_and_filters"):  # a job runs a few times a month, not 3M times
        assert monthly < 1000


def test_starters_are_not_one_workload_for_every_pattern(cli):
    from costplan.scenario import PATTERNS

    workloads = {cli("scenario", "new", p)[1].split("workload:")[1].split("\n\n")[0][:200] for p in PATTERNS}
    assert len(workloads) >= 8


# ---- templates from unsafe names -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["vote-${uuid()}", 'a"b', "../../x", "/abs/name", "%{ for x in y }",
                                  "a'b #c: {{resolve:ssm:x}}"])  # (a name with a line break is refused)
def test_an_unsafe_name_is_escaped_in_templates_and_slugged_for_the_folder(cli, tmp_path, monkeypatch, name):
    import json

    import hcl2

    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(f"version: 1\nname: {json.dumps(name)}\npattern: queue_load_leveling\n"
                                     "workload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n")
    for fmt in ("terraform", "cloudformation"):
        code, out, err = cli("template", "s.yaml", "-f", fmt)
        assert code == 0, err
        folder = out.split(" to ")[1].split(" (")[0]
        assert "/" not in folder and not folder.startswith(".")  # inside the current folder
        written = [p for p in (tmp_path / folder).rglob("*") if p.is_file() and p.suffix in (".tf", ".yaml")]
        for p in written:
            text = p.read_text()
            assert "uuid()}" not in text and 'a"b' not in text and "%{ for" not in text
            if p.suffix == ".tf":
                hcl2.loads(text)  # parses: no quote or interpolation broke out of a string
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == sorted(
        {f"{__import__('costplan.templates.safe', fromlist=['slug']).slug(name)}-{f}"
         for f in ("terraform", "cloudformation")})


# ---- the environment: encodings, terminals, pipes, full disks, Ctrl-C --------------------------------------

def _costplan(*args, env=None, **kw):
    import subprocess
    import sys

    e = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIOENCODING", "LC_", "LANG"))}
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "costplan", *args], env=e, capture_output=True, timeout=120, **kw)


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"},
                                 {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}])
def test_an_ascii_terminal_gets_ascii_not_a_unicode_error(env):
    r = _costplan("compare", str(SCENARIOS / "stock_explorer_websocket.yaml"), env=env)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode("ascii")  # every byte is ASCII
    assert "1,221.0 req/s x 0.0788 s" in out  # '×' degraded to 'x', the rest kept


def test_columns_that_is_not_a_number_is_ignored():
    r = _costplan("compare", str(SCENARIOS / "global_vote.yaml"), env={"COLUMNS": "abc", "FORCE_COLOR": "1"})
    assert r.returncode == 0 and b"Error" not in r.stderr


def test_a_closed_pipe_ends_quietly_and_keeps_the_commands_own_exit_code():
    import subprocess
    import sys

    for args, code in ((["compare", str(SCENARIOS / "global_vote.yaml")], 0),
                       (["limits-check", str(SCENARIOS / "stock_explorer_websocket.yaml")], 1)):
        p = subprocess.Popen([sys.executable, "-m", "costplan", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.read(10)
        p.stdout.close()  # like `| head -c 10`
        err = p.stderr.read()
        assert p.wait(60) == code and err == b"", err


def test_stdout_on_a_full_disk_names_stdout():
    import subprocess
    import sys

    with open("/dev/full", "wb") as full:
        r = subprocess.run([sys.executable, "-m", "costplan", "compare", str(SCENARIOS / "global_vote.yaml")],
                           stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert (r.returncode, r.stderr.decode().strip()) == (2, "error: stdout: No space left on device")


def test_ctrl_c_is_one_line_and_exit_130_even_during_start_up():
    """SIGINT right after Python hands over to costplan's entry point, while typer, rich and pydantic are
    still importing (the interpreter's own start-up, before any of our code, is out of reach)."""
    import signal
    import subprocess
    import sys
    import time

    code = ("import sys; sys.argv = ['costplan', 'compare', %r]; from costplan.cli.entry import main; "
            "sys.stderr.write('ready\\n'); sys.stderr.flush(); main()" % str(SCENARIOS / "global_vote.yaml"))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stderr.readline() == b"ready\n"
    time.sleep(0.05)  # inside main(): the CLI's imports take far longer than this
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert (p.returncode, err.decode().strip()) == (130, "interrupted")


# ---- options accepted and ignored -----------------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    (["compare", "{g}", "--executions", "3M"], "error: --executions: --executions describe a workload without a "
                                               "scenario file; with a file, edit its workload: (or use --vary to "
                                               "sweep one input)"),
    (["compare", "{g}", "--steps", "3"], "error: --steps: --steps sets the points of a --vary sweep; give --vary "
                                         "FIELD=LOW..HIGH too"),
    (["compare", "{g}", "--brief", "-f", "json"], "error: --brief: --brief shortens the table; json, markdown, csv "
                                                  "and --vary have no line items to drop"),
    (["compare", "{g}", "--notify", "polling", "-f", "csv"], "error: --notify: --notify is shown in the table and "
                                                             "in json; markdown, csv and --vary do not carry it"),
    (["compare", "{g}", "--vary", "duration_ms=1ms..10d"], None),
])
def test_an_option_that_would_change_nothing_is_refused(cli, args, message):
    argv = [a.replace("{g}", str(SCENARIOS / "global_vote.yaml")) for a in args]
    code, _, err = cli(*argv)
    assert code == 2
    if message:
        assert err.strip() == message
    else:
        assert "outside a Lambda invocation's 0–900 s" in err


@pytest.mark.parametrize("args", [["iam-policy", "-f", "banana"], ["diff", "a", "b", "-f", "csv"]])
def test_formats_a_command_cannot_produce_are_not_offered(cli, args):
    code, _, err = cli(*args)
    assert code == 2 and "is not one of" in err
    _, help_text, _ = cli(args[0], "-h")
    assert "csv" not in help_text.split("--format")[1].split("\n")[0]


def test_a_region_the_price_book_lacks_names_the_file_and_only_limits_check_runs(cli, tmp_path):
    from costplan.aws.regions import aws_regions
    from costplan.pricing.book import regions

    region = sorted(r for r in aws_regions() - set(regions()) if r.count("-") == 2)[0]
    f = tmp_path / "elsewhere.yaml"
    f.write_text(f"version: 1\nname: x\nregion: {region}\nworkload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n")
    for args in (["compare", str(tmp_path)], ["scenario", "validate", str(f)]):
        code, _, err = cli(*args)
        assert code == 2 and err.startswith(f"error: {f}"), err  # which file of the folder
    assert cli("limits-check", str(f))[0] in (0, 1)  # quotas need no prices


def test_ctrl_c_in_typers_own_parsing_still_says_interrupted():
    """typer turns a KeyboardInterrupt that lands in its parsing (outside our commands' error boundary) into
    a silent exit 130; the entry point must still say it, once (a Ctrl-C timed there once gave no line)."""
    import subprocess
    import sys

    code = ("import sys; from typer import _click; sys.argv = ['costplan', 'compare', %r]\n"
            "def stop(*a, **k): raise KeyboardInterrupt\n"
            "_click.Command.make_context = stop\n"  # typer's bundled click: where it parses
            "from costplan.cli.entry import main; main()" % str(SCENARIOS / "global_vote.yaml"))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert (r.returncode, r.stderr.decode().strip(), r.stdout) == (130, "interrupted", b"")


# ---- user text that templates write: settings strings, names that look like references ------------------

def _with(scenario: str, tmp_path, edit) -> str:
    import yaml

    d = yaml.safe_load((SCENARIOS / scenario).read_text())
    edit(d)
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(d, sort_keys=False))
    return str(f)


def _set(path, value):
    def edit(d):
        for p in path[:-1]:
            d = d[p]
        d[path[-1]] = value
    return edit


INJECTED = [  # live syntax in Terraform or CloudFormation strings, or an IAM wildcard in a policy Resource
    ("avatar_resize_claim_check.yaml", ("settings", "output_prefix"), "${aws_s3_bucket.uploads_bucket.id}/",
     "is not an S3 key prefix templates can carry; '$' is not allowed"),
    ("avatar_resize_claim_check.yaml", ("settings", "trigger_prefix"), "up/{{resolve:ssm:/db/password}}",
     "is not an S3 key prefix templates can carry; '{' is not allowed"),
    ("avatar_resize_claim_check.yaml", ("settings", "output_prefix"), "*", "is not an S3 key prefix templates can "
                                                                           "carry; '*' is not allowed"),
    ("avatar_resize_claim_check.yaml", ("settings", "trigger_prefix"), "", "is not an S3 key prefix"),
    ("qa_db_refresh_pipeline.yaml", ("settings", "steps", 2, "name"), "seed${var.db_password}",
     "is not a name templates can carry; '$' is not allowed"),
    ("user_registration_fanout.yaml", ("settings", "subscribers", 1, "name"), 'mail"ing',
     "is not a name templates can carry; '\"' is not allowed"),
    ("account_bans_ttl.yaml", ("settings", "ttl_attribute"), "%{ for x in y }", "is not a name templates can carry"),
    ("global_vote.yaml", ("workload", "monthly_requests"), "3M", None),  # (the good file itself builds)
]


@pytest.mark.parametrize("scenario,path,value,message", INJECTED)
def test_a_settings_string_templates_would_write_as_live_syntax_is_refused_at_its_line(cli, tmp_path, scenario, path,
                                                                                     value, message):
    f = _with(scenario, tmp_path, _set(path, value))
    code, _, err = cli("template", f, "--out", str(tmp_path / "t"))
    if message is None:
        assert code == 0, err
        return
    field = ".".join(map(str, path))
    assert code == 2 and err.startswith(f"error: {f}:") and f": {field}: " in err and message in err, err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "t").exists()


@pytest.mark.parametrize("name", ["data.pipeline.v2", "var.x", "sync var.old", "aws_lambda.orders"])
def test_a_name_that_looks_like_a_terraform_reference_is_just_a_name(cli, tmp_path, name):
    """The rule that every Terraform reference resolves read string literals too: a scenario called
    data.pipeline.v2 failed `scenario validate` and `template` with TF001 data.pipeline.v2."""
    f = tmp_path / "s.yaml"
    f.write_text(f'version: 1\nname: "{name}"\nworkload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n')
    assert cli("scenario", "validate", str(f))[0] == 0
    code, _, err = cli("template", str(f), "--out", str(tmp_path / "t"))
    assert code == 0, err


# ---- one run, many files: the same file twice, two files with one name, outputs that collide ---------------

def test_a_file_named_twice_is_one_scenario_not_twice_the_account_load(cli, tmp_path):
    """global_vote takes 25,000 of the account's 35,000 API Gateway requests/s: named twice (or through a
    symlink, or as a folder and a file in it) it was added twice, 50,000, and limits-check failed CI."""
    import json

    g = SCENARIOS / "global_vote.yaml"
    link = tmp_path / "gv.yaml"
    link.symlink_to(g)
    for args in ([str(g), str(g)], [str(g), str(link)]):
        code, out, err = cli("limits-check", *args, "-f", "json")
        assert code == 0 and [s["name"] if "name" in s else s["scenario"] for s in json.loads(out)["scenarios"]] == [
            "global-vote"], args  # (was exit 1: ACCOUNT-APIGW-RPS 25,000 + 25,000 = 50,000 against 35,000)
    code, out, err = cli("limits-check", str(SCENARIOS), str(g), "-f", "json")
    assert [s["scenario"] for s in json.loads(out)["scenarios"]].count("global-vote") == 1


@pytest.mark.parametrize("command", [("scenario", "validate"), ("compare",), ("limits-check",), ("report",)])
def test_two_files_with_one_name_are_refused_naming_both(cli, tmp_path, command):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    body = "version: 1\nname: orders\nworkload:\n  monthly_requests: {}\n  duration_ms: 100ms\n"
    a.write_text(body.format("3M"))
    b.write_text(body.format("9M"))
    code, _, err = cli(*command, str(tmp_path))
    assert (code, err) == (2, f"error: {b}:2: name: 'orders' is also the name of {a}; scenarios checked together "
                              "need their own names\n")


def test_report_refused_for_its_out_writes_no_charts(cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "r.md"
    out.write_text("the reviewer's notes\n")
    code, _, err = cli("report", str(SCENARIOS / "global_vote.yaml"), "--out", str(out), "--charts",
                       str(tmp_path / "charts"))
    assert (code, err) == (2, f"error: {out}: already exists; use --force to overwrite it\n")
    assert not (tmp_path / "charts").exists() and out.read_text() == "the reviewer's notes\n"


def test_report_charts_are_all_written_or_none_and_never_shared_by_two_scenarios(cli, tmp_path):
    """Two names with one file-name slug ("orders api", "orders-api") drew their charts over each other's;
    a chart that exists is refused before any other is written."""
    pytest.importorskip("matplotlib")
    body = "version: 1\nname: {}\nworkload:\n  monthly_requests: {}\n  duration_ms: 100ms\n"
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "a.yaml").write_text(body.format("orders api", "3M"))
    (tmp_path / "s" / "b.yaml").write_text(body.format("orders-api", "300M"))
    charts = tmp_path / "charts"
    code, _, err = cli("report", str(tmp_path / "s"), "--out", str(tmp_path / "r.md"), "--charts", str(charts))
    assert code == 0, err
    written = sorted(p.name for p in charts.iterdir())
    assert written == ["orders-api-b-cost.png", "orders-api-b-cost.svg", "orders-api-cost.png", "orders-api-cost.svg"]
    text = (tmp_path / "r.md").read_text()
    assert "(charts/orders-api-cost.png)" in text and "(charts/orders-api-b-cost.png)" in text
    (charts / "orders-api-cost.png").unlink()
    code, _, err = cli("report", str(tmp_path / "s"), "--out", str(tmp_path / "r2.md"), "--charts", str(charts))
    assert code == 2 and "orders-api-b-cost.png: already exists; use --force" in err
    assert not (charts / "orders-api-cost.png").exists() and not (tmp_path / "r2.md").exists()
    assert sorted(p.name for p in charts.iterdir()) == written[:2] + written[3:]  # nothing new, no staging left


def test_a_list_too_long_to_plan_is_refused_at_its_line_before_any_planning(cli, tmp_path):
    """Each subscriber is planned, priced and templated as its own function: 2,000 of them (60 KB of YAML)
    took `scenario validate` 96 s. Lists are bounded like the values a file expands to."""
    import time

    from costplan.yamlfile import MAX_ITEMS

    subs = "".join(f"    - {{name: s{i}, duration_ms: 40ms}}\n" for i in range(2000))
    f = tmp_path / "s.yaml"
    f.write_text("version: 1\nname: fan\npattern: pubsub\nworkload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n"
                 f"settings:\n  subscribers:\n{subs}")
    start = time.monotonic()
    code, _, err = cli("scenario", "validate", str(f))
    assert time.monotonic() - start < 5
    assert (code, err) == (2, f"error: {f}:9: settings.subscribers: a list of 2,000 items; a scenario's lists hold at "
                              f"most {MAX_ITEMS} (each item is planned as its own part of the design: split the "
                              "scenario)\n")


@pytest.mark.parametrize("key", ["concurrent_requests_per_task", "requests_per_second_per_task"])
def test_an_extreme_ecs_capacity_is_bad_input_to_compare_and_skips_ecs_in_limits_check(cli, tmp_path, key):
    """1e-30 requests per task sizes 1e29 tasks: compare refuses it as bad input, limits-check was an internal
    error (InvalidOperation quantizing the sizing); it now checks the Lambda design and says why not ECS."""
    f = tmp_path / "s.yaml"
    f.write_text(f"version: 1\nname: x\nworkload:\n  monthly_requests: 3M\n  duration_ms: 100ms\necs:\n  {key}: 1e-30\n")
    assert cli("compare", str(f))[0] == 2
    code, out, _ = cli("limits-check", str(f))
    assert code == 0 and "the ECS designs are not checked: their sizing overflows" in out


def test_arithmetic_no_check_foresaw_is_bad_input_in_template_not_an_internal_error(cli, tmp_path, monkeypatch):
    """An accepted value whose arithmetic overflows while the template is built (active_hours_per_day: 1e-30
    did, in throttle_for's quantize) is one line naming the file, exit 2, from `template` and `validate`."""
    from decimal import InvalidOperation

    from costplan.templates import render

    def overflow(*a, **k):
        raise InvalidOperation

    monkeypatch.setattr(render, "build_for", overflow)
    f = str(SCENARIOS / "global_vote.yaml")
    for args in (("template", f, "--out", str(tmp_path / "t")), ("scenario", "validate", f)):
        code, _, err = cli(*args)
        assert code == 2 and err.startswith(f"error: {f}:16: cannot be templated: a value makes the arithmetic fail "
                                            "(InvalidOperation)"), err


def test_a_dangling_or_looping_symlink_says_which_not_no_such_file(cli, tmp_path):
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "l1.yaml").symlink_to(tmp_path / "l2.yaml")
    (tmp_path / "l2.yaml").symlink_to(tmp_path / "l1.yaml")
    code, _, err = cli("scenario", "validate", str(tmp_path))
    assert code == 2 and err.splitlines() == [
        f"error: {tmp_path}/gone.yaml: is a symbolic link to {tmp_path}/nowhere.yaml, which does not exist",
        f"error: {tmp_path}/l1.yaml: is a symbolic link loop (it points back at itself), expected a scenario file",
        f"error: {tmp_path}/l2.yaml: is a symbolic link loop (it points back at itself), expected a scenario file"]


def test_a_folder_that_cannot_be_read_says_so_not_that_it_is_empty(cli, tmp_path, monkeypatch):
    """(Run as root, a folder's permissions do not stop a read: the refusal is simulated.) glob swallows
    the error, so an unreadable folder was reported as holding no scenario files."""
    import os as os_mod

    (tmp_path / "s.yaml").write_text("version: 1\n")
    real = os_mod.scandir

    def denied(path="."):
        if str(path) == str(tmp_path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os_mod, "scandir", denied)
    code, _, err = cli("compare", str(tmp_path))
    assert (code, err) == (2, f"error: {tmp_path}: cannot read the folder: Permission denied\n")


def test_yaml_merge_keys_share_settings_and_keys_written_beside_them_win(cli, tmp_path):
    """`<<: *defaults` is how YAML shares a block: it gave two lines ('could not determine a constructor for
    the tag merge', 'keys must be plain words') on every command."""
    from costplan.scenario import load

    f = tmp_path / "s.yaml"
    f.write_text("version: 1\nname: m\nworkload:\n  <<: [{monthly_requests: 3M, duration_ms: 5ms},"
                 " {duration_ms: 7ms, memory_mb: 256}]\n  duration_ms: 100ms\necs: &e\n  vcpu: 1\n  memory_gb: 2\n")
    assert cli("scenario", "validate", str(f))[0] == 0
    w = load(f).workload
    assert (w.monthly_requests, w.duration_ms, w.memory_mb) == (3_000_000, 100, 256)
    f.write_text("version: 1\nname: m\nworkload:\n  <<: 5\n  monthly_requests: 3M\n  duration_ms: 100ms\n")
    code, _, err = cli("compare", str(f))
    assert (code, err) == (2, f"error: {f}:4: workload: << (a merge key) takes a mapping or a list of mappings, "
                              "e.g. <<: *defaults\n")


@pytest.mark.parametrize("line,message", [
    ("name: 123", 'name: expected text, got the number 123; quote it if you mean the text "123"'),
    ("name: yes", "name: expected text, got true (YAML reads yes, no, on, off as true/false: quote it)"),
    ("name: 2024-01-01", 'name: expected text, got the date 2024-01-01; quote it if you mean the text "2024-01-01"'),
    ("name: [a]", "name: expected text, got a list"),
    ("name: ''", "name: must not be empty"),
    ("name: x\nversion: yes", "version: expected 1, got True"),  # True == 1 to Python: it was accepted
    ("name: x\nfree_tier: maybe", "free_tier: expected true or false, got 'maybe'"),
])
def test_a_value_of_the_wrong_type_says_what_yaml_read_and_how_to_write_it(cli, tmp_path, line, message):
    f = tmp_path / "s.yaml"
    body = "workload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n"
    f.write_text(("" if "version" in line else "version: 1\n") + body + line + "\n")
    code, _, err = cli("scenario", "validate", str(f))
    assert code == 2 and err.strip().endswith(message) and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("scenario", ["qa_db_refresh_pipeline.yaml", "db_refresh_async.yaml"])
def test_a_name_like_a_reference_in_a_state_machine_heredoc_is_just_text(cli, tmp_path, scenario):
    """The state machine's definition is a heredoc: its Comment carries the name ('costplan data.pipeline.v2:
    ...'), which the reference rule read as a reference; only ${...} in a heredoc is one."""
    f = _with(scenario, tmp_path, _set(("name",), "data.pipeline.v2"))
    for fmt in ("terraform", "cloudformation"):
        code, _, err = cli("template", f, "-f", fmt, "--out", str(tmp_path / fmt))
        assert code == 0, err


def test_scenario_examples_copies_all_or_none(cli, tmp_path):
    """One file already there (the last in order but one) made the copy stop after writing the ten before it."""
    out = tmp_path / "ex"
    out.mkdir()
    (out / "steady_heavy_api.yaml").write_text("mine\n")
    code, _, err = cli("scenario", "examples", "--out", str(out))
    assert (code, err) == (2, f"error: {out}/steady_heavy_api.yaml: already exists; use --force to overwrite it\n")
    assert [p.name for p in out.iterdir()] == ["steady_heavy_api.yaml"]
    assert (out / "steady_heavy_api.yaml").read_text() == "mine\n"


@pytest.mark.parametrize("blocker", ["main.tf/", "src", "src/consumer"])
def test_template_force_writes_every_file_or_none(cli, tmp_path, blocker):
    """With --force, a target that cannot be replaced (a folder where main.tf goes, a file where src/ goes)
    was found only after the files before it had been replaced."""
    out = tmp_path / "tf"
    (out / blocker.rstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    if blocker.endswith("/"):
        (out / blocker).mkdir()
    else:
        (out / blocker).write_text("mine\n")
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    code, _, err = cli("template", str(SCENARIOS / "global_vote.yaml"), "--out", str(out), "--force")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before


def test_a_workload_beyond_what_costplan_prices_is_blamed_on_the_workload_with_its_line(cli, tmp_path):
    # 1e14 responses of 1 MB a month: data transfer out beyond the 1 EB a usage may hold. The refusal
    # came from deep in pricing, naming an internal usage key without a line (and, from `template`, without
    # the file); now every command names the file, the workload's line and what the workload comes to.
    f = tmp_path / "huge.yaml"
    f.write_text("version: 1\nname: huge\nworkload:\n  monthly_requests: 1e14\n  duration_ms: 100ms\n"
                 "  response_size_kb: 1MB\n")
    want = f"error: {f}:3: workload: the workload comes to more than costplan prices: "
    for args in (("compare", str(f)), ("scenario", "validate", str(f)),
                 ("template", str(f), "--out", str(tmp_path / "t"))):
        code, _, err = cli(*args)
        assert code == 2 and err.startswith(want), (args, err)
        assert "internet_out_gb is implausibly large" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "t").exists()
    code, out, _ = cli("limits-check", str(f))  # quotas still apply: the Lambda design is checked
    assert code == 1 and "compare cannot size them here (the workload comes to more than costplan prices" in out
