"""boto3 sessions and clients with standard retries, and error text made safe to show.

Every AWS failure that reaches a user goes through `describe_error` and `redact`: one line, no
access keys, no account ids.
"""
from __future__ import annotations

import os
import re
from urllib.parse import urlparse

import boto3
import botocore.exceptions as bce
from botocore.config import Config
from botocore.parsers import ResponseParserError

from costplan.errors import CostplanError

USER_AGENT = "costplan"
# "standard" retries back off on throttling and 5xx; max_attempts comes from AWS_MAX_ATTEMPTS or
# ~/.aws/config when the caller does not set it (botocore's default for standard mode is 3).
DEFAULT_CONFIG = Config(retries={"mode": "standard"}, connect_timeout=5, read_timeout=30,
                        user_agent_extra=USER_AGENT)

# IAM action for each API operation costplan calls (for error messages and iam.py)
IAM_ACTIONS = {
    ("pricing", "GetProducts"): "pricing:GetProducts",
    ("service-quotas", "GetServiceQuota"): "servicequotas:GetServiceQuota",
    ("service-quotas", "GetAWSDefaultServiceQuota"): "servicequotas:GetAWSDefaultServiceQuota",
    ("service-quotas", "ListServiceQuotas"): "servicequotas:ListServiceQuotas",
    ("lambda", "GetAccountSettings"): "lambda:GetAccountSettings",
    ("lambda", "GetFunctionConfiguration"): "lambda:GetFunctionConfiguration",
    ("lambda", "GetFunctionConcurrency"): "lambda:GetFunctionConcurrency",
    ("cloudwatch", "GetMetricData"): "cloudwatch:GetMetricData",
}

SERVICE_TITLES = {"pricing": "the Price List API", "service-quotas": "Service Quotas", "lambda": "Lambda",
                  "cloudwatch": "CloudWatch"}

_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException",
           "NotAuthorized", "AuthorizationError"}
_BAD_CREDENTIALS = {"UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException",
                    "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId"}
_THROTTLED = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
              "ThrottledException", "SlowDown", "RequestThrottled", "RequestThrottledException"}


class AwsError(CostplanError):
    """A call to AWS failed; the message is one redacted line naming what to do about it."""


_loader = None


def _botocore_session():
    """A fresh botocore session (it reads env and config anew) sharing one loader, so service
    models are parsed once per process instead of once per client."""
    global _loader
    import botocore.session
    from botocore.loaders import create_loader

    if _loader is None:
        _loader = create_loader()
    bs = botocore.session.get_session()
    bs.register_component("data_loader", _loader)
    return bs


def session(profile: str | None = None, region: str | None = None) -> boto3.session.Session:
    """A boto3 session from the usual credential chain (env, profile, SSO, instance role)."""
    # boto3 reads AWS_DEFAULT_REGION; the other AWS SDKs and the CLI's docs use AWS_REGION: honour both.
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    try:
        sess = boto3.session.Session(profile_name=profile, region_name=region, botocore_session=_botocore_session())
        sess.region_name  # resolves the profile now, so an unknown one fails here as one line
        return sess
    except bce.ProfileNotFound as e:
        raise AwsError(f"{redact(str(e))}: check --profile or AWS_PROFILE (aws configure list-profiles)") from None


def assume_role(sess: boto3.session.Session, role_arn: str, region: str) -> boto3.session.Session:
    """A session with the role's temporary credentials, assumed with `sess` (the account's profile)."""
    try:
        sts = client("sts", region, sess)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="costplan-limits-check",
                                DurationSeconds=900)["Credentials"]
    except (bce.BotoCoreError, bce.ClientError) as e:
        raise AwsError(f"cannot assume {role_arn}: {describe_error(e, 'sts', 'AssumeRole')}") from None
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                 aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"], region_name=region,
                                 botocore_session=_botocore_session())


def client(service: str, region: str, sess: boto3.session.Session | None = None,
           config: Config | None = None):
    """A client for `service` in `region`; endpoints come from the standard places
    (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, ~/.aws/config), retries are 'standard'."""
    cfg = DEFAULT_CONFIG.merge(config) if config is not None else DEFAULT_CONFIG
    try:  # boto3 resolves the profile (--profile or AWS_PROFILE) only now, when a client is built
        sess = sess or boto3.session.Session(botocore_session=_botocore_session())
        return sess.client(service, region_name=region, config=cfg)
    except bce.ProfileNotFound as e:
        raise AwsError(f"{redact(str(e))}: check --profile or AWS_PROFILE (aws configure list-profiles)") from None


def region_unavailable(cl, service: str, region: str) -> str | None:
    """Why `service` cannot be reached in `region`, or None. Only judged when the client talks to
    AWS's own endpoint (a custom endpoint_url is trusted); uses botocore's endpoint data, offline."""
    host = urlparse(cl.meta.endpoint_url).hostname or ""
    if not (host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn")):
        return None
    sess = boto3.session.Session(botocore_session=_botocore_session())
    known = sess.get_available_regions(service)
    if not known:
        known = sess.get_available_regions(service, partition_name="aws-cn")
    if known and region not in known:
        shown = ", ".join(known) if len(known) <= 6 else f"{len(known)} regions"
        return (f"{SERVICE_TITLES.get(service, service)} is not available in {region} "
                f"(botocore's endpoint data lists {shown}; upgrade boto3 if {region} is new)")
    return None


def describe_error(exc: BaseException, service: str, operation: str) -> str:
    """One line for a failed call: what failed and why, naming the IAM action when access is denied."""
    what = SERVICE_TITLES.get(service, service)
    action = IAM_ACTIONS.get((service, operation), f"{service}:{operation}")
    if isinstance(exc, bce.ClientError):
        err = exc.response.get("Error", {}) if isinstance(exc.response, dict) else {}
        code = str(err.get("Code", "")) or "Unknown"
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") if isinstance(
            exc.response, dict) else None
        attempts = 1 + int(exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0)
        if code in _DENIED or status == 403 and code not in _BAD_CREDENTIALS:
            line = f"access denied to {action} ({code}); grant it (see `costplan iam-policy`)"
        elif code in _BAD_CREDENTIALS:
            line = f"AWS rejected the credentials calling {action} ({code}); check your profile or keys"
        elif code in _THROTTLED or status == 429:
            line = f"{what} throttled {operation} ({code}) after {attempts} attempt{'s' * (attempts > 1)}"
        else:
            msg = str(err.get("Message", "")).strip()
            line = f"{what} {operation} failed: {code}" + (f": {msg}" if msg else "")
    elif isinstance(exc, (bce.EndpointConnectionError, bce.ConnectTimeoutError)):
        line = f"cannot reach {what} for {operation} ({exc.kwargs.get('endpoint_url', 'endpoint')})"
    elif isinstance(exc, bce.ReadTimeoutError):
        line = f"{what} did not answer {operation} in time"
    elif isinstance(exc, bce.NoCredentialsError):
        line = "no AWS credentials found (set AWS_PROFILE or configure credentials)"
    elif isinstance(exc, bce.PartialCredentialsError):
        line = "incomplete AWS credentials (an access key without its secret, or the reverse)"
    elif isinstance(exc, bce.NoRegionError):
        line = "no AWS region configured (pass --region or set AWS_REGION or AWS_DEFAULT_REGION)"
    elif isinstance(exc, ResponseParserError):
        line = f"{what} sent a response to {operation} that could not be parsed"
    elif isinstance(exc, MalformedResponse):
        line = f"{what} sent an unexpected response to {operation}: {exc}"
    elif isinstance(exc, (ValueError, TypeError, KeyError)):  # botocore could not parse a field
        line = f"{what} sent an unexpected response to {operation} ({type(exc).__name__}: {exc})"
    elif isinstance(exc, bce.BotoCoreError):
        line = f"{what} {operation} failed: {exc}"
    else:
        line = f"{what} {operation} failed: {type(exc).__name__}: {exc}"
    return redact(" ".join(line.split()))


class MalformedResponse(ValueError):
    """A response that parsed but does not have the documented shape."""


_ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{12,}\b")
_SECRET_ASSIGN = re.compile(r"(?i)(secret[_ ]?(?:access[_ ]?)?key|session[_ ]?token|security[_ ]?token"
                            r"|signature|credential)(\s*[=:]\s*|\s+)(\S+)")
_LONG_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_TOKEN = re.compile(r"[A-Za-z0-9/+=]{100,}")
_ACCOUNT = re.compile(r"(?<!\d)\d{12}(?!\d)")


def redact(text: str) -> str:
    """Strip access key ids, secrets, session tokens and 12-digit account ids from text."""
    text = _ACCESS_KEY.sub("<access-key-id>", str(text))
    text = _SECRET_ASSIGN.sub(lambda m: f"{m.group(1)}{m.group(2)}<redacted>", text)
    text = _TOKEN.sub("<redacted>", text)
    text = _LONG_SECRET.sub(lambda m: "<redacted>" if re.search(r"\d", m.group(0))
                            and re.search(r"[A-Z]", m.group(0)) else m.group(0), text)
    return _ACCOUNT.sub("<account-id>", text)
