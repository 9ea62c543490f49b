"""No traceback on any input: random but schema-shaped scenarios go through load, compare, limits-check and
template building, and may only ever raise the project's own error."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costplan import limits, scenario
from costplan.compute.compare import compare
from costplan.errors import CostplanError
from costplan.scenario import PATTERNS
from costplan.templates.render import build_for

BAD = ["1e30", float("nan"), -1, "12 apples"]


def kind(*good):
    return st.sampled_from(list(good) * 8 + BAD)  # mostly valid, so most examples reach pricing and checks


count = kind(0, 1, 3, 100, 1000, "250k", "3M", "1B", 0.5)
ms = kind(0, 1, "120ms", "1.5s", "15min", 900000, "2h")
kb = kind(0, 1, "2KB", "300KB", "5MB")
workload = st.fixed_dictionaries(
    {"duration_ms": ms, "monthly_requests": count},
    optional={"peak_rps": count, "p99_duration_ms": ms, "request_size_kb": kb,
              "peak_to_average": kind(1, 2, 100, 1e6), "active_hours_per_day": kind(1, 24, 0.01),
              "memory_mb": kind(128, 512, 10240)})
ecs = st.fixed_dictionaries({}, optional={"vcpu": kind(0.25, 1, 16), "memory_gb": kind(0.5, 2, 120),
                                          "concurrent_requests_per_task": count, "min_tasks": kind(1, 2, 50)})
SETTINGS = {  # what each pattern's settings may hold (unknown keys would only test the loader)
    "scheduled_ttl": st.fixed_dictionaries({"required_precision_s": kind(1, 60, "3d")}),
    "scheduled_cron": st.fixed_dictionaries({}, optional={"required_precision_s": kind(1, 60)}),
    "queue_load_leveling": st.fixed_dictionaries({}, optional={"batch_size": kind(1, 10, 10000),
                                                               "max_concurrency": kind(2, 50, 1000)}),
}


def scenario_doc(pattern):
    return st.fixed_dictionaries(
        {"version": st.just(1), "name": st.just("fuzz"), "pattern": st.just(pattern), "workload": workload,
         "settings": SETTINGS.get(pattern, st.just({}))},
        optional={"ecs": ecs, "lambda": st.fixed_dictionaries({}, optional={"reserved_concurrency": count,
                                                                             "timeout_s": kind(1, 60, 900)})})


doc = st.sampled_from(PATTERNS).flatmap(scenario_doc)


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(doc)
def test_any_scenario_gives_a_result_or_our_own_error(d):
    try:
        sc = scenario.from_dict(d, "fuzz.yaml")
        c = compare(sc)
        assert c.options and all(o.monthly_usd >= 0 for o in c.options)
        res = limits.check([sc])
        assert res.exit_code(False) in (0, 1)
        build_for(sc, "lambda")
    except CostplanError as e:
        assert e.problems and all(str(p) for p in e.problems)
