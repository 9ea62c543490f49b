"""The text limits-check remembers to go faster over a folder (numbers and string runs of findings,
q()) is the text it would compute, whatever it saw before, and stays bounded."""
from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest

from costplan import limits, scenario
from costplan.limits import calc, model
from costplan.report import limits_view

# Equal values written differently, signed zeros, rounding at the half, big, tiny, infinite.
VALUES = ["1000", "1E+3", "1000.00", "-0", "0", "0.00", "12.345", "12.35", "0.005", "0.015", "99.95", "-5.55",
          "123456.5", "0.0001", "1E+12", "999999999999.995", "1E+15", "Infinity", "-Infinity"]


def _num_fresh(v):
    return "null" if not v.is_finite() else float.__repr__(float(v.quantize(Decimal("0.01")) if abs(v) < 10**12 else v))


@pytest.mark.parametrize("order", [VALUES, VALUES[::-1]])
def test_remembered_numbers_and_q_text_equal_the_computed_text_in_any_order(order):
    model._NUMS.clear()
    calc._Q.clear()
    for raw in order:
        v = Decimal(raw)
        assert model._num_json(v) == _num_fresh(v), raw
        assert calc.q(v) == calc._q(v, 1), raw
    assert model._num_json(Decimal("-0")) == "-0.0" and calc.q(Decimal("-0")) == "-0"


def test_finding_json_equals_json_dumps_of_the_finding_and_its_memo_stays_bounded():
    res = limits.check(scenario.load_many(["scenarios"]))
    dump = limits_view._dump()
    findings = [f for s in res.scenarios for f in s.findings]
    assert findings
    model._CHUNKS.clear()
    for f in findings:
        assert json.loads(model.finding_json(f, dump)) == f.to_dict()
        assert model.finding_json(f, dump) == dump(f.to_dict())
    # a folder of thousands of scenarios: each brings its own name and file
    for i in range(3000):
        g = dataclasses.replace(findings[i % len(findings)], scenario=f"s{i}", file=f"f{i}.yaml")
        assert model.finding_json(g, dump) == dump(g.to_dict())
    assert len(model._CHUNKS) <= 4096 + 5
    # a field of an unexpected type falls back to the encoder
    odd = dataclasses.replace(findings[0], subject=["x"])
    assert model.finding_json(odd, dump) == dump(odd.to_dict())
