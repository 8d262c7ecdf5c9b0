"""`slipstream server --store URL --artifacts URI --host 127.0.0.1 --port 5000`."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from slipstream.cli.main import State, console

#: What the server extra installs (top-level module names).
_SERVER_EXTRA = frozenset({"fastapi", "uvicorn", "starlette", "h11", "anyio"})


def register(app: typer.Typer) -> None:
    app.command(help="Serve the tracking store over HTTP; MLflow clients can point at it.")(server)


def server(
    store: Annotated[str | None, typer.Option(help="Metadata store URL: sqlite:///… or "
                                              "postgresql://… (SLIPSTREAM_STORE_URL).")] = None,
    artifacts: Annotated[str | None, typer.Option(help="Artifact store root: a folder or "
                                                  "s3://… (SLIPSTREAM_ARTIFACT_URI).")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 5000,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "warning",
    schedules: Annotated[bool, typer.Option("--schedules", help="Also fire due launch plans "
                                            "(a scheduler in a process of its own).")] = False,
) -> None:
    try:
        import uvicorn

        from slipstream.server.app import create_app
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _SERVER_EXTRA:
            raise  # a bug in Slipstream itself, not a missing extra: keep its traceback
        from slipstream._core.errors import InvalidInputError

        raise InvalidInputError(f"`slipstream server` needs the server extra ({exc.name} is "
                                "missing): pip install 'slipstream[server]'") from None
    from slipstream._core.settings import Settings

    settings = Settings.load(**{**State.overrides, **{"store_url": store, "artifact_uri": artifacts}})
    app = create_app(settings)
    # Plain text: no markup, and no :emoji: codes (rich's table of them takes 20+ ms to load).
    console.print(f"Slipstream server on http://{host}:{port} (store "
                  f"{_without_password(settings.store_url)}, artifacts {settings.artifact_uri})",
                  highlight=False, markup=False, emoji=False)
    scheduler = None
    if schedules:
        from slipstream.cli.schedules import start_scheduler_process

        scheduler = start_scheduler_process(settings)
        console.print(f"Scheduler running (pid {scheduler.pid}, log "
                      f"{settings.home}/scheduler.log)", highlight=False, markup=False, emoji=False)
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level)
    finally:
        if scheduler is not None:
            scheduler.terminate()
            scheduler.wait(60)


def _without_password(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", url)
