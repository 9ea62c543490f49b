"""User text that goes into templates and file names: a scenario's name may hold `${uuid()}`, quotes,
`%{`, newlines, `../` or a leading `/`. Text written into Terraform, CloudFormation (plain or !Sub) and
state-machine JSON keeps only characters none of them interpret; a folder name is a plain slug."""
from __future__ import annotations

import re

_TEXT_OK = re.compile(r"[^A-Za-z0-9 _.,:()/+@=-]")


def text(value: str, limit: int = 200) -> str:
    """Human text for descriptions and comments: no interpolation ($ { } %), quotes, backslashes or
    control characters survive; `vote-${uuid()}` → `vote--uuid()-`."""
    return _TEXT_OK.sub("-", str(value))[:limit]


def slug(value: str, fallback: str = "scenario") -> str:
    """A file or folder name that stays in the current folder: lower-case letters, digits and single
    dashes; `../../x` → `x`, `/etc/cron.d` → `etc-cron-d`."""
    s = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    return s[:64].rstrip("-") or fallback
