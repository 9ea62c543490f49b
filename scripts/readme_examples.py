"""Keep the README's examples true: re-run every `$ costplan ...` console block and rewrite its output.

    python scripts/readme_examples.py           # rewrite README.md in place
    python scripts/readme_examples.py --check   # exit 1 and show a diff if any example is stale

A block may be trimmed by an HTML comment on the line before it: <!-- head=8 --> or <!-- tail=9 -->.
tests/test_readme.py runs the check, so the README cannot drift from what the tool prints.
"""
from __future__ import annotations

import difflib
import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(?P<trim><!-- (?P<how>head|tail)=(?P<n>\d+) -->\n)?```console\n\$ costplan (?P<cmd>[^\n]*)\n"
                   r"(?P<out>.*?)```\n", re.S)


def run(args: list[str]) -> str:
    from typer.testing import CliRunner

    from costplan.cli.app import app

    result = CliRunner().invoke(app, args, env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
    text = result.stdout + (result.stderr or "")
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


def render(readme: str) -> str:
    def one(m: re.Match) -> str:
        cmd = m.group("cmd")
        args = shlex.split(cmd.split("  #")[0])
        out = run(args).splitlines()
        n = int(m.group("n") or 0)
        if m.group("how") == "head" and len(out) > n:
            out = out[:n] + ["..."]
        elif m.group("how") == "tail" and len(out) > n:
            out = ["..."] + out[-n:]
        body = "\n".join(out)
        return f"{m.group('trim') or ''}```console\n$ costplan {cmd}\n{body}\n```\n"

    return BLOCK.sub(one, readme)


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    path = ROOT / "README.md"
    old = path.read_text(encoding="utf-8")
    new = render(old)
    if "--check" in argv:
        if new != old:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                       "README.md", "current output"))
            print("README examples are stale: run `python scripts/readme_examples.py`", file=sys.stderr)
            return 1
        return 0
    if new != old:
        path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
