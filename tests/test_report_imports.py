"""compare, report and diff stay light: no matplotlib unless charts are asked for, never boto3."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

PROBE = """
import sys
from typer.testing import CliRunner
from costplan.cli.app import app
r = CliRunner().invoke(app, {args!r})
assert r.exit_code == 0, r.output
print('matplotlib' in sys.modules, 'boto3' in sys.modules)
"""


def _modules(args):
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


@pytest.mark.parametrize("args", [
    ["compare", "scenarios/steady_heavy_api.yaml"],
    ["report", "scenarios/steady_heavy_api.yaml"],
    ["diff", "scenarios/steady_heavy_api.yaml", "scenarios/periodic_light_api.yaml"],
    ["sensitivity", "scenarios/steady_heavy_api.yaml", "--vary", "monthly_requests=0.5x..2x", "--steps", "3"],
])
def test_no_matplotlib_no_boto3(args):
    assert _modules(args) == ["False", "False"]


def test_charts_import_matplotlib_only_when_asked(tmp_path):
    pytest.importorskip("matplotlib")
    args = ["report", "scenarios/periodic_light_api.yaml", "--charts", str(tmp_path)]
    assert _modules(args) == ["True", "False"]
