"""`slipstream run FILE.py:WORKFLOW --input value ...` and `slipstream recover ID`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from slipstream.cli.main import client, console

_EXECUTOR_HELP = "inline (default), process[:N], ray, ray:auto, ray:HOST:PORT or ray://HOST:10001"


def register(app: typer.Typer) -> None:
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
                help="Run a workflow: slipstream run path/to/file.py:workflow --n-rows 3000")(run)
    app.command(help="Re-run a failed or killed execution, reusing every node that finished.")(
        recover)


def run(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="path/to/file.py:workflow or module:workflow")],
    executor: Annotated[str | None, typer.Option(help=_EXECUTOR_HELP)] = None,
) -> None:
    from slipstream.cli.inputs import parse_inputs
    from slipstream.execution.loading import load_entity
    from slipstream.sdk.workflow import Workflow

    workflow = load_entity(target)
    if not isinstance(workflow, Workflow):
        from slipstream._core.errors import InvalidInputError

        raise InvalidInputError(
            f"{target} is not a @workflow (got an object of type {type(workflow).__name__})")
    c = client()
    inputs = parse_inputs(workflow, list(ctx.args), c.engine, c.ctx)
    values = c.input_values(workflow, inputs)  # a bad input fails before anything starts
    console.print(f"Running [bold]{workflow.name}[/] (version {workflow.version}) on "
                  f"{c.settings.store_url}", highlight=False)
    result = _execute(lambda hooks: c.execute_values(workflow, values, executor=executor,
                                                     hooks=hooks))
    _report(c, workflow, result)


def recover(
    execution_id: Annotated[str, typer.Argument(help="Execution id (or a unique prefix)")],
    executor: Annotated[str | None, typer.Option(help=_EXECUTOR_HELP)] = None,
) -> None:
    c = client()
    old = c.store.get_execution(execution_id)
    console.print(f"Recovering execution {old.id} ({old.workflow_name}, {old.status})",
                  highlight=False)
    result = _execute(lambda hooks: c.recover(old.id, executor=executor, hooks=hooks))
    from slipstream.execution.loading import load_entity

    _report(c, load_entity(old.source_ref), result)


def _execute(start: Any) -> Any:
    from slipstream.cli.progress import ProgressHook

    hook = ProgressHook(console)
    with hook.live():
        return start([hook])


def _report(c: Any, workflow: Any, result: Any) -> None:
    from slipstream.cli.progress import duration_text

    record = result.execution
    value = c.outputs(workflow, result)
    console.print(f"[green]SUCCEEDED[/] in {duration_text(record.duration)}: "
                  f"{_show(value)}", highlight=False)
    console.print(f"Recorded as execution [bold]{record.id}[/] in {c.settings.store_url} "
                  f"(see `slipstream executions show {record.id}`)", highlight=False)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 400 else text[:397] + "..."
