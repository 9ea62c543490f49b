"""The `costplan` command: a thin typer app, one module per command group."""
from __future__ import annotations

import os
import sys
from typing import Annotated

# costplan uses no pydantic plugins; without this, building the first model scans the entry points of
# every installed distribution (tens of ms in a venv with test tools). A user's explicit setting wins.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def _skip_plugin_loader() -> None:
    """With plugins disabled, pydantic's loader still imports importlib.metadata (and email, zipfile,
    csv behind it: ~23 ms) at the first model build, only to return no plugins. Stand in for that
    module with one that returns none, as the real one does under this setting. Only when plugins
    are disabled for all, and only if pydantic has not loaded its own; tests/test_cli_startup.py
    checks that the stand-in offers every name pydantic imports from the real module."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in ("__all__", "1", "true"):
        return
    if "pydantic.plugin._loader" in sys.modules:
        return
    import types

    stub = types.ModuleType("pydantic.plugin._loader", "costplan: pydantic plugins disabled")
    stub.PYDANTIC_ENTRY_POINT_GROUP = "pydantic"
    stub.get_plugins = lambda: ()
    sys.modules["pydantic.plugin._loader"] = stub


_skip_plugin_loader()

import typer

from costplan import __version__

def _typer() -> typer.Typer:
    t = typer.Typer(
        name="costplan",
        help="Cost and capacity planning for AWS architectures that choose between Lambda and ECS.",
        context_settings={"help_option_names": ["-h", "--help"]},
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    t.callback()(root)
    return t


def _version(value: bool):
    if value:
        typer.echo(f"costplan {__version__}")
        raise typer.Exit()


def root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Show the version and exit.")] = False):
    """Price a scenario on Lambda, ECS Fargate and ECS on EC2; check it against quotas; emit templates."""


def _register(app: typer.Typer) -> None:
    from costplan.cli import (aws_cmd, compare, completion, limits, price, pricing, regions_cmd, report_cmd,
                              scenario_cmd, template)

    app.command("compare")(compare.compare)
    app.command("completion")(completion.completion)
    app.command("price")(price.price)
    app.add_typer(scenario_cmd.app, name="scenario")
    app.add_typer(pricing.app, name="pricing")
    for mod in (limits, template, aws_cmd, report_cmd, regions_cmd):
        mod.register(app)


_APP: typer.Typer | None = None


def full_app() -> typer.Typer:
    """Every command, registered on first use (`costplan compare` runs without them: see _app_for)."""
    global _APP
    if _APP is None:
        _APP = _typer()
        _register(_APP)
    return _APP


def __getattr__(name: str):
    if name == "app":
        return full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _app_for(argv: list[str]) -> typer.Typer:
    """The app to run: for `costplan compare ...` one with only that command (typer builds the click
    parameters of every registered command before it runs one: ~20 ms of the start-up budget), else all."""
    if len(argv) > 1 and argv[1] == "compare":
        from costplan.cli import compare

        slim = _typer()
        slim.command("compare")(compare.compare)
        # a group with one command still needs its name: typer would otherwise run it bare
        slim.command("_", hidden=True)(lambda: None)
        return slim
    return full_app()


def main() -> None:
    """Console entry point: the last line of defence against tracebacks. Usage errors exit 2, Ctrl-C
    130 with one line, a closed stdout pipe quietly; anything else is a bug (exit 3, please report)."""
    from costplan.cli import streams

    # typer may bundle its own click: take the exception classes from typer itself
    click_exception = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    streams.prepare()
    if "_COSTPLAN_COMPLETE" in os.environ:  # the shell asks for completions (see `costplan completion`)
        from typer._completion_classes import completion_init

        completion_init()
    try:
        code = _app_for(sys.argv)(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        streams.interrupted()
    except click_exception as e:
        e.show()
        code = e.exit_code
    except BrokenPipeError:
        streams.stdout_closed()
        code = 0
    except Exception as e:  # a bug, not bad input
        if os.environ.get("COSTPLAN_DEBUG"):
            raise
        book = sys.modules.get("costplan.pricing.book")
        users = getattr(book, "USER_FILES", None)
        if users:  # most likely a hand-edited price file the shape checks let through: bad input, name it
            print(f"error: {', '.join(users)}: a user price file could not be used ({type(e).__name__}: {e}); "
                  "compare it with the bundled file (costplan pricing show), or remove it", file=sys.stderr)
            code = 2
        else:
            print(f"costplan: internal error: {type(e).__name__}: {e} (a bug: please report it; set "
                  "COSTPLAN_DEBUG=1 for the traceback)", file=sys.stderr)
            code = 3
    if code == 130:  # typer's answer to a KeyboardInterrupt in its parsing or in a command: silent otherwise
        streams.interrupted()
    streams.finish()
    sys.exit(code if isinstance(code, int) else 0)
