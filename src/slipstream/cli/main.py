"""`slipstream`: run workflows, inspect and recover executions.

User errors print one line and exit 1; tracebacks are only for Slipstream's own bugs.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from slipstream._core.errors import ExecutionFailedError, UserError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Slipstream: typed ML workflows, local-first.")


def _console(stderr: bool = False) -> Console:
    """Rich wraps at the terminal's width; in logs and pipes (width 80 otherwise) every message
    and table row stays on one line."""
    made = Console(stderr=stderr, soft_wrap=True)
    if not made.is_terminal:
        made.width = 1000
    return made


console = _console()
err_console = _console(stderr=True)


class State:
    """Settings overrides from the global options."""

    overrides: dict[str, Any] = {}


@app.callback()
def main_options(
    home: Annotated[str | None, typer.Option(help="Folder for the embedded defaults "
                                             "(SLIPSTREAM_HOME).")] = None,
    store: Annotated[str | None, typer.Option(help="Metadata store URL: sqlite:///… or "
                                              "postgresql://… (SLIPSTREAM_STORE_URL).")] = None,
    artifacts: Annotated[str | None, typer.Option(help="Artifact store root: a folder or "
                                                  "s3://… (SLIPSTREAM_ARTIFACT_URI).")] = None,
) -> None:
    State.overrides = {"home": home, "store_url": store, "artifact_uri": artifacts}


def client() -> Any:
    from slipstream._core.settings import Settings
    from slipstream.execution.api import Client

    return Client(Settings.load(**State.overrides))


# command -> the module that registers it; modules are imported only for the command given
# (deploy alone costs ~75 ms of imports, paid by `slipstream serve`'s start otherwise)
COMMAND_MODULES = {"run": "run", "recover": "run", "executions": "executions",
                   "models": "models", "server": "server", "serve": "serve", "deploy": "deploy",
                   "tune": "tune", "ui": "ui", "launch-plans": "schedules",
                   "scheduler": "schedules", "monitor": "monitor", "db": "db"}
_GLOBAL_OPTIONS_WITH_VALUES = ("--home", "--store", "--artifacts")


def _register(argv: list[str] | None = None) -> None:
    """Register the command named in `argv` (after the global options); every command when
    none is named or it is unknown (help, "did you mean")."""
    import importlib

    wanted = _command_in(sys.argv[1:] if argv is None else argv)
    module = COMMAND_MODULES.get(wanted or "")
    names = [module] if module else list(dict.fromkeys(COMMAND_MODULES.values()))
    for name in names:
        importlib.import_module(f"slipstream.cli.{name}").register(app)


def _command_in(args: list[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _GLOBAL_OPTIONS_WITH_VALUES:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    """Entry point of the `slipstream` command."""
    _register()
    try:
        code = app(standalone_mode=False)
    except ExecutionFailedError as exc:
        err_console.print(str(exc), highlight=False, markup=False, style="red")
        sys.exit(1)
    except UserError as exc:
        err_console.print(f"error: {exc}", highlight=False, markup=False, style="red")
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted", style="red")
        sys.exit(130)
    except Exception as exc:  # click's own usage errors (typer >= 0.2x raises its vendored click's)
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            sys.exit(exit_code)
        if isinstance(exc, typer.Abort):
            sys.exit(1)
        raise
    # Without standalone mode, typer returns the code of an Exit (Ctrl-C becomes Exit(130))
    if code == 130:
        err_console.print("interrupted", style="red")
    if isinstance(code, int) and code:
        sys.exit(code)
