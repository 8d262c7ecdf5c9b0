"""Launch a workflow, or recover or re-run an execution, from the server, in a process of its
own.

The server never imports or runs workflow code itself: `start(settings, action, ...)` spawns
`python -m slipstream.server.launches ACTION SUBJECT ANNOUNCE_FILE REQUEST_JSON` in a new
session (stopping the server does not stop it) with the server's settings in its environment
and the server's working folder (so a module importable there loads).
The child loads the workflow from the execution's `source_ref` on this machine, starts the new
execution and writes its id to ANNOUNCE_FILE at once (or `error: <message>` when it cannot
start: unknown input, nothing to recover, code that does not load); the parent waits for that
line, then answers. Output of the run goes to `<home>/launches/<new id>.log`.

    recover   a new execution reusing every node that succeeded (`Client.recover`)
    rerun     the workflow at the old execution's source_ref (its code as it is now) on the old
              inputs, those named in `inputs` replaced
    launch    the workflow at a registered version's source_ref on `inputs` (defaults filled)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream._core.settings import Settings

ACTIONS = ("recover", "rerun", "launch")
#: How long the parent waits for the child to start the execution (imports of user code).
START_TIMEOUT = 60.0
_ENV = {"home": "SLIPSTREAM_HOME", "store_url": "SLIPSTREAM_STORE_URL",
        "artifact_uri": "SLIPSTREAM_ARTIFACT_URI", "tracking_uri": "SLIPSTREAM_TRACKING_URI"}


def start(settings: Settings, action: str, subject: str, inputs: dict[str, Any] | None = None,
          version: str | None = None, timeout: float = START_TIMEOUT) -> str:
    """Start `action` in a child process; the new execution's id. `subject`: the execution
    (recover, rerun) or the workflow's name (launch, at `version`, default the newest)."""
    if action not in ACTIONS:
        raise InvalidInputError(f"unknown action {action!r}; use one of {list(ACTIONS)}")
    folder = Path(settings.home) / "launches"
    folder.mkdir(parents=True, exist_ok=True)
    announce = folder / f"{uuid.uuid4().hex}.start"
    log = folder / f"{announce.stem}.log"
    env = {**os.environ, **{var: str(getattr(settings, field)) for field, var in _ENV.items()
                            if getattr(settings, field, None)}}
    args = [sys.executable, "-m", "slipstream.server.launches", action, subject,
            str(announce), json.dumps({"inputs": inputs or {}, "version": version})]
    with log.open("wb") as out:
        child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if announce.exists() and announce.read_text().endswith("\n"):
            said = announce.read_text().strip()
            announce.unlink()
            if said.startswith("error: "):
                log.unlink(missing_ok=True)
                raise InvalidInputError(said.removeprefix("error: "))
            log.rename(folder / f"{said}.log")
            return said
        if child.poll() is not None and not announce.exists():
            tail = log.read_text(errors="replace")[-2000:]
            log.unlink(missing_ok=True)
            raise InvalidInputError(f"the {action} of {subject} stopped before it "
                                    f"started (exit {child.returncode}): {tail}")
        time.sleep(0.02)
    raise InvalidInputError(f"the {action} of {subject} did not start within "
                            f"{timeout:.0f} s; see {log}")


def _child(action: str, subject: str, announce: Path, request: dict[str, Any]) -> int:
    """The child: start the execution, announce its id, run it to the end."""
    from slipstream._core.errors import UserError
    from slipstream.execution.api import Client
    from slipstream.execution.hooks import NodeHook

    told = False

    def say(text: str) -> None:
        nonlocal told
        if not told:
            told = True
            announce.write_text(text + "\n")

    class Announce(NodeHook):
        def on_node(self, *, record: Any) -> None:
            say(record.execution_id)

        def on_execution(self, *, record: Any) -> None:
            say(record.id)

    client = Client(Settings.load())
    try:
        if action == "recover":
            client.recover(subject, hooks=[Announce()])
        elif action == "rerun":
            workflow, values = _rerun_values(client, subject, request["inputs"])
            client.execute_values(workflow, values, hooks=[Announce()])
        else:
            workflow = _registered(client, subject, request.get("version"))
            values = client.input_values(workflow, request["inputs"])
            client.execute_values(workflow, values, hooks=[Announce()])
    except UserError as exc:
        say(f"error: {exc}")  # a no-op once started: the execution records its own failure
        return 1
    except Exception as exc:
        say(f"error: {type(exc).__name__}: {exc}")
        raise
    return 0


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
    sys.exit(_child(sys.argv[1], sys.argv[2], Path(sys.argv[3]), json.loads(sys.argv[4])))
