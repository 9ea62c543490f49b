"""Where `limits-check DIR --format json` spends its time per scenario, in process (CPU time).

Generates N copies of the bundled scenarios as benchmarks/compare_batch.py does, then runs what the CLI
runs (each file loaded as the folder is read, checked by limits.Batch, its JSON written; the account-wide
checks and the document at the end) with a timer on each phase. Each phase counts its own time only
(a phase inside another is taken out of it), so the phases add up to the total:
- YAML: reading the file and parsing it with the line of every key (yamlfile.read)
- pydantic: the scenario model (scenario.from_dict without what it calls below)
- validation: the scenario and plan checks (validate.problems without the plan)
- plan: the pattern's plan (patterns.plan, built once and reused by limits-check)
- ECS sizing: the Fargate size and EC2 type compare would choose (limits.designs.ecs_designs)
- recommendation: which design compare recommends, priced no further than needed (designs.recommended)
- checks: the check functions, with the findings they write (Context.finding)
- account-wide: the checks of scenarios sharing an account (accounts.run)
- JSON: each scenario's JSON (json_scenario), and the document around them
- the rest: loading's glue, Batch's bookkeeping (quotas pooled, a Member kept per scenario), Context
The timers cost a few microseconds a call; the line "untimed" is the same run without them.
Not part of the test run:    python benchmarks/limits_split.py [N]   (default 1,000; best of 3)
"""
from __future__ import annotations

import dataclasses
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compare_batch import generate  # noqa: E402

PHASES = ("YAML", "pydantic", "validation", "plan", "ECS sizing", "recommendation", "checks", "account-wide",
          "JSON", "the rest")


def run(files) -> float:
    """What the CLI does for a folder (limits-check --format json, output discarded); CPU seconds."""
    from costplan import limits, scenario
    from costplan.limits.model import STATUSES
    from costplan.report import limits_view as view

    t = time.process_time()
    problems: list = []
    batch = limits.Batch()
    parts = []
    for _, r in batch.run(scenario.iter_load(files, problems), lambda i: scenario.load(files[i])):
        parts.append(view.json_scenario(r))
    counts = dict.fromkeys(STATUSES, 0)
    "".join(view.json_document(counts, batch.warn, batch.critical, parts, batch.account_findings, []))
    return time.process_time() - t


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    from costplan import patterns, scenario, validate, yamlfile
    from costplan.limits import accounts, designs
    from costplan.limits.model import REGISTRY
    from costplan.report import limits_view as view

    spent = dict.fromkeys(PHASES, 0.0)
    stack: list = []  # per active timer: time spent in timers inside it

    def timed(name, fn):
        def wrapper(*a, **k):
            stack.append(0.0)
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                dt = time.process_time() - t
                inner = stack.pop()
                spent[name] += dt - inner
                if stack:
                    stack[-1] += dt
        return wrapper

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, n)
        files = sorted(folder.glob("*.yaml"))
        run(files[:30])  # imports, price and quota tables, compiled checks: start-up, not per scenario
        gc.freeze()
        untimed = min(run(files) for _ in range(3))
        originals = (yamlfile.read, scenario.from_dict, validate.problems, patterns.plan, designs.ecs_designs,
                     designs.recommended, accounts.run, view.json_scenario, view.json_document, list(REGISTRY))
        yamlfile.read = timed("YAML", yamlfile.read)
        scenario.from_dict = timed("pydantic", scenario.from_dict)
        validate.problems = timed("validation", validate.problems)
        patterns.plan = timed("plan", patterns.plan)
        designs.ecs_designs = timed("ECS sizing", designs.ecs_designs)
        designs.recommended = timed("recommendation", designs.recommended)
        accounts.run = timed("account-wide", accounts.run)
        view.json_scenario = timed("JSON", view.json_scenario)
        json_document = view.json_document
        view.json_document = lambda *a: [timed("JSON", lambda: "".join(json_document(*a)))()]
        REGISTRY[:] = [dataclasses.replace(c, fn=timed("checks", c.fn)) for c in REGISTRY]
        try:
            best = None
            for _ in range(3):
                for k in spent:
                    spent[k] = 0.0
                total = run(files)
                if best is None or total < best[0]:
                    best = (total, dict(spent))
        finally:
            (yamlfile.read, scenario.from_dict, validate.problems, patterns.plan, designs.ecs_designs,
             designs.recommended, accounts.run, view.json_scenario, view.json_document, REGISTRY[:]) = originals
    total, phases = best
    phases["the rest"] = total - sum(v for k, v in phases.items() if k != "the rest")
    print(f"limits-check over {n} scenarios (compare_batch's files), per scenario, in process, CPU best of 3:")
    print("| Phase | ms |\n|---|---|")
    for k in PHASES:
        print(f"| {k} | {phases[k] / n * 1000:.3f} |")
    print(f"| **total (timed)** | **{total / n * 1000:.3f}** |")
    print(f"| untimed | {untimed / n * 1000:.3f} |")


if __name__ == "__main__":
    main()
