"""The project's own errors: each carries one readable line per problem, never a traceback."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# Characters that would break "one line per problem" or hide what a line says when printed: C0 and C1
# controls (line breaks, ESC sequences that drive a terminal), direction overrides and isolates
# (Trojan Source: text shown in another order than it is), line/paragraph separators, zero-width marks.
# (and lone surrogates: a file name that is not UTF-8, which no output stream or JSON can carry)
_HIDDEN_REST = r"\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff"
HIDDEN = re.compile(rf"[\x00-\x1f{_HIDDEN_REST}]")
HIDDEN_IN_TEXT = re.compile(rf"[\x00-\x08\x0b-\x1f{_HIDDEN_REST}]")  # a value may hold line breaks and tabs


def one_line(text: str) -> str:
    """text with every HIDDEN character written as its escape (\\n, \\x1b, \\u202e): one visible line."""
    if HIDDEN.search(text) is None:
        return text
    return HIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass
class Problem:
    """One problem with the user's input: where it is, which field, what was expected."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __post_init__(self):
        # paths, keys and values the user gave are quoted back in every output (stderr, SARIF, JUnit XML,
        # GitHub annotations): hidden characters are written as escapes, so each stays one visible line
        self.message = one_line(str(self.message))
        if self.file is not None:
            self.file = one_line(str(self.file))
        if self.field is not None:
            self.field = one_line(str(self.field))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "")
        parts = [p for p in (where, self.field) if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class CostplanError(Exception):
    """Bad input or usage. Carries one or more problems; the CLI prints one line each and exits 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class PriceGap(CostplanError):
    """A price the price book does not know for a region: an explicit gap, never a silent zero."""


def in_file(problems: list[Problem], file: str | None) -> list[Problem]:
    """The problems, each naming `file` where it names none (a price gap found while pricing a scenario)."""
    from dataclasses import replace

    return [p if p.file or not file else replace(p, file=file) for p in problems]


def suggest(word: str, choices, what: str = "expected one of") -> str:
    """' (did you mean "x"?)' when one choice is close, else '; expected one of a, b, c'."""
    hint = did_you_mean(word, choices)
    return hint or f"; {what} {', '.join(str(c) for c in choices)}"


def did_you_mean(word: str, choices) -> str:
    """' (did you mean "x"?)' for the closest choice, or '' when none is close."""
    import difflib

    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""


# Optional parts of costplan and the extra that installs each (pyproject.toml [project.optional-dependencies]).
EXTRAS = {"boto3": "aws", "botocore": "aws", "ijson": "aws", "matplotlib": "charts"}


def missing_extra(err: ImportError) -> CostplanError | None:
    """A CostplanError naming the extra to install when an optional library is missing, else None."""
    top = (getattr(err, "name", None) or "").split(".")[0]
    extra = EXTRAS.get(top)
    if extra is None:
        return None
    what = {"aws": "talking to AWS (and its public price list)", "charts": "charts"}[extra]
    return CostplanError(f"{what} needs {top}, which is not installed: pip install 'costplan[{extra}]'")
