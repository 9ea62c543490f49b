"""The boto3 path: read the account's applied quotas through costplan.aws.quotas (imported only here,
only under --live). Any failure falls back to the bundled defaults with a warning, never a crash."""
from __future__ import annotations


def fetch(regions: list[str], profile: str | None = None) -> tuple[dict, list[str]]:
    """{(region, quota id): LiveQuota} for every table quota with a Service Quotas code, and warnings."""
    from costplan.limits.quotas import table

    try:
        from costplan.aws import quotas as aws_quotas
        from costplan.aws.session import session as make_session
    except ImportError as e:
        return {}, [f"--live: reading applied quotas is not available ({e}); using bundled defaults"]
    reader = getattr(aws_quotas, "read_applied_quotas", None)
    if reader is None:
        return {}, ["--live: costplan.aws.quotas has no read_applied_quotas; using bundled defaults"]
    by_code = {}
    for q in table().values():
        if q.quota_code and q.service_code:
            by_code.setdefault((q.service_code, q.quota_code), []).append(q.id)
    live, warnings = {}, []
    for region in sorted(set(regions)):
        try:
            sess = make_session(profile, region)
            res = reader(list(by_code), session=sess, region=region)
        except Exception as e:  # noqa: BLE001 — a failed lookup downgrades to defaults, never a crash
            warnings.append(f"--live {region}: {type(e).__name__}: {e}; using bundled defaults")
            continue
        if isinstance(res, tuple):
            got, warns = res
        else:
            got, warns = getattr(res, "quotas", {}) or {}, getattr(res, "warnings", []) or []
        warnings.extend(f"--live {region}: {w}" for w in warns)
        for key, value in got.items():
            for qid in by_code.get(tuple(key), []):
                live[(region, qid)] = value
    return live, warnings
