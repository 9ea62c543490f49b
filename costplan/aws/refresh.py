"""Refresh price data files from the AWS Price List Query API (pricing:GetProducts).

Reads the products of each service, maps SKUs and price dimensions to price-book keys, merges them
into the existing file (unmapped prices keep their value and are reported) and writes sorted,
stable YAML atomically. `check=True` reports what would change without writing.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from importlib import resources
from pathlib import Path

import yaml

from costplan.aws.pricelist import FARGATE, LAMBDA, SQS, Rule, ServiceMap
from costplan.errors import CostplanError
from costplan.aws.session import AwsError, MalformedResponse, client, describe_error, redact, region_unavailable

PRICE_LIST_REGION = "us-east-1"  # the Query API is served from us-east-1, eu-central-1 and ap-south-1
SOURCE_KEY = "PL-API"
_DECIMALS = 10  # Price List prices carry 10 decimal places; derived rates are rounded to the same


# The query API path keeps the three files it always refreshed; `--source bulk` maps every file.
SERVICES: dict[str, ServiceMap] = {"lambda": LAMBDA, "fargate": FARGATE, "sqs": SQS}


@dataclass(frozen=True)
class PriceChange:
    """One price (one tier of it) whose value differs from the file's."""

    key: str  # "lambda.requests"
    region: str
    tier: int | None  # None for a flat price
    old: str | None  # as written in the file; None where the file had a gap
    new: str
    since: str = ""  # the `as_of` of the source the old value cites

    @property
    def change_pct(self) -> Decimal | None:
        try:
            old, new = Decimal(str(self.old)), Decimal(self.new)
        except InvalidOperation:  # a gap filled, a tier added or removed, bounds moved
            return None
        return None if old == 0 else (new - old) / old * 100

    def __str__(self) -> str:
        where = f"{self.key} {self.region}" + (f" tier {self.tier + 1}" if self.tier is not None else "")
        if self.old is None:
            return f"{where}: new {self.new} (was a gap)"
        pct = self.change_pct
        since = f" since {self.since}" if self.since else ""
        return f"{where}: {self.old} → {self.new}" + (f" ({pct:+.2f}%)" if pct is not None else "") + since


@dataclass(frozen=True)
class Unmapped:
    """A price the refresh could not read; it keeps its value in the file."""

    key: str
    region: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key} {self.region}: kept the file's value ({self.reason})"


@dataclass
class RefreshResult:
    changes: list[PriceChange] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (key, region) confirmed by the API
    unmapped: list[Unmapped] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # empty in check mode
    as_of: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.changes)


# --- reading the Price List -------------------------------------------------------------------

def _strip_region_prefix(usagetype: str) -> str:
    # "USE1-Lambda-GB-Second", "EU-Request" → region prefix is upper-case letters (and a digit)
    return re.sub(r"^[A-Z]{2,4}[0-9]?-(?=.)", "", usagetype)


def fetch_products(pricing_client, service_code: str, region: str,
                   filters: tuple[tuple[str, str], ...] = ()) -> list[dict]:
    """All products of a service in one region, each the parsed JSON of one PriceList entry."""
    query = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    query += [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in filters]
    out: list[dict] = []
    pages = pricing_client.get_paginator("get_products").paginate(
        ServiceCode=service_code, Filters=query, FormatVersion="aws_v1")
    for page in pages:
        items = page.get("PriceList")
        if not isinstance(items, list):
            raise MalformedResponse("no PriceList in the GetProducts response")
        for item in items:
            try:
                product = json.loads(item) if isinstance(item, str) else None
            except ValueError:
                product = None
            if not isinstance(product, dict) or not isinstance(product.get("product"), dict):
                raise MalformedResponse("a PriceList entry is not a product JSON document")
            out.append(product)
    return out


@dataclass(frozen=True)
class _Tier:
    upto: Decimal | None  # in price-book units
    usd: Decimal  # per price-book unit, exact
    exact: bool  # False when derived by a division (hourly → per second)
    raw: Decimal | None = None  # the Price List's own figure, per its own unit
    scale: Decimal = Decimal(1)


def _dimensions(product: dict) -> list[dict]:
    terms = product.get("terms", {}).get("OnDemand", {})
    if not isinstance(terms, dict) or len(terms) != 1:
        raise MalformedResponse(f"{len(terms) if isinstance(terms, dict) else 'no'} OnDemand terms")
    (term,) = terms.values()
    dims = term.get("priceDimensions") if isinstance(term, dict) else None
    if not isinstance(dims, dict) or not dims:
        raise MalformedResponse("no priceDimensions")
    return list(dims.values())


def _map_rule(rule: Rule, products: list[dict], region: str) -> list[_Tier] | str:
    """The price-book tiers for a rule, or the reason it could not be mapped."""
    found = []
    for p in products:
        attrs = p["product"].get("attributes", {})
        if not isinstance(attrs, dict) or _strip_region_prefix(str(attrs.get("usagetype", ""))) != rule.usagetype:
            continue
        if all(attrs.get(k) == v for k, v in rule.attributes):
            found.append(p)
    if not found:
        return f"no product with usagetype {rule.usagetype} in {region}"
    results = []
    for p in found:
        try:
            results.append(_tiers(rule, _dimensions(p)))
        except (MalformedResponse, InvalidOperation, KeyError, TypeError, AttributeError) as e:
            return f"SKU {p['product'].get('sku', '?')} has unexpected price dimensions ({e or type(e).__name__})"
    tiers = [t for t in results if isinstance(t, list)]
    if len(tiers) != len(results):
        return next(t for t in results if isinstance(t, str))
    if any(t != tiers[0] for t in tiers[1:]):
        skus = ", ".join(sorted(p["product"].get("sku", "?") for p in found))
        return f"{len(found)} products with usagetype {rule.usagetype} disagree ({skus})"
    return tiers[0]


def _tiers(rule: Rule, dims: list[dict]) -> list[_Tier] | str:
    units = {u.lower() for u in rule.units}
    for d in dims:
        if str(d.get("unit", "")).lower() not in units:
            return f"unit is {d.get('unit')!r}, expected {' or '.join(rule.units)}"
    dims = sorted(dims, key=lambda d: Decimal(str(d.get("beginRange", "0"))))
    expected_begin = Decimal(0)
    if rule.skip_free:  # a leading $0 range is the free tier, which the price book applies itself
        while len(dims) > 1 and Decimal(str(dims[0]["pricePerUnit"]["USD"])) == 0:
            dims = dims[1:]
        expected_begin = Decimal(str(dims[0].get("beginRange", "0")))
    out: list[_Tier] = []
    exact = rule.scale == 1
    for i, d in enumerate(dims):
        begin = Decimal(str(d.get("beginRange", "0")))
        end_s = str(d.get("endRange", "Inf"))
        if begin != expected_begin:
            return f"price dimensions are not contiguous at {begin}"
        end = None if end_s.lower() == "inf" else Decimal(end_s)
        if end is None and i != len(dims) - 1:
            return "an unbounded price dimension is not the last"
        usd = Decimal(str(d["pricePerUnit"]["USD"]))
        with localcontext() as ctx:
            ctx.prec = 34
            unit_usd = usd * rule.scale
            upto = None if end is None else end / rule.scale
        out.append(_Tier(upto, unit_usd, exact, usd, rule.scale))
        expected_begin = end if end is not None else expected_begin
    if out and out[-1].upto is not None:
        return f"the last price dimension ends at {out[-1].upto} instead of Inf"
    return out


# --- merging into the price file ---------------------------------------------------------------

def _fmt(d: Decimal) -> str:
    from costplan.units import price_text

    return price_text(d)


def _consistent(new: Decimal, old: str, exact: bool) -> bool:
    """Is the API's value the file's value? Exact conversions must be equal; derived ones
    (hourly ÷ 3600) must round to the file's value at the file's precision."""
    try:
        o = Decimal(str(old))
    except InvalidOperation:
        return False
    if exact:
        return new == o
    return new.quantize(Decimal(1).scaleb(o.as_tuple().exponent)) == o


def _new_str(new: Decimal, exact: bool) -> str:
    if not exact:
        new = new.quantize(Decimal(1).scaleb(-_DECIMALS))
    return _fmt(new)


def _upto(u: Decimal | None):
    if u is None:
        return None
    return int(u) if u == u.to_integral_value() else _fmt(u)


def _old_tiers(old_r) -> list[tuple] | None:
    if isinstance(old_r, (str, int, float)):
        return [(None, str(old_r))]
    if not isinstance(old_r, dict) or "gap" in old_r:
        return None
    if "tiers" in old_r:
        return [(up, str(usd)) for up, usd in old_r["tiers"]]
    if "usd" in old_r:
        return [(None, str(old_r["usd"]))]
    return None


def _written(t: _Tier, per: Decimal) -> tuple[Decimal, bool]:
    """The rate as the file writes it (per `per` units), exact where `per` undoes the conversion."""
    if t.raw is not None and abs(t.scale * per - 1) < Decimal("1e-20"):
        return t.raw, True
    return t.usd * per, t.exact


def _since(data: dict, entry: dict, region: str) -> str:
    """The `as_of` of the source a region's current value cites ("" when it has none)."""
    old_r = entry.get("regions", {}).get(region)
    key = (old_r.get("source") if isinstance(old_r, dict) else None) or entry.get("source", "")
    src = data.get("sources", {}).get(key)
    return str(src.get("as_of", "")) if isinstance(src, dict) else ""


def merge_region(key: str, region: str, entry: dict, tiers: list[_Tier]) -> tuple[dict, list[PriceChange]]:
    """The new region value for one price, and the changes against the old one."""
    old_r = entry.get("regions", {}).get(region)
    # a region may write its rate per its own quantity (fargate.yaml: hourly, per 3600 seconds)
    per = Decimal(str(old_r.get("per", entry.get("per", 1)) if isinstance(old_r, dict) else entry.get("per", 1)))
    old = _old_tiers(old_r)
    new_vals = [(t.upto, *_written(t, per)) for t in tiers]
    strings: list[str] = []
    changes: list[PriceChange] = []
    tiered = len(new_vals) > 1 or (isinstance(old_r, dict) and "tiers" in old_r)
    for i, (_, usd, exact) in enumerate(new_vals):
        old_s = old[i][1] if old and i < len(old) else None
        if old_s is not None and _consistent(usd, old_s, exact):
            strings.append(old_s)
        else:
            s = _new_str(usd, exact)
            strings.append(s)
            changes.append(PriceChange(key, region, i if tiered else None, old_s, s))
    if old and len(old) > len(new_vals):
        changes.append(PriceChange(key, region, len(new_vals), old[len(new_vals)][1], "(tier removed)"))
    kept = {k: v for k, v in (old_r.items() if isinstance(old_r, dict) else ())
            if k not in ("usd", "tiers", "gap", "note", "source")}
    value: dict = dict(kept, source=SOURCE_KEY)
    if tiered:
        value["tiers"] = [[_upto(u), s] for (u, _, _), s in zip(new_vals, strings)]
        bounds = [_upto(u) for u, _, _ in new_vals]
        if old and bounds != [up for up, _ in old]:
            changes.append(PriceChange(key, region, None, "tier bounds " + str([up for up, _ in old]),
                                       "tier bounds " + str(bounds)))
    else:
        value["usd"] = strings[0]
    return value, changes


# --- writing -----------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """Block style for structure, flow style for leaves: `us-east-1: {source: PL-API, usd: '0.20'}`."""


def _is_scalar(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _repr_dict(dumper, data):
    flow = bool(data) and all(_is_scalar(v) for v in data.values()) and len(repr(data)) <= 100
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


def _repr_list(dumper, data):
    flow = all(_is_scalar(v) or isinstance(v, list) and all(_is_scalar(x) for x in v) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(dict, _repr_dict)
_Dumper.add_representer(list, _repr_list)


def render(data: dict, header: list[str] = ()) -> str:
    """Sorted, stable YAML (prices are strings, so no float formatting drifts), after `header` comments."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=True, allow_unicode=True, width=4096,
                     default_flow_style=False)
    return "".join(f"{h}\n" for h in header) + body


def _header(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return out


_install = os.replace  # the step that makes a staged file live; tests interrupt it


def write_files(files: dict[Path, str]) -> list[Path]:
    """Write every file or none: stage each in a temp file next to its target, then replace them
    in turn; if any step fails, files already replaced are put back as they were."""
    staged: list[tuple[str, Path]] = []
    done: list[tuple[Path, str | None]] = []
    try:
        from costplan.safewrite import new_file_mode

        for path, text in files.items():
            if path.is_symlink():  # write through to the link's target, as every costplan writer does
                path = Path(os.path.realpath(path))
            if path.exists() and not path.is_file():
                raise CostplanError(f"{path}: is not a regular file; costplan writes only regular files")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, (path.stat().st_mode & 0o7777) if path.exists() else new_file_mode())
        for tmp, path in staged:
            backup = None
            if path.exists():
                fd, backup = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".bak", dir=path.parent)
                os.close(fd)
                shutil.copy2(path, backup)
            done.append((path, backup))
            _install(tmp, path)
    except BaseException:
        for path, backup in reversed(done):
            if backup is not None:
                os.replace(backup, path)
            elif path.exists():
                path.unlink()
        raise
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for _, backup in done:
            if backup is not None and os.path.exists(backup):
                os.unlink(backup)
    return [p for p in files]


# --- the refresh -------------------------------------------------------------------------------

def _load_base(out_dir, name: str, result, error) -> tuple[dict, str, str] | None:
    """The price file a refresh starts from, parsed: (data, text, origin); None (noted in the result as
    unmapped) when there is no such file; `error` when it is not a price data file."""

    base = _base_text(out_dir, name)
    if base is None:
        result.unmapped.append(Unmapped(f"{name}.*", "all", f"no {name}.yaml to refresh"))
        return None
    text, origin = base
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("prices"), dict):
        raise error(f"{origin}: not a price data file")
    return data, text, origin


def _base_text(out_dir: Path, service: str) -> tuple[str, str] | None:
    """The file a refresh starts from: the one already in out_dir, else the bundled one."""
    own = out_dir / f"{service}.yaml"
    if own.is_file():
        return own.read_text(encoding="utf-8"), str(own)
    bundled = resources.files("costplan.pricing_data") / f"{service}.yaml"
    if bundled.is_file():
        return bundled.read_text(encoding="utf-8"), "bundled"
    return None


def refresh_prices(out_dir: str | Path, services: list[str] | None = None, regions: list[str] | None = None,
                   *, check: bool = False, session=None, endpoint_region: str = PRICE_LIST_REGION,
                   config=None, today: _dt.date | None = None) -> RefreshResult:
    """Read current prices from the Price List API and write `<service>.yaml` files into out_dir.

    services: price files to refresh (default: all of SERVICES). regions: price-book regions
    (default: every region the file lists). Each file starts from the one in out_dir, else the
    bundled one; only prices the API mapped are replaced (source PL-API, as_of = today), the rest
    keep their value and are listed in `unmapped`. check=True writes nothing. Every file is
    written or none is. Raises AwsError (one redacted line) when AWS cannot be read.
    """
    out_dir = Path(out_dir)
    as_of = (today or _dt.date.today()).isoformat()
    names = services or list(SERVICES)
    for n in names:
        if n not in SERVICES:
            raise AwsError(f"cannot refresh {n!r} prices: the Price List mapping covers {', '.join(SERVICES)}")
    result = RefreshResult(as_of=as_of)
    pricing = client("pricing", endpoint_region, session, config)
    why = region_unavailable(pricing, "pricing", endpoint_region)
    if why:
        raise AwsError(why)

    files: dict[Path, str] = {}
    for name in names:
        smap = SERVICES[name]
        start = _load_base(out_dir, name, result, AwsError)
        if start is None:
            continue
        data, text, origin = start
        prices: dict = data["prices"]
        wanted_regions = sorted({r for e in prices.values() for r in e.get("regions", {})
                                 if regions is None or r in regions})
        by_region: dict[str, list[dict] | str] = {}
        for region in wanted_regions:
            try:
                by_region[region] = fetch_products(pricing, smap.service_code, region, smap.filters)
            except Exception as e:  # noqa: BLE001 - every AWS failure becomes one line
                raise AwsError(describe_error(e, "pricing", "GetProducts")) from None
        mapped_any = False
        for pname in sorted(prices):
            entry = prices[pname]
            key = f"{name}.{pname}"
            rule = smap.rules.get(pname)
            for region in sorted(entry.get("regions", {})):
                if region not in by_region:
                    continue
                if rule is None:
                    result.unmapped.append(Unmapped(key, region, "no Price List mapping for this price"))
                    continue
                tiers = _map_rule(rule, by_region[region], region)
                if isinstance(tiers, str):
                    result.unmapped.append(Unmapped(key, region, tiers))
                    continue
                since = _since(data, entry, region)
                value, changes = merge_region(key, region, entry, tiers)
                entry["regions"][region] = value
                mapped_any = True
                result.changes.extend(PriceChange(c.key, c.region, c.tier, c.old, c.new, since) for c in changes)
                if not changes:
                    result.unchanged.append((key, region))
        if mapped_any:
            data.setdefault("sources", {})[SOURCE_KEY] = _source(smap, as_of)
        files[out_dir / f"{name}.yaml"] = render(data, _header(text))
    if not check and files:
        try:
            result.written = write_files(files)
        except OSError as e:
            raise AwsError(redact(f"could not write price files into {out_dir}: {e}")) from None
    return result


def _source(smap: ServiceMap, as_of: str) -> dict:
    derived = any(r.scale != 1 for r in smap.rules.values())
    title = f"AWS Price List Query API, GetProducts ServiceCode {smap.service_code} (retrieved {as_of})"
    if derived:
        title += "; hourly rates divided by 3600"
    return {"url": f"https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{smap.service_code}/current/index.json",
            "title": title, "as_of": as_of, "grade": "P"}


# --- the bulk price list (no credentials) ---------------------------------------------------------

BULK_SOURCE_KEY = "PL-BULK"


def refresh_bulk(out_dir: str | Path, services: list[str] | None = None, regions: list[str] | None = None,
                 *, check: bool = False, today: _dt.date | None = None, progress=None) -> RefreshResult:
    """`refresh_prices` from AWS's public bulk offer files: every price file, every region, no AWS
    account. Everything is downloaded and checked before anything is written; then every file is
    written or none is. Raises BulkError (one line) for an unknown service or region, an
    unreachable endpoint, an HTTP error or a truncated file."""
    from costplan.aws.bulk import BulkError, base_url, region_file_url, stream_products
    from costplan.aws.pricelist import BULK
    from costplan.errors import did_you_mean
    from costplan.pricing.book import regions as book_regions

    out_dir = Path(out_dir)
    as_of = (today or _dt.date.today()).isoformat()
    names = services or list(BULK)
    for n in names:
        if n not in BULK:
            raise BulkError(f"cannot refresh {n!r}: no price file of that name{did_you_mean(n, BULK)}; "
                            f"known: {', '.join(BULK)}")
    known = list(book_regions())
    for r in regions or []:
        if r not in known:
            from costplan.pricing.book import region_hint

            raise BulkError(f"unknown region {r!r}{region_hint(r)}")
    base = base_url()
    result = RefreshResult(as_of=as_of)

    # which products each (offer, region) file must yield: one download serves ec2, ebs and vpc
    loaded: dict[str, tuple[dict, str, str]] = {}
    want: dict[tuple[str, str], set[str]] = {}
    plan: list[tuple[str, str, str, Rule | None, str]] = []  # (file, price, region, rule, offer)
    for name in names:
        smap = BULK[name]
        start = _load_base(out_dir, name, result, BulkError)
        if start is None:
            continue
        data, text, origin = start
        loaded[name] = (data, text, origin)
        for pname, entry in sorted(data["prices"].items()):
            rule = smap.rule(pname)
            offer = (rule.offer or smap.service_code) if rule else ""
            for region in sorted(entry.get("regions", {})):
                if regions is not None and region not in regions:
                    continue
                plan.append((name, pname, region, rule, offer))
                if rule is not None:
                    want.setdefault((offer, region), set()).add(rule.usagetype)

    try:
        files = _fetch_and_merge(base, want, loaded, plan, result, as_of, progress)
    except (TypeError, KeyError, AttributeError, ValueError, ArithmeticError) as e:
        # an answer of the right JSON but the wrong shape (a proxy, a mirror, $COSTPLAN_PRICE_LIST_URL):
        # one line, nothing written (files are written below, after every answer was read)
        raise BulkError(f"the price list at {base} answered in a shape costplan does not know ({type(e).__name__}: "
                        f"{str(e)[:80]}); no price file was written") from None
    files = {out_dir / f"{name}.yaml": text for name, text in files.items()}
    if not check and files:
        try:
            result.written = write_files(files)
        except OSError as e:
            raise BulkError(f"could not write price files into {out_dir}: {e.strerror or e}") from None
    return result


def _fetch_and_merge(base, want, loaded, plan, result, as_of, progress) -> dict:
    """Read every (offer, region) file the plan needs and merge its prices into the loaded files:
    the new text of each file to write."""
    from costplan.aws.bulk import region_file_url, stream_products

    fetched: dict[tuple[str, str], list[dict]] = {}
    published: dict[tuple[str, str], str] = {}
    for (offer, region), usagetypes in sorted(want.items()):
        url = region_file_url(offer, region, base)

        def wanted(attrs: dict, _u=usagetypes) -> bool:
            return _strip_region_prefix(str(attrs.get("usagetype", ""))) in _u

        fetched[(offer, region)], published[(offer, region)] = stream_products(url, wanted, progress)

    files: dict[Path, str] = {}
    for name, (data, text, _) in loaded.items():
        prices = data["prices"]
        offers_used: set[str] = set()
        for fname, pname, region, rule, offer in plan:
            if fname != name:
                continue
            key = f"{name}.{pname}"
            entry = prices[pname]
            if rule is None:
                result.unmapped.append(Unmapped(key, region, "no price-list mapping for this price"))
                continue
            tiers = _map_rule(rule, fetched[(offer, region)], region)
            if isinstance(tiers, str):
                result.unmapped.append(Unmapped(key, region, tiers))
                continue
            since = _since(data, entry, region)
            value, changes = merge_region(key, region, entry, tiers)
            value["source"] = BULK_SOURCE_KEY
            entry["regions"][region] = value
            offers_used.add(offer)
            result.changes.extend(PriceChange(c.key, c.region, c.tier, c.old, c.new, since) for c in changes)
            if not changes:
                result.unchanged.append((key, region))
        if offers_used:
            dates = sorted({published[k] for k in published if k[0] in offers_used and published[k]})
            data.setdefault("sources", {})[BULK_SOURCE_KEY] = {
                "url": f"{base}/offers/v1.0/aws/{sorted(offers_used)[0]}/current/region_index.json",
                "title": (f"AWS Price List bulk offer files {', '.join(sorted(offers_used))} (no credentials), "
                          f"retrieved {as_of}" + (f"; publicationDate {dates[-1]}" if dates else "")
                          + ("; hourly rates divided by 3600 where the file stores per second"
                             if name == "fargate" else "")),
                "as_of": as_of, "grade": "P"}
            files[name] = render(data, _header(text))
    return files
