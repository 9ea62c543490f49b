"""Read YAML keeping the line of every key, so each problem can name file:line and field."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from costplan.errors import HIDDEN, HIDDEN_IN_TEXT, CostplanError, Problem, one_line

Path_ = tuple  # a path into the document: ("workload", "memory_mb")
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"


_LOADER = None

# What a scenario file may be and expand to. A real scenario is a few KB with a few hundred values;
# these bounds stop alias bombs ("billion laughs": nine lines that expand to 3.6 GB) and
# self-referencing aliases before they exhaust memory or the stack. README "Exit codes" states them.
MAX_FILE_BYTES = 1024 * 1024      # 1 MiB of YAML
MAX_NODES = 20_000                # values after aliases are expanded (a real scenario: a few hundred)
MAX_DEPTH = 50                    # nesting of mappings and lists
# Items in one list (pipeline steps, subscribers, tables): each is planned, priced and templated as its own
# part of the design, so 2,000 subscribers (60 KB of YAML) took `scenario validate` 96 s. No real
# design in one scenario comes near this; split a larger one.
MAX_ITEMS = 100


def _loader():
    """PyYAML's C parser where installed, with scalar tag resolution memoised: the safe resolver tries
    its regular expressions on every scalar, and scenario files repeat the same keys and values, so
    across a folder of thousands most scalars have been resolved before (safe: it has no path resolvers)."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        memo: dict = {}
        scalar = yaml.ScalarNode

        class Loader(base):
            def resolve(self, kind, value, implicit):
                if kind is not scalar:
                    return super().resolve(kind, value, implicit)
                key = (value, implicit)
                tag = memo.get(key)
                if tag is None:
                    tag = memo[key] = super().resolve(kind, value, implicit)
                    if len(memo) > 100_000:
                        memo.clear()
                return tag

        _LOADER = Loader
    return _LOADER


class _Stop(Exception):
    pass


_CONSTRUCTOR = None


def _constructor():
    """PyYAML's safe constructor for the few scalars that are not plain strings (numbers, booleans,
    dates): one for the process, its memory of built objects emptied for each file."""
    global _CONSTRUCTOR
    if _CONSTRUCTOR is None:
        from yaml.constructor import SafeConstructor

        _CONSTRUCTOR = SafeConstructor()
    c = _CONSTRUCTOR
    c.constructed_objects, c.recursive_objects, c.state_generators, c.deep_construct = {}, {}, [], False
    return c


def parse(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text; returns (data, {path: 1-based line}). Duplicate keys are errors."""
    import yaml

    if len(text) > MAX_FILE_BYTES:
        raise CostplanError(Problem(f"file is {len(text):,} characters; a scenario may be at most "
                                    f"{MAX_FILE_BYTES:,}", file=file))
    try:
        node = yaml.compose(text, Loader=_loader())
    except RecursionError:
        raise CostplanError(Problem(f"nested more than {MAX_DEPTH} levels deep", file=file)) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise CostplanError(Problem(f"not valid YAML: {what}", file=file, line=line)) from None
    lines: dict[Path_, int] = {}
    problems: list[Problem] = []
    if node is None:
        return None, lines
    # Hidden characters reach a string only as an escape in a double-quoted scalar ("\e", "\u202e") or
    # raw outside ASCII (PyYAML refuses raw controls): with no backslash in the file only strings that
    # are not ASCII (an O(1) flag in CPython) are searched.
    escapes = "\\" in text
    loader = _constructor()
    budget = [MAX_NODES]
    active: set[int] = set()  # nodes being built: an alias back to one of them is a cycle

    def stop(n, message: str):
        problems.append(Problem(message, file=file, line=n.start_mark.line + 1))
        raise _Stop

    path_of = [()]
    scalar = yaml.ScalarNode

    def build(n, path: Path_):
        path_of[0] = path
        budget[0] -= 1
        if budget[0] < 0:
            stop(n, f"expands to more than {MAX_NODES:,} values (nested aliases?); a scenario may hold at most "
                    f"{MAX_NODES:,}")
        if len(path) > MAX_DEPTH:
            stop(n, f"nested more than {MAX_DEPTH} levels deep")
        if id(n) in active:
            stop(n, "an alias refers to itself (a recursive structure)")
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode | yaml.SequenceNode):
            active.add(id(n))
            try:
                return _build(n, path)
            finally:
                active.discard(id(n))
        return _build(n, path)

    def _build(n, path: Path_):
        if isinstance(n, yaml.MappingNode):
            out: dict = {}
            merged: list = []
            for k, v in n.value:
                if k.__class__ is scalar and k.tag == _STR:  # a plain key (nearly all): no build, no "<key>" line
                    budget[0] -= 1
                    if budget[0] < 0:
                        stop(k, f"expands to more than {MAX_NODES:,} values (nested aliases?); a scenario may hold "
                                f"at most {MAX_NODES:,}")
                    key = k.value
                    if (escapes or not key.isascii()) and HIDDEN.search(key):
                        problems.append(_hidden(HIDDEN, key, file, k, path + (key,)))
                elif k.tag == _MERGE:  # `<<: *defaults` (YAML's merge key): the mapping(s) it names, under
                    merged.append((k, v))  # the keys written here (which win)
                    continue
                else:
                    key = build(k, path + ("<key>",))
                if not isinstance(key, str | int | float | bool) or key is None:
                    problems.append(Problem("keys must be plain words", file=file, line=k.start_mark.line + 1))
                    continue
                key = str(key)
                if key in out:
                    problems.append(Problem(f"duplicate key {key!r}", file=file, line=k.start_mark.line + 1,
                                            field=".".join(map(str, path + (key,)))))
                lines[path + (key,)] = k.start_mark.line + 1
                out[key] = build(v, path + (key,))
            for k, v in merged:
                sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
                for src in sources:
                    if not isinstance(src, yaml.MappingNode):
                        problems.append(Problem("<< (a merge key) takes a mapping or a list of mappings, e.g. "
                                                "<<: *defaults", file=file, line=k.start_mark.line + 1,
                                                field=".".join(map(str, path)) or None))
                        continue
                    for key, value in build(src, path).items():
                        if key not in out:  # keys written beside << win, as YAML says; earlier sources first
                            out[key] = value
                            lines.setdefault(path + (key,), k.start_mark.line + 1)
            return out
        if isinstance(n, yaml.SequenceNode):
            if len(n.value) > MAX_ITEMS:
                problems.append(Problem(f"a list of {len(n.value):,} items; a scenario's lists hold at most {MAX_ITEMS} "
                                        "(each item is planned as its own part of the design: split the scenario)",
                                        file=file, line=n.start_mark.line + 1, field=".".join(map(str, path)) or None))
                return []
            return [build(v, path + (i,)) for i, v in enumerate(n.value)]
        if n.tag == _STR:  # most scalars: what SafeConstructor.construct_yaml_str returns, without its calls
            if (escapes or not n.value.isascii()) and HIDDEN_IN_TEXT.search(n.value):
                problems.append(_hidden(HIDDEN_IN_TEXT, n.value, file, n, path))
            return n.value
        if len(n.value) > 100 and n.tag.endswith((":int", ":float")):
            problems.append(Problem(f"a number of {len(n.value):,} characters; costplan reads numbers of at most "
                                    "100", file=file, line=n.start_mark.line + 1,
                                    field=".".join(map(str, path)) or None))
            return None
        v = n.value  # (a plain number starting 1-9 with no ':' is read as written: most are)
        if (":" in v or v[:1] in ("0", "+", "-")) and n.tag.endswith((":int", ":float")) and not n.style:
            odd = _radix(v, n.tag.endswith(":int"))
            if odd:
                problems.append(Problem(odd, file=file, line=n.start_mark.line + 1,
                                        field=".".join(map(str, path)) or None))
                return None
        try:
            return loader.construct_object(n, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as e:
            problems.append(Problem(f"bad value: {getattr(e, 'problem', e)}", file=file,
                                    line=n.start_mark.line + 1, field=".".join(map(str, path)) or None))
            return None

    try:
        data = build(node, ())
    except _Stop:
        raise CostplanError(problems[-1:]) from None
    if problems:
        raise CostplanError(problems)
    return data, lines


def _radix(text: str, integer: bool) -> str | None:
    """YAML 1.1 reads 1:30 as 90 (base 60), 010 as 8 (octal), 0x10 and 0b10 as hex and binary: a
    scenario's 010 tasks or 1:30 duration would silently become another number. Refused, with the
    reading YAML would make and what to write instead."""
    bare = text.lstrip("+-").replace("_", "")
    if ":" in bare:
        return (f"YAML reads {text} as a base-60 number ({_yaml_number(text)}), not a time; write a number with its "
                "unit (e.g. 90s or 1.5min), or quote it")
    if integer and len(bare) > 1 and bare[0] == "0":
        kind = {"x": "a hexadecimal", "b": "a binary"}.get(bare[1], "an octal")
        sign = "-" if text.startswith("-") else ""
        return (f"YAML reads {text} as {kind} number ({_yaml_number(text)}); write it in decimal"
                + (f" ({sign}{bare.lstrip('0') or '0'})" if kind == "an octal" else ""))
    return None


def _yaml_number(text: str):
    import yaml

    return yaml.load(text, Loader=_loader())


def _hidden(pattern, value: str, file: str, node, path: Path_) -> Problem:
    """A string holding a control, direction-override or zero-width character: it would drive the
    terminal, break a one-line name or XML, or show a reviewer other text than the file holds."""
    import unicodedata

    ch = pattern.search(value).group()
    name = unicodedata.name(ch, "a control character")
    return Problem(f"contains U+{ord(ch):04X} ({name.lower()}), which is invisible or moves text; write plain text",
                   file=file, line=node.start_mark.line + 1, field=".".join(map(str, path)) or None)


def read(path: str | Path) -> tuple[Any, dict[Path_, int], str]:
    p = Path(path)
    shown = one_line(str(path))  # the name every output shows: a control character or non-UTF-8 byte escaped
    if not p.exists():
        raise CostplanError(Problem(_missing(p), file=shown))
    if p.is_dir():
        raise CostplanError(Problem("is a directory, expected a scenario file", file=shown))
    if not p.is_file():  # a named pipe or a device would block or never end
        raise CostplanError(Problem("is not a regular file, expected a scenario file", file=shown))
    try:
        with p.open("rb") as f:
            # read(MAX + 1) allocates (and faults in) a 1 MiB buffer per file: ask for what the file holds
            want = min(os.fstat(f.fileno()).st_size, MAX_FILE_BYTES) + 1
            raw = f.read(want)
            if len(raw) == want and want <= MAX_FILE_BYTES:  # it grew since: read on, to the limit
                raw += f.read(MAX_FILE_BYTES + 1 - want)
        if len(raw) > MAX_FILE_BYTES:
            raise CostplanError(Problem(f"file is larger than {MAX_FILE_BYTES:,} bytes, the most a scenario may be",
                                        file=shown))
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CostplanError(Problem(f"not UTF-8 text (byte {e.start + 1})", file=shown)) from None
    except OSError as e:
        raise CostplanError(Problem(f"cannot read: {e.strerror or e.__class__.__name__}", file=shown)) from None
    data, lines = parse(text, shown)
    return data, lines, shown


def _missing(p: Path) -> str:
    """Why a path that does not exist does not: a dangling or looping symbolic link says so."""
    import errno
    import os

    if not os.path.islink(p):
        return "no such file"
    try:
        os.stat(p)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "is a symbolic link loop (it points back at itself), expected a scenario file"
    return f"is a symbolic link to {one_line(os.readlink(p))}, which does not exist"


def line_for(lines: dict[Path_, int], loc: tuple) -> int | None:
    """The line of the deepest known prefix of loc."""
    for i in range(len(loc), -1, -1):
        if tuple(loc[:i]) in lines:
            return lines[tuple(loc[:i])]
    return None
