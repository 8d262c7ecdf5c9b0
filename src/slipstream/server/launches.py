"""Launch a workflow, or recover or re-run an execution, from the server, in a process of its
own (`execution.detached`: the server never imports or runs workflow code itself).

`start(settings, action, subject, ...)` runs `python -m slipstream.server.launches` on the
request; the child loads the workflow from the execution's `source_ref` on this machine, starts
the new execution and announces its id at once (the parent then answers), or an error when it
cannot start. Output of the run goes to `<home>/launches/<new id>.log`.

    recover   a new execution reusing every node that succeeded (`Client.recover`)
    rerun     the workflow at the old execution's source_ref (its code as it is now) on the old
              inputs, those named in `inputs` replaced
    launch    the workflow at a registered version's source_ref on `inputs` (defaults filled)
"""

from __future__ import annotations

import sys
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream._core.settings import Settings
from slipstream.execution.detached import START_TIMEOUT, Announce, Say, serve, spawn

ACTIONS = ("recover", "rerun", "launch")


def start(settings: Settings, action: str, subject: str, inputs: dict[str, Any] | None = None,
          version: str | None = None, timeout: float = START_TIMEOUT) -> str:
    """Start `action` in a child process; the new execution's id. `subject`: the execution
    (recover, rerun) or the workflow's name (launch, at `version`, default the newest)."""
    if action not in ACTIONS:
        raise InvalidInputError(f"unknown action {action!r}; use one of {list(ACTIONS)}")
    request = {"action": action, "subject": subject, "inputs": inputs or {}, "version": version}
    return spawn(settings, "slipstream.server.launches", request,
                 what=f"the {action} of {subject}", timeout=timeout)


def _start(request: dict[str, Any], say: Say) -> None:
    """The child: start the execution (announced by its first event), run it to the end."""
    from slipstream.execution.api import Client

    action, subject, hooks = request["action"], request["subject"], [Announce(say)]
    client = Client(Settings.load())
    if action == "recover":
        client.recover(subject, hooks=hooks)
    elif action == "rerun":
        workflow, values = _rerun_values(client, subject, request["inputs"])
        client.execute_values(workflow, values, hooks=hooks)
    else:
        workflow = _registered(client, subject, request.get("version"))
        values = client.input_values(workflow, request["inputs"])
        client.execute_values(workflow, values, hooks=hooks)


def _registered(client: Any, name: str, version: str | None) -> Any:
    """The workflow registered as `name` (at `version`, else the newest), loaded from its
    source_ref; an error if the code there is now another version."""
    from slipstream.execution.loading import load_entity

    record = client.store.get_workflow(name, version)
    workflow = load_entity(record.source_ref)
    if version is not None and workflow.version != record.version:
        raise InvalidInputError(
            f"workflow {name!r} version {version} is no longer the code at {record.source_ref} "
            f"(that is version {workflow.version} now); launch the newest instead")
    return workflow


def _rerun_values(client: Any, execution_id: str, inputs: dict[str, Any]) -> tuple[Any, Any]:
    """The execution's workflow and its inputs, those named in `inputs` replaced."""
    from slipstream._core.errors import ValueConversionError, did_you_mean
    from slipstream.execution.loading import load_entity
    from slipstream.execution.values import Value, expand, make_value

    old = client.store.get_execution(execution_id)
    workflow = load_entity(old.source_ref)
    params = workflow.interface.inputs
    for name in inputs:
        if name not in params:
            raise InvalidInputError(f"workflow {workflow.name!r} has no input {name!r}; inputs "
                                    f"are {list(params)}.{did_you_mean(name, params)}")
    literals = expand(old.inputs, client.ctx)
    values: dict[str, Any] = {}
    for name, param in params.items():
        if name in inputs:
            try:
                values[name] = make_value(client.engine, inputs[name], param.tp, client.ctx)
            except ValueConversionError as exc:
                raise InvalidInputError(f"workflow {workflow.name!r}, input {name!r}: {exc}"
                                        ) from None
        elif name in literals:
            values[name] = Value(param.tp, literals[name])
    return workflow, values


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:], _start))
