"""`slipstream ui [--port N] [--open]`: the console on loopback over the embedded defaults (or
the global --home/--store/--artifacts), at a free port unless one is given."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from slipstream.cli.main import State, console, err_console

_HOST = "127.0.0.1"


def register(app: typer.Typer) -> None:
    app.command(help="Open the console (web UI) on this machine: executions, workflows, "
                     "runs, models, studies, deployments, monitors.")(ui)


def ui(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: a free one).")] = 0,
    open_browser: Annotated[bool, typer.Option("--open", help="Open it in the default "
                                               "browser.")] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "warning",
) -> None:
    from slipstream._core.errors import InvalidInputError
    from slipstream._core.settings import Settings
    from slipstream.cli.server import _SERVER_EXTRA, _without_password

    try:
        import uvicorn

        from slipstream.server.app import create_app
        from slipstream.server.console import BUNDLE
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _SERVER_EXTRA:
            raise
        raise InvalidInputError(f"`slipstream ui` needs the server extra ({exc.name} is "
                                "missing): pip install 'slipstream[server]'") from None
    if not 0 <= port <= 65535:
        raise InvalidInputError(f"--port {port} is not a port: give 1..65535, or 0 for a free one")
    sock = _listen(port)
    settings = Settings.load(**State.overrides)
    app = create_app(settings)
    url = f"http://{_HOST}:{sock.getsockname()[1]}"
    if not (BUNDLE / "index.html").is_file():
        err_console.print(f"the console is not built ({BUNDLE} has no index.html): run "
                          "`bash scripts/build_ui.sh`; the REST API is served meanwhile",
                          highlight=False, markup=False, emoji=False, style="yellow")
    console.print(f"Slipstream console on {url} (store {_without_password(settings.store_url)}, "
                  f"artifacts {settings.artifact_uri})", highlight=False, markup=False, emoji=False)
    if open_browser:
        import webbrowser

        webbrowser.open(url)  # the socket already listens: the request waits for the server
    try:
        uvicorn.Server(uvicorn.Config(app, log_level=log_level)).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after a clean shutdown
        pass
    finally:
        sock.close()


def _listen(port: int) -> socket.socket:
    """A listening socket on loopback at `port` (0: the system picks a free one)."""
    from slipstream._core.errors import InvalidInputError

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
    try:
        sock.bind((_HOST, port))
    except OSError as exc:
        sock.close()
        raise InvalidInputError(f"cannot listen on {_HOST}:{port} ({exc.strerror}); pass "
                                "another --port, or --port 0 for a free one") from None
    sock.listen(128)
    return sock
