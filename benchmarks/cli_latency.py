"""Measure `costplan compare <bundled scenario>` against the bare import of its libraries.

Prints the median wall time of each (fresh processes, same run) and the ratio; the budget is 1.5×.
Run: .venv/bin/python benchmarks/cli_latency.py [--runs 15] [--scenario scenarios/steady_heavy_api.yaml]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 1.5


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system of the child) over fresh processes.
    CPU time is the steadier number on a busy machine; wall time is what a user feels."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--scenario", nargs="+", default=["scenarios/steady_heavy_api.yaml"])
    args = ap.parse_args()
    py = sys.executable
    # Measure the tool as installed: a wheel install byte-compiles costplan, an editable one does
    # not, and with PYTHONDONTWRITEBYTECODE set every run would recompile ~40 modules (~50 ms).
    subprocess.run([py, "-m", "compileall", "-q", "costplan", "pricing_data"], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    # The libraries as compare uses them: pydantic's top-level import is lazy, so name what we use.
    bare = [py, "-c", "import typer, yaml, rich.console, rich.table; "
                      "from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, "
                      "model_validator"]
    tool = [py, "-m", "costplan", "compare", *args.scenario]
    timed(bare, 2), timed(tool, 2)  # warm the file cache
    (bw, bc), (cw, cc) = timed(bare, args.runs), timed(tool, args.runs)
    print(f"{'':44} {'wall':>9} {'cpu':>9}   (medians of {args.runs} fresh processes)")
    print(f"{'bare import (typer, rich, yaml, pydantic)':44} {bw * 1000:7.1f}ms {bc * 1000:7.1f}ms")
    print(f"{'costplan compare ' + ' '.join(args.scenario):44} {cw * 1000:7.1f}ms {cc * 1000:7.1f}ms")
    ratio = cc / bc
    print(f"ratio (cpu): {ratio:.2f}, (wall): {cw / bw:.2f}; budget {BUDGET}  "
          f"{'OK' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
