"""The boto3 path: read the account's applied quotas through costplan.aws.quotas (imported only here,
only under --live). Any failure falls back to the bundled defaults with a warning, never a crash."""
from __future__ import annotations


def fetch(regions: list[str], profile: str | None = None) -> tuple[dict, list[str]]:
    """{(region, quota id): LiveQuota} for every table quota with a Service Quotas code, and warnings."""
    from costplan.aws.quotas import read_applied_quotas
    from costplan.aws.session import session as make_session
    from costplan.errors import CostplanError
    from costplan.limits.quotas import table

    by_code: dict[tuple[str, str], list[str]] = {}
    for q in table().values():
        if q.quota_code and q.service_code:
            by_code.setdefault((q.service_code, q.quota_code), []).append(q.id)
    live, warnings = {}, []
    for region in sorted(set(regions)):
        try:
            applied = read_applied_quotas(list(by_code), session=make_session(profile, region), region=region)
        except CostplanError as e:  # e.g. an unknown profile: one redacted line, then the defaults
            warnings.append(f"--live {region}: {e}; using bundled defaults")
            continue
        warnings.extend(f"--live {region}: {w}" for w in applied.warnings)
        for key, value in applied.quotas.items():
            for qid in by_code.get(tuple(key), []):
                live[(region, qid)] = value
    return live, warnings
