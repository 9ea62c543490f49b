"""Sensitivity sweeps price exactly what compare prices; --vary parsing; the CLI's output shapes."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from conftest import SCENARIOS
from costplan import scenario
from costplan.compute import sensitivity as S
from costplan.compute.compare import compare, scaled_scenario
from costplan.errors import CostplanError

STEADY = SCENARIOS / "steady_heavy_api.yaml"
LIGHT = SCENARIOS / "periodic_light_api.yaml"


@pytest.mark.parametrize("text, field, lo, hi, rel", [
    ("monthly_requests=0.5x..4x", "monthly_requests", "0.5", "4", True),
    ("duration_ms=100ms..1.5s", "duration_ms", "100", "1500", False),
    ("memory_mb = 256MB .. 2GB", "memory_mb", "256", "2048", False),
])
def test_parse_vary(text, field, lo, hi, rel):
    v = S.parse_vary(text)
    assert (v.field, v.lo, v.hi, v.relative) == (field, Decimal(lo), Decimal(hi), rel)


@pytest.mark.parametrize("text, msg", [
    ("monthly_request=1x..2x", 'did you mean "monthly_requests"'),
    ("monthly_requests=2x..1x", "positive and increasing"),
    ("monthly_requests=1x..2M", "both ends as factors"),
    ("monthly_requests", "FIELD=LOW..HIGH"),
])
def test_parse_vary_errors(text, msg):
    with pytest.raises(CostplanError, match=msg):
        S.parse_vary(text)


def test_factors_are_log_spaced_with_both_ends():
    fs = S.factors(Decimal("0.5"), Decimal(4), 4)
    assert fs == [Decimal("0.5"), Decimal("1.0000"), Decimal("2.0000"), Decimal(4)]


@pytest.mark.parametrize("k", ["0.5", "1", "3"])
def test_sweep_totals_equal_compare(k):
    sc = scenario.load(STEADY)
    k = Decimal(k)
    sw = S.sweep(sc, "monthly_requests", [k])
    c = compare(scaled_scenario(sc, k))
    assert sw.points[0].totals == {o.name: o.monthly_usd for o in c.options}
    assert sw.points[0].recommendation == c.recommendation


def test_memory_and_duration_vary_lambda_and_ecs():
    """ECS tasks are sized from what a request needs (the function's CPU share and working set), so a
    bigger or longer request costs more on every alternative."""
    sc = scenario.load(STEADY)
    for field in ("memory_mb", "duration_ms"):
        sw = S.sweep(sc, field, [Decimal(1), Decimal(2)])
        a, b = sw.points
        assert b.value == 2 * a.value
        for name in ("lambda", "fargate", "ec2"):
            assert b.totals[name] > a.totals[name], (field, name)


def test_memory_outside_lambda_range_is_an_input_error():
    with pytest.raises(CostplanError, match="outside Lambda's"):
        S.sensitivity(scenario.load(LIGHT), S.parse_vary("memory_mb=1x..100x"))


def test_recommendation_flips_across_the_break_even():
    sc = scenario.load(str(LIGHT).replace("periodic_light_api", "db_refresh_async"))  # crosses at ~42×
    be = compare(sc).breakeven
    sw = S.sweep(sc, "monthly_requests", [be.factor / 2, be.factor * 2], warm=False)
    assert [p.recommendation for p in sw.points][0] == "lambda"
    assert sw.points[1].recommendation in ("fargate", "ec2", "lambda")  # within the 10 % margin it stays Lambda
    assert sw.points[1].totals["lambda"] > min(sw.points[1].totals["fargate"], sw.points[1].totals["ec2"])


def test_cli_sensitivity_table_and_json(cli):
    code, out, err = cli("sensitivity", str(STEADY), "--vary", "monthly_requests=0.5x..4x", "--steps", "4")
    assert code == 0, err
    assert "Lambda" in out and "ECS on Fargate" in out and "recommended" in out.splitlines()[1]
    code, out, err = cli("sensitivity", str(STEADY), "--vary", "monthly_requests=0.5x..4x", "--steps", "4",
                         "--format", "json")
    data = json.loads(out)
    assert [p["factor"] for p in data["points"]] == [0.5, 1.0, 2.0, 4.0]
    assert data["points"][1]["totals_usd"]["lambda"] == 3548.78  # today's compare total
    code, out, err = cli("sensitivity", str(STEADY), "--vary", "color=1x..2x")
    assert code == 2 and "cannot vary" in err
