"""AWS's public bulk price list: no credentials, no signature, plain HTTPS.

service index `/offers/v1.0/aws/index.json` → `currentRegionIndexUrl` of an offer →
`region_index.json` → `currentVersionUrl` of a region → `<region>/index.json` (products, then terms).

The per-region offer file is read as a stream with ijson (its C backend, yajl2): the AmazonEC2 file
is hundreds of MB, and only a few hundred of its products are prices costplan keeps, so products
are built one at a time, kept if a rule wants their usagetype, and the rest dropped. ijson (a
declared dependency) rather than a hand-rolled scanner: JSON string escapes, numbers and nesting
are exactly what a hand-rolled scan gets wrong, and ijson's C parser is faster than one in Python.
The base URL is `$COSTPLAN_PRICE_LIST_URL` (tests point it at a local server).
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable

from costplan.aws.pricelist import BULK_URL_ENV, DEFAULT_BULK_URL
from costplan.errors import CostplanError

TIMEOUT_S = 30
INDEX_PATH = "/offers/v1.0/aws/index.json"


class BulkError(CostplanError):
    """The bulk price list could not be read; one line saying what and where."""


def base_url() -> str:
    return (os.environ.get(BULK_URL_ENV) or DEFAULT_BULK_URL).rstrip("/")


def _open(url: str):
    req = urllib.request.Request(url, headers={"User-Agent": "costplan", "Accept-Encoding": "identity"})
    try:
        return urllib.request.urlopen(req, timeout=TIMEOUT_S)  # noqa: S310 - https (or a test's http) URL
    except urllib.error.HTTPError as e:
        raise BulkError(f"the price list answered HTTP {e.code} for {url}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise BulkError(f"cannot reach the price list at {url} ({reason}); check the network or "
                        f"${BULK_URL_ENV}") from None


def _json(url: str) -> dict:
    with _open(url) as resp:
        try:
            data = resp.read()
        except OSError as e:
            raise BulkError(f"the download of {url} broke off ({e})") from None
    try:
        out = json.loads(data)
    except ValueError:
        raise BulkError(f"{url} is not complete JSON (a truncated or garbled answer)") from None
    if not isinstance(out, dict):
        raise BulkError(f"{url} is not a JSON object")
    return out


def region_file_url(offer: str, region: str, base: str | None = None) -> str:
    """The URL of an offer's current per-region file (service index → region index)."""
    base = base or base_url()
    index = _json(base + INDEX_PATH)
    offers = index.get("offers")
    if not isinstance(offers, dict) or offer not in offers:
        raise BulkError(f"the price list's service index has no offer {offer!r}")
    rel = offers[offer].get("currentRegionIndexUrl")
    if not rel:
        raise BulkError(f"the service index gives no region index for {offer}")
    rindex = _json(base + rel)
    regions = rindex.get("regions")
    if not isinstance(regions, dict) or region not in regions:
        raise BulkError(f"the price list has no {offer} file for region {region!r}")
    return base + regions[region]["currentVersionUrl"]


class _Counting:
    """A file wrapper that reports bytes read (for the progress bar)."""

    def __init__(self, f, on_read: Callable[[int], None]):
        self._f, self._on_read = f, on_read

    def read(self, n: int = -1) -> bytes:
        try:
            b = self._f.read(n)
        except OSError as e:
            raise BulkError(f"the download broke off ({e})") from None
        self._on_read(len(b))
        return b


def stream_products(url: str, wanted: Callable[[dict], bool], progress=None) -> tuple[list[dict], str]:
    """Products of an offer file that `wanted(attributes)` keeps, each in the query API's shape
    ({"product": {sku, productFamily, attributes}, "terms": {"OnDemand": {...}}}), and the file's
    publicationDate. Raises BulkError on a truncated or malformed file."""
    import ijson
    from ijson.common import ObjectBuilder

    products: dict[str, dict] = {}
    terms: dict[str, dict] = {}
    published = ""
    with _open(url) as resp:
        total = resp.headers.get("Content-Length")
        task = progress.start(url, int(total) if total and total.isdigit() else None) if progress else None
        got = 0

        def on_read(n: int) -> None:
            nonlocal got
            got += n
            if progress:
                progress.advance(task, n)

        builder, depth, target = None, 0, None
        try:
            for prefix, event, value in ijson.parse(_Counting(resp, on_read), use_float=False):
                if builder is not None:
                    builder.event(event, value)
                    if event in ("start_map", "start_array"):
                        depth += 1
                    elif event in ("end_map", "end_array"):
                        depth -= 1
                        if depth == 0:
                            kind, sku = target
                            obj = builder.value
                            if kind == "product":
                                attrs = dict(obj.get("attributes") or {})
                                attrs.setdefault("productFamily", obj.get("productFamily", ""))
                                if wanted(attrs):
                                    products[sku] = {"sku": sku, "productFamily": obj.get("productFamily", ""),
                                                     "attributes": attrs}
                            else:
                                terms[sku] = obj
                            builder = None
                    continue
                if event == "string" and prefix == "publicationDate":
                    published = value
                elif event == "start_map" and prefix.startswith("products.") and prefix.count(".") == 1:
                    builder, depth, target = ObjectBuilder(), 1, ("product", prefix[len("products."):])
                    builder.event(event, value)
                elif (event == "start_map" and prefix.startswith("terms.OnDemand.") and prefix.count(".") == 2
                      and prefix[len("terms.OnDemand."):] in products):
                    builder, depth, target = ObjectBuilder(), 1, ("terms", prefix[len("terms.OnDemand."):])
                    builder.event(event, value)
        except ijson.JSONError as e:
            why = str(e).splitlines()[0].strip() if str(e).strip() else type(e).__name__
            if total and total.isdigit() and got < int(total):
                raise BulkError(f"{url} ended early: {got:,} of {int(total):,} bytes") from None
            raise BulkError(f"{url} is not valid JSON after {got:,} bytes ({why})") from None
        if total and total.isdigit() and got != int(total):
            raise BulkError(f"{url} ended early: {got:,} of {int(total):,} bytes")
    out = []
    for sku, p in products.items():
        out.append({"product": p, "terms": {"OnDemand": terms.get(sku, {})}})
    return out, published


class Progress:
    """A rich progress bar on stderr for the downloads, only on a terminal."""

    def __init__(self):
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress as RichProgress, TextColumn, TransferSpeedColumn

        console = Console(stderr=True)
        self.enabled = console.is_terminal
        self._p = RichProgress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                               TransferSpeedColumn(), console=console, transient=True, disable=not self.enabled)

    def __enter__(self):
        self._p.__enter__()
        return self

    def __exit__(self, *exc):
        return self._p.__exit__(*exc)

    def start(self, url: str, total: int | None):
        name = "/".join(url.rsplit("/", 4)[1:2] + url.rsplit("/", 2)[1:2])  # "AmazonEC2/eu-central-1"
        return self._p.add_task(name, total=total)

    def advance(self, task, n: int) -> None:
        self._p.advance(task, n)
