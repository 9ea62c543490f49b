"""Minimal handler files written beside a template (src/<function>/handler.py): a starting point that
deploys and logs, with the one behaviour each role needs (batch failures, message groups, outputs).

The handlers are data (`<role>.py.tmpl` beside this file), not code of costplan's: they run in the
user's Lambda functions, so they may import boto3 without costplan ever doing so."""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def handler_source(role: str, stage: str) -> str:
    path = _HERE / f"{role}.py.tmpl"
    if not path.is_file():
        path = _HERE / "default.py.tmpl"
    return (path.read_text(encoding="utf-8").replace("@@STAGE_LITERAL@@", repr(stage))
            .replace("@@STAGE@@", stage).replace("@@ROLE@@", role))
