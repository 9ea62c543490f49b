"""Organisation scale: `costplan compare DIR --format json` over N copies of the bundled scenarios.

Copies every bundled scenario (scenarios/*.yaml and scenarios/alternatives/*.yaml) into a temp folder
N times over in total, each with a unique name and one of ten accounts, then measures:
- the CLI on one file (start-up + one scenario) and on the folder; (folder − one) ÷ (N − 1) is the
  per-scenario cost on top of start-up (target ≤ 2 ms);
- the peak memory (max RSS of the child) at N and at N ÷ 5, which must not grow with N;
- `limits-check` the same way (target ≤ 1 ms per scenario).
Not part of the test run:  python benchmarks/compare_batch.py [N] [--only compare|limits-check]
(default 5,000, both commands)
"""
from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = 10


def bundled() -> list[str]:
    files = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "scenarios" / "alternatives").glob("*.yaml"))
    return [f.read_text(encoding="utf-8") for f in files]


def generate(folder: Path, n: int) -> None:
    texts = bundled()
    for i in range(n):
        text = texts[i % len(texts)]
        text = re.sub(r"^name: (.*)$", lambda m: f"name: {m.group(1).strip()}-{i:05d}", text, count=1, flags=re.M)
        if re.search(r"^account: ", text, flags=re.M):
            text = re.sub(r"^account: .*$", f"account: org-{i % ACCOUNTS}", text, count=1, flags=re.M)
        else:
            text = re.sub(r"^(name: .*)$", rf"\1\naccount: org-{i % ACCOUNTS}", text, count=1, flags=re.M)
        (folder / f"s{i:05d}.yaml").write_text(text, encoding="utf-8")


def run(args: list[str]) -> tuple[float, int, float]:
    """CPU time (user + system: steadier than wall time on a shared machine), the child's peak RSS in MB,
    and wall time (a fresh process each time)."""
    exe = [sys.executable, "-m", "costplan", *args]
    t = time.perf_counter()
    # RUSAGE_CHILDREN keeps the largest child's max RSS: run each measurement in a wrapper process
    wrapper = [sys.executable, "-c",
               "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
               "stderr=subprocess.PIPE, cwd=%r); sys.stderr.write(r.stderr.decode()[-2000:]); "
               "u = resource.getrusage(resource.RUSAGE_CHILDREN); print(u.ru_utime + u.ru_stime, u.ru_maxrss); "
               "sys.exit(r.returncode)" % str(ROOT),
               *exe]
    r = subprocess.run(wrapper, capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    dt = time.perf_counter() - t
    if r.returncode not in (0, 1):
        sys.exit(f"{' '.join(args[:2])} failed ({r.returncode}): {r.stderr[-800:]}")
    cpu, rss = r.stdout.strip().splitlines()[-1].split()
    return float(cpu), int(rss) // 1024, dt


def best(fn, repeat: int) -> tuple[float, int, float]:
    runs = [fn() for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), min(r[2] for r in runs)


def measure(cmd: str, folder: Path, n: int, fmt: str, repeat: int) -> dict:
    one_t, one_m, one_w = best(lambda: run([cmd, str(folder / "s00000.yaml"), "--format", fmt]), repeat)
    all_t, all_m, all_w = best(lambda: run([cmd, str(folder), "--format", fmt]), 1 if n > 2000 else repeat)
    return {"one": one_t, "all": all_t, "per": (all_t - one_t) / (n - 1), "mem_one": one_m, "mem_all": all_m,
            "wall_per": (all_w - one_w) / (n - 1)}


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="costplan compare / limits-check over N generated scenarios")
    ap.add_argument("n", nargs="?", type=int, default=5000)
    ap.add_argument("--only", choices=("compare", "limits-check"), help="measure one command")
    args = ap.parse_args()
    n = args.n
    repeat = 3
    subprocess.run([sys.executable, "-m", "compileall", "-q", "costplan", "pricing_data"], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    print(f"{n} scenarios ({len(bundled())} bundled files copied, {ACCOUNTS} accounts)")
    for cmd, target in (("compare", 2.0), ("limits-check", 1.0)):
        if args.only and cmd != args.only:
            continue
        for size in (n // 5, n):
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                generate(folder, size)
                m = measure(cmd, folder, size, "json", repeat)
            print(f"{cmd:12} --format json  N={size:5}: CPU one file {m['one'] * 1000:4.0f} ms, all {m['all']:6.2f} s: "
                  f"per scenario on top of start-up {m['per'] * 1000:5.2f} ms CPU (target ≤ {target:g} ms; wall "
                  f"{m['wall_per'] * 1000:.2f} ms); peak RSS {m['mem_all']} MB (one file {m['mem_one']} MB)")


if __name__ == "__main__":
    main()
