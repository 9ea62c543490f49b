"""The repository's costplan settings: `costplan.toml` (in the current folder or a parent), else
`[tool.costplan]` in a `pyproject.toml` there, else `$XDG_CONFIG_HOME/costplan/config.toml`.

    region = "eu-west-1"        # --region when a command is not given one
    free_tier = true            # --free-tier / --no-free-tier when not given
    [thresholds]                # limits-check --warn / --critical when not given
    warn = 80
    critical = 100
    [accounts.prod]             # a scenario's `account:` label → how --live reads that account
    profile = "prod-readonly"   # an AWS named profile
    role_arn = "arn:aws:iam::111122223333:role/costplan-readonly"   # optional: assumed from the profile
    regions = ["us-east-1"]     # optional: the regions this account may be read in
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from costplan.errors import CostplanError, Problem, did_you_mean

NAME = "costplan.toml"
TOP_KEYS = ("region", "free_tier", "thresholds", "accounts")
ACCOUNT_KEYS = ("profile", "role_arn", "regions")
THRESHOLD_KEYS = ("warn", "critical")


@dataclass(frozen=True)
class Account:
    label: str
    profile: str | None = None
    role_arn: str | None = None
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: str | None = None  # where it was read from; None: no file
    region: str | None = None
    free_tier: bool | None = None
    warn: float | None = None
    critical: float | None = None
    accounts: dict[str, Account] = field(default_factory=dict)

    def account(self, label: str) -> Account | None:
        return self.accounts.get(label)


def find(start: Path | None = None) -> tuple[Path, dict] | None:
    """The nearest costplan.toml, or pyproject.toml with [tool.costplan], from `start` upwards; then the
    user's config.toml. Returns (path, the costplan table) or None."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        p = d / NAME
        if p.is_file():
            return p, _read(p)
        pp = d / "pyproject.toml"
        if pp.is_file():
            try:
                data = _read(pp)
            except CostplanError:
                if _mentions_costplan(pp):  # a broken [tool.costplan] is ours to report
                    raise
                continue  # someone else's broken pyproject.toml: it holds no costplan settings we could read
            table = data.get("tool", {}).get("costplan") if isinstance(data.get("tool"), dict) else None
            if table is not None:
                return pp, table
    from costplan.pricing.book import config_dir

    user = config_dir() / "config.toml"
    if user.is_file():
        return user, _read(user)
    return None


def _mentions_costplan(path: Path) -> bool:
    try:
        return b"tool.costplan" in path.read_bytes()
    except OSError:
        return False


def _read(path: Path) -> dict:
    import tomllib

    try:
        with open(path, "rb") as f:
            raw = f.read()
        # an editor's byte-order mark (Notepad writes one) is not part of the settings: TOML's parser
        # would call the first line an 'Invalid statement'
        return tomllib.loads(raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CostplanError(Problem(f"not valid TOML: {e}", file=str(path))) from None
    except UnicodeDecodeError as e:
        raise CostplanError(Problem(f"not UTF-8 text (byte {e.start + 1}); TOML files are UTF-8",
                                    file=str(path))) from None
    except OSError as e:
        raise CostplanError(Problem(f"cannot read: {e.strerror or e}", file=str(path))) from None


def parse(table: dict, path: str | None = None) -> Config:
    """Check and convert the costplan table; one problem per bad key, with 'did you mean'."""
    problems: list[Problem] = []

    def bad(field_: str, msg: str) -> None:
        problems.append(Problem(msg, file=path, field=field_))

    if not isinstance(table, dict):
        raise CostplanError(Problem("expected a table of costplan settings", file=path))
    for k in table:
        if k not in TOP_KEYS:
            bad(k, f"unknown key{did_you_mean(k, TOP_KEYS) or '; expected one of ' + ', '.join(TOP_KEYS)}")
    region = table.get("region")
    if region is not None and not isinstance(region, str):
        bad("region", "expected a region name such as eu-west-1")
    elif region is not None:
        problem = _region_problem(region)
        if problem:
            bad("region", problem)
            region = None
    free = table.get("free_tier")
    if free is not None and not isinstance(free, bool):
        bad("free_tier", "expected true or false")
    th = table.get("thresholds")
    th = {} if th is None else th
    warn = critical = None
    if not isinstance(th, dict):
        bad("thresholds", "expected a table with warn and critical")
        th = {}
    for k, v in th.items():
        if k not in THRESHOLD_KEYS:
            bad(f"thresholds.{k}", f"unknown key{did_you_mean(k, THRESHOLD_KEYS)}; expected warn or critical")
        elif isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 1000:
            bad(f"thresholds.{k}", "expected a percentage of the quota, above 0 and at most 1,000")
    if isinstance(th.get("warn"), int | float) and not isinstance(th.get("warn"), bool):
        warn = float(th["warn"])
    if isinstance(th.get("critical"), int | float) and not isinstance(th.get("critical"), bool):
        critical = float(th["critical"])
    if warn is not None and critical is not None and warn > critical:
        bad("thresholds", f"warn {warn:g}% is above critical {critical:g}%; the warning comes first")
    accounts: dict[str, Account] = {}
    acc = table.get("accounts")
    acc = {} if acc is None else acc
    if not isinstance(acc, dict):
        bad("accounts", "expected [accounts.LABEL] tables")
        acc = {}
    for label, a in acc.items():
        if not isinstance(a, dict):
            bad(f"accounts.{label}", "expected a table with profile, role_arn and regions")
            continue
        for k in a:
            if k not in ACCOUNT_KEYS:
                bad(f"accounts.{label}.{k}", f"unknown key{did_you_mean(k, ACCOUNT_KEYS) or '; expected one of ' + ', '.join(ACCOUNT_KEYS)}")
        prof, role, regions = a.get("profile"), a.get("role_arn"), a.get("regions", [])
        if prof is not None and (not isinstance(prof, str) or not prof):
            bad(f"accounts.{label}.profile", "expected an AWS profile name")
        if role is not None and (not isinstance(role, str) or not role.startswith("arn:aws")):
            bad(f"accounts.{label}.role_arn", "expected an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            bad(f"accounts.{label}.regions", "expected a list of region names")
            regions = []
        for r in regions:
            problem = _region_problem(r)
            if problem:
                bad(f"accounts.{label}.regions", problem)
        accounts[label] = Account(label, prof if isinstance(prof, str) else None,
                                  role if isinstance(role, str) else None, tuple(regions))
    if problems:
        raise CostplanError(problems)
    return Config(path, region, free, warn, critical, accounts)


def _region_problem(region: str) -> str | None:
    """What is wrong with a region the config names (a typo here would otherwise be blamed on every
    scenario file, or silently ignored), or None: the price book's regions and every real AWS Region."""
    from costplan.pricing.book import region_hint, regions

    if region in regions():
        return None
    try:
        from costplan.aws.regions import aws_regions

        if region in aws_regions():
            return None
    except ImportError:  # botocore (the aws extra) not installed: the price book's regions only
        pass
    return f"unknown region {region!r}{region_hint(region)}"


def load(start: Path | None = None) -> Config:
    """The settings in force here (an empty Config when there is no file). COSTPLAN_CONFIG names a
    file explicitly; COSTPLAN_CONFIG=none ignores every file."""
    explicit = os.environ.get("COSTPLAN_CONFIG")
    if explicit:
        if explicit.lower() == "none":
            return Config()
        p = Path(explicit)
        if not p.is_file():
            raise CostplanError(Problem("COSTPLAN_CONFIG names no file", file=explicit))
        data = _read(p)
        if p.name == "pyproject.toml":
            data = data.get("tool", {}).get("costplan", {})
        return parse(data, str(p))
    found = find(start)
    if found is None:
        return Config()
    path, table = found
    return parse(table, str(path))


_CACHE: dict = {}


def cached() -> Config:
    """load(), once per process and working folder (scenario loading asks for every file)."""
    key = (os.getcwd(), os.environ.get("COSTPLAN_CONFIG"), os.environ.get("XDG_CONFIG_HOME"))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load()
    return _CACHE[key]
