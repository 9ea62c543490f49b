"""Hidden characters: a control character (ESC drives the terminal, NUL breaks XML), a direction override
(Trojan Source: a name shown in another order than the file holds), a zero-width mark or a line break in
a one-line name. A scenario holding one is refused where it is written, by every command, in one line;
a file *name* holding one (or a byte that is not UTF-8) is shown escaped, and every output stays valid."""
from __future__ import annotations

import json
import xml.dom.minidom

import pytest

from conftest import SCENARIOS

BODY = "pattern: sync_api\nworkload:\n  monthly_requests: 3M\n  duration_ms: 100ms\n"


@pytest.mark.parametrize("line,expected", [
    ('name: "vote\\e[2J"', "2: name: contains U+001B (a control character), which is invisible or moves text"),
    ('name: "a\\0b"', "2: name: contains U+0000 (a control character)"),
    ('name: "admin\\u202Etxt.exe"', "2: name: contains U+202E (right-to-left override)"),
    ('name: "\u2066vote\u2069"', "2: name: contains U+2066 (left-to-right isolate)"),
    ('name: "vo\u200bte"', "2: name: contains U+200B (zero width space)"),
    ('name: "a\\x85b"', "2: name: contains U+0085 (a control character)"),
    ('name: "line\\nbreak"', "2: name: must be one line of text (no line breaks or tabs)"),
    ('name: "tab\\there"', "2: name: must be one line of text (no line breaks or tabs)"),
    ('name: x\naccount: "prod\\r"', "3: account: contains U+000D (a control character)"),
    ('name: x\naccount: "prod\\ta"', "3: account: must be one line of text (no line breaks or tabs)"),
    ('name: x\ndescription: "ok\\u2028"', "3: description: contains U+2028 (line separator)"),
    ('name: x\n"dura\\u202Etion_ms": 1', "3: dura\\u202etion_ms: contains U+202E (right-to-left override)"),
])
@pytest.mark.parametrize("command", [("scenario", "validate"), ("compare",), ("limits-check",), ("report",),
                                     ("template",)])
def test_a_hidden_character_is_refused_in_one_line_by_every_command(cli, tmp_path, line, expected, command):
    f = tmp_path / "s.yaml"
    f.write_text(f"version: 1\n{line}\n{BODY}", encoding="utf-8")
    args = [*command, str(f)] + (["--out", str(tmp_path / "t")] if command == ("template",) else [])
    code, _, err = cli(*args)
    assert code == 2 and err.startswith(f"error: {f}:{expected}"), err
    assert len(err.strip().splitlines()) == 1 and "\x1b" not in err and "\u202e" not in err


def test_a_multi_line_description_is_still_text(cli, tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("version: 1\nname: x\ndescription: |\n  first line\n  second\tline\n" + BODY, encoding="utf-8")
    assert cli("scenario", "validate", str(f))[0] == 0


def test_a_key_or_path_given_back_in_an_error_is_escaped_to_one_line(cli, tmp_path):
    odd = tmp_path / "a\nb\x1b[31m.yaml"
    code, _, err = cli("compare", str(odd))
    assert (code, err) == (2, f"error: {tmp_path}/a\\nb\\x1b[31m.yaml: no such file\n")


@pytest.fixture
def odd_names(tmp_path):
    """A folder of good scenarios whose file names hold ESC, a non-UTF-8 byte and a direction override."""
    import os

    d = tmp_path / "odd"
    d.mkdir()
    text = (SCENARIOS / "stock_explorer_websocket.yaml").read_bytes()  # has failing limits: every format says it
    for i, raw in enumerate((b"a\x1b[31m.yaml", b"b\xff.yaml", "c\u202eyaml.exe.yaml".encode())):
        with open(os.path.join(os.fsencode(d), raw), "wb") as f:  # each its own name: one run, distinct names
            f.write(text.replace(b"name: stock-explorer-websocket", b"name: stock-explorer-%d" % i))
    return d


@pytest.mark.parametrize("args,check", [
    (["compare", "-f", "json"], "json"), (["compare"], None), (["compare", "-f", "markdown"], None),
    (["limits-check"], None), (["limits-check", "-f", "json"], "json"), (["limits-check", "-f", "sarif"], "sarif"),
    (["limits-check", "-f", "junit"], "xml"), (["limits-check", "-f", "github"], "uri"),
    (["limits-check", "-f", "markdown"], None), (["report"], None),
])
def test_odd_file_names_are_shown_escaped_and_every_output_stays_valid(cli, odd_names, args, check):
    code, out, err = cli(args[0], str(odd_names), *args[1:])
    assert code in (0, 1), err
    shown = out.replace("\\\\", "\\") if check == "json" else out  # JSON doubles the escapes' backslash
    if "odd/" in out and check not in ("sarif", "uri"):  # formats that name the file name it escaped (not as a URI)
        assert "a\\x1b[31m.yaml" in shown and "b\\udcff.yaml" in shown and "c\\u202eyaml.exe.yaml" in shown
    assert "\x1b" not in out and "\u202e" not in out
    if check in ("json", "sarif"):
        json.loads(out)
    elif check == "xml":
        xml.dom.minidom.parseString(out.encode())


HOSTILE_NAME = 'a|b <img src=x onerror=alert(1)> `c` [l](javascript:x) **B** _i_ &amp; ~~s~~'


@pytest.mark.parametrize("args", [["compare", "{f}", "-f", "markdown"], ["limits-check", "{f}", "-f", "markdown"],
                                  ["report", "{f}"], ["diff", "{f}", "{g}", "-f", "markdown"],
                                  ["sensitivity", "{f}", "--vary", "monthly_requests=1x..2x", "-f", "markdown"]])
def test_a_name_is_literal_text_in_every_markdown_output(cli, tmp_path, args):
    """A scenario's name in a heading was raw Markdown: in a report or a PR comment it could add an image, a
    link, emphasis or an HTML tag. Rendered as CommonMark, the heading shows exactly the name, and nothing else."""
    import html

    import yaml
    from markdown_it import MarkdownIt

    d = yaml.safe_load((SCENARIOS / "global_vote.yaml").read_text())
    d["name"] = HOSTILE_NAME
    f, g = tmp_path / "f.yaml", tmp_path / "g.yaml"
    f.write_text(yaml.safe_dump(d))
    d["workload"]["monthly_requests"] = "60M"
    g.write_text(yaml.safe_dump(d))
    code, out, err = cli(*[a.format(f=f, g=g) for a in args])
    assert code in (0, 1), err
    tokens = MarkdownIt("commonmark").parse(out)
    headings = [t for prev, t in zip(tokens, tokens[1:]) if prev.type == "heading_open" and "onerror" in t.content]
    assert headings
    from costplan.report.render import md_text

    for line in out.splitlines():  # in a table (GitHub's), the name is escaped like any text
        if line.startswith("| `name` |"):
            assert line.split(" | ")[1] == md_text(HOSTILE_NAME)
    for h in headings:
        rendered = MarkdownIt("commonmark").renderInline(h.content)
        assert "<img" not in rendered and "<a " not in rendered and "<strong>" not in rendered
        assert "<code>" not in rendered and "<em>" not in rendered
        assert html.escape(HOSTILE_NAME, quote=False) in rendered  # shown as written


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+1+cmd", "-2+3", "@SUM(A1)"])
@pytest.mark.parametrize("command", [["compare"], ["limits-check"]])
def test_a_name_that_starts_like_a_formula_is_not_one_in_csv(cli, tmp_path, name, command):
    """A CSV opened in a spreadsheet runs a cell that starts with = + - @ (CSV injection): such text gets a
    leading apostrophe; numbers (negative ones too) stay numbers."""
    import csv
    import io

    import yaml

    d = yaml.safe_load((SCENARIOS / "global_vote.yaml").read_text())
    d["name"] = name
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(d))
    code, out, err = cli(*command, str(f), "-f", "csv")
    assert code in (0, 1), err
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert "'" + name in cells and name not in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert all(float(c) < 0 for c in cells if c.startswith("-"))  # only numbers start with '-'


def test_negative_numbers_stay_numbers_in_csv():
    from decimal import Decimal

    from costplan.report.render import csv_text

    assert csv_text(["a", "b", "c"], [[Decimal("-1.5"), "-2", "-x"]]) == "a,b,c\n-1.5,-2,'-x\n"


def test_any_name_is_one_line_of_refusal_or_valid_output_in_every_machine_format(tmp_path_factory):
    """Hypothesis writes names of any Unicode text (controls, direction marks, quotes, markup): each is refused
    in one line per problem, or flows through JSON, SARIF and JUnit outputs that parse and carry it exactly."""
    import json
    import xml.dom.minidom

    import yaml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from typer.testing import CliRunner

    from costplan.cli.app import app
    from costplan.errors import HIDDEN

    base = yaml.safe_load((SCENARIOS / "periodic_light_api.yaml").read_text())

    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(name=st.text(min_size=1, max_size=30))
    def check(name):
        f = tmp_path_factory.mktemp("n") / "s.yaml"
        f.write_text(yaml.safe_dump({**base, "name": name}, allow_unicode=True), encoding="utf-8")
        for args, parse in ((["compare", "-f", "json"], json.loads), (["limits-check", "-f", "sarif"], json.loads),
                            (["limits-check", "-f", "junit"], lambda t: xml.dom.minidom.parseString(t.encode()))):
            r = CliRunner().invoke(app, [args[0], str(f), *args[1:]], env={"NO_COLOR": "1"})
            assert r.exception is None or isinstance(r.exception, SystemExit), (name, r.exception)
            if r.exit_code == 2:
                assert r.stdout == "" and r.stderr.startswith(f"error: {f}:")
                assert not HIDDEN.search(r.stderr.replace("\n", "")), repr(r.stderr)
                continue
            assert r.exit_code in (0, 1), (name, r.stderr)
            doc = parse(r.stdout)
            if args[0] == "compare":
                assert doc[0]["scenario"] == name if isinstance(doc, list) else doc["scenario"] == name

    check()
