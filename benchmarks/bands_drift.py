"""Where the break-even bands model (compute/bands.py) and a full re-plan + re-price disagree, per bill line.

For each scenario and each volume k (× today's), prints every price key whose quantity or cost differs
between the model and the re-priced bill. Not part of the test run (tests/test_bands_model.py is):
    python benchmarks/bands_drift.py [scenario.yaml ...] [--k 0.001,0.01,0.1,10,100,1000] [--all]
"""
from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def model_lines(curve, k: float) -> dict:
    """price key → [quantity, cost] from the model at k (the same walk as OptionCurve.cost)."""
    from costplan.compute import bands as B

    curve.cost(k)
    vals = curve._last[1]
    out: dict = {}
    free = curve.free0.copy()
    used: dict = {}
    for fp, a, b, idx, ok in curve._compiled[1]:
        q = a + b * vals[idx]
        c = B.meter([(fp, q, ok)], free, curve.free_tier, used)
        row = out.setdefault(fp.key, [0.0, 0.0])
        row[0] += q
        row[1] += c
    return out


def real_lines(option) -> dict:
    out: dict = {}
    for li in option.line_items:
        row = out.setdefault(li.price_key, [0.0, 0.0])
        row[0] += float(li.quantity)
        row[1] += float(li.monthly_usd)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--k", default="0.001,0.003,0.01,0.06,0.3,2,10,60,300,1000")
    ap.add_argument("--lines", action="store_true", help="per line as well as totals")
    ap.add_argument("--all", action="store_true", help="print every line, not only those that differ")
    args = ap.parse_args()
    from costplan import patterns, scenario
    from costplan.compute import bands as B
    from costplan.compute.compare import ECS, scaled_scenario
    from costplan.compute.options import price_options
    from costplan.pricing.book import PriceBook

    files = args.files or sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml")) + sorted(
        str(p) for p in (ROOT / "scenarios" / "alternatives").glob("*.yaml"))
    ks = [float(x) for x in args.k.split(",")]
    bad = 0
    for f in files:
        sc = scenario.load(f)
        book = PriceBook(sc.region)
        free = sc.free_tier
        plan = patterns.plan(sc)
        options = [o for o in price_options(plan, book, free, warm=False) if o.name in ("lambda", *ECS)]
        if not any(o.name in ECS for o in options):
            continue
        try:
            cs = B.curves(plan, options, book, free)
            curves = {c.name: c for c in [cs.lam, *cs.ecs]}
        except Exception as e:  # noqa: BLE001
            print(f"{Path(f).stem}: model refused: {e}")
            bad += 1
            continue
        worst = 0.0
        for k in ks:
            real = {o.name: o for o in price_options(patterns.plan(scaled_scenario(sc, Decimal(repr(k)))), book,
                                                     free, warm=False)}
            for name, c in curves.items():
                if name not in real:
                    print(f"{Path(f).stem} k={k:g} {name}: absent when re-priced")
                    continue
                m, r = model_lines(c, k), real_lines(real[name])
                mt, rt = c.cost(k), float(real[name].monthly_usd)
                worst = max(worst, abs(mt - rt) / max(rt, 1.0))
                if abs(mt - rt) > 0.005 + 1e-6 * rt:
                    print(f"{Path(f).stem:28} k={k:<7g} {name:8} TOTAL model ${mt:,.4f} real ${rt:,.4f}")
                if not args.lines:
                    continue
                for key in sorted(set(m) | set(r)):
                    mq, mc = m.get(key, [0.0, 0.0])
                    rq, rc = r.get(key, [0.0, 0.0])
                    if args.all or abs(mc - rc) > 0.005 + 1e-6 * abs(rc) or abs(mq - rq) > 1e-6 * max(abs(rq), 1):
                        print(f"{Path(f).stem:28} k={k:<7g} {name:8} {key:40} model q={mq:<14.6g} ${mc:<12.4f} "
                              f"real q={rq:<14.6g} ${rc:<12.4f}")
        print(f"{Path(f).stem}: worst total drift {worst:.3%}")
        bad += worst > 1e-6
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
