"""Read YAML keeping the line of every key, so each problem can name file:line and field."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from costplan.errors import CostplanError, Problem

Path_ = tuple  # a path into the document: ("workload", "memory_mb")
_STR = "tag:yaml.org,2002:str"


_LOADER = None


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


def parse(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text; returns (data, {path: 1-based line}). Duplicate keys are errors."""
    import yaml

    try:
        node = yaml.compose(text, Loader=_loader())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise CostplanError(Problem(f"not valid YAML: {what}", file=file, line=line)) from None
    lines: dict[Path_, int] = {}
    problems: list[Problem] = []
    if node is None:
        return None, lines
    loader = yaml.SafeLoader("")

    def build(n, path: Path_):
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            out: dict = {}
            for k, v in n.value:
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
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(v, path + (i,)) for i, v in enumerate(n.value)]
        if n.tag == _STR:  # most scalars: what SafeConstructor.construct_yaml_str returns, without its calls
            return n.value
        try:
            return loader.construct_object(n, deep=True)
        except yaml.YAMLError as e:
            problems.append(Problem(f"bad value: {getattr(e, 'problem', e)}", file=file,
                                    line=n.start_mark.line + 1))
            return None

    data = build(node, ())
    if problems:
        raise CostplanError(problems)
    return data, lines


def read(path: str | Path) -> tuple[Any, dict[Path_, int], str]:
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise CostplanError(Problem("no such file", file=shown))
    if p.is_dir():
        raise CostplanError(Problem("is a directory, expected a scenario file", file=shown))
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CostplanError(Problem(f"cannot read: {e.__class__.__name__}", file=shown)) from None
    data, lines = parse(text, shown)
    return data, lines, shown


def line_for(lines: dict[Path_, int], loc: tuple) -> int | None:
    """The line of the deepest known prefix of loc."""
    for i in range(len(loc), -1, -1):
        if tuple(loc[:i]) in lines:
            return lines[tuple(loc[:i])]
    return None
