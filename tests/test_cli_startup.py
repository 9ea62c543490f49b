"""Start-up shortcuts in costplan/cli/app.py stay correct as pydantic changes."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pydantic

from conftest import ROOT


def _names_pydantic_imports_from_loader() -> set[str]:
    names: set[str] = set()
    for path in Path(pydantic.__file__).parent.rglob("*.py"):
        if path.name == "_loader.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_loader") and (
                    node.level > 0 or (node.module or "").startswith("pydantic")):
                names.update(a.name for a in node.names)
    return names


def test_plugin_loader_stand_in_offers_what_pydantic_imports():
    code = ("import sys, os; os.environ['PYDANTIC_DISABLE_PLUGINS'] = '__all__'; import costplan.cli.app; "
            "m = sys.modules['pydantic.plugin._loader']; print(sorted(n for n in dir(m) if not n.startswith('__')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    offered = set(ast.literal_eval(out.stdout.strip()))
    wanted = _names_pydantic_imports_from_loader()
    assert wanted, "pydantic no longer imports from plugin._loader: drop the stand-in"
    assert wanted <= offered, f"pydantic now imports {sorted(wanted - offered)} from its plugin loader"


PROBE = """
import sys
from typer.testing import CliRunner
from costplan.cli.app import app
r = CliRunner().invoke(app, ["compare", "scenarios/global_vote.yaml", "--format", "json"])
assert r.exit_code == 0, r.output
print("importlib.metadata" in sys.modules)
"""


def _metadata_imported(env_value: str | None) -> bool:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if env_value is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = env_value
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() == "True"


def test_compare_skips_entry_point_discovery():
    assert _metadata_imported(None) is False


def test_a_user_who_names_plugins_to_disable_still_gets_discovery():
    # Only a blanket "disable all" is short-circuited; disabling one plugin by name still loads the rest.
    assert _metadata_imported("some_plugin") is True


def test_compare_runs_on_an_app_with_only_that_command_and_answers_the_same(tmp_path):
    """`costplan compare` builds only its own click command (start-up budget); its output, help and
    errors are those of the full app."""
    import subprocess
    import sys
    from pathlib import Path

    from typer.testing import CliRunner

    from costplan.cli.app import _app_for, app

    slim = _app_for(["costplan", "compare"])
    assert slim is not app and _app_for(["costplan", "limits-check"]) is app
    root = Path(__file__).resolve().parent.parent
    scen = str(root / "scenarios" / "steady_heavy_api.yaml")
    for args in (["compare", scen, "--format", "json"], ["compare", "--help"], ["compare", str(tmp_path / "no.yaml")]):
        full = CliRunner().invoke(app, args)
        got = subprocess.run([sys.executable, "-m", "costplan", *args], capture_output=True, text=True, cwd=root,
                             env={**__import__("os").environ, "COLUMNS": "80"})
        assert got.returncode == full.exit_code, args
        if args[1] == "--help":
            assert "Price a workload on Lambda" in got.stdout
        elif args[2:]:
            assert got.stdout.strip() == full.stdout.strip()
