"""Where `compare DIR --format json` spends its time per scenario, in process (CPU time).

Generates N copies of the bundled scenarios as benchmarks/compare_batch.py does, then runs what the CLI
runs (load each file, compare it, write its JSON) with a timer around each phase:
- load: YAML with line numbers, validation (scenario.load)
- options: the plan and every option priced today (patterns.plan, price_options)
- model: the break-even model (bands.curves: re-plans at five volumes, the lines' shapes, sizing tables)
- scan: the volumes the break-even scan prices (bands.scan)
- purchase: Savings Plans / Spot break-even (purchase.evaluate; one bundled scenario has a purchase:)
- json: the JSON written for it
The phases do not count their own timers (a few microseconds each). Not part of the test run:
    python benchmarks/compare_split.py [N]   (default 1,000)
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare_batch import generate  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    from costplan import patterns, scenario
    from costplan.compute import bands, compare, options, purchase
    from costplan.report import compare_view

    spent: dict = {}

    def timed(name, fn):
        def wrapper(*a, **k):
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - t
        return wrapper

    # the outermost phase owns the time: a re-plan inside the model counts as model, not options
    compare.price_options = timed("options", options.price_options)
    patterns_plan = patterns.plan
    bands.curves = timed("model", bands.curves)
    bands.scan = timed("scan", bands.scan)
    purchase.evaluate = timed("purchase", purchase.evaluate)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, n)
        files = sorted(folder.glob("*.yaml"))
        t = time.process_time()
        loaded = [scenario.load(f) for f in files]
        spent["load"] = time.process_time() - t
        out = io.StringIO()
        t = time.process_time()
        plans = {"n": 0}

        def plan(sc):
            plans["n"] += 1
            return patterns_plan(sc)
        patterns.plan = plan
        compare_view.write_json(compare.iter_compare(loaded), out)
        total = time.process_time() - t
    inner = sum(v for k, v in spent.items() if k != "load")
    spent["json and the rest"] = total - inner
    print(f"{n} scenarios, CPU time per scenario (ms):")
    for k in ("load", "options", "model", "scan", "purchase", "json and the rest"):
        print(f"  {k:18} {spent.get(k, 0.0) / n * 1000:6.2f}")
    print(f"  {'total':18} {(spent['load'] + total) / n * 1000:6.2f}   ({plans['n'] / n:.1f} plans built a scenario)")


if __name__ == "__main__":
    main()
