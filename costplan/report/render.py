"""Shared rendering helpers: money, numbers, Markdown tables, CSV and JSON output."""
from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from typing import Any, Iterable


def usd(d, places: int = 2) -> str:
    d = Decimal(d)
    return f"${d:,.{places}f}" if d >= 0 else f"-${-d:,.{places}f}"


def qty(d) -> str:
    d = Decimal(d)
    if d == d.to_integral_value():
        return f"{d:,.0f}"
    if d >= 100:
        return f"{d:,.0f}"
    return f"{d:,.4f}".rstrip("0").rstrip(".")


def number(d, places: int = 10) -> str:
    """A Decimal for machine-readable output: fixed point (never 2E-7), at most `places` decimals, no
    trailing zeros: 730.9999999999999999999999997 → '731', 2E-7 → '0.0000002', 1050200000.000… → '1050200000'."""
    d = Decimal(d)
    if not d.is_finite():
        return str(d)
    if d.as_tuple().exponent < -places:
        d = d.quantize(Decimal(1).scaleb(-places))
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _clean(o):
    """Numbers at most 10 decimals deep: 333.3333333333, not 333.3333333333333 or 28 digits of noise."""
    if isinstance(o, float):
        return round(o, 10) if o == o and o not in (float("inf"), float("-inf")) else o
    if isinstance(o, Decimal):
        return float(number(o))
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    return o


def to_json(data: Any) -> str:
    def default(o):
        if isinstance(o, Decimal):
            return float(number(o))
        raise TypeError(type(o).__name__)

    return json.dumps(_clean(data), indent=2, default=default, ensure_ascii=False) + "\n"


def json_default(o):
    """For json.dumps of results that carry Decimals (streamed compare output): fixed point, at most
    10 decimals, as to_json writes them."""
    if isinstance(o, Decimal):
        return float(number(o))
    raise TypeError(type(o).__name__)


# (an underscore inside a word, queue_load_leveling, never opens emphasis: left as it is)
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def md_text(text: Any) -> str:
    """User text (a scenario's name, an account label) as literal Markdown: the characters that would open
    emphasis, code, a link, an HTML tag or an entity, or a table column, are backslash-escaped, so a name
    cannot restyle a report or PR comment, or inject a link or an image into it."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def md_code(text: Any) -> str:
    """User text as an inline code span, fenced with more backticks than it holds."""
    t = str(text).replace("\n", " ")
    run = max((len(m) for m in re.findall(r"`+", t)), default=0)
    fence = "`" * (run + 1)
    pad = " " if run else ""
    return f"{fence}{pad}{t}{pad}{fence}"


def md_table(headers: list[str], rows: Iterable[list[Any]], align: str | None = None) -> str:
    def cell(v) -> str:
        return re.sub(r"(?<!\\)\|", r"\\|", str(v)).replace("\n", " ")  # (md_text's \| is escaped already)

    out = ["| " + " | ".join(headers) + " |"]
    al = align or "l" * len(headers)
    out.append("|" + "|".join(":---" if a == "l" else "---:" for a in al) + "|")
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def text_table(headers: list[str], rows: list[list[str]], align: str, indent: str = "") -> str:
    """Plain aligned columns (two spaces apart; 'l'/'r' per column), for long line-item tables:
    rich lays out every cell of a table, which costs ~150 µs a cell; this is a few string pads."""
    cols = list(zip(headers, *rows)) if rows else [(h,) for h in headers]
    widths = [max(len(str(c)) for c in col) for col in cols]

    def line(cells) -> str:
        out = [str(c).rjust(w) if a == "r" else str(c).ljust(w) for c, w, a in zip(cells, widths, align)]
        return (indent + "  ".join(out)).rstrip()

    return "\n".join([line(headers)] + [line(r) for r in rows]) + "\n"


_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def csv_cell(c: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text that starts like a formula (=, +, -, @; a scenario named
    =HYPERLINK(...)) gets a leading apostrophe, as OWASP advises; numbers are left as they are."""
    if isinstance(c, Decimal):
        return number(c)
    if isinstance(c, str) and c.startswith(_FORMULA) and not _PLAIN_NUMBER.fullmatch(c):
        return "'" + c
    return c


def csv_text(headers: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    for r in rows:
        w.writerow([csv_cell(c) for c in r])
    return buf.getvalue()


class PlainConsole:
    """What a console does when nobody is looking: text out as-is, markup stripped, no wrapping.

    Piped and captured output (CI logs, goldens, `| grep`) takes this path. Going through rich's
    renderer for every line cost ~4 ms per scenario in `compare`, a quarter of its run time over
    the bundled scenarios, for output that has no styling to show. Anything that is not a string
    (a rich Table) is still handed to a real rich Console on the same file."""

    def __init__(self, file=None):
        import sys

        self.file = file if file is not None else sys.stdout
        self._rich = None

    def out(self, *objects, sep: str = " ", end: str = "\n", **_ignored) -> None:
        self.file.write(sep.join(str(o) for o in objects) + end)

    def print(self, *objects, sep: str = " ", end: str = "\n", **kw) -> None:
        if all(isinstance(o, str) for o in objects):
            from rich.markup import render

            self.file.write(sep.join(render(o).plain for o in objects) + end)
        else:
            self.rich().print(*objects, sep=sep, end=end, **kw)

    def rich(self):
        if self._rich is None:
            self._rich = _rich_console(self.file)
        return self._rich


def _rich_console(file=None):
    import os

    from rich.console import Console

    cols = os.environ.get("COLUMNS", "").strip()
    width = int(cols) if cols.isdigit() and 0 < int(cols) < 10_000 else None  # COLUMNS=abc: the default
    # emoji=False: no ":name:" codes in our output, and rich skips loading its emoji table.
    return Console(file=file, width=width or 120, highlight=False, soft_wrap=False, emoji=False)


def console(file=None):
    """A rich console on a terminal (bold headings, colour); a PlainConsole when output is piped or
    captured, so it is stable and quick. FORCE_COLOR keeps rich for a pipe that wants styling."""
    import os
    import sys

    target = file if file is not None else sys.stdout
    isatty = getattr(target, "isatty", None)
    if (isatty is not None and isatty()) or os.environ.get("FORCE_COLOR"):
        return _rich_console(file)
    return PlainConsole(file)
