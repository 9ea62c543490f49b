"""The cost diff a reviewer pastes into a PR (`costplan diff OLD NEW`): monthly cost per alternative and
per line item, the recommendation and break-even before and after, and limits checks that changed state.
OLD and NEW are scenario files or git revisions of one, written REV:PATH."""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from costplan.errors import CostplanError, Problem
from costplan.pricing.bill import money
from costplan.report.render import md_table, md_text, qty, to_json, usd

ZERO = Decimal(0)


# ---- reading OLD / NEW ----------------------------------------------------------------------------

def git_show(spec: str, cwd: str | Path | None = None) -> str:
    """The text of REV:PATH from git (PATH from the repository root, or ./relative to the current folder)."""
    rev, _, path = spec.partition(":")
    if not rev or not path:
        raise CostplanError(Problem("expected a file or a git revision of one, written REV:PATH", file=spec))
    try:
        inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=cwd, capture_output=True,
                                text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise CostplanError(Problem(f"cannot run git: {e}", file=spec)) from None
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise CostplanError(Problem("not a file, and the current folder is not in a git repository "
                                    "(REV:PATH needs one)", file=spec))
    ok = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=cwd,
                        capture_output=True, text=True, timeout=30)
    if ok.returncode != 0:
        raise CostplanError(Problem(f"git revision {rev!r} does not exist in this repository", file=spec))
    shown = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=cwd, capture_output=True, text=True,
                           timeout=30)
    if shown.returncode != 0:
        why = (shown.stderr.strip().splitlines() or ["git show failed"])[-1].removeprefix("fatal: ")
        raise CostplanError(Problem(f"{path} is not in revision {rev}: {why}", file=spec))
    return shown.stdout


def load_spec(spec: str, cwd: str | Path | None = None):
    """A scenario from a file, or from git when the argument is REV:PATH and no such file exists."""
    from costplan import scenario, yamlfile

    p = Path(cwd or ".") / spec
    if p.exists() or ":" not in spec:
        return scenario.load(p if cwd else spec)
    text = git_show(spec, cwd)
    data, lines = yamlfile.parse(text, spec)
    return scenario.from_dict(data, spec, lines)


# ---- the diff -----------------------------------------------------------------------------------------

@dataclass
class LineDiff:
    resource: str
    name: str
    unit: str
    old_qty: Decimal | None
    new_qty: Decimal | None
    old_usd: Decimal
    new_usd: Decimal

    @property
    def change(self) -> Decimal:
        return self.new_usd - self.old_usd


@dataclass
class OptionDiff:
    name: str
    title: str
    old_usd: Decimal | None  # None: the alternative did not exist before
    new_usd: Decimal | None
    lines: list[LineDiff] = field(default_factory=list)

    @property
    def change(self) -> Decimal:
        return (self.new_usd or ZERO) - (self.old_usd or ZERO)


@dataclass
class CheckDiff:
    check: str
    old: str  # status before ("" = not reported)
    new: str
    message: str


@dataclass
class CostDiff:
    old_label: str
    new_label: str
    scenario: str
    options: list[OptionDiff]
    old_recommendation: str
    new_recommendation: str
    new_reason: str
    old_breakeven: Decimal | None
    new_breakeven: Decimal | None
    checks: list[CheckDiff] | None  # None: limits not available
    checks_note: str = ""
    titles: dict = field(default_factory=dict)

    @property
    def recommendation_changed(self) -> bool:
        return self.old_recommendation != self.new_recommendation

    def option(self, name: str) -> OptionDiff | None:
        return next((o for o in self.options if o.name == name), None)


def _lines(opt) -> dict[tuple[str, str], list]:
    out: dict[tuple[str, str], list] = {}
    for li in opt.line_items if opt else []:
        e = out.setdefault((li.resource, li.name), [li.unit, ZERO, ZERO])
        e[1] += li.quantity
        e[2] += li.monthly_usd
    return out


def diff_options(old, new) -> list[OptionDiff]:
    """Alternatives matched by name; line items matched by alternative + resource + item name."""
    names = [o.name for o in new.options] + [o.name for o in old.options if new.option(o.name) is None]
    out = []
    for n in names:
        a, b = old.option(n), new.option(n)
        la, lb = _lines(a), _lines(b)
        lines = []
        for key in list(la) + [k for k in lb if k not in la]:
            ea, eb = la.get(key), lb.get(key)
            d = LineDiff(key[0], key[1], (eb or ea)[0], ea[1] if ea else None, eb[1] if eb else None,
                         ea[2] if ea else ZERO, eb[2] if eb else ZERO)
            if d.old_qty != d.new_qty or d.change != 0:
                lines.append(d)
        out.append(OptionDiff(n, (b or a).title, a.monthly_usd if a else None, b.monthly_usd if b else None, lines))
    return out


def diff_checks(old_limits, new_limits, old_name: str, new_name: str) -> list[CheckDiff]:
    from costplan.report.markdown_report import field_of, finding_check, finding_scenario, finding_status

    def states(res, name):
        out = {}
        for f in field_of(res, "findings", default=[]) or []:
            if finding_scenario(f) in ("", name):
                out[finding_check(f)] = (finding_status(f), field_of(f, "message", default=""))
        return out

    a, b = states(old_limits, old_name), states(new_limits, new_name)
    out = []
    for k in sorted(set(a) | set(b)):
        sa, sb = a.get(k, ("", "")), b.get(k, ("", ""))
        if sa[0] != sb[0]:
            out.append(CheckDiff(k, sa[0], sb[0], sb[1] or sa[1]))
    return out


def cost_diff(old, new, old_label: str = "old", new_label: str = "new", old_limits=None, new_limits=None,
              limits_note: str = "") -> CostDiff:
    """Compare two Comparisons (costplan.compute.compare) of the same design, before and after a change."""
    checks = None
    if old_limits is not None and new_limits is not None:
        checks = diff_checks(old_limits, new_limits, old.scenario.name, new.scenario.name)
    titles = {o.name: o.title for o in old.options} | {o.name: o.title for o in new.options}
    return CostDiff(old_label, new_label, new.scenario.name, diff_options(old, new), old.recommendation,
                    new.recommendation, new.reason,
                    old.breakeven.monthly_requests if old.breakeven else None,
                    new.breakeven.monthly_requests if new.breakeven else None, checks, limits_note, titles)


# ---- rendering ----------------------------------------------------------------------------------------

def _usd(d: Decimal | None) -> str:
    return "—" if d is None else usd(d)


def _signed(d: Decimal) -> str:
    d = Decimal(d).quantize(Decimal("0.01"))
    if d == 0:
        return "$0.00"
    return ("+" if d > 0 else "") + usd(d)


def _pct(old: Decimal | None, new: Decimal | None) -> str:
    if old is None or new is None:
        return "new" if old is None else "removed"
    if old == 0:
        return "—" if new == 0 else "n/a"
    return f"{(new - old) / old:+.1%}"


def _qty(d: Decimal | None) -> str:
    return "—" if d is None else qty(d)


def _be(d: Decimal | None) -> str:
    from costplan.compute.compare import significant

    return "none" if d is None else f"{significant(d):,.0f} requests/month"


def _rec_line(d: CostDiff, bold: str = "") -> str:
    t = d.titles
    if d.recommendation_changed:
        return (f"{bold}Recommendation changed: {t.get(d.old_recommendation, d.old_recommendation)} → "
                f"{t.get(d.new_recommendation, d.new_recommendation)}.{bold} {d.new_reason}")
    return f"Recommendation unchanged: {t.get(d.new_recommendation, d.new_recommendation)}."


def _check_rows(d: CostDiff) -> list[list[str]]:
    return [[c.check, c.old or "—", c.new or "—", c.message] for c in d.checks or []]


def markdown(d: CostDiff) -> str:
    rows = [[o.title, _usd(o.old_usd), _usd(o.new_usd), _signed(o.change), _pct(o.old_usd, o.new_usd)]
            for o in d.options]
    out = [f"### Cost diff: {md_text(d.scenario)}\n", f"`{d.old_label}` → `{d.new_label}`\n",
           md_table(["Alternative", "Before", "After", "Change", "%"], rows, "lrrrr"),
           _rec_line(d, "**") + "\n",
           f"Break-even: {_be(d.old_breakeven)} → {_be(d.new_breakeven)}.\n"]
    lines = [[o.title, li.resource, li.name, f"{_qty(li.old_qty)} → {_qty(li.new_qty)} {li.unit}",
              _usd(li.old_usd), _usd(li.new_usd), _signed(li.change)] for o in d.options for li in o.lines]
    if lines:
        out.append(f"<details><summary>Line items that changed ({len(lines)})</summary>\n\n"
                   + md_table(["Alternative", "Resource", "Item", "Quantity", "Before", "After", "Change"], lines,
                              "lllrrrr") + "\n</details>\n")
    else:
        out.append("No line item changed.\n")
    if d.checks is None:
        out.append(f"_Limits not compared: {d.checks_note or 'not available'}_\n")
    elif d.checks:
        out.append("Limits checks that changed state:\n\n"
                   + md_table(["Check", "Before", "After", "Finding"], _check_rows(d), "llll"))
    else:
        out.append("No limits check changed state.\n")
    return "\n".join(out)


def as_dict(d: CostDiff) -> dict:
    def m(x):
        return None if x is None else money(x)

    return {
        "scenario": d.scenario, "old": d.old_label, "new": d.new_label,
        "options": [{"name": o.name, "title": o.title, "old_usd": m(o.old_usd), "new_usd": m(o.new_usd),
                     "change_usd": money(o.change),
                     "lines": [{"resource": li.resource, "name": li.name, "unit": li.unit,
                                "old_quantity": None if li.old_qty is None else float(li.old_qty),
                                "new_quantity": None if li.new_qty is None else float(li.new_qty),
                                "old_usd": money(li.old_usd), "new_usd": money(li.new_usd),
                                "change_usd": money(li.change)} for li in o.lines]}
                    for o in d.options],
        "recommendation": {"old": d.old_recommendation, "new": d.new_recommendation,
                           "changed": d.recommendation_changed, "reason": d.new_reason},
        "breakeven_monthly_requests": {"old": None if d.old_breakeven is None else float(round(d.old_breakeven)),
                                       "new": None if d.new_breakeven is None else float(round(d.new_breakeven))},
        "checks": None if d.checks is None else [
            {"check": c.check, "old": c.old or None, "new": c.new or None, "message": c.message} for c in d.checks],
        "checks_note": d.checks_note or None,
    }


def json_text(d: CostDiff) -> str:
    return to_json(as_dict(d))


def table(d: CostDiff, console) -> None:
    from rich.table import Table

    console.print(f"[bold]{d.scenario}[/bold]: {d.old_label} → {d.new_label}")
    t = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    for col, j in (("Alternative", "left"), ("Before", "right"), ("After", "right"), ("Change", "right"),
                   ("%", "right")):
        t.add_column(col, justify=j)
    for o in d.options:
        t.add_row(o.title, _usd(o.old_usd), _usd(o.new_usd), _signed(o.change), _pct(o.old_usd, o.new_usd))
    console.print(t)
    lines = [(o, li) for o in d.options for li in o.lines]
    if lines:
        t = Table(title="Line items that changed", title_justify="left", box=None, show_header=True,
                  header_style="bold", pad_edge=False)
        for col, j in (("Alternative", "left"), ("Resource", "left"), ("Item", "left"), ("Quantity", "right"),
                       ("Before", "right"), ("After", "right"), ("Change", "right")):
            t.add_column(col, justify=j)
        for o, li in lines:
            t.add_row(o.title, li.resource, li.name, f"{_qty(li.old_qty)} → {_qty(li.new_qty)} {li.unit}",
                      _usd(li.old_usd), _usd(li.new_usd), _signed(li.change))
        console.print(t)
    console.print(_rec_line(d))
    console.print(f"Break-even: {_be(d.old_breakeven)} → {_be(d.new_breakeven)}.")
    if d.checks is None:
        console.print(f"Limits not compared: {d.checks_note or 'not available'}")
    elif d.checks:
        for c in d.checks:
            console.print(f"  {c.check}: {c.old or '—'} → {c.new or '—'}  {c.message}")
    else:
        console.print("No limits check changed state.")


# ---- many scenarios: folders and git revisions, for pull requests -------------------------------------

MARKER = "<!-- costplan-diff -->"  # a CI job finds its own comment by this line and updates it in place


def _git(args: list[str], cwd=None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise CostplanError(f"cannot run git: {e}") from None


def repo_root(cwd=None) -> Path:
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise CostplanError("--base needs a git repository: the current folder is not in one")
    return Path(top.stdout.strip())


def _is_scenario_name(name: str) -> bool:
    return name.endswith((".yaml", ".yml"))


def pairs_against_base(base: str, paths: list[str], cwd=None) -> list[tuple[str | None, str | None]]:
    """(REV:PATH or None, working-tree file or None) for every scenario file under PATHS, now or at
    BASE. A folder means its *.yaml / *.yml files (not recursive, as everywhere else in costplan); a
    file that exists only at BASE is reported as removed, one that exists only now as added."""
    root = repo_root(cwd)
    ok = _git(["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], cwd)
    if ok.returncode != 0:
        raise CostplanError(f"--base: git revision {base!r} does not exist in this repository")
    here = Path(cwd or ".").resolve()
    out: dict[str, tuple[str | None, str | None]] = {}
    for p in paths:
        pp = (here / p)
        rel_dir = Path(os.path.relpath(pp.resolve() if pp.exists() else pp, root)).as_posix()
        if rel_dir.startswith(".."):
            raise CostplanError(f"{p}: outside the git repository at {root}")
        now: list[str] = []
        if pp.is_dir():
            now = sorted(Path(os.path.relpath(f.resolve(), root)).as_posix()
                         for f in pp.iterdir() if f.is_file() and _is_scenario_name(f.name))
        elif pp.is_file():
            now = [rel_dir]
        listed = _git(["ls-tree", "-r", "--name-only", base, "--", rel_dir], cwd=root)
        then = []
        if listed.returncode == 0:
            for n in listed.stdout.splitlines():
                if n == rel_dir or (Path(n).parent.as_posix() == rel_dir and _is_scenario_name(n)):
                    then.append(n)
        if not now and not then:
            raise CostplanError(f"{p}: no scenario files here or at {base}")
        for rel in sorted(set(now) | set(then)):
            old = f"{base}:{rel}" if rel in then else None
            new = str(root / rel) if rel in now else None
            out[rel] = (old, new)
    return list(out.values())


def pairs_of_folders(old: str, new: str) -> list[tuple[str | None, str | None]]:
    """Two folders: scenario files matched by file name."""
    a = {f.name: str(f) for f in Path(old).iterdir() if f.is_file() and _is_scenario_name(f.name)}
    b = {f.name: str(f) for f in Path(new).iterdir() if f.is_file() and _is_scenario_name(f.name)}
    if not a and not b:
        raise CostplanError(f"{old}, {new}: no scenario files in either folder")
    return [(a.get(n), b.get(n)) for n in sorted(set(a) | set(b))]


@dataclass
class Gate:
    """What fails the check: a rise above a percentage of the old total, or a new total above a budget."""

    fail_on_increase_pct: Decimal | None = None
    budget_usd: Decimal | None = None


@dataclass
class DiffSet:
    diffs: list[CostDiff]  # scenarios present on both sides
    added: list  # Comparisons only in NEW
    removed: list  # Comparisons only in OLD
    old_total: Decimal
    new_total: Decimal
    gate: Gate = field(default_factory=Gate)

    @property
    def change(self) -> Decimal:
        return self.new_total - self.old_total

    @property
    def change_pct(self) -> Decimal | None:
        return None if self.old_total == 0 else self.change / self.old_total * 100

    def failures(self) -> list[str]:
        """Why the gate fails, one line each; empty when it passes."""
        out = []
        g = self.gate
        if g.fail_on_increase_pct is not None and self.change > 0:
            pct = self.change_pct
            if pct is None or pct > g.fail_on_increase_pct:
                shown = "from $0" if pct is None else f"{pct:+.1f} %"
                out.append(f"monthly cost rose {shown} (${self.old_total:,.2f} → ${self.new_total:,.2f}), "
                           f"above the {g.fail_on_increase_pct:g} % allowed by --fail-on-increase")
        if g.budget_usd is not None and self.new_total > g.budget_usd:
            out.append(f"monthly cost ${self.new_total:,.2f} is above the budget of ${g.budget_usd:,.2f} "
                       f"(--budget) by ${self.new_total - g.budget_usd:,.2f}")
        return out


def recommended_usd(c) -> Decimal:
    """A scenario's cost in a PR diff: the monthly cost of the design compare recommends."""
    opt = c.option(c.recommendation) or c.cheapest
    return opt.monthly_usd


def diff_set(old_results, new_results, pairs, labels, old_limits=None, new_limits=None, limits_note="",
             gate: Gate | None = None) -> DiffSet:
    """old_results/new_results are aligned with pairs (None where a side is missing)."""
    diffs, added, removed = [], [], []
    old_total = new_total = ZERO
    for (a, b), (la, lb) in zip(zip(old_results, new_results), labels):
        if a is not None:
            old_total += recommended_usd(a)
        if b is not None:
            new_total += recommended_usd(b)
        if a is not None and b is not None:
            diffs.append(cost_diff(a, b, la, lb, old_limits, new_limits, limits_note))
        elif b is not None:
            added.append(b)
        elif a is not None:
            removed.append(a)
    return DiffSet(diffs, added, removed, old_total, new_total, gate or Gate())


def _summary_rows(s: DiffSet) -> list[list[str]]:
    rows = []
    for d in s.diffs:
        o, n = d.option(d.old_recommendation), d.option(d.new_recommendation)
        old_usd = o.old_usd if o else None
        new_usd = n.new_usd if n else None
        rec = d.titles.get(d.new_recommendation, d.new_recommendation)
        if d.recommendation_changed:
            rec = f"{d.titles.get(d.old_recommendation, d.old_recommendation)} → {rec}"
        rows.append([d.scenario, rec, _usd(old_usd), _usd(new_usd),
                     _signed((new_usd or ZERO) - (old_usd or ZERO)), _pct(old_usd, new_usd)])
    for c in s.added:
        usd_ = recommended_usd(c)
        rows.append([c.scenario.name, f"{c.option(c.recommendation).title} (added)", "—", _usd(usd_),
                     _signed(usd_), "new"])
    for c in s.removed:
        usd_ = recommended_usd(c)
        rows.append([c.scenario.name, f"{c.option(c.recommendation).title} (removed)", _usd(usd_), "—",
                     _signed(-usd_), "removed"])
    return rows


def markdown_set(s: DiffSet) -> str:
    total_pct = "—" if s.change_pct is None else f"{s.change_pct:+.1f} %"
    out = [MARKER, "## costplan: monthly cost of this change\n",
           md_table(["Scenario", "Recommended design", "Before", "After", "Change", "%"],
                    _summary_rows(s) + [["**Total**", "", usd(s.old_total), usd(s.new_total), _signed(s.change),
                                         total_pct]], "llrrrr"),
           "Each scenario is priced at the design `costplan compare` recommends for it.\n"]
    fails = s.failures()
    if fails:
        out.append("**Cost check failed:** " + "; ".join(fails) + ".\n")
    elif s.gate.fail_on_increase_pct is not None or s.gate.budget_usd is not None:
        out.append("Cost check passed"
                   + (f" (allowed increase {s.gate.fail_on_increase_pct:g} %)" if s.gate.fail_on_increase_pct
                      is not None else "")
                   + (f" (budget ${s.gate.budget_usd:,.2f})" if s.gate.budget_usd is not None else "") + ".\n")
    for d in s.diffs:
        if any(o.change != 0 or o.lines for o in d.options) or d.recommendation_changed or d.checks:
            out.append("<details><summary>" + d.scenario + "</summary>\n\n" + markdown(d) + "\n</details>\n")
    return "\n".join(out)


def as_dict_set(s: DiffSet) -> dict:
    return {
        "old_total_usd": money(s.old_total), "new_total_usd": money(s.new_total), "change_usd": money(s.change),
        "change_pct": None if s.change_pct is None else float(round(s.change_pct, 2)),
        "gate": {"fail_on_increase_pct": None if s.gate.fail_on_increase_pct is None
                 else float(s.gate.fail_on_increase_pct),
                 "budget_usd": None if s.gate.budget_usd is None else money(s.gate.budget_usd),
                 "failures": s.failures(), "passed": not s.failures()},
        "scenarios": [as_dict(d) for d in s.diffs],
        "added": [{"scenario": c.scenario.name, "file": c.scenario.source_file, "recommendation": c.recommendation,
                   "monthly_usd": money(recommended_usd(c))} for c in s.added],
        "removed": [{"scenario": c.scenario.name, "file": c.scenario.source_file, "recommendation": c.recommendation,
                     "monthly_usd": money(recommended_usd(c))} for c in s.removed],
    }


def table_set(s: DiffSet, console) -> None:
    from rich.table import Table

    t = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    for col, j in (("Scenario", "left"), ("Recommended design", "left"), ("Before", "right"), ("After", "right"),
                   ("Change", "right"), ("%", "right")):
        t.add_column(col, justify=j)
    for r in _summary_rows(s):
        t.add_row(*r)
    total_pct = "—" if s.change_pct is None else f"{s.change_pct:+.1f} %"
    t.add_row("Total", "", usd(s.old_total), usd(s.new_total), _signed(s.change), total_pct)
    console.print(t)
    for f in s.failures():
        console.print(f"cost check failed: {f}")
