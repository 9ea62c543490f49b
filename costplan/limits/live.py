"""The boto3 path: read the account's applied quotas through costplan.aws.quotas (imported only here,
only under --live). Values are converted from Service Quotas' unit to the quota table's. When the
account cannot be read at all (no credentials, unknown profile, no network) --live fails as bad input,
one line, exit 2: a CI gate asked for the account's values must not pass on the defaults. A quota
that alone cannot be read falls back to the bundled default with a warning."""
from __future__ import annotations

from decimal import Decimal

# Service Quotas' Unit → (dimension, factor to the base unit: KB for sizes, seconds for times)
_SQ_UNITS = {"Bytes": ("size", Decimal(1) / 1024), "Kilobytes": ("size", Decimal(1)),
             "Megabytes": ("size", Decimal(1024)), "Gigabytes": ("size", Decimal(1024 * 1024)),
             "Milliseconds": ("time", Decimal("0.001")), "Seconds": ("time", Decimal(1)),
             "Minutes": ("time", Decimal(60)), "Hours": ("time", Decimal(3600))}
_TABLE_UNITS = {"B": ("size", Decimal(1) / 1024), "KB": ("size", Decimal(1)), "MB": ("size", Decimal(1024)),
                "GB": ("size", Decimal(1024 * 1024)), "ms": ("time", Decimal("0.001")), "s": ("time", Decimal(1)),
                "min": ("time", Decimal(60)), "h": ("time", Decimal(3600))}


def in_table_unit(value, sq_unit: str, table_unit: str) -> Decimal | None:
    """A Service Quotas value in the quota table's unit: "10 Megabytes" → 10,240 (KB); "29,000
    Milliseconds" → 29 (s). Counts and rates ("None", "Count") pass unchanged; None if the units
    cannot be reconciled (a size read for a time)."""
    v = Decimal(str(value))
    src = _SQ_UNITS.get(sq_unit or "")
    if src is None:
        return v
    dst = _TABLE_UNITS.get(table_unit)
    if dst is None or dst[0] != src[0]:
        return None
    return v * src[1] / dst[1]


def fetch(regions: list[str], profile: str | None = None) -> tuple[dict, list[str]]:
    """{(region, quota id): LiveQuota} for every table quota with a Service Quotas code, and warnings."""
    from costplan.aws.quotas import read_applied_quotas
    from costplan.aws.session import session as make_session
    from costplan.errors import CostplanError
    from costplan.limits.quotas import table

    units = {q.id: q.unit for q in table().values()}
    by_code: dict[tuple[str, str], list[str]] = {}
    for q in table().values():
        if q.quota_code and q.service_code:
            by_code.setdefault((q.service_code, q.quota_code), []).append(q.id)
    live, warnings = {}, []
    for region in sorted(set(regions)):
        try:
            applied = read_applied_quotas(list(by_code), session=make_session(profile, region), region=region)
        except CostplanError as e:  # e.g. an unknown profile
            raise CostplanError(f"--live: cannot read the account's quotas in {region}: {e}") from None
        if not applied.quotas and applied.warnings:  # nothing read: no credentials, no network, no access
            raise CostplanError(f"--live: cannot read the account's quotas in {region}: {applied.warnings[0]}")
        warnings.extend(f"--live {region}: {w}" for w in applied.warnings)
        for key, value in applied.quotas.items():
            for qid in by_code.get(tuple(key), []):
                converted = in_table_unit(value.value, getattr(value, "unit", ""), units[qid])
                if converted is None:
                    warnings.append(f"--live {region}: {qid} came as {value.value} {value.unit}, not in "
                                    f"{units[qid]}; using the bundled default")
                    continue
                live[(region, qid)] = _with_value(value, converted)
    return live, warnings


def _with_value(q, value: Decimal):
    from dataclasses import replace

    return replace(q, value=value)
