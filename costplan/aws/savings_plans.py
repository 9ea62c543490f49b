"""Read AWS's public Savings Plans offer files into pricing_data/savings_plans.yaml rates.

The bulk Savings Plans price list needs no credentials (and no boto3):
`<base>/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/region_index.json` lists one file per
region; each has `products` (one per plan: productFamily ComputeSavingsPlans or
EC2InstanceSavingsPlans, purchaseTerm 1yr/3yr, purchaseOption No/Partial/All Upfront) and
`terms.savingsPlan` (per plan sku, `rates` of `discountedUsageType` → `discountedRate.price`).
Rates are kept in the offer file's own unit (Fargate per hour, Lambda per GB-second, EC2 per hour);
savings_plans.yaml says how each converts to its on-demand price key (`per`).

A region file is large (hundreds of MB for us-east-1): it is read once per refresh, never at run time.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from costplan.errors import CostplanError, Problem

BASE = "https://pricing.us-east-1.amazonaws.com"
INDEX_PATH = "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/region_index.json"
SOURCE_KEY = "SP-OFFER"

FAMILIES = {"ComputeSavingsPlans": "compute-sp", "EC2InstanceSavingsPlans": "ec2-instance-sp"}
PAYMENTS = {"No Upfront": "no-upfront", "Partial Upfront": "partial-upfront", "All Upfront": "all-upfront"}

# offer usage type (without its region prefix) → on-demand price key, and the service code it must carry
USAGE = {
    "Lambda-GB-Second": ("lambda.duration_x86_64", "AWSLambda"),
    "Lambda-GB-Second-ARM": ("lambda.duration_arm64", "AWSLambda"),
    "Lambda-Provisioned-Concurrency": ("lambda.provisioned_concurrency_x86_64", "AWSLambda"),
    "Lambda-Provisioned-Concurrency-ARM": ("lambda.provisioned_concurrency_arm64", "AWSLambda"),
    "Lambda-Provisioned-GB-Second": ("lambda.provisioned_duration_x86_64", "AWSLambda"),
    "Lambda-Provisioned-GB-Second-ARM": ("lambda.provisioned_duration_arm64", "AWSLambda"),
    "Fargate-vCPU-Hours:perCPU": ("fargate.vcpu_linux_x86_64", "AmazonECS"),
    "Fargate-GB-Hours": ("fargate.memory_linux_x86_64", "AmazonECS"),
    "Fargate-ARM-vCPU-Hours:perCPU": ("fargate.vcpu_linux_arm64", "AmazonECS"),
    "Fargate-ARM-GB-Hours": ("fargate.memory_linux_arm64", "AmazonECS"),
}
UNITS = {  # key → (unit of the price key, per): the offer's rate is per `per` of these units
    "lambda": ("GB-seconds", 1),
    "fargate.vcpu": ("vCPU-seconds", 3600),
    "fargate.memory": ("GB-seconds", 3600),
    "ec2": ("instance-hours", 1),
}
_PREFIX = re.compile(r"^[A-Z]{2,4}\d?-(?=[A-Za-z])")  # "USE2-", "EUC1-", "EU-", "APS1-"


@dataclass
class OfferRates:
    region: str
    url: str
    publication_date: str
    rates: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # price key → plan → rate
    skipped: int = 0  # rates for usage the price book does not price


def strip_prefix(usagetype: str) -> str:
    return _PREFIX.sub("", usagetype, count=1)


def fetch_json(url: str, timeout: float = 600) -> dict:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (a fixed https base or a test server)
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise CostplanError(Problem(f"the Savings Plans price list answered HTTP {e.code} for {url}")) from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise CostplanError(Problem(f"cannot reach the Savings Plans price list at {url}: {reason}")) from None
    except ValueError:
        raise CostplanError(Problem(f"the Savings Plans price list at {url} is not valid JSON")) from None


def region_file_url(region: str, base: str = BASE) -> tuple[str, str]:
    """(URL of the region's offer file, the index's publication date)."""
    index = fetch_json(base.rstrip("/") + INDEX_PATH)
    for r in index.get("regions", []):
        if r.get("regionCode") == region:
            return base.rstrip("/") + r["versionUrl"], str(index.get("publicationDate", ""))
    known = sorted(r.get("regionCode", "") for r in index.get("regions", []))
    raise CostplanError(Problem(f"the Savings Plans price list has no file for {region!r}; it lists "
                                f"{len(known)} regions"))


def _plan_name(product: dict) -> str | None:
    attrs = product.get("attributes", {})
    fam = FAMILIES.get(product.get("productFamily") or attrs.get("productFamily", ""))
    term = str(attrs.get("purchaseTerm", "")).replace("yr", "y")
    pay = PAYMENTS.get(attrs.get("purchaseOption", ""))
    if not fam or term not in ("1y", "3y") or not pay:
        return None
    return f"{fam}-{term}-{pay}"


def _key(rate: dict, instance_types: set[str]) -> str | None:
    usage = strip_prefix(str(rate.get("discountedUsageType", "")))
    if usage in USAGE:
        key, service = USAGE[usage]
        return key if rate.get("discountedServiceCode") == service else None
    if usage.startswith("BoxUsage:") and rate.get("discountedOperation") == "RunInstances":  # Linux, shared
        itype = usage.split(":", 1)[1]
        return f"ec2.{itype}" if itype in instance_types else None
    return None


def parse(offer: dict, region: str, instance_types: set[str] | None = None, url: str = "") -> OfferRates:
    """The rates of one region's offer file that the price book has a key for."""
    if instance_types is None:
        from costplan.services.ec2 import instance_types as known

        instance_types = set(known())
    plans = {}
    for p in offer.get("products", []):
        name = _plan_name(p)
        if name:
            plans[p.get("sku")] = name
    out = OfferRates(region, url, str(offer.get("publicationDate", ""))[:10])
    for term in offer.get("terms", {}).get("savingsPlan", []):
        plan = plans.get(term.get("sku"))
        if plan is None:
            continue
        for rate in term.get("rates", []):
            where = rate.get("discountedRegionCode")
            key = _key(rate, instance_types)
            if key is None or (where and where != region):
                out.skipped += 1
                continue
            try:
                price = Decimal(str(rate["discountedRate"]["price"]))
            except (KeyError, TypeError, InvalidOperation):
                raise CostplanError(Problem(f"malformed Savings Plans rate for {key} in {url or region}")) from None
            if rate.get("discountedRate", {}).get("currency", "USD") != "USD":
                continue
            # EC2 Instance Savings Plans repeat a type under its family's plan once: keep the first
            out.rates.setdefault(key, {}).setdefault(plan, price)
    return out


def fetch(region: str, base: str = BASE, instance_types: set[str] | None = None) -> OfferRates:
    url, _ = region_file_url(region, base)
    return parse(fetch_json(url), region, instance_types, url)


def _units(key: str) -> tuple[str, int]:
    for prefix, u in UNITS.items():
        if key.startswith(prefix):
            return u
    return ("", 1)


def merge(data: dict, found: OfferRates, today: str) -> tuple[dict, list[str]]:
    """savings_plans.yaml data with the offer's rates for found.region (source SP-OFFER); returns
    (new data, one line per rate added or changed). Other regions and plans keep their values."""
    import copy

    data = copy.deepcopy(data)
    changes = []
    data.setdefault("sources", {})[SOURCE_KEY] = {
        "url": found.url or BASE + INDEX_PATH,
        "title": "AWS Savings Plans bulk price list (AWSComputeSavingsPlan), read by costplan pricing refresh-savings-plans",
        "as_of": found.publication_date or today, "grade": "P"}
    rates = data.setdefault("rates", {})
    for key in sorted(found.rates):
        entry = rates.setdefault(key, {})
        unit, per = _units(key)
        entry.setdefault("unit", unit)
        if per != 1:
            entry.setdefault("per", per)
        reg = entry.setdefault("regions", {}).setdefault(found.region, {})
        for plan, price in sorted(found.rates[key].items()):
            new = format(price.normalize(), "f")
            old = reg.get(plan, {})
            old_usd = old.get("usd") if isinstance(old, dict) else old
            if old_usd is None or Decimal(str(old_usd)) != price:
                changes.append(f"{key} {found.region} {plan}: {old_usd or 'gap'} → {new}")
            reg[plan] = {"usd": new, "source": SOURCE_KEY}
    return data, changes


def write(path: Path, data: dict, header: str = "") -> None:
    """Sorted, stable YAML, atomically (a temp file in the same folder, then os.replace)."""
    import yaml

    text = header + yaml.safe_dump(data, sort_keys=True, allow_unicode=True, width=4096)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def refresh(out_dir: str | Path, regions: list[str], base: str = BASE, check: bool = False,
            today: str = "") -> tuple[list[str], Path | None]:
    """Fetch each region's offer file and write savings_plans.yaml into out_dir (starting from the one
    there, else the bundled one). Returns (changes, the file written or None under check)."""
    import datetime as dt

    import yaml

    from costplan.pricing.book import _bundled_dir

    out = Path(out_dir) / "savings_plans.yaml"
    start = out if out.is_file() else Path(_bundled_dir()) / "savings_plans.yaml"
    text = start.read_text(encoding="utf-8")
    lines = text.splitlines()
    n = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    header = "".join(line + "\n" for line in lines[:n])
    data = yaml.safe_load(text)
    changes: list[str] = []
    for region in regions:
        data, ch = merge(data, fetch(region, base), today or dt.date.today().isoformat())
        changes += ch
    if check:
        return changes, None
    write(out, data, header)
    return changes, out
