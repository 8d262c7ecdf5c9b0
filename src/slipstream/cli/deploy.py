"""`slipstream deploy …`: deployments with canary rollouts, kept in the metadata store, and
`deploy serve`, which runs the inference server on one and follows its changes.

Deployments live in the tracking store's database (beside the registry their URIs name), or
in the store URL when tracking goes to a server.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from slipstream.cli.main import State, console
from slipstream.entities.deployments import Deployment, DeploymentTarget
from slipstream.metadata.deployments import DeploymentStore

deploy_app = typer.Typer(help="Deployments with canary rollouts: create, shift traffic, "
                              "promote, roll back, serve.", no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="Deployment name")]
_ENV = {"home": "SLIPSTREAM_HOME", "store_url": "SLIPSTREAM_STORE_URL",
        "artifact_uri": "SLIPSTREAM_ARTIFACT_URI"}


def register(app: typer.Typer) -> None:
    app.add_typer(deploy_app, name="deploy")


def store_url() -> str:
    """Where deployments are kept: the tracking store when it is SQL, else the store URL."""
    from slipstream._core.settings import Settings

    settings = Settings.load(**State.overrides)
    tracking = settings.tracking_store_url
    return settings.store_url if tracking.startswith(("http://", "https://")) else tracking


@contextmanager
def _store() -> Iterator[DeploymentStore]:
    from slipstream.metadata.factory import open_deployment_store

    store = open_deployment_store(store_url())
    try:
        yield store
    finally:
        store.close()  # type: ignore[attr-defined]


def _user() -> str:
    from slipstream.tracking.system_tags import user_name

    return user_name()


def _when(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def _shares(targets: tuple[DeploymentTarget, ...]) -> str:
    return ", ".join(f"{t.label} {t.model_uri} {t.traffic_percent:g}%" for t in targets) or "-"


def _done(what: str, deployment: Deployment) -> None:
    console.print(f"{what} {deployment.name} (revision {deployment.revision}): "
                  f"{_shares(deployment.targets)}", highlight=False, markup=False)


@deploy_app.command("create")
def create(
    name: Name,
    model: Annotated[str, typer.Option(help="Primary model URI: models:/NAME/N, "
                                       "models:/NAME@ALIAS, models:/m-ID or runs:/ID/PATH")],
    canary: Annotated[str | None, typer.Option(help="Canary model URI")] = None,
    traffic: Annotated[float | None, typer.Option(help="The canary's share of requests, in "
                                                  "percent")] = None,
    description: Annotated[str, typer.Option(help="What the deployment is for")] = "",
) -> None:
    """Record a new deployment: a primary model, optionally a canary taking --traffic percent."""
    from slipstream._core.errors import InvalidInputError
    from slipstream.metadata.deployments import initial_targets

    if (canary is None) != (traffic is None):
        raise InvalidInputError("--canary and --traffic go together: the canary model and its "
                                "share of requests in percent.")
    targets = initial_targets(model, canary, traffic)
    with _store() as store:
        _done("Created", store.create_deployment(name, targets, description=description,
                                                 user_id=_user()))


@deploy_app.command("canary")
def start_canary(
    name: Name,
    model: Annotated[str, typer.Option(help="Canary model URI")],
    traffic: Annotated[float, typer.Option(help="Its share of requests, in percent")],
) -> None:
    """Start a canary beside the primary, taking --traffic percent of requests."""
    with _store() as store:
        _done("Canary started in", store.start_canary(name, model, traffic, user_id=_user()))


@deploy_app.command("list")
def list_deployments() -> None:
    """Every deployment with its targets and revision."""
    with _store() as store:
        found = store.list_deployments()
    table = Table(box=None)
    for column in ("name", "status", "revision", "targets", "updated"):
        table.add_column(column)
    for d in found:
        table.add_row(d.name, d.status, str(d.revision), _shares(d.targets),
                      _when(d.last_updated_timestamp))
    console.print(table if found else "no deployments")


@deploy_app.command("show")
def show(name: Name) -> None:
    """Targets and traffic, revision, per-version requests, errors and latency, and history."""
    with _store() as store:
        d = store.get_deployment(name)
        stats = store.get_version_stats(name)
        events = store.get_deployment_history(name)
    console.print(f"[bold]{d.name}[/]  {d.status}  revision {d.revision}  created "
                  f"{_when(d.creation_timestamp)}" + (f" by {d.created_by}" if d.created_by
                                                      else ""), highlight=False)
    if d.description:
        console.print(d.description, highlight=False, markup=False)
    targets = Table(box=None, title="targets", title_justify="left")
    for column in ("label", "model", "traffic"):
        targets.add_column(column)
    for t in d.targets:
        targets.add_row(t.label, t.model_uri, f"{t.traffic_percent:g}%")
    console.print(targets)
    versions = Table(box=None, title="versions", title_justify="left")
    for column in ("label", "version", "requests", "errors", "error rate", "mean ms",
                   "max ms"):
        versions.add_column(column)
    for s in stats:
        versions.add_row(s.label, s.model_version, str(s.requests), str(s.errors),
                         f"{100 * s.error_rate:.2f}%", f"{s.latency_ms_mean:.2f}",
                         f"{s.latency_ms_max:.2f}")
    console.print(versions if stats else "versions: no requests recorded yet")
    history = Table(box=None, title="history", title_justify="left")
    for column in ("revision", "when", "change", "by", "targets after"):
        history.add_column(column)
    for e in events:
        history.add_row(str(e.revision), _when(e.timestamp), e.kind, e.user_id,
                        _shares(e.after))
    console.print(history)


@deploy_app.command("traffic")
def traffic(
    name: Name,
    canary: Annotated[float, typer.Option(help="The canary's share of requests, in percent "
                                          "(the primary gets the rest)")],
) -> None:
    """Shift traffic between the primary and the canary."""
    with _store() as store:
        _done("Traffic set in", store.set_traffic(name, canary, user_id=_user()))


deploy_app.command("set-traffic", hidden=True)(traffic)


@deploy_app.command("promote")
def promote(name: Name) -> None:
    """Make the canary the primary, at 100% of traffic."""
    with _store() as store:
        _done("Promoted", store.promote(name, user_id=_user()))


@deploy_app.command("rollback")
def rollback(name: Name) -> None:
    """Remove the canary (the primary back at 100%); without one, undo the latest promote."""
    with _store() as store:
        _done("Rolled back", store.rollback(name, user_id=_user()))


@deploy_app.command("delete")
def delete(name: Name) -> None:
    """Delete a deployment with its history, prediction logs and statistics."""
    with _store() as store:
        store.delete_deployment(name)
    console.print(f"Deleted {name}", highlight=False, markup=False)


@deploy_app.command("serve")
def serve(
    name: Name,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by "
                                           "default).")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="Worker processes behind the port.")] = 1,
    sample_rate: Annotated[float, typer.Option(help="Share of requests whose inputs and "
                                                    "outputs are logged into the store "
                                                    "(statistics cover every request).")
                           ] = 0.01,
    poll_interval: Annotated[float, typer.Option(help="Seconds between reads of the "
                                                      "deployment (0: never).")] = 1.0,
    max_batch_size: Annotated[int, typer.Option(help="Most requests merged into one "
                                                     "predict call.")] = 32,
    max_wait_ms: Annotated[float, typer.Option(help="Longest a request lingers for its "
                                                    "batch while others arrive.")] = 2.0,
    max_queue: Annotated[int, typer.Option(help="Waiting requests beyond which new ones get "
                                                "503.")] = 1024,
    log_level: Annotated[str, typer.Option(help="The server's log level.")] = "warning",
) -> None:
    """Serve a deployment: requests split between its targets, following traffic changes,
    promotes and rollbacks within the poll interval; statistics and samples go to the store."""
    import functools
    import os

    from slipstream.serving.config import ServingConfig
    from slipstream.serving.deployments import open_deployment_targets
    from slipstream.serving.run import serve as run_server
    from slipstream.serving.store_sink import open_store_sink

    url = store_url()
    with _store() as store:
        current = store.get_deployment(name)  # an unknown name fails here, before binding
    for key, env in _ENV.items():  # global --home/--store/--artifacts reach every worker
        if State.overrides.get(key):
            os.environ[env] = str(State.overrides[key])
    config = ServingConfig(max_batch_size=max_batch_size, max_wait_ms=max_wait_ms,
                           max_queue=max_queue, poll_interval=poll_interval,
                           sample_rate=sample_rate)

    def ready(address: str) -> None:
        console.print(f"Serving deployment {name} (revision {current.revision}: "
                      f"{_shares(current.targets)}) on {address}", highlight=False,
                      markup=False)

    run_server(functools.partial(open_deployment_targets, url, name), name=name, host=host,
               port=port, workers=workers, config=config,
               sink_factory=functools.partial(open_store_sink, url), on_ready=ready,
               log_level=log_level)


@deploy_app.command("predictions")
def predictions(
    name: Name,
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 20,
    label: Annotated[str | None, typer.Option(help="Only this route (primary, canary)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """The prediction samples the deployment's servers logged."""
    with _store() as store:
        found = store.search_predictions(name, label=label, limit=limit)
    if as_json:
        for r in found:
            console.print(json.dumps({
                "deployment": r.deployment, "label": r.label, "model_version": r.model_version,
                "request_id": r.request_id, "timestamp_ms": r.timestamp_ms,
                "inputs": r.inputs, "outputs": r.outputs, "latency_ms": r.latency_ms,
                "status": r.status}), highlight=False, markup=False)
        return
    table = Table(box=None)
    for column in ("time", "label", "version", "status", "ms", "request", "inputs", "outputs"):
        table.add_column(column)
    for r in found:
        table.add_row(_when(r.timestamp_ms), r.label, r.model_version, str(r.status),
                      f"{r.latency_ms:.2f}", Text(r.request_id), _short(r.inputs),
                      _short(r.outputs))
    console.print(table if found else "no predictions logged")


def _short(value: object, limit: int = 60) -> Text:
    text = json.dumps(value, default=str)
    return Text(text if len(text) <= limit else text[:limit - 3] + "...")
