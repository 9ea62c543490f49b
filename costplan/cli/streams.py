"""The process's standard streams: characters the terminal's encoding lacks degrade to ASCII, a closed
stdout pipe (`costplan ... | head -1`) ends output quietly, Ctrl-C is one line and exit 130."""
from __future__ import annotations

import codecs
import os
import sys

# What our output uses beyond ASCII, and what each becomes where the encoding cannot show it.
ASCII = {"×": "x", "÷": "/", "—": "-", "–": "-", "−": "-", "≈": "~", "≤": "<=", "≥": ">=", "→": "->",
         "←": "<-", "…": "...", "•": "*", "·": "*", "‘": "'", "’": "'", "“": '"', "”": '"', "µ": "u",
         "✓": "ok", "✗": "x", "⚠": "!", "│": "|", "─": "-", "█": "#", "▏": "|", "▌": "#", "°": " deg",
         "€": "EUR", "£": "GBP", "\u00a0": " ", "\u202f": " ", "²": "2", "³": "3", "½": "1/2"}


def _degrade(err: UnicodeEncodeError):
    text = err.object[err.start:err.end]
    return "".join(ASCII.get(ch, "?") for ch in text), err.end


codecs.register_error("costplan-ascii", _degrade)

_closed = False


def prepare() -> None:
    """Degrade characters the stream's encoding cannot show instead of failing mid-output."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            "×—≈…".encode(stream.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            try:
                reconfigure(errors="costplan-ascii")
            except (ValueError, OSError):
                pass


def stdout_closed() -> None:
    """The reader went away: drop the rest of our output (and Python's flush at exit) quietly."""
    global _closed
    _closed = True
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def is_closed() -> bool:
    return _closed


_said = False


def say_interrupted() -> None:
    """One "interrupted" line on stderr, however many layers see the Ctrl-C."""
    global _said
    if _said:
        return
    _said = True
    try:
        print("interrupted", file=sys.stderr)
    except Exception:  # noqa: BLE001 — stderr itself may be gone
        pass


def interrupted() -> None:
    say_interrupted()
    finish()
    os._exit(130)  # no traceback, no cleanup handlers that could raise again


def finish() -> None:
    """Flush stdout now, so that a closed pipe is noticed here and not as an 'Exception ignored' at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_closed()
    except (OSError, ValueError):
        pass
