"""CloudFormation YAML writer: plain CloudFormation, short-form intrinsic tags, a comment beside each
value that the plan set. Deterministic: mappings keep the order they were built in."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from costplan.templates.model import C, GetAtt, Ref, Sub, literal

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_.:/-]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def scalar(v: Any) -> str:
    lit = literal(v)
    if lit is not None:
        return lit
    s = str(v)
    if _PLAIN.match(s) and s.lower() not in _RESERVED and not s.endswith(":"):
        return s
    return json.dumps(s, ensure_ascii=False)


def _tag(v) -> str | None:
    if isinstance(v, Ref):
        return f"!Ref {v.name}"
    if isinstance(v, GetAtt):
        return f"!GetAtt {v.resource}.{v.attr}"
    if isinstance(v, Sub) and "\n" not in v.text:
        return f"!Sub {json.dumps(v.text, ensure_ascii=False)}"
    return None


def _inline(v) -> str | None:
    """The one-line form of v, or None when it needs a block."""
    t = _tag(v)
    if t is not None:
        return t
    if isinstance(v, dict):
        return "{}" if not v else None
    if isinstance(v, list):
        return "[]" if not v else None
    if isinstance(v, Sub):
        return None
    if isinstance(v, str) and "\n" in v:
        return None
    return scalar(v)


def _comment(c: str | None) -> str:
    return f"  # {c}" if c else ""


def _emit(v: Any, indent: int, out: list[str]) -> None:
    """Emit a block value (mapping or sequence) at indent."""
    pad = "  " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            comment = None
            if isinstance(x, C):
                x, comment = x.value, x.comment
            key = scalar(k)
            one = _inline(x)
            if one is not None:
                out.append(f"{pad}{key}: {one}{_comment(comment)}")
            elif isinstance(x, (str, Sub)):
                text = x.text if isinstance(x, Sub) else x
                tag = "!Sub " if isinstance(x, Sub) else ""
                out.append(f"{pad}{key}: {tag}|{'-' if not text.endswith(chr(10)) else ''}{_comment(comment)}")
                for line in text.rstrip("\n").split("\n"):
                    out.append(f"{pad}  {line}" if line else "")
            else:
                out.append(f"{pad}{key}:{_comment(comment)}")
                _emit(x, indent + 1, out)
    elif isinstance(v, list):
        for x in v:
            comment = None
            if isinstance(x, C):
                x, comment = x.value, x.comment
            one = _inline(x)
            if one is not None:
                out.append(f"{pad}- {one}{_comment(comment)}")
            elif isinstance(x, dict):
                sub: list[str] = []
                _emit(x, indent + 1, sub)
                first = sub[0][len(pad) + 2:]
                out.append(f"{pad}- {first}{_comment(comment) if not first.rstrip().endswith(':') else ''}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}-{_comment(comment)}")
                _emit(x, indent + 1, out)
    else:
        raise TypeError(f"not a block value: {v!r}")


def dumps(template: dict, header: str = "") -> str:
    out: list[str] = [f"# {line}" if line else "#" for line in header.splitlines()]
    top = list(template.items())
    for i, (k, v) in enumerate(top):
        if i and isinstance(v, dict):
            out.append("")
        _emit({k: v}, 0, out)
    return "\n".join(out) + "\n"


def to_json_ready(v: Any) -> Any:
    """Long-form (Fn::) dict for tools that take JSON: moto, rules on a parsed template."""
    if isinstance(v, C):
        return to_json_ready(v.value)
    if isinstance(v, Ref):
        return {"Ref": v.name}
    if isinstance(v, GetAtt):
        return {"Fn::GetAtt": [v.resource, v.attr]}
    if isinstance(v, Sub):
        return {"Fn::Sub": v.text}
    if isinstance(v, dict):
        return {k: to_json_ready(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json_ready(x) for x in v]
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v
