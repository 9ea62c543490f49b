"""Per-scenario cost of `costplan limits-check`: 1,000 generated scenario files in a temp folder.

Measures the CLI on one file (start-up + one scenario) and on the whole folder, and reports
(folder − one) ÷ (N − 1) as the per-scenario cost on top of start-up (target ≤ 2 ms). Times are CPU
time (user + system of the child: steadier than wall time on a shared machine), the best of 3. Also
times the library calls alone (process CPU time). Not part of the test run:
    python benchmarks/limits_batch.py [N]
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYNC = """version: 1
name: api-{i}
account: acct-{acct}
region: us-east-1
pattern: sync_api
workload:
  peak_rps: {rps}
  duration_ms: {dur}ms
  p99_duration_ms: {p99}ms
  memory_mb: 512MB
  traffic_window: "{h:02d}:00-{h2:02d}:00"
settings:
  api: {api}
"""
QUEUE = """version: 1
name: queue-{i}
account: acct-{acct}
region: us-east-1
pattern: queue_load_leveling
workload:
  monthly_requests: {monthly}
  active_hours_per_day: 2
  peak_to_average: 3
  duration_ms: 5ms
  traffic_window: "{h:02d}:00-{h2:02d}:00"
settings:
  api: http
  batch_size: 10
  max_concurrency: 20
"""


def generate(folder: Path, n: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from costplan import patterns

    has_queue = "queue_load_leveling" in patterns.REGISTRY
    for i in range(n):
        h = i % 24
        if has_queue and i % 4 == 3:
            text = QUEUE.format(i=i, acct=i % 50, monthly=f"{1 + i % 9}M", h=h, h2=(h + 2) % 24)
        else:
            text = SYNC.format(i=i, acct=i % 50, rps=10 + i % 700, dur=50 + i % 400, p99=200 + i % 900, h=h,
                               h2=(h + 1) % 24, api=("http", "rest", "function_url")[i % 3])
        (folder / f"s{i:04d}.yaml").write_text(text, encoding="utf-8")


def _children_cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def cli(args: list[str], fmt: str = "table") -> float:
    """CPU seconds the child used (it has ended when run returns, so RUSAGE_CHILDREN counts it)."""
    exe = [sys.executable, "-m", "costplan", "limits-check", *args, "--format", fmt]
    t = _children_cpu()
    r = subprocess.run(exe, capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    dt = _children_cpu() - t
    if r.returncode not in (0, 1):
        sys.exit(f"limits-check failed ({r.returncode}): {r.stderr[:500]}")
    return dt


def best(fn, repeat: int = 3) -> float:
    return min(fn() for _ in range(repeat))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, n)
        timings = {}
        for fmt in ("table", "json"):
            one = best(lambda: cli([str(folder / "s0000.yaml")], fmt))
            many = best(lambda: cli([str(folder)], fmt))
            timings[fmt] = (one, many, (many - one) / (n - 1))

        from costplan import limits, scenario

        t = time.process_time()
        loaded = scenario.load_many([str(folder)])
        t_load = time.process_time() - t
        t = time.process_time()
        res = limits.check(loaded)
        t_check = time.process_time() - t
        from costplan.report import limits_view

        t = time.process_time()
        limits_view.text(res)
        t_render = time.process_time() - t

    print(f"scenarios: {n} ({len(res.findings)} findings, {len(res.account_findings)} account-level)")
    for fmt, (one, many, per) in timings.items():
        print(f"--format {fmt:5}: CPU one file (start-up + 1) {one * 1000:7.1f} ms; {n} files {many * 1000:7.1f} ms; "
              f"per scenario on top of start-up {per * 1000:5.2f} ms (target ≤ 2 ms)")
    print(f"in-process CPU: load {t_load / n * 1000:.2f} ms + check {t_check / n * 1000:.2f} ms + "
          f"render {t_render / n * 1000:.2f} ms per scenario")


if __name__ == "__main__":
    main()
