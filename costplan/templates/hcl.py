"""A small HCL writer for Terraform: attributes aligned like `terraform fmt`, nested blocks after
attributes, a `#` comment line above each value the plan set. Top-level blocks sorted by address."""
from __future__ import annotations

import json
from typing import Any

from costplan.templates.model import Blocks, C, Call, Expr, TfBlock, literal


def _string(s: str) -> str:
    # Keep ${...} interpolation; escape what HCL would otherwise read (quotes, backslashes, %{).
    body = json.dumps(s, ensure_ascii=False)[1:-1].replace("%{", "%%{")
    return f'"{body}"'


def value(v: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(v, C):
        v = v.value
    if isinstance(v, Expr):
        return v.text
    if isinstance(v, Call):
        return f"{v.fn}({value(v.arg, indent)})"
    lit = literal(v)
    if lit is not None:
        return lit
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list):
        if not v:
            return "[]"
        items = [value(x, indent + 1) for x in v]
        if all("\n" not in i for i in items) and sum(len(i) for i in items) < 80:
            return "[" + ", ".join(items) + "]"
        return "[\n" + "".join(f"{pad}  {i},\n" for i in items) + f"{pad}]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        lines = _attrs(v, indent + 1)
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    raise TypeError(f"cannot write {v!r} as HCL")


def _key(k: str) -> str:
    return k if k.replace("_", "a").replace("-", "a").isalnum() and not k[0].isdigit() else _string(k)


def _attrs(body: dict, indent: int) -> list[str]:
    """Attributes (aligned in runs of one-line values, like terraform fmt), then nested blocks."""
    pad = "  " * indent
    out: list[str] = []
    attrs = [(k, v) for k, v in body.items() if not isinstance(v, Blocks)]
    blocks = [(k, v) for k, v in body.items() if isinstance(v, Blocks)]
    rendered = [(k, value(v, indent), v.comment if isinstance(v, C) else None) for k, v in attrs]
    # alignment runs, as terraform fmt makes them: consecutive single-line attributes, broken by a
    # multi-line value or a comment line
    i = 0
    while i < len(rendered):
        j = i
        while j < len(rendered) and (j == i or not rendered[j][2]):
            if "\n" in rendered[j][1]:
                if rendered[j][1].startswith("<<"):  # a heredoc joins the run and ends it
                    j += 1
                break
            j += 1
        run = rendered[i:j] if j > i else rendered[i:i + 1]
        width = max(len(_key(k)) for k, _, _ in run)
        for k, text, comment in run:
            if comment:
                out.append(f"{pad}# {comment}")
            out.append(f"{pad}{_key(k).ljust(width)} = {text}")
        i = j if j > i else i + 1
    for k, b in blocks:
        for body_ in b.bodies:
            if out:
                out.append("")
            out.append(f"{pad}{k} {{")
            out.extend(_attrs(body_, indent + 1))
            out.append(f"{pad}}}")
    return out


def block(b: TfBlock) -> str:
    labels = "".join(" " + _string(x) for x in b.labels)
    head = f"{b.kind}{labels} {{"
    lines = ([f"# {c}" for c in b.comment.splitlines()] if b.comment else []) + [head]
    lines += _attrs(b.body, 1)
    lines.append("}")
    return "\n".join(lines) + "\n"


def dumps(blocks: list[TfBlock], header: str = "", sort: bool = True) -> str:
    if sort:
        blocks = sorted(blocks, key=lambda b: b.labels)
    parts = ["".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())] if header else []
    parts += [block(b) for b in blocks]
    return "\n".join(p for p in parts if p)
