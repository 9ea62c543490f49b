"""No traceback on any input: random workloads, patterns and quota overrides through limits.check."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costplan import limits, patterns
from costplan.errors import CostplanError
from costplan.scenario import from_dict

windows = st.one_of(st.none(), st.builds(lambda a, b: f"{a:02d}:00-{b:02d}:30", st.integers(0, 23),
                                         st.integers(0, 23)))
workloads = st.fixed_dictionaries({
    "peak_rps": st.one_of(st.integers(1, 10**6), st.floats(0.001, 1e5)),
    "duration_ms": st.integers(1, 900_000),
    "request_size_kb": st.integers(0, 20_000),
    "traffic_window": windows,
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workloads, st.sampled_from(sorted(patterns.REGISTRY)), st.sampled_from(["prod", "qa"]),
       st.one_of(st.none(), st.integers(0, 5000)))
def test_random_scenarios_never_raise_anything_but_costplan_errors(w, pattern, account, quota):
    data = {"version": 1, "name": "fuzz", "account": account, "pattern": pattern,
            "workload": {k: v for k, v in w.items() if v is not None}}
    if quota is not None:
        data["quotas"] = {"lambda.concurrent_executions": quota}
    try:
        sc = from_dict(data, "fuzz.yaml")
        other = from_dict({**data, "name": "fuzz-2"}, "fuzz2.yaml")
        res = limits.check([sc, other], designs=["lambda"])
    except CostplanError:
        return
    assert res.exit_code() in (0, 1)
    assert not [m for s in res.scenarios for m in s.missing if "could not run" in m]
    res.to_json()
    from costplan.report import limits_view

    limits_view.text(res)
    limits_view.markdown(res)
