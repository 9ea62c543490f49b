"""Measure `costplan compare <bundled scenario>` against the bare import of its libraries.

Prints the median wall time of each (fresh processes, same run) and the ratio; the budget is 1.5×.
Run: .venv/bin/python benchmarks/cli_latency.py [--runs 15] [--scenario scenarios/steady_heavy_api.yaml]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 1.5


def timed(cmd: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--scenario", nargs="+", default=["scenarios/steady_heavy_api.yaml"])
    args = ap.parse_args()
    py = sys.executable
    # The libraries as compare uses them: pydantic's top-level import is lazy, so name what we use.
    bare = [py, "-c", "import typer, yaml, rich.console, rich.table; "
                      "from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, "
                      "model_validator"]
    tool = [py, "-m", "costplan", "compare", *args.scenario]
    timed(bare, 2), timed(tool, 2)  # warm the file cache
    b = timed(bare, args.runs)
    c = timed(tool, args.runs)
    ratio = c / b
    print(f"bare import (typer, rich, yaml, pydantic): {b * 1000:7.1f} ms (median of {args.runs})")
    print(f"costplan compare {' '.join(args.scenario)}: {c * 1000:7.1f} ms")
    print(f"ratio: {ratio:.2f} (budget {BUDGET})  {'OK' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
