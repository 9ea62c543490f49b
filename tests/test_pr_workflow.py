"""Pull-request fittings: `diff` over folders and git revisions with cost gates, the GitHub Action's
entry script against a local fake GitHub API, the pre-commit hooks and the install hygiene."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SCENARIOS
from costplan import scenario
from costplan.report import diff_view

STEADY = (SCENARIOS / "steady_heavy_api.yaml").read_text()
LIGHT = (SCENARIOS / "periodic_light_api.yaml").read_text()


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


def _recommended(texts: list[str], tmp_path: Path) -> Decimal:
    """The total of each scenario's recommended design, priced together in file order as diff prices a
    folder: scenarios of one account share its free tier."""
    from costplan.compute.compare import compare_many

    loaded = []
    for i, text in enumerate(texts):
        p = tmp_path / f"side-{id(texts)}-{i}.yaml"
        p.write_text(text)
        loaded.append(scenario.load(p))
    return sum((diff_view.recommended_usd(c) for c in compare_many(loaded)), Decimal(0))


@pytest.fixture
def repo(tmp_path):
    """A git repository with two commits: the second raises steady-heavy's traffic by 25 % and adds a
    scenario; returns (path, old total, new total) as the library prices them."""
    r = tmp_path / "repo"
    (r / "scenarios").mkdir(parents=True)
    _git(r, "init", "-q", "-b", "main")
    (r / "scenarios" / "steady.yaml").write_text(STEADY)
    (r / "scenarios" / "gone.yaml").write_text(LIGHT.replace("name: periodic-light-api", "name: gone"))
    (r / "README").write_text("x\n")
    _git(r, "add", "-A")
    _git(r, "commit", "-q", "-m", "base")
    raised = STEADY.replace("average_rps: 400", "average_rps: 500")
    assert raised != STEADY
    (r / "scenarios" / "steady.yaml").write_text(raised)
    (r / "scenarios" / "gone.yaml").unlink()
    (r / "scenarios" / "light.yaml").write_text(LIGHT)
    _git(r, "add", "-A")
    _git(r, "commit", "-q", "-m", "more traffic")
    # in file order: gone.yaml, steady.yaml before; light.yaml, steady.yaml after
    old = _recommended([LIGHT.replace("name: periodic-light-api", "name: gone"), STEADY], tmp_path)
    new = _recommended([LIGHT, raised], tmp_path)
    return r, old, new


def _run(args, cwd, env=None):
    p = subprocess.run([sys.executable, "-m", "costplan", *args], cwd=cwd, capture_output=True, text=True,
                       env={**os.environ, **(env or {})}, timeout=120)
    return p.returncode, p.stdout, p.stderr


def test_diff_against_a_base_revision_reports_totals_and_gates(repo):
    r, old, new = repo
    pct = (new - old) / old * 100
    assert pct > 15, "the fixture must raise the cost by well over 10 %"
    code, out, err = _run(["diff", "--base", "HEAD~1", "scenarios/", "--format", "json",
                           "--fail-on-increase", "10%"], r)
    assert code == 1, err
    d = json.loads(out)
    assert Decimal(str(d["old_total_usd"])) == old.quantize(Decimal("0.01"))
    assert Decimal(str(d["new_total_usd"])) == new.quantize(Decimal("0.01"))
    assert d["gate"]["passed"] is False and "above the 10 % allowed" in d["gate"]["failures"][0]
    assert [a["scenario"] for a in d["added"]] == ["periodic-light-api"]
    assert [x["scenario"] for x in d["removed"]] == ["gone"]
    assert [s["scenario"] for s in d["scenarios"]] == ["steady-heavy-api"]
    assert "cost check failed: monthly cost rose" in err
    # A looser gate passes, and so does a budget above the new total; a budget below it fails.
    assert _run(["diff", "--base", "HEAD~1", "scenarios/", "--fail-on-increase", f"{pct + 1:.1f}"], r)[0] == 0
    assert _run(["diff", "--base", "HEAD~1", "scenarios/", "--budget", str(int(new) + 1)], r)[0] == 0
    code, _, err = _run(["diff", "--base", "HEAD~1", "scenarios/", "--budget", str(int(new) - 1)], r)
    assert code == 1 and "above the budget" in err


def test_markdown_comment_starts_with_the_marker(repo):
    r, old, new = repo
    code, out, _ = _run(["diff", "--base", "HEAD~1", "scenarios", "--format", "markdown"], r)
    assert code == 0
    assert out.splitlines()[0] == diff_view.MARKER
    assert f"${new:,.2f}" in out and f"${old:,.2f}" in out
    assert "(added)" in out and "(removed)" in out


def test_diff_two_folders_matches_files_by_name(tmp_path, cli):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "s.yaml").write_text(STEADY)
    (b / "s.yaml").write_text(STEADY.replace("duration_ms: 150ms", "duration_ms: 300ms"))
    (b / "new.yaml").write_text(LIGHT)
    code, out, err = cli("diff", str(a), str(b), "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    lam = next(o for o in d["scenarios"][0]["options"] if o["name"] == "lambda")
    assert lam["change_usd"] > 0  # twice the duration: more Lambda GB-seconds
    assert [x["scenario"] for x in d["added"]] == ["periodic-light-api"]


def test_diff_refuses_bad_gates_and_mixed_arguments(tmp_path, cli):
    f = tmp_path / "s.yaml"
    f.write_text(STEADY)
    code, _, err = cli("diff", str(f), str(f), "--fail-on-increase", "ten")
    assert code == 2 and "--fail-on-increase: expected a percentage" in err
    code, _, err = cli("diff", str(f), str(f), "--budget", "-5")
    assert code == 2 and "--budget" in err
    code, _, err = cli("diff", str(f), str(tmp_path))
    assert code == 2 and "not a file with a folder" in err
    code, _, err = cli("diff", str(f))
    assert code == 2 and "OLD and NEW" in err


def test_base_outside_a_repository_is_one_line(tmp_path):
    (tmp_path / "s.yaml").write_text(STEADY)
    code, _, err = _run(["diff", "--base", "HEAD", "s.yaml"], tmp_path)
    assert code == 2 and err.strip().count("\n") == 0 and "git repository" in err


# ---- the GitHub Action's entry script, against a local fake of GitHub's REST API ----------------------

class FakeGitHub(BaseHTTPRequestHandler):
    comments: list = []
    calls: list = []

    def log_message(self, *a):
        pass

    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def do_GET(self):
        self.calls.append(("GET", self.path, self.headers.get("Authorization")))
        self._send(200, self.comments)

    def do_POST(self):
        body = self._body()
        self.calls.append(("POST", self.path, self.headers.get("Authorization")))
        c = {"id": 100 + len(self.comments), "body": body["body"]}
        self.comments.append(c)
        self._send(201, c)

    def do_PATCH(self):
        body = self._body()
        self.calls.append(("PATCH", self.path, self.headers.get("Authorization")))
        cid = int(self.path.rsplit("/", 1)[1])
        for c in self.comments:
            if c["id"] == cid:
                c["body"] = body["body"]
        self._send(200, {"id": cid})


@pytest.fixture
def github_api():
    FakeGitHub.comments, FakeGitHub.calls = [{"id": 7, "body": "an unrelated comment"}], []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", FakeGitHub
    srv.shutdown()


def test_action_posts_then_updates_its_comment_and_fails_the_gate(repo, github_api, tmp_path):
    r, _, _ = repo
    url, gh = github_api
    summary = tmp_path / "summary.md"
    env = {**os.environ, "INPUT_PATHS": "scenarios/", "INPUT_BASE": "HEAD~1", "INPUT_FAIL_ON_INCREASE": "10%",
           "GITHUB_TOKEN": "t0ken", "GITHUB_REPOSITORY": "acme/plans", "INPUT_PR_NUMBER": "42",
           "GITHUB_API_URL": url, "GITHUB_STEP_SUMMARY": str(summary),
           "COSTPLAN_COMMAND": f"{sys.executable} -m costplan"}
    entry = ROOT / "action" / "entry.py"
    p = subprocess.run([sys.executable, str(entry)], cwd=r, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 1, p.stderr  # the cost rose by more than 10 %
    assert "created comment" in p.stdout
    ours = [c for c in gh.comments if diff_view.MARKER in c["body"]]
    assert len(ours) == 1 and "steady-heavy-api" in ours[0]["body"] and "Cost check failed" in ours[0]["body"]
    assert ("POST", "/repos/acme/plans/issues/42/comments", "Bearer t0ken") in gh.calls
    assert summary.read_text().startswith(diff_view.MARKER)
    # A second push updates the same comment instead of adding one.
    p = subprocess.run([sys.executable, str(entry)], cwd=r, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 1 and "updated comment" in p.stdout
    assert len([c for c in gh.comments if diff_view.MARKER in c["body"]]) == 1
    assert ("PATCH", f"/repos/acme/plans/issues/comments/{ours[0]['id']}", "Bearer t0ken") in gh.calls
    assert "t0ken" not in p.stdout + p.stderr  # the token is never printed


def test_action_yml_runs_the_entry_script_with_its_inputs():
    spec = yaml.safe_load((ROOT / "action.yml").read_text())
    assert spec["runs"]["using"] == "composite"
    step = spec["runs"]["steps"][-1]
    assert "action/entry.py" in step["run"]
    for name in ("paths", "base", "fail-on-increase", "budget", "comment"):
        assert name in spec["inputs"]
        assert f"inputs.{name}" in " ".join(step["env"].values())


def test_pre_commit_hooks_run_real_commands(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"costplan-validate", "costplan-limits-check"}
    for h in hooks:
        args = h["entry"].split()[1:]
        good = _run([*args, str(SCENARIOS / "global_vote.yaml")], ROOT)
        assert good[0] == 0, good[2]
    bad = tmp_path / "bad.yaml"
    bad.write_text(STEADY.replace("memory_mb:", "memroy_mb:"))
    code, _, err = _run(["scenario", "validate", str(bad)], ROOT)
    assert code == 2 and 'did you mean "memory_mb"' in err


# ---- install hygiene -------------------------------------------------------------------------------------

def test_missing_boto3_names_the_extra(monkeypatch, cli, tmp_path):
    for mod in list(sys.modules):
        if mod == "boto3" or mod.startswith(("boto3.", "botocore", "costplan.aws")):
            monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 → ImportError, as if not installed
    code, _, err = cli("limits-check", str(SCENARIOS / "global_vote.yaml"), "--live")
    assert code == 2, err
    assert "pip install 'costplan[aws]'" in err and "Traceback" not in err


def test_report_charts_without_matplotlib_still_writes_the_report(monkeypatch, cli, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "review.md"
    code, _, err = cli("report", str(SCENARIOS / "periodic_light_api.yaml"), "--out", str(out),
                       "--charts", str(tmp_path / "charts"))
    assert code == 2
    assert out.exists() and "periodic-light-api" in out.read_text()
    assert "pip install 'costplan[charts]'" in err and err.count("error:") == 1
    assert not (tmp_path / "charts").exists()


def test_examples_copies_every_bundled_scenario_and_they_validate(tmp_path, cli):
    code, listed, _ = cli("scenario", "examples")
    assert code == 0
    names = listed.split()
    assert "global_vote.yaml" in names and "alternatives/global_vote_direct.yaml" in names
    code, _, err = cli("scenario", "examples", "--out", str(tmp_path / "ex"))
    assert code == 0, err
    copied = sorted(p.relative_to(tmp_path / "ex").as_posix() for p in (tmp_path / "ex").rglob("*.yaml"))
    assert copied == sorted(names)
    assert cli("scenario", "validate", str(tmp_path / "ex"), str(tmp_path / "ex" / "alternatives"))[0] == 0
    code, _, err = cli("scenario", "examples", "--out", str(tmp_path / "ex"))
    assert code == 2 and "already exists" in err  # never overwrite without --force


@pytest.mark.parametrize("shell,needle", [("bash", "complete_bash"), ("zsh", "#compdef costplan"),
                                          ("fish", "complete_fish")])
def test_completion_script(shell, needle, cli):
    code, out, _ = cli("completion", shell)
    assert code == 0 and needle in out


def test_completion_answers_the_shell():
    env = {**os.environ, "COMP_WORDS": "costplan limits-check --form", "COMP_CWORD": "2",
           "_COSTPLAN_COMPLETE": "complete_bash"}
    p = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0]='costplan'; "
                                              "from costplan.cli.app import main; main()"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.split() == ["--format"]


def test_xdg_config_home_holds_the_user_price_book(monkeypatch, tmp_path):
    from costplan.cli.aws_cmd import user_pricing_dir
    from costplan.pricing import book

    monkeypatch.delenv("COSTPLAN_PRICING_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert book.config_dir() == tmp_path / "costplan"
    assert user_pricing_dir() == tmp_path / "costplan" / "pricing"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert book.config_dir() == Path(os.path.expanduser("~/.config/costplan"))


@pytest.mark.parametrize("var", ["AWS_REGION", "AWS_DEFAULT_REGION"])
def test_either_region_variable_is_honoured(monkeypatch, var):
    pytest.importorskip("boto3")
    from costplan.aws.session import session

    for v in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv(var, "eu-west-1")
    assert session().region_name == "eu-west-1"


def test_sdist_manifest_ships_license_tests_and_scenarios():
    manifest = (ROOT / "MANIFEST.in").read_text()
    for line in ("include LICENSE", "graft tests", "graft scenarios"):
        assert line in manifest
    assert "Apache License" in (ROOT / "LICENSE").read_text()
    py = (ROOT / "pyproject.toml").read_text()
    deps = py.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "boto3" not in deps and "matplotlib" not in deps  # extras, not hard dependencies
