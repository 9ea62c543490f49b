"""Load price data files (one per service) with their sources; resolve a price key for a region.

Files live in the top-level `pricing_data/` folder, shipped in the wheel as `costplan.pricing_data`.
A price book in the user's directory (``$COSTPLAN_PRICING_DIR`` or ``$XDG_CONFIG_HOME/costplan/pricing``, by default ``~/.config/costplan/pricing``)
overrides the bundled file of the same name, and every price says which file it came from.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from costplan.errors import CostplanError, PriceGap, Problem, did_you_mean, suggest

DEFAULT_REGION = "us-east-1"


def config_dir() -> Path:
    """costplan's folder for user configuration: $XDG_CONFIG_HOME/costplan, else ~/.config/costplan."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(base) / "costplan"


@dataclass(frozen=True)
class Source:
    key: str
    url: str
    title: str
    as_of: str
    grade: str = ""


@dataclass(frozen=True)
class Tier:
    upto: Decimal | None  # cumulative monthly quantity where this tier ends; None = no end
    usd: Decimal  # per unit


@dataclass(frozen=True)
class Price:
    key: str  # "lambda.requests"
    service: str
    region: str
    description: str
    unit: str  # "requests", "GB-seconds"
    per: Decimal  # display quantity: "$0.20 per 1M requests" has per=1000000
    tiers: tuple[Tier, ...]
    source: Source
    free_quantity: Decimal = Decimal(0)
    free_pool: str = ""  # free tiers shared by several keys name one pool
    free_source: Source | None = None
    note: str = ""
    origin: str = ""  # which file: "bundled" or a user path

    @property
    def usd(self) -> Decimal:
        """The per-unit price of the first tier."""
        return self.tiers[0].usd

    @property
    def tiered(self) -> bool:
        return len(self.tiers) > 1

    def display(self, tier: int = 0) -> str:
        from costplan.units import human_count

        # usd is per unit (the written rate ÷ per, to 28 digits): × per gives the written rate back
        # within 1e-28, so round that residue away before showing it
        amount = (self.tiers[tier].usd * self.per).quantize(Decimal("1e-20")).normalize()
        if self.per == 3600 and self.unit.endswith("-seconds"):  # an hourly rate kept exact: fargate.yaml
            return f"${_fmt_rate(amount)} per {self.unit[:-len('-seconds')]}-hour"
        if self.per == 1:
            unit = self.unit[:-1] if self.unit.endswith("s") else self.unit
            return f"${_fmt_rate(amount)} per {unit}"
        return f"${_fmt_rate(amount)} per {human_count(self.per)} {self.unit}"


def _fmt_rate(d: Decimal) -> str:
    from costplan.units import price_text

    return price_text(d)


def data_dirs() -> list[tuple[str, Path]]:
    """Where price files are looked up, highest precedence first."""
    dirs: list = []
    user = os.environ.get("COSTPLAN_PRICING_DIR")
    if user:
        dirs.append((user, Path(user)))
    else:
        home = config_dir() / "pricing"
        if home.is_dir():
            dirs.append((str(home), home))
    dirs.append(("bundled", _bundled_dir()))
    return dirs


def _bundled_dir():
    """The package's data folder; a plain path when installed on disk (cheaper than importlib.resources)."""
    import costplan.pricing_data as data

    paths = list(getattr(data, "__path__", []))
    if paths and os.path.isdir(paths[0]):
        return Path(paths[0])
    from importlib import resources

    return resources.files("costplan.pricing_data")


def _yaml_load(text: str, name: str):
    """Parse a price file's text; `name` is the path shown in messages. Bad YAML is one line with
    file:line, not PyYAML's multi-line report."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        what = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise CostplanError(Problem(f"price file is not valid YAML: {what}", file=name,
                                    line=mark.line + 1 if mark else None)) from None


def _bad_file(path, message: str) -> CostplanError:
    """A price file that cannot be used (a corrupt or hand-edited user price book): one line naming it."""
    return CostplanError(Problem(f"price file: {message}; fix it, or remove it to use the bundled file",
                                 file=str(path)))


def _check_shape(data, path, name: str):
    """The shape every reader of a price file relies on: a mapping; `prices:` a mapping of mappings;
    regions.yaml's `regions:` a mapping of names. Values inside an entry are checked when it is read."""
    if not isinstance(data, dict):
        raise _bad_file(path, f"expected a mapping of price data, got {_kind(data)}")
    # sections of named entries, each entry a mapping of its fields
    for section in ("prices", "sources", "quotas", "instances", "plans", "payments"):
        entries = data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            raise _bad_file(path, f"{section}: expected a mapping of entries, got {_kind(entries)}")
        for key, entry in entries.items():
            if not isinstance(entry, dict):
                raise _bad_file(path, f"{section}.{key}: expected a mapping of its fields, got {_kind(entry)}")
    if "task_sizes" in data and not (isinstance(data["task_sizes"], list)
                                     and all(isinstance(r, dict) for r in data["task_sizes"])):
        raise _bad_file(path, "task_sizes: expected a list of mappings (vcpu, memory_gb)")
    if name == "regions.yaml" and not isinstance(data.get("regions"), dict):
        raise _bad_file(path, "regions: expected a mapping of region codes to names")
    return data


def _kind(v) -> str:
    return {dict: "a mapping", list: "a list", type(None): "nothing (an empty file?)"}.get(
        type(v), f"the value {str(v)[:40]!r}")


# The user's price files this process has read (COSTPLAN_PRICING_DIR or ~/.config/costplan/pricing):
# when a reader fails on a value the shape checks below let through, the CLI names them.
USER_FILES: list[str] = []


@lru_cache(maxsize=None)
def read_data_file(name: str) -> tuple[dict, str]:
    """Return (parsed YAML, origin) for a data file such as 'lambda.yaml'."""
    for origin, folder in data_dirs():
        f = folder / name
        if f.is_file():
            if origin != "bundled" and str(f) not in USER_FILES:
                USER_FILES.append(str(f))
            return _load_cached(f, name), origin
    raise CostplanError(f"no price data file {name!r}")


def _cache_dir() -> Path | None:
    if os.environ.get("COSTPLAN_NO_CACHE"):
        return None
    base = os.environ.get("COSTPLAN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "costplan")
    return Path(base)


def _load_cached(f, name: str) -> dict:
    """Parse a data file, through a JSON copy keyed by path, size and mtime: YAML parsing is ~50×
    slower and every command reads several files. The cache is best-effort and never changes a value."""
    import json

    cache = _cache_dir()
    key = None
    if cache is not None:
        try:  # a file on disk; a data file inside a zip has no stat and is simply not cached
            import hashlib

            st = os.stat(f)
            digest = hashlib.sha1(os.fsencode(os.path.abspath(f))).hexdigest()[:16]
            key = cache / f"{digest}-{st.st_size}-{st.st_mtime_ns}.json"
        except (OSError, TypeError):
            key = None
    if key is not None:
        try:
            data = json.loads(key.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        else:
            if isinstance(data, dict):  # a cache file that is not what we wrote is ignored, not trusted
                return _check_shape(data, f, name)
    try:
        text = f.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise _bad_file(f, f"not UTF-8 text (byte {e.start + 1})") from None
    except OSError as e:
        raise _bad_file(f, f"cannot read: {e.strerror or e}") from None
    data = _check_shape(_yaml_load(text, str(f)), f, name)
    if key is not None:
        try:
            key.parent.mkdir(parents=True, exist_ok=True)
            tmp = key.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
            os.replace(tmp, key)
        except (OSError, TypeError, ValueError):
            pass
    return data


class PriceBook:
    """Prices for one region, loaded file by file on first use."""

    def __init__(self, region: str = DEFAULT_REGION):
        check_region(region)
        self.region = region
        self._cache: dict[str, Price] = {}

    def service_file(self, service: str) -> tuple[dict, str]:
        return read_data_file(f"{service}.yaml")

    def get(self, key: str) -> Price:
        if key in self._cache:
            return self._cache[key]
        service, _, name = key.partition(".")
        data, origin = self.service_file(service)
        prices = data.get("prices", {})
        if name not in prices:
            if origin != "bundled":  # a user's price file replaces the bundled one whole
                raise _bad_file(_file_of(origin, f"{service}.yaml"), f"has no entry prices.{name}, which the "
                                "bundled file has (a price book file replaces the bundled one: keep every entry)")
            raise CostplanError(f"unknown price key {key!r}{did_you_mean(name, prices)}")
        try:
            price = _parse_price(service, name, prices[name], data.get("sources", {}), self.region, origin)
        except PriceGap:
            raise
        except (CostplanError, KeyError, TypeError, AttributeError, ValueError, ArithmeticError) as e:
            # a hand-edited or corrupt price file: name the file and the entry, never a traceback
            what = (f"missing {e}" if isinstance(e, KeyError) else "a value is not a number"
                    if isinstance(e, ArithmeticError) else str(e).removeprefix(f"{key}: ") or type(e).__name__)
            raise _bad_file(_file_of(origin, f"{service}.yaml"),
                            f"prices.{name} in {self.region}: cannot read the entry ({what})") from None
        if not all(t.usd.is_finite() and t.usd >= 0 for t in price.tiers):
            raise _bad_file(_file_of(origin, f"{service}.yaml"),
                            f"prices.{name} in {self.region}: a price must be a finite amount of at least 0")
        self._cache[key] = price
        return price

    def service_prices(self, service: str) -> list[Price | PriceGap]:
        """Every price of a service in this region; gaps are returned as PriceGap, not raised."""
        data, _ = self.service_file(service)
        out: list = []
        for name in data.get("prices", {}):
            try:
                out.append(self.get(f"{service}.{name}"))
            except PriceGap as gap:
                out.append(gap)
        return out


def _source(sources: dict, key: str, where: str) -> Source:
    if key not in sources:
        raise CostplanError(f"{where}: source {key!r} is not listed under 'sources'")
    s = sources[key]
    return Source(key=key, url=s["url"], title=s.get("title", ""), as_of=str(s.get("as_of", "undated")),
                  grade=s.get("grade", ""))


def _gap_hint(key: str, region: str, text: str = "") -> str:
    """Name the refresh that fills a gap, where the bulk price-list mapping knows the price."""
    if "pricing refresh" in text:
        return ""
    from costplan.aws.pricelist import mapped  # no boto3: the mapping only

    service = key.partition(".")[0]
    if mapped(key):
        return f"; `costplan pricing refresh --region {region} --services {service}` can fetch it"
    return ""


def _parse_price(service: str, name: str, entry: dict, sources: dict, region: str, origin: str) -> Price:
    key = f"{service}.{name}"
    regions = entry.get("regions", {})
    if region not in regions:
        raise PriceGap(Problem(f"no price for {key} in {region}: the price book has "
                               f"{', '.join(sorted(regions)) or 'no region'} (pricing_data/{service}.yaml)"
                               + _gap_hint(key, region)))
    r = regions[region]
    if isinstance(r, str | int | float):
        r = {"usd": r}
    if "gap" in r:
        raise PriceGap(Problem(f"no price for {key} in {region}: {r['gap']} (pricing_data/{service}.yaml)"
                               + _gap_hint(key, region, r["gap"])))
    if "tiers" in r:
        tiers = tuple(Tier(None if up is None else Decimal(str(up)), Decimal(str(usd))) for up, usd in r["tiers"])
    else:
        tiers = (Tier(None, Decimal(str(r["usd"]))),)
    # prices are written "per `per` units" in the files ($0.20 per 1M requests), the file's `per` unless
    # the region has its own (fargate.yaml keeps hourly rates exact as per 3600 seconds); store per unit
    per = Decimal(str(r.get("per", entry.get("per", 1))))
    tiers = tuple(Tier(t.upto, t.usd / per) for t in tiers)
    src = _source(sources, r.get("source", entry.get("source", "")), key)
    free = entry.get("free") or {}
    free_q = Decimal(str(free.get("quantity", 0)))
    free_src = _source(sources, free["source"], key) if free.get("source") else None
    return Price(key=key, service=service, region=region, description=entry.get("description", name),
                 unit=entry["unit"], per=per, tiers=tiers, source=src, free_quantity=free_q,
                 free_pool=free.get("pool", key), free_source=free_src,
                 note=r.get("note", entry.get("note", "")), origin=origin)


def _file_of(origin: str, name: str):
    """The path of a data file read from `origin` (a user folder, or "bundled")."""
    return (_bundled_dir() if origin == "bundled" else Path(origin)) / name


@lru_cache(maxsize=1)
def regions() -> dict[str, str]:
    data, _ = read_data_file("regions.yaml")
    return dict(data["regions"])


def check_region(region: str) -> None:
    known = regions()
    if region not in known:
        raise CostplanError(Problem(f"unknown region {region!r}{region_hint(region)}", field="region"))


def region_hint(region: str) -> str:
    """' (did you mean "us-east-1" or "us-east-2"?)': every equally close region (us-east-9 is as near
    one as the other), else the list of the regions the price book covers."""
    import difflib

    known = list(regions())
    scores = sorted(((difflib.SequenceMatcher(None, str(region), r).ratio(), r) for r in known), reverse=True)
    best = [r for score, r in scores if score >= 0.6 and score == scores[0][0]]
    if best:
        return " (did you mean " + " or ".join(f'"{r}"' for r in sorted(best, key=known.index)) + "?)"
    return suggest(region, known, "the price book covers")


def load_book(region: str = DEFAULT_REGION) -> PriceBook:
    return PriceBook(region)


def price_files() -> list[str]:
    """The price files (service names) of the price book: bundled ones and a user book's own."""
    names: set[str] = set()
    for _, folder in data_dirs():
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        names.update(p.name[:-5] for p in entries if p.name.endswith(".yaml"))
    return sorted(names - {"regions", "quotas"})


@dataclass(frozen=True)
class Coverage:
    region: str
    name: str
    known: int  # prices with a value in this region
    gaps: tuple[str, ...]  # price keys without one
    oldest: str  # the earliest dated `as_of` among the known prices ("" when none is dated)
    oldest_key: str
    undated: int  # known prices whose source has no date

    @property
    def total(self) -> int:
        return self.known + len(self.gaps)


def coverage(region: str) -> Coverage:
    """How much of the price book a region has, and how old its oldest dated price is."""
    book = PriceBook(region)
    known, gaps, undated = 0, [], 0
    oldest, oldest_key = "", ""
    for service in price_files():
        data, _ = book.service_file(service)
        for name in data.get("prices", {}):
            key = f"{service}.{name}"
            try:
                p = book.get(key)
            except PriceGap:
                gaps.append(key)
                continue
            known += 1
            as_of = p.source.as_of
            if not as_of[:4].isdigit():
                undated += 1
            elif not oldest or as_of < oldest:
                oldest, oldest_key = as_of, key
    return Coverage(region, regions()[region], known, tuple(gaps), oldest, oldest_key, undated)
