"""Shared fixtures: golden files (rewritten with --update-goldens) and a CLI runner."""
from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

import pytest

# Tests never read or write the user's cache: one fresh price-data cache per test session.
os.environ["COSTPLAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="costplan-test-cache-")
# ... nor a costplan.toml of the developer's (tests that need one set COSTPLAN_CONFIG or chdir).
os.environ["COSTPLAN_CONFIG"] = "none"

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = Path(__file__).resolve().parent / "goldens"
SCENARIOS = ROOT / "scenarios"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite golden files from the current output instead of comparing")


@pytest.fixture
def golden(request):
    """golden("name.txt", text): compare text with tests/goldens/name.txt, as a readable diff."""
    update = request.config.getoption("--update-goldens")

    def check(name: str, text: str) -> None:
        path = GOLDENS / name
        if update or not path.exists() and os.environ.get("COSTPLAN_CREATE_GOLDENS"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"golden {path} is missing: run `make update-goldens` and review the diff"
        expected = path.read_text(encoding="utf-8")
        if expected != text:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                                f"golden/{name}", "actual"))
            pytest.fail(f"output differs from golden {name} (make update-goldens to accept):\n{diff}")

    return check


@pytest.fixture
def cli():
    """Run the CLI in-process; returns (exit_code, stdout, stderr)."""
    from typer.testing import CliRunner

    from costplan.cli.app import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False,
                               env={"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"})
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture(scope="session")
def emitted():
    """Every bundled scenario's templates (and the variants), rendered once per session."""
    from tests.test_templates_validate import emit_all

    return emit_all()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: deploys templates to a local emulator (runs in make test and CI)")


@pytest.fixture(scope="session")
def moto_server():
    """moto in server mode on 127.0.0.1 (a free port), for the whole session: its URL."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exe = Path(sys.executable).with_name("moto_server")
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("moto_server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


# The template deploy (terraform apply against moto, ~2-3 min of mostly waiting) starts in a background
# thread as the session starts, so the rest of the suite runs meanwhile; its tests run last and join it.
DEPLOY: dict = {}


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda i: i.nodeid.startswith("tests/test_templates_deploy.py"))


@pytest.fixture(scope="session", autouse=True)
def _deploy_in_background(request, tmp_path_factory):
    if not any(i.nodeid.startswith("tests/test_templates_deploy.py") for i in request.session.items):
        yield
        return
    import threading

    emitted = request.getfixturevalue("emitted")
    url = request.getfixturevalue("moto_server")
    root = tmp_path_factory.mktemp("deploy")

    from tests.test_templates_deploy import aws_fixtures, clean_environment, run_deploy

    base_env = clean_environment()  # before any test can set AWS_* on the process
    try:
        fixtures = aws_fixtures(url)
    except Exception as e:  # noqa: BLE001 — reported where the deploy tests join
        fixtures, DEPLOY["error"] = None, e

    def run():
        if fixtures is None:
            return
        try:
            DEPLOY["result"] = run_deploy(emitted, url, root, fixtures, base_env)
        except BaseException as e:  # pytest.skip too: re-raised where the tests join
            DEPLOY["error"] = e

    request.config.costplan_deploy = DEPLOY  # the deploy tests join it there
    DEPLOY["thread"] = threading.Thread(target=run, daemon=True, name="template-deploy")
    DEPLOY["thread"].start()
    yield
