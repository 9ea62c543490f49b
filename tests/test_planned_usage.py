"""planned_usage (the planner's usage, priced many times a scenario) gives parse_usage's values, to the
last digit and exponent, and parse_usage's errors, for every usage key of every service."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from costplan.services import REGISTRY, get
from costplan.services.base import parse_usage, planned_usage

# what planners pass (Decimals of every scale, 28-digit quotients, ints) and what they never should
VALUES = [D(0), D("-0"), D(1), D(730), D("0.25"), D("512.0"), D("1769"), D("10240"), D("10241"), D(127),
          D("1.691095890410958904109589041"), D("123456789012345678901234.5678"), D("1E+15"), D("1.000001E+15"),
          D("1E-30"), D("1E-31"), D("9.99E+30"), D("1E+31"), D(-1), D("-0.001"), D("NaN"), D("Infinity"),
          D("0.000001"), D("2.5E+3"), D("1E+6"), 0, 1, 3, 512, 10**15, 10**31, -5, True, False, 1.5,
          "x86_64", "arm64", "ARM64", " linux", "standard", "3M", "512MB", "1.5s", "10/s", "m5.large", "true",
          "nope", None, [1]]


def outcome(fn, service, keys, usage):
    try:
        return "ok", repr(fn(service, keys, usage))
    except Exception as e:  # noqa: BLE001 — the same exception, with the same message
        return type(e).__name__, str(e)


@pytest.mark.parametrize("service", sorted(REGISTRY))
def test_same_values_and_errors_as_parse_usage(service):
    mod = get(service)
    keys = mod.USAGE
    for k in keys:
        for v in VALUES:
            usage = {k.name: v}
            assert outcome(planned_usage, service, keys, usage) == outcome(parse_usage, service, keys, usage), (k.name, v)
    # every key at once, in the planner's order and reversed, and an unknown key
    usage = {k.name: (k.default if k.default is not None else 0) for k in keys}
    for u in (usage, dict(reversed(list(usage.items()))), {**usage, "montly_requests": 1}):
        assert outcome(planned_usage, service, keys, u) == outcome(parse_usage, service, keys, u)


def test_evolve_is_replace_for_the_dataclasses_plans_are_built_of():
    from dataclasses import fields, replace

    from costplan.compute.traffic import Traffic, evolve
    from costplan.patterns.base import ComputeStage

    t = Traffic(D(1000), D(3600), D("2.5"), D(120), D(300), D(2), D(3))
    s = ComputeStage("api", "api", t, D(512), "arm64", D(3), warm=object())
    for obj, change in ((t, {"monthly_requests": D(5), "peak_rps": D(1)}), (s, {"ecs_capable": False})):
        got, want = evolve(obj, **change), replace(obj, **change)
        assert got == want and type(got) is type(want) and got is not obj
        assert all(getattr(got, f.name) is getattr(want, f.name) for f in fields(want))
    assert hash(evolve(t, peak_rps=D(1))) == hash(replace(t, peak_rps=D(1)))
    with pytest.raises(TypeError):
        evolve(t, peak_rsp=D(1))
