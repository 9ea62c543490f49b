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


def fetch(regions: list[str], profile: str | None = None, role_arn: str | None = None) -> tuple[dict, list[str]]:
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
            sess = make_session(profile, region)
            if role_arn:
                from costplan.aws.session import assume_role

                sess = assume_role(sess, role_arn, region)
            applied = read_applied_quotas(list(by_code), session=sess, region=region)
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


class AccountLive(dict):
    """Live quota values per account label: {label: {(region, quota id): LiveQuota}}."""

    def for_account(self, label: str) -> dict:
        return self.get(label, {})


def live_for(live, account: str):
    """The live values that apply to one account (live may be per account or one flat mapping)."""
    return live.for_account(account) if isinstance(live, AccountLive) else live


def fetch_accounts(scenarios, cfg, profile: str | None = None) -> tuple[AccountLive, list[str]]:
    """Read each account's applied quotas with that account's own credentials: --profile for every
    account when given, else the profile (and role) the repository config maps the account label to,
    else the default credential chain. Says, per account, where its values came from."""
    out, notes = AccountLive(), []
    regions_by_account: dict[str, set] = {}
    for s in scenarios:
        regions_by_account.setdefault(s.account, set()).add(s.region)
    for label in sorted(regions_by_account):
        acc = cfg.account(label) if cfg is not None else None
        prof = profile or (acc.profile if acc else None)
        role = None if profile else (acc.role_arn if acc else None)
        regions = sorted(regions_by_account[label])
        if acc and acc.regions:
            outside = [r for r in regions if r not in acc.regions]
            if outside:
                notes.append(f"--live account {label}: {', '.join(outside)} not in the regions the config "
                             f"allows ({', '.join(acc.regions)}); using bundled defaults there")
                regions = [r for r in regions if r in acc.regions]
        how = (f"profile {prof}" if prof else "the default credentials") + (f", role {role}" if role else "")
        if profile and acc and acc.profile and acc.profile != profile:
            how += f" (--profile overrides the config's {acc.profile})"
        extra = {"role_arn": role} if role else {}
        values, warnings = fetch(regions, prof, **extra) if regions else ({}, [])
        out[label] = values
        notes.extend(warnings)
        if regions:
            notes.append(f"--live account {label}: {len(values)} applied quota(s) read in {', '.join(regions)} "
                         f"with {how}")
    return out, notes
