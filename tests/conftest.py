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
