"""`slipstream executions list`, `slipstream executions show ID` and
`slipstream executions logs ID NODE`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer
from rich.table import Table

from slipstream._core.settings import Settings
from slipstream.cli.main import client, console
from slipstream.entities import Status

executions_app = typer.Typer(help="List and inspect executions.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(executions_app, name="executions")


def _when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else ""


@executions_app.command("list")
def list_executions(
    workflow: Annotated[str | None, typer.Option(help="Only this workflow")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status, e.g. FAILED")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 20,
) -> None:
    """Executions, newest first."""
    from slipstream._core.errors import InvalidInputError
    from slipstream.cli.progress import duration_text, status_text

    try:
        wanted = Status(status.upper()) if status else None
    except ValueError:
        raise InvalidInputError(f"unknown status {status!r}; one of "
                                f"{[s.value for s in Status]}") from None
    records = client().store.list_executions(workflow_name=workflow, status=wanted, limit=limit)
    table = Table(box=None)
    for column in ("id", "workflow", "version", "status", "started", "duration"):
        table.add_column(column)
    for r in records:
        table.add_row(r.id, r.workflow_name, r.workflow_version[:8], status_text(r.status),
                      _when(r.started_at), duration_text(r.duration))
    console.print(table if records else "no executions")


@executions_app.command("show")
def show_execution(
    execution_id: Annotated[str, typer.Argument(help="Execution id or a unique prefix")],
    items: Annotated[bool, typer.Option(help="Also list map items")] = False,
) -> None:
    """One execution: inputs, outputs, every node with status, timing, cache and errors."""
    from slipstream.cli.progress import duration_text, status_text

    c = client()
    record = c.store.get_execution(execution_id)
    console.print(f"[bold]{record.id}[/]  {record.workflow_name} (version "
                  f"{record.workflow_version})  {status_text(record.status)}  "
                  f"{duration_text(record.duration)}", highlight=False)
    console.print(f"started {_when(record.started_at)} on {record.host} (pid {record.pid}), "
                  f"executor {record.executor}" + (f", recovers {record.recovered_from}"
                                                   if record.recovered_from else ""),
                  highlight=False)
    console.print(f"inputs:  {_literals(record.inputs)}", highlight=False, markup=False)
    if record.outputs is not None:
        console.print(f"outputs: {_literals(record.outputs)}", highlight=False, markup=False)
    nodes = c.store.list_nodes(record.id)
    runs = _runs_by_node(c.settings, record.id)
    table = Table(box=None)
    for column in ("node", "task", "kind", "status", "attempts", "time", "cache") + (
            ("run",) if runs else ()):
        table.add_column(column)
    hidden = 0
    for n in nodes:
        if n.kind == "map_item" and not items:
            hidden += 1
            continue
        table.add_row(n.node_id, n.name, n.kind, status_text(n.status, n.cache_status),
                      str(len(n.attempts) or ""), duration_text(n.duration), n.cache_status,
                      *((runs.get(n.node_id, ""),) if runs else ()))
    console.print(table)
    if hidden:
        console.print(f"({hidden} map items hidden; --items lists them)")
    for n in nodes:
        if n.error is not None and (n.kind != "map_item" or items):
            console.print(f"\n[red]{n.node_id} ({n.name}) {n.status}[/]: {n.error.type}: "
                          f"{n.error.message}", highlight=False)
            if n.error.traceback:
                console.print(n.error.traceback.rstrip(), highlight=False, markup=False)
    if record.error is not None and not any(n.error for n in nodes):
        console.print(f"\n[red]{record.error.type}[/]: {record.error.message}", highlight=False)



@executions_app.command("logs")
def node_logs(
    execution_id: Annotated[str, typer.Argument(help="Execution id or a unique prefix")],
    node_id: Annotated[str, typer.Argument(help="Node id, e.g. n2, n3/n0, n4[17]")],
    attempt: Annotated[int | None, typer.Option(min=1, help="Attempt number (default: the "
                                                            "latest)")] = None,
) -> None:
    """What a node's attempt printed and logged, as it wrote it (nothing when it wrote nothing)."""
    import sys

    text = client().node_logs(execution_id, node_id, attempt)
    sys.stdout.write(text)
    if text and not text.endswith("\n"):
        sys.stdout.write("\n")

def _runs_by_node(settings: Settings, execution_id: str) -> dict[str, str]:
    """The tracking run each node logged to (its latest, after retries), by node id."""
    from slipstream.metadata import open_tracking_store

    store = open_tracking_store(settings.tracking_store_url, settings.artifact_uri)
    try:
        runs = sorted(store.list_runs_for_execution(execution_id),
                      key=lambda r: r.info.start_time or 0)
    finally:
        store.close()
    return {r.info.node_id: r.info.run_id for r in runs if r.info.node_id}


def _literals(literals: dict[str, object] | None) -> str:
    text = json.dumps(literals or {}, default=str)
    return text if len(text) < 300 else text[:297] + "..."
