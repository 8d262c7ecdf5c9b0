"""Running one call's items wherever the executor put them: materialise inputs, try the task
with retries and a timeout, convert outputs to literals (which validates them) and report."""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import sys
import time
import traceback
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slipstream._core.context import RunContext, enter_context, exit_context
from slipstream._core.errors import ValueConversionError
from slipstream._core.ids import hostname, now
from slipstream.entities import Attempt, ErrorInfo, LogRef, Status
from slipstream.execution.calls import CallItem, ItemOutcome, TaskCall
from slipstream.execution.task_logs import TaskLog, store_log
from slipstream.execution.timeouts import TaskTimedOut, call_with_timeout
from slipstream.execution.values import Value, deferred_value, make_value
from slipstream.sdk.interface import split_outputs
from slipstream.types import ConversionContext, TypeEngine

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


@dataclass
class WorkerEnv:
    """Per-process services a worker needs."""

    engine: TypeEngine
    ctx: ConversionContext
    name: str
    serializer: Executor | None = None
    """Where deferred outputs are serialised (in-process only); None: serialise at once."""


def worker_name() -> str:
    return f"{hostname()}:{os.getpid()}"


def adopt_runner_process(environ: dict[str, str], path: list[str],
                         managed: tuple[str, ...] | None = None) -> None:
    """Make a worker process's environment and import path the runner's: its variables set,
    those it does not have removed (with `managed`, only those starting with one of these
    prefixes: the worker's own stay), its sys.path entries put first."""
    stale = [name for name in os.environ if name not in environ
             and (managed is None or name.startswith(managed))]
    for name in stale:
        del os.environ[name]
    os.environ.update(environ)
    for entry in reversed(path):
        if entry not in sys.path:
            sys.path.insert(0, entry)


def open_worker_env(artifact_uri: str, scratch_dir: str, name: str | None = None) -> WorkerEnv:
    """A worker process's services: the type engine and the artifact store at `artifact_uri`."""
    from slipstream.artifacts import open_artifact_store
    from slipstream.types import default_engine

    return WorkerEnv(default_engine(),
                     ConversionContext(open_artifact_store(artifact_uri), scratch_dir),
                     name or worker_name())


def run_call(call: TaskCall, env: WorkerEnv) -> list[ItemOutcome]:
    """Run every item of `call`; never raises for a task's own failure."""
    return [run_item(call, item, env) for item in call.items]


def run_item(call: TaskCall, item: CallItem, env: WorkerEnv) -> ItemOutcome:
    task = call.task
    engine = env.engine
    interface = task.interface
    started = now()
    attempts: list[Attempt] = []
    inputs: dict[str, Any] | None = None
    error: ErrorInfo | None = None
    status = Status.FAILED
    max_attempts = task.retry.retries + 1
    for number in range(1, max_attempts + 1):
        attempt_start = now()
        run_ctx: RunContext | None = None
        outputs: dict[str, Value] | None = None
        final = False
        with TaskLog() as log:  # what the attempt prints and logs, to its own log
            try:
                if inputs is None:
                    inputs = {name: value.get(engine, env.ctx)
                              for name, value in item.inputs.items()}
                    if call.bound:
                        inputs.update(call.bound)
                run_ctx = RunContext(call.execution_id, item.node_id, task.name, number,
                                     env.name)
                result = _execute(task, inputs, run_ctx)
                outputs = _convert_outputs(task, result, env, call.defer)
                status, error = Status.SUCCEEDED, None
            except TaskTimedOut as exc:
                status = Status.TIMED_OUT
                error = ErrorInfo("timeout", "TaskTimedOut",
                                  f"task {task.name!r} {exc} (timeout={task.timeout:g} s)")
            except ValueConversionError as exc:
                status, error = Status.FAILED, ErrorInfo("user", type(exc).__name__, str(exc))
                final = True  # a value that does not fit its type will not fit on a retry
            except Exception as exc:
                status = Status.FAILED
                error = ErrorInfo("user", type(exc).__name__, str(exc), user_traceback(exc))
        attempts.append(Attempt(number, attempt_start, now(), status, error, env.name,
                                _stored_log(log, env)))
        _end_tracking(run_ctx, status)
        if outputs is not None:
            return ItemOutcome(item.node_id, Status.SUCCEEDED, outputs, tuple(attempts), None,
                               started, now())
        if final:
            break
        if number < max_attempts:
            if not all(engine.is_immutable(p.tp) for p in interface.inputs.values()):
                inputs = None  # the failed attempt may have mutated its inputs
            time.sleep(task.retry.delay(number))
    return ItemOutcome(item.node_id, status, None, tuple(attempts), error, started, now())


def _execute(task: Any, inputs: dict[str, Any], run_ctx: RunContext) -> Any:
    """Call the task with `run_ctx` as the current context, within its timeout (a timed task
    may run on a helper thread, which gets a copy of this context: run and log stay known)."""
    token = enter_context(run_ctx)
    try:
        if task.timeout is None:
            return task.execute(inputs, run_ctx)
        in_context = contextvars.copy_context().run
        return call_with_timeout(functools.partial(in_context, task.execute, inputs, run_ctx),
                                 task.timeout)
    finally:
        exit_context(token)


def _stored_log(log: TaskLog, env: WorkerEnv) -> LogRef | None:
    """The attempt's log put in the artifact store; a store that fails loses the log (with a
    warning), not the attempt's outcome."""
    try:
        return store_log(log, env.ctx.blobs)
    except Exception as exc:
        logging.getLogger(__name__).warning("could not store a task attempt's log: %s", exc)
        return None


def _end_tracking(run_ctx: RunContext | None, status: Status) -> None:
    """End the run a task attempt logged to without starting one (if the tracking API was
    used at all in this process): FINISHED when it succeeded, FAILED otherwise."""
    fluent = sys.modules.get("slipstream.tracking.fluent")
    if fluent is not None and run_ctx is not None:
        fluent.end_task_run(run_ctx, "FINISHED" if status is Status.SUCCEEDED else "FAILED")


def _convert_outputs(task: Any, result: Any, env: WorkerEnv, defer: bool) -> dict[str, Value]:
    interface = task.interface
    serializer = env.serializer if defer else None
    named = split_outputs(interface, result, f"task {task.name!r}")
    outputs: dict[str, Value] = {}
    for name, py in named.items():
        tp = interface.outputs[name]
        try:
            if serializer is not None and env.engine.check(py, tp):
                outputs[name] = deferred_value(env.engine, py, tp, env.ctx, serializer)
            else:
                outputs[name] = make_value(env.engine, py, tp, env.ctx)
        except ValueConversionError as exc:
            label = "its return value" if name == "o0" else f"output {name!r}"
            raise ValueConversionError(f"task {task.name!r} returned a bad value for {label}: "
                                       f"{exc}") from None
    return outputs


def user_traceback(exc: BaseException) -> str:
    """The traceback of `exc` without Slipstream's own frames."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(_PACKAGE_DIR)]
    lines = traceback.format_list(frames)
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return "Traceback (most recent call last):\n" + "".join(lines)
