"""Handler files written beside a template (src/<function>/handler.py): working code for the roles whose
behaviour the pattern defines (the vote consumer, the FIFO processor and ledger writer, the resizer, the
upload URL, /start and /status, the WebSocket routes and fan-out, the MQTT publisher), and for every
other role a placeholder that raises NotImplementedError, so nothing acknowledges work it did not do.

The handlers are data (`<role>.py.tmpl` beside this file), not code of costplan's: they run in the
user's Lambda functions, so they may import boto3 without costplan ever doing so."""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent

# Third-party packages a handler needs beyond the Lambda runtime (boto3 is in it): build.py installs
# them into the function's zip for its architecture.
REQUIREMENTS = {"claim_check": "Pillow>=10\n"}


def has_code(role: str) -> bool:
    return (_HERE / f"{role}.py.tmpl").is_file()


def handler_source(role: str, stage: str, directory: str = "") -> str:
    path = _HERE / f"{role}.py.tmpl"
    if not path.is_file():
        path = _HERE / "default.py.tmpl"
    return (path.read_text(encoding="utf-8").replace("@@STAGE_LITERAL@@", repr(stage))
            .replace("@@STAGE@@", stage).replace("@@ROLE@@", role).replace("@@DIR@@", directory or "<function>"))


def requirements(role: str) -> str | None:
    return REQUIREMENTS.get(role)
