"""The ECS designs compare prices: Fargate vCPU quota, scale-out lag and launch rate, tasks per service,
ALB targets, subnet addresses — read from compare's own sizing (Option.sizing)."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from costplan import limits
from costplan.compute.options import Option
from costplan.scenario import load
from tests.test_limits_helpers import finding, run_plan, scenario, stage, status

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_steady_heavy_api_on_fargate_reports_vcpu_quota_and_scale_out(cli, tmp_path):
    # Without its scheduled pre-scale the evening peak launches tasks: the launch rate is checked too.
    text = (SCENARIOS / "steady_heavy_api.yaml").read_text()
    unscheduled = tmp_path / "steady.yaml"
    unscheduled.write_text("\n".join(x for x in text.splitlines() if "scheduled_scaling:" not in x) + "\n")
    assert unscheduled.read_text() != text
    code, out, _ = cli("limits-check", str(unscheduled), "--design", "fargate")
    assert "FARGATE-VCPU" in out and "ECS-SCALE-OUT [api]" in out and "FARGATE-LAUNCH-RATE" in out
    assert "SUBNET-IPS" in out and "ALB-TARGETS [targets]" in out
    assert "LAMBDA-CONCURRENCY" not in out  # the API runs on Fargate in this design


def test_more_vcpu_than_the_default_quota_fails_with_the_increase_to_ask():
    sc = load(SCENARIOS / "steady_heavy_api.yaml")
    big = sc.model_copy(update={"workload": sc.workload.model_copy(update={"peak_rps": D(6000)})})
    res = limits.check([big], designs=["fargate"])
    f = next(f for f in res.findings if f.check == "FARGATE-VCPU")
    option = next(o for o in __import__("costplan.compute.compare", fromlist=["compare"]).compare(big).options
                  if o.name == "fargate")
    tasks = option.sizing["api"]["tasks_peak"]
    vcpu = D(str(option.sizing["api"].get("vcpu", big.ecs.vcpu)))
    assert f.needed == tasks * vcpu and f.limit == 6 and f.status == "fail"  # what compare priced, not a re-sizing
    assert f"request Fargate On-Demand vCPU resource count ≥ {int(f.needed):,}" in f.fix and "L-3032A538" in f.fix
    assert res.exit_code() == 1


def test_every_design_by_default_and_the_reviewer_sees_which_passes():
    sc = load(SCENARIOS / "steady_heavy_api.yaml")
    big = sc.model_copy(update={"workload": sc.workload.model_copy(update={"peak_rps": D(6000)})})
    [r] = limits.check([big]).scenarios
    assert r.designs == ["lambda", "fargate", "ec2"]
    st = r.design_status()
    assert st["fargate"] == "fail" and set(st) == {"lambda", "fargate", "ec2"}


def test_recommended_design_is_the_one_compare_recommends():
    from costplan.compute.compare import compare

    sc = load(SCENARIOS / "steady_heavy_api.yaml")
    [r] = limits.check([sc], designs=["recommended"]).scenarios
    assert r.designs == [compare(sc).recommendation] == [r.recommended]


def test_unknown_design_is_bad_input(cli):
    code, _, err = cli("limits-check", str(SCENARIOS / "steady_heavy_api.yaml"), "--design", "k8s")
    assert code == 2


def _ecs_plan(sizing, role="api", **ecs):
    sc = scenario(ecs=ecs or None) if ecs else scenario()
    st = stage("api", role, rps=1000, duration_ms=100)
    opt = Option("fargate", "ECS on Fargate", [], [], sizing)
    return sc, st, opt


def run_ecs(sizing, role="api", design="fargate", **ecs):
    """Run the ECS checks against a hand-made Option (its sizing as compare would give it)."""
    from costplan.limits import check_plan
    from costplan.patterns.base import Plan

    sc, st, opt = _ecs_plan(sizing, role, **ecs)
    plan = Plan(sc, "test", "", [st], facts={})
    import costplan.limits as lim

    orig = lim.design_options
    lim.design_options = lambda *_a, **_k: ({design: opt}, None, "")
    try:
        return check_plan(sc, plan, D(80), D(100), designs=[design])
    finally:
        lim.design_options = orig


def test_vcpu_comes_from_the_sizing_when_compare_gives_it():
    """i11a's sizing picks the task size: limits-check reads sizing[stage]['vcpu'] before ecs.vcpu."""
    res = run_ecs({"api": {"tasks_min": 2, "tasks_peak": 10, "tasks_average": 4, "vcpu": 0.5, "per_task_rps": 150}})
    f = finding(res, "FARGATE-VCPU")
    assert (f.needed, f.limit, f.status) == (5, 6, "warn")


@pytest.mark.parametrize("before,expected", [(2, "fail"), (7, "warn"), (10, "ok")])
def test_scale_out_lag_against_the_tasks_running_when_the_peak_arrives(before, expected):
    # 1,000 requests/s; 150 requests/s per task: 2 tasks carry 300/s, 7 carry 1,050/s (95 %), 10 carry 1,500/s
    res = run_ecs({"api": {"tasks_min": before, "tasks_peak": 10, "tasks_average": before, "vcpu": 0.25,
                           "per_task_rps": 150}})
    f = finding(res, "ECS-SCALE-OUT", "api")
    assert f.status == expected and f.limit == before * 150
    if expected == "fail":
        assert "700 requests/s get 5xx or time out" in f.message and "pre-scale api to ≥ 9 tasks" in f.fix


def test_scale_out_lag_of_a_queue_consumer_is_a_delay():
    res = run_ecs({"api": {"tasks_min": 1, "tasks_peak": 10, "tasks_average": 1, "vcpu": 0.25, "per_task_rps": 150}},
                  role="consumer")
    f = finding(res, "ECS-SCALE-OUT", "api")
    assert f.status == "warn" and f.delay_s == 240 and "messages wait in the queue" in f.message


@pytest.mark.parametrize("launch,expected_delay", [(100, 0), (300, 10)])
def test_fargate_launch_bucket(launch, expected_delay):
    # 100 tasks at once, then 20/s: 300 tasks → the last starts 10 s later
    res = run_ecs({"api": {"tasks_min": 0, "tasks_peak": launch, "tasks_average": 0, "vcpu": 0.25,
                           "per_task_rps": 10}})
    f = finding(res, "FARGATE-LAUNCH-RATE")
    assert f.needed == launch and f.delay_s == expected_delay


def test_alb_targets_and_subnet_addresses():
    res = run_ecs({"api": {"tasks_min": 2, "tasks_peak": 1200, "tasks_average": 600, "vcpu": 0.25,
                           "per_task_rps": 1}})
    assert status(res, "ALB-TARGETS", "targets") == "fail"  # 1,200 IP targets on one ALB (1,000)
    f = finding(res, "SUBNET-IPS")
    # 1,200 tasks over 2 AZs + 8 for the ALB = 608 per subnet against a /24's 251
    assert (f.needed, f.limit, f.status) == (608, 251, "fail") and "/22" in f.fix


def test_tasks_per_service():
    res = run_ecs({"api": {"tasks_min": 2, "tasks_peak": 5001, "tasks_average": 10, "vcpu": 0.25,
                           "per_task_rps": 1}})
    assert status(res, "ECS-TASKS-PER-SERVICE", "api") == "fail"


def test_exit_code_follows_the_recommended_design_unless_designs_are_given():
    sc = load(SCENARIOS / "steady_heavy_api.yaml")
    res = limits.check([sc])
    [r] = res.scenarios
    st = r.design_status()
    assert r.gating == [r.recommended] and st[r.recommended] != "fail"
    failing = [d for d, v in st.items() if v == "fail"]
    assert failing, st  # some other design fails: shown, not gating
    assert res.exit_code() == 0
    assert limits.check([sc], designs=failing).exit_code() == 1


def test_reads_the_reworked_sizing_keys():
    """i11a's sizing: vcpu / task_vcpu, scheduled_scaling, scale_out_lag_s and per-segment task counts."""
    sizing = {"api": {"vcpu": 2, "tasks_min": 2, "tasks_peak": 10, "tasks_average": 3.4, "per_task_rps": 150,
                      "scale_out_lag_s": 120, "scheduled_scaling": False,
                      "segments": [{"name": "quiet", "rps": 50, "tasks": 2}, {"name": "busy", "rps": 400, "tasks": 4},
                                   {"name": "peak", "rps": 1000, "tasks": 10}]}}
    res = run_ecs(sizing)
    assert finding(res, "FARGATE-VCPU").needed == 20
    f = finding(res, "ECS-SCALE-OUT", "api")
    assert f.limit == 4 * 150 and "busiest hour before the peak" in f.message and "≈ 2 min" in f.message
    sizing["api"]["scheduled_scaling"] = True
    assert finding(run_ecs(sizing), "ECS-SCALE-OUT", "api").status == "ok"
    ec2 = {"api": {"task_vcpu": 0.5, "tasks_min": 2, "tasks_peak": 4, "per_task_rps": 300}}
    assert finding(run_ecs(ec2, design="ec2"), "SUBNET-IPS").needed == 2 + 8


def test_code_scanning_annotates_the_gating_design_only(cli):
    # compare recommends ECS on EC2 here, which passes; the Fargate design fails its vCPU quota.
    code, out, _ = cli("limits-check", str(SCENARIOS / "steady_heavy_api.yaml"), "--format", "github")
    assert code == 0 and "[fargate design]" not in out and "::error" not in out
    code, out, _ = cli("limits-check", str(SCENARIOS / "steady_heavy_api.yaml"), "--format", "github",
                       "--design", "fargate")
    assert code == 1 and "::error" in out and "[fargate design]" in out and "FARGATE-VCPU" in out
