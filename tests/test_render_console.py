"""The console compare writes to: rich on a terminal, plain text (markup stripped, nothing wrapped)
when piped, and rich tables still rendered either way."""
from __future__ import annotations

import io

from rich.table import Table

from costplan.report.render import PlainConsole, console


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_is_plain_and_unwrapped():
    buf = io.StringIO()
    con = console(buf)
    assert isinstance(con, PlainConsole)
    long = "x" * 300
    con.print(f"[bold]Heading[/bold] {long}")
    con.out("[not markup] stays", end="")
    assert buf.getvalue() == f"Heading {long}\n[not markup] stays"


def test_terminal_gets_rich_styling(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    buf = Tty()
    con = console(buf)
    assert not isinstance(con, PlainConsole)
    con.print("[bold]Heading[/bold]")
    assert "\x1b[1m" in buf.getvalue() and "Heading" in buf.getvalue()


def test_force_color_keeps_rich_on_a_pipe(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not isinstance(console(io.StringIO()), PlainConsole)


def test_rich_renderables_still_render_when_piped():
    buf = io.StringIO()
    t = Table("Service", "Monthly")
    t.add_row("lambda", "$2.73")
    console(buf).print(t)
    out = buf.getvalue()
    assert "Service" in out and "$2.73" in out and "lambda" in out
