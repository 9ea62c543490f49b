"""Shared builders for the limits tests: scenario fragments and hand-made plans with facts."""
from __future__ import annotations

from decimal import Decimal as D

from costplan.compute.traffic import Traffic
from costplan.patterns.base import ComputeStage, Plan
from costplan.scenario import from_dict


def scenario(workload=None, **top):
    data = {"version": 1, "name": top.pop("name", "t"), "account": top.pop("account", "acct"),
            "workload": {"peak_rps": 10, "duration_ms": "100ms", **(workload or {})}, **top}
    return from_dict(data, "t.yaml")


def stage(name="consumer", role="consumer", rps=10, duration_ms=100, p99_ms=None, timeout_s=3, batch_size=1,
          reserved=None, max_concurrency=None):
    t = Traffic(D(1000), D(3600), D(str(rps)), D(str(duration_ms)), D(str(p99_ms or duration_ms)))
    return ComputeStage(name, role, t, D(128), "arm64", D(str(timeout_s)), batch_size=batch_size,
                        reserved_concurrency=None if reserved is None else D(str(reserved)),
                        max_concurrency=None if max_concurrency is None else D(str(max_concurrency)))


def run_plan(stages=(), facts=None, sc=None, warn=80, critical=100, overrides=None, designs=("lambda",)):
    from costplan.limits import check_plan

    sc = sc or scenario()
    plan = Plan(sc, "test", "", list(stages), facts=facts or {})
    return check_plan(sc, plan, D(warn), D(critical), overrides, designs=designs)


def status(result, check_id, subject=None):
    fs = [f for f in result.findings if f.check == check_id and (subject is None or f.subject == subject)]
    assert fs, f"no {check_id} finding; got {[(f.check, f.subject) for f in result.findings]}, missing {result.missing}"
    order = {"fail": 2, "warn": 1, "ok": 0}
    return max(fs, key=lambda f: order[f.status]).status


def finding(result, check_id, subject=None):
    return next(f for f in result.findings if f.check == check_id and (subject is None or f.subject == subject))
