"""The README's examples are what the tool prints today (scripts/readme_examples.py rewrites them)."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_examples_are_current(monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import readme_examples
    finally:
        sys.path.pop(0)
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("```console") >= 15
    fresh = readme_examples.render(readme)
    if fresh != readme:
        import difflib

        diff = "".join(difflib.unified_diff(readme.splitlines(True), fresh.splitlines(True), "README.md", "now"))
        raise AssertionError("README examples are stale; run `python scripts/readme_examples.py`:\n" + diff)
