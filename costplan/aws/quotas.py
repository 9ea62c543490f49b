"""Read the account's applied quotas: Lambda account settings, then Service Quotas.

Precedence for a quota: Lambda GetAccountSettings (the reliable source for new accounts' low
concurrency) > the applied value (ListServiceQuotas / GetServiceQuota) > AWS's default
(GetAWSDefaultServiceQuota). Any failure leaves the quota to the bundled default, with one warning
line per failure, never an exception.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import botocore.exceptions as bce
from botocore.config import Config

from costplan.aws.session import MalformedResponse, client, describe_error, region_unavailable

LAMBDA_CONCURRENCY = ("lambda", "L-B99A9384")
# Not a Service Quotas code: the account's unreserved concurrency, from GetAccountSettings only.
LAMBDA_UNRESERVED = ("lambda", "UnreservedConcurrentExecutions")

# (service code, quota code) → (AccountLimit field, quota name)
_ACCOUNT_SETTINGS = {
    LAMBDA_CONCURRENCY: ("ConcurrentExecutions", "Concurrent executions"),
    LAMBDA_UNRESERVED: ("UnreservedConcurrentExecutions", "Unreserved concurrent executions"),
}


@dataclass(frozen=True)
class LiveQuota:
    value: float
    source: str  # "live" (applied to this account) or "aws-default" (AWS's default, read live)
    name: str
    adjustable: bool | None = None
    unit: str = ""


@dataclass
class AppliedQuotas:
    """Quotas read from the account; keys missing here use the bundled default."""

    quotas: dict[tuple[str, str], LiveQuota] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    region: str = ""

    def get(self, service_code: str, quota_code: str) -> LiveQuota | None:
        return self.quotas.get((service_code, quota_code))


class _Unavailable(Exception):
    """Service Quotas or Lambda cannot be used for the rest of this run."""

    unreachable = False  # no network, no answer, no credentials: the other service will fail the same way


# Quota reads are small control-plane calls that answer in well under a second: a tighter read timeout
# and two tries keep `limits-check --live` against an endpoint that never answers to ~25 s, not minutes.
LIVE_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={"mode": "standard", "max_attempts": 2})
_UNREACHABLE = (bce.EndpointConnectionError, bce.ConnectTimeoutError, bce.ReadTimeoutError, bce.NoCredentialsError)


def _quota(q) -> LiveQuota:
    if not isinstance(q, dict):
        raise MalformedResponse("no Quota in the response")
    value = q.get("Value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MalformedResponse(f"quota {q.get('QuotaCode', '?')} has no numeric Value")
    adj = q.get("Adjustable")
    return LiveQuota(float(value), "live", str(q.get("QuotaName") or q.get("QuotaCode") or ""),
                     adj if isinstance(adj, bool) else None, str(q.get("Unit") or ""))


class _Reader:
    """One run's Service Quotas reader: each service's list is fetched once and cached."""

    def __init__(self, session, region: str, config):
        self.session, self.region, self.config = session, region, config
        self._sq = None
        self._listed: dict[str, dict[str, dict]] = {}

    def sq(self):
        if self._sq is None:
            self._sq = client("service-quotas", self.region, self.session, self.config)
            why = region_unavailable(self._sq, "service-quotas", self.region)
            if why:
                raise _Unavailable(why)
        return self._sq

    def call(self, operation: str, **kw):
        try:
            return getattr(self.sq(), _snake(operation))(**kw)
        except bce.ClientError as e:
            if e.response.get("Error", {}).get("Code") == "NoSuchResourceException":
                raise
            raise _Unavailable(describe_error(e, "service-quotas", operation)) from None
        except _Unavailable:
            raise
        except Exception as e:  # noqa: BLE001 - connection, credentials, parse errors: all degrade
            raise _Unavailable(describe_error(e, "service-quotas", operation)) from None

    def listed(self, service_code: str) -> dict[str, dict]:
        if service_code not in self._listed:
            out: dict[str, dict] = {}
            token = None
            while True:
                kw = {"ServiceCode": service_code, "MaxResults": 100} | ({"NextToken": token} if token else {})
                try:
                    page = self.call("ListServiceQuotas", **kw)
                except bce.ClientError:  # NoSuchResourceException: an unknown service code
                    break
                quotas = page.get("Quotas")
                if not isinstance(quotas, list):
                    raise _Unavailable(describe_error(MalformedResponse("no Quotas list"), "service-quotas",
                                                      "ListServiceQuotas"))
                for q in quotas:
                    if isinstance(q, dict) and q.get("QuotaCode"):
                        out[str(q["QuotaCode"])] = q
                token = page.get("NextToken")
                if not token:
                    break
            self._listed[service_code] = out
        return self._listed[service_code]

    def one(self, service_code: str, quota_code: str) -> LiveQuota | None:
        q = self.listed(service_code).get(quota_code)
        if q is None:
            try:
                q = self.call("GetServiceQuota", ServiceCode=service_code, QuotaCode=quota_code).get("Quota")
            except bce.ClientError:  # NoSuchResourceException: no applied value, read AWS's default
                try:
                    q = self.call("GetAWSDefaultServiceQuota", ServiceCode=service_code,
                                  QuotaCode=quota_code).get("Quota")
                except bce.ClientError:
                    return None
                try:
                    return _replace_source(_quota(q), "aws-default")
                except MalformedResponse as e:
                    raise _Unavailable(describe_error(e, "service-quotas", "GetAWSDefaultServiceQuota")) from None
            try:
                return _quota(q)
            except MalformedResponse as e:
                raise _Unavailable(describe_error(e, "service-quotas", "GetServiceQuota")) from None
        try:
            return _quota(q)
        except MalformedResponse as e:
            raise _Unavailable(describe_error(e, "service-quotas", "ListServiceQuotas")) from None


def _replace_source(q: LiveQuota, source: str) -> LiveQuota:
    return LiveQuota(q.value, source, q.name, q.adjustable, q.unit)


def _snake(op: str) -> str:
    return {"ListServiceQuotas": "list_service_quotas", "GetServiceQuota": "get_service_quota",
            "GetAWSDefaultServiceQuota": "get_aws_default_service_quota"}[op]


def _account_settings(session, region: str, config) -> dict[tuple[str, str], LiveQuota]:
    """Lambda's AccountLimit as quotas; raises _Unavailable with the warning line."""
    lam = client("lambda", region, session, config)
    why = region_unavailable(lam, "lambda", region)
    if why:
        raise _Unavailable(why)
    try:
        resp = lam.get_account_settings()
    except Exception as e:  # noqa: BLE001
        err = _Unavailable(describe_error(e, "lambda", "GetAccountSettings"))
        err.unreachable = isinstance(e, _UNREACHABLE)
        raise err from None
    limit = resp.get("AccountLimit")
    out = {}
    for key, (fld, name) in _ACCOUNT_SETTINGS.items():
        v = limit.get(fld) if isinstance(limit, dict) else None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _Unavailable(describe_error(MalformedResponse(f"no AccountLimit.{fld}"), "lambda",
                                              "GetAccountSettings"))
        out[key] = LiveQuota(float(v), "live", name, key == LAMBDA_CONCURRENCY, "None")
    return out


def read_applied_quotas(wanted: list[tuple[str, str]], session=None, region: str = "us-east-1",
                        config=None) -> AppliedQuotas:
    """The account's values for the wanted (service code, quota code) pairs.

    Lambda concurrency (lambda/L-B99A9384 and LAMBDA_UNRESERVED) comes from GetAccountSettings;
    the rest from Service Quotas: the applied value (ListServiceQuotas per service, paginated and
    cached for this call, then GetServiceQuota), else AWS's default (GetAWSDefaultServiceQuota,
    source "aws-default"). A failure never raises: the affected quotas are left out (so the bundled
    default applies) and `warnings` gets one redacted line naming the cause, e.g. the missing IAM
    action.
    """
    result = AppliedQuotas(region=region)
    config = LIVE_CONFIG.merge(config) if config is not None else LIVE_CONFIG
    todo = list(dict.fromkeys(wanted))
    settings_keys = [k for k in todo if k in _ACCOUNT_SETTINGS]
    if settings_keys:
        try:
            got = _account_settings(session, region, config)
            for k in settings_keys:
                result.quotas[k] = got[k]
        except _Unavailable as e:
            if e.unreachable:  # Service Quotas is behind the same network and credentials: do not wait twice
                result.warnings.append(f"Lambda account settings not read ({e})")
                return result
            result.warnings.append(f"Lambda account settings not read ({e}); Lambda concurrency comes "
                                   f"from Service Quotas or the bundled default")
    todo = [k for k in todo if k not in result.quotas and k != LAMBDA_UNRESERVED]
    if not todo:
        return result
    reader = _Reader(session, region, config)
    for i, (service_code, quota_code) in enumerate(todo):
        try:
            q = reader.one(service_code, quota_code)
        except _Unavailable as e:
            rest = todo[i:]
            result.warnings.append(f"Service Quotas not read, using the bundled defaults for {len(rest)} "
                                   f"quota{'s' * (len(rest) > 1)}: {e}")
            break
        if q is None:
            result.warnings.append(f"Service Quotas has no quota {service_code}/{quota_code} in {region}; "
                                   f"using the bundled default")
        else:
            result.quotas[(service_code, quota_code)] = q
    return result
