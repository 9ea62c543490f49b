"""The console script: Ctrl-C while the CLI is still importing (typer, rich, pydantic) ends with one line
and exit 130, not a KeyboardInterrupt traceback. Nothing heavy is imported before the guard is up."""
from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        from costplan.cli.app import main as run
    except KeyboardInterrupt:
        try:
            print("interrupted", file=sys.stderr)
        finally:
            os._exit(130)
    except Exception as e:  # a bug in an import: still one line, exit 3
        if os.environ.get("COSTPLAN_DEBUG"):
            raise
        print(f"costplan: internal error: {type(e).__name__}: {e} (a bug: please report it; set "
              "COSTPLAN_DEBUG=1 for the traceback)", file=sys.stderr)
        sys.exit(3)
    run()
