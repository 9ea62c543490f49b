"""What every command shares: the output-format option, the error boundary, writing files safely."""
from __future__ import annotations

import functools
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from costplan.errors import CostplanError, Problem


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]
RegionOpt = Annotated[str | None, typer.Option("--region", "-r", help="AWS region (default: the scenario's, "
                                                                       "else costplan.toml's region, else "
                                                                       "us-east-1).")]
FreeTierOpt = Annotated[bool | None, typer.Option("--free-tier/--no-free-tier",
                                                  help="Apply AWS's perpetual free tiers (default: costplan.toml's "
                                                       "free_tier, else on).")]


def default_region(region: str | None) -> str:
    """--region, else the repository config's region (costplan.toml), else us-east-1: what a command
    without a scenario file prices in (a scenario file takes the config's itself, scenario.load)."""
    if region:
        return region
    from costplan.config import cached

    return cached().region or "us-east-1"


def default_free_tier(free_tier: bool | None) -> bool:
    """--free-tier / --no-free-tier, else the repository config's free_tier, else on."""
    if free_tier is not None:
        return free_tier
    from costplan.config import cached

    cfg = cached().free_tier
    return True if cfg is None else cfg


def one_line_option(value: str | None, flag: str) -> str | None:
    """A text option costplan writes into a file (a schema path, an account label, a function name): one line
    of plain text. A line break would add lines of its own to the YAML written; a control or direction
    character would hide in it."""
    from costplan.errors import HIDDEN

    if value is not None and HIDDEN.search(value):
        ch = HIDDEN.search(value).group()
        raise CostplanError(Problem(f"must be one line of plain text; it holds U+{ord(ch):04X}", field=flag))
    return value


def fail(err: CostplanError) -> None:
    for p in err.problems:
        typer.echo(f"error: {p}", err=True)
    raise typer.Exit(err.exit_code)


def guarded(fn):
    """The error boundary: library errors become one line per problem and exit 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CostplanError as e:
            fail(e)
        except BrokenPipeError:  # the reader of our stdout went away (`| head -1`): stop quietly
            from costplan.cli import streams

            streams.stdout_closed()
            raise typer.Exit(0) from None
        except OSError as e:  # the file system said no (a read-only or missing folder, a full disk)
            where = e.filename if e.filename is not None else "stdout"
            fail(CostplanError(f"{where}: {e.strerror or e}"))
        except ImportError as e:  # an optional part (boto3, matplotlib) is not installed
            from costplan.errors import missing_extra

            extra = missing_extra(e)
            if extra is None:
                raise
            fail(extra)
        except KeyboardInterrupt:  # (typer turns one that lands in its own parsing into a silent 130:
            from costplan.cli import streams  # app.main says it there)

            streams.say_interrupted()
            raise typer.Exit(130) from None

    return wrapper


def emit(text: str) -> None:
    """Write to stdout. A closed pipe ends output quietly and the command goes on to its own exit code
    (limits-check | head -1 still fails the gate on a breach); a full disk or I/O error names stdout."""
    from costplan.cli import streams

    if streams.is_closed():
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        streams.stdout_closed()
    except OSError as e:
        raise CostplanError(f"stdout: {e.strerror or e}") from None


def write_atomic(path: Path, text: str | bytes, force: bool = False) -> None:
    """Write a user's file through the one safe writer (costplan/safewrite.py)."""
    from costplan.safewrite import write_file

    write_file(path, text, force)
