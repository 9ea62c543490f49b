"""The project's own errors: each carries one readable line per problem, never a traceback."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One problem with the user's input: where it is, which field, what was expected."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

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
