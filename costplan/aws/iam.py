"""The minimal IAM policy costplan needs, one statement per command that talks to AWS."""
from __future__ import annotations

STATEMENTS = {
    # Sid → (command, actions)
    "CostplanPricesRefresh": ("prices refresh", ["pricing:GetProducts"]),
    "CostplanLimitsCheckLive": ("limits-check --live", [
        "lambda:GetAccountSettings",
        "servicequotas:GetAWSDefaultServiceQuota",
        "servicequotas:GetServiceQuota",
        "servicequotas:ListServiceQuotas",
    ]),
    "CostplanScenarioFromCloudWatch": ("scenario from-cloudwatch", [
        "cloudwatch:GetMetricData",
        "lambda:GetFunctionConcurrency",
        "lambda:GetFunctionConfiguration",
    ]),
}


def iam_policy(sids: list[str] | None = None) -> dict:
    """The IAM policy document: read-only actions on Resource "*" (pricing, Service Quotas reads and
    GetMetricData take no narrower resource; the function to measure is not known in advance).
    `sids` picks statements (default: all)."""
    statements = []
    for sid, (_, actions) in STATEMENTS.items():
        if sids is not None and sid not in sids:
            continue
        statements.append({"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


def actions() -> set[str]:
    """Every IAM action in the policy."""
    return {a for _, acts in STATEMENTS.values() for a in acts}
