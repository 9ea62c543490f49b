"""`costplan completion SHELL`: the shell completion script (commands, options, files)."""
from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from costplan.cli.common import emit, guarded


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"


@guarded
def completion(shell: Annotated[Shell, typer.Argument(help="bash, zsh, fish or powershell.",
                                                      case_sensitive=False)]):
    """Print the shell completion script for commands, options and files.

    Example: costplan completion bash > ~/.local/share/bash-completion/completions/costplan
    Example: costplan completion zsh > "${fpath[1]}/_costplan"
    """
    from typer import _completion_classes as classes

    from costplan.cli.app import app as typer_app

    cls = {"bash": classes.BashComplete, "zsh": classes.ZshComplete, "fish": classes.FishComplete,
           "powershell": classes.PowerShellComplete}[shell.value]
    cmd = typer.main.get_command(typer_app)
    emit(cls(cmd, {}, "costplan", "_COSTPLAN_COMPLETE").source().rstrip("\n") + "\n")

