"""Write a template's files into a directory atomically: everything goes to a temporary directory
beside it first, then each file is renamed into place. A directory holding other files is refused
unless forced."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from costplan.errors import CostplanError
from costplan.safewrite import replace_target


def write_tree(out: Path, files: dict[str, str], force: bool = False) -> list[Path]:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CostplanError(f"{out}: exists and is not a directory")
    if out.exists() and any(out.iterdir()) and not force:
        raise CostplanError(f"{out}: directory is not empty; use --force to write into it")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as e:  # name the user's folder, not our temporary one
        raise CostplanError(f"{out}: cannot write here: {e.strerror or e}") from None
    try:
        for rel, text in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        out.mkdir(exist_ok=True)
        for rel in files:  # every target checked before any is replaced: all of the template or none of it
            dest = out / rel
            for folder in reversed(Path(rel).parents[:-1]):  # src, then src/consumer
                if (out / folder).exists() and not (out / folder).is_dir():
                    raise CostplanError(f"{out / folder}: exists and is not a directory")
            if dest.parent.is_dir():
                replace_target(dest)
        written = []
        for rel in files:
            dest = out / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            target, mode = replace_target(dest)  # the safe writer's rules: links written through, pipes
            os.chmod(tmp / rel, mode)            # and devices refused, the umask's mode
            os.replace(tmp / rel, target)
            written.append(dest)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
