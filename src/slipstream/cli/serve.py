"""`slipstream serve MODEL_URI --port 8080 [--host 127.0.0.1] [--workers N] ...`: the inference
server for one model URI (an alias is followed: move it and the server swaps versions)."""

from __future__ import annotations

import functools
import os
from typing import Annotated

import typer

from slipstream.cli.main import State, console

_ENV = {"home": "SLIPSTREAM_HOME", "store_url": "SLIPSTREAM_STORE_URL",
        "artifact_uri": "SLIPSTREAM_ARTIFACT_URI"}


def register(app: typer.Typer) -> None:
    app.command(help="Serve a model over HTTP: Open Inference Protocol v2, KServe v1 and "
                     "MLflow's /invocations.")(serve)


def serve(
    model_uri: Annotated[str, typer.Argument(help="runs:/ID/model, models:/NAME/VERSION, "
                                                  "models:/NAME@ALIAS, models:/m-ID or a "
                                                  "model folder.")],
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by "
                                           "default).")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="Worker processes behind the port.")] = 1,
    max_batch_size: Annotated[int, typer.Option(help="Most requests merged into one "
                                                     "predict call.")] = 32,
    max_wait_ms: Annotated[float, typer.Option(help="Longest a request lingers for its "
                                                    "batch while others arrive.")] = 2.0,
    max_queue: Annotated[int, typer.Option(help="Waiting requests beyond which new ones get "
                                                "503.")] = 1024,
    poll_interval: Annotated[float, typer.Option(help="Seconds between alias "
                                                      "re-resolutions (0: never).")] = 1.0,
    name: Annotated[str | None, typer.Option(help="The model name in v2/v1 routes (default: "
                                                  "the registered model's name, else the "
                                                  "model folder's).")] = None,
    log_level: Annotated[str, typer.Option(help="The server's log level.")] = "warning",
) -> None:
    from slipstream.models.uris import resolve_model_uri
    from slipstream.serving.config import ServingConfig
    from slipstream.serving.run import serve as run_server
    from slipstream.serving.targets import StaticTargets

    for key, env in _ENV.items():  # global --home/--store/--artifacts reach every worker
        if State.overrides.get(key):
            os.environ[env] = str(State.overrides[key])
    config = ServingConfig(max_batch_size=max_batch_size, max_wait_ms=max_wait_ms,
                           max_queue=max_queue, poll_interval=poll_interval)
    resolved = resolve_model_uri(model_uri)  # a bad URI fails here, before binding
    served_name = name or default_name(model_uri, resolved.name, resolved.model_id)

    def ready(url: str) -> None:
        console.print(f"Serving {served_name} ({model_uri}) on {url}", highlight=False,
                      markup=False)

    run_server(functools.partial(StaticTargets, model_uri), name=served_name, host=host,
               port=port, workers=workers, config=config, on_ready=ready, log_level=log_level,
               known={model_uri: resolved})


def default_name(model_uri: str, registered: str | None, model_id: str | None = None) -> str:
    """The registered model's name, else the logged model's name for models:/m-<id> (what
    log_model was given, "model" by default), else the last segment of the URI's path ("model"
    for runs:/ID/model)."""
    if registered:
        return registered
    if model_id and model_uri.rstrip("/").endswith(model_id):
        from slipstream.tracking.fluent import default_tracking_client

        store = default_tracking_client().store
        getter = getattr(store, "get_logged_model", None)
        if getter is not None:
            return str(getter(model_id).name)
    tail = model_uri.rstrip("/").rsplit("/", 1)[-1]
    return tail.split("@", 1)[0] or "model"
