"""The module-level tracking API (`ss.start_run`, `ss.log_metric`, ...) on a default client.

The default `TrackingClient` comes from `Settings.load()`: the same store URL as executions,
run artifacts under the settings' artifact root. Each thread has its own stack of active runs
(a context variable); `start_run(nested=True)` pushes a child of the current run.

Inside a workflow task (`current_context()` names a node execution), runs are linked to that
node: `start_run()` records the execution and node ids (and defaults the run name to the task
name), and logging calls with no active run go to an implicit run for the node, created on first
use. The engine ends that run when the task attempt ends (`end_task_run(ctx, status)`:
FINISHED, or FAILED when the task failed). At process exit every run still open is flushed and
ended FINISHED (as MLflow does), and all queued logs are written.
"""

from __future__ import annotations

import atexit
import contextvars
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from slipstream._core.context import RunContext, current_context
from slipstream._core.errors import InvalidInputError
from slipstream._core.settings import Settings
from slipstream.entities import (
    DEFAULT_EXPERIMENT_ID,
    Experiment,
    LifecycleStage,
    Metric,
    Run,
    RunStatus,
    ViewType,
)
from slipstream.tracking.client import SEARCH_MAX_RESULTS_PANDAS, TrackingClient, run_status

if TYPE_CHECKING:
    import pandas as pd

EXECUTION_ID_TAG = "slipstream.execution_id"
NODE_ID_TAG = "slipstream.node_id"


class ActiveRun:
    """A run started by `start_run`; as a context manager it ends the run on exit: FINISHED,
    FAILED when the block raises (the exception propagates), KILLED on KeyboardInterrupt."""

    def __init__(self, run: Run, client: TrackingClient) -> None:
        self._run = run
        self.client = client

    @property
    def info(self) -> Any:
        return self._run.info

    @property
    def data(self) -> Any:
        """The run's data when it was started (use `get_run` for the current data)."""
        return self._run.data

    @property
    def run_id(self) -> str:
        return str(self._run.info.run_id)

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            _end(self, RunStatus.FINISHED)
            return
        status = RunStatus.KILLED if issubclass(exc_type, KeyboardInterrupt) else RunStatus.FAILED
        try:
            _end(self, status)
        except Exception as flush_error:  # never mask the block's exception
            print(f"slipstream: {flush_error}", file=sys.stderr)

    def __repr__(self) -> str:
        return f"<ActiveRun: run_id={self.run_id!r}, name={self._run.info.run_name!r}>"


_stack: contextvars.ContextVar[tuple[ActiveRun, ...]] = contextvars.ContextVar(
    "slipstream_active_runs", default=())
_lock = threading.RLock()
_clients: dict[Settings, TrackingClient] = {}
_experiment: dict[Settings, str] = {}  # the active experiment id, per default client's settings
_open: dict[str, ActiveRun] = {}  # runs started here and not ended yet, by run id
_task_runs: dict[tuple[str, str, int], ActiveRun] = {}  # implicit runs of node executions
_exit_hooked = False


# -- the default client -----------------------------------------------------------------------

def default_tracking_client() -> TrackingClient:
    """The client on the current settings' stores (opened on first use, then reused)."""
    settings = Settings.load()
    with _lock:
        client = _clients.get(settings)
        if client is None:
            client = _clients[settings] = TrackingClient.from_settings(settings)
    return client


def close_default_clients() -> None:
    """End open runs (FINISHED), flush and close every default client; forget all state."""
    _end_open_runs()
    with _lock:
        clients = list(_clients.values())
        _clients.clear()
        _experiment.clear()
    _stack.set(())
    for client in clients:
        client.close()


# -- experiments ------------------------------------------------------------------------------

def set_experiment(experiment_name: str | None = None,
                   experiment_id: str | None = None) -> Experiment:
    """Make an experiment the active one (runs start in it), creating it by name if needed."""
    if (experiment_name is None) == (experiment_id is None):
        raise InvalidInputError("set_experiment: pass exactly one of experiment_name and "
                                "experiment_id")
    client = default_tracking_client()
    if experiment_id is not None:
        experiment = client.get_experiment(str(experiment_id))
    else:
        assert experiment_name is not None
        found = client.get_experiment_by_name(experiment_name)
        if found is None:
            found = client.get_experiment(client.create_experiment(experiment_name))
        experiment = found
    if experiment.lifecycle_stage == LifecycleStage.DELETED.value:
        raise InvalidInputError(
            f"Cannot set a deleted experiment {experiment.name!r} as the active experiment. "
            "Restore it (restore_experiment) or choose another name.")
    with _lock:
        settings = client_settings(client)
        if settings is not None:
            _experiment[settings] = experiment.experiment_id
    return experiment


def get_experiment(experiment_id: str) -> Experiment:
    return default_tracking_client().get_experiment(experiment_id)


def get_experiment_by_name(name: str) -> Experiment | None:
    return default_tracking_client().get_experiment_by_name(name)


def create_experiment(name: str, artifact_location: str | None = None,
                      tags: Mapping[str, str] | None = None) -> str:
    return default_tracking_client().create_experiment(name, artifact_location, tags)


def client_settings(client: TrackingClient) -> Settings | None:
    with _lock:
        for settings, known in _clients.items():
            if known is client:
                return settings
    return None


def _active_experiment_id(client: TrackingClient) -> str:
    with _lock:
        settings = client_settings(client)
        return _experiment.get(settings, DEFAULT_EXPERIMENT_ID) if settings else DEFAULT_EXPERIMENT_ID


# -- runs -------------------------------------------------------------------------------------

def start_run(run_id: str | None = None, experiment_id: str | None = None,
              run_name: str | None = None, nested: bool = False,
              parent_run_id: str | None = None, tags: Mapping[str, Any] | None = None,
              description: str | None = None) -> ActiveRun:
    """Start a run (or resume `run_id`) and make it this thread's active run.

    With a run already active, pass `nested=True` to start a child of it. Inside a workflow
    task the run is linked to the node execution and named after the task by default."""
    stack = _stack.get()
    if stack and not nested:
        raise InvalidInputError(
            f"Run with UUID {stack[-1].run_id} is already active. To start a new run, first end "
            "the current run with ss.end_run(). To start a nested run, call "
            "start_run(nested=True).")
    client = stack[-1].client if stack else default_tracking_client()
    if run_id is not None:
        active = ActiveRun(client.resume_run(run_id), client)
    else:
        parent = parent_run_id or (stack[-1].run_id if stack else None)
        ctx = _task_context()
        execution_id = node_id = None
        run_tags = dict(tags or {})
        if ctx is not None:
            execution_id, node_id = ctx.execution_id, ctx.node_id
            run_name = run_name or ctx.task_name
            run_tags.setdefault(EXECUTION_ID_TAG, execution_id)
            run_tags.setdefault(NODE_ID_TAG, node_id)
            task_run = _task_runs.get(_task_key(ctx))
            if parent is None and task_run is not None:
                parent = task_run.run_id
        run = client.create_run(experiment_id or _active_experiment_id(client), run_name,
                                run_tags, parent_run_id=parent, execution_id=execution_id,
                                node_id=node_id, description=description)
        active = ActiveRun(run, client)
    _stack.set((*stack, active))
    _register(active)
    return active


def attach_run(run: Run, client: TrackingClient | None = None) -> ActiveRun:
    """Make `run`, RUNNING in the store and ended by whoever created it (a tuning trial's run,
    written with its trial), this thread's active run without writing anything; logging goes
    to it (through `client`, default: the default client) until `detach_run`. Ending it here
    (`end_run`, its `with` block) only detaches it."""
    active = ActiveRun(run, client or default_tracking_client())
    _stack.set((*_stack.get(), active))
    return active


def detach_run(active: ActiveRun) -> None:
    """Write what was logged to an attached run and make it inactive again, not ending it;
    InvalidInputError when the store refused some of it."""
    stack = _stack.get()
    if active in stack:
        _stack.set(tuple(r for r in stack if r is not active))
    active.client.flush(active.run_id)


def active_run() -> ActiveRun | None:
    """This thread's active run; inside a task without one, the task's implicit run if any."""
    stack = _stack.get()
    if stack:
        return stack[-1]
    ctx = _task_context()
    return _task_runs.get(_task_key(ctx)) if ctx is not None else None


def end_run(status: RunStatus | str = RunStatus.FINISHED) -> None:
    """End this thread's active run (flushing its logs); no-op without one."""
    stack = _stack.get()
    if stack:
        _end(stack[-1], status)


def end_task_run(ctx: RunContext, status: RunStatus | str = RunStatus.FINISHED) -> None:
    """Called by the engine when a task attempt ends: flush and end the implicit run it logged
    to (if any) with `status`. Runs left open otherwise (a killed worker) end at process exit."""
    with _lock:
        active = _task_runs.pop(_task_key(ctx), None)
    if active is not None:
        _end(active, status)


def get_run(run_id: str) -> Run:
    return _client_for_reads().get_run(run_id)


def get_metric_history(run_id: str, key: str) -> list[Metric]:
    return _client_for_reads().get_metric_history(run_id, key)


def delete_run(run_id: str) -> None:
    _client_for_reads().delete_run(run_id)


def search_runs(experiment_ids: Sequence[str] | None = None, filter_string: str = "",
                run_view_type: ViewType = ViewType.ACTIVE_ONLY,
                max_results: int = SEARCH_MAX_RESULTS_PANDAS,
                order_by: Sequence[str] | None = None, output_format: str = "pandas",
                experiment_names: Sequence[str] | None = None) -> pd.DataFrame | list[Run]:
    """Runs of the given experiments (default: the active one) matching an MLflow filter
    string, ordered; a pandas DataFrame (MLflow's columns), or a list of Runs with
    `output_format="list"`."""
    client = _client_for_reads()
    ids = [str(i) for i in experiment_ids or ()]
    for name in experiment_names or ():
        experiment = client.get_experiment_by_name(name)
        if experiment is not None:  # MLflow skips unknown names
            ids.append(experiment.experiment_id)
    if not experiment_ids and not experiment_names:
        ids = [_active_experiment_id(client)]
    if output_format not in ("pandas", "list"):
        raise InvalidInputError(f"output_format must be 'pandas' or 'list', not "
                                f"{output_format!r}")
    if output_format == "list":
        return client.search_run_records(ids, filter_string, run_view_type, max_results,
                                         order_by or ())
    return client.search_runs(ids, filter_string, run_view_type, max_results, order_by or ())


# -- internals --------------------------------------------------------------------------------

def _task_context() -> RunContext | None:
    ctx = current_context()
    return ctx if ctx is not None and ctx.execution_id else None


def _task_key(ctx: RunContext) -> tuple[str, str, int]:
    return (ctx.execution_id, ctx.node_id, ctx.attempt)


def run_for_logging() -> ActiveRun:
    """The run a logging call goes to: the innermost active run, else the running task's
    implicit run, else a new run (as MLflow starts one)."""
    stack = _stack.get()
    if stack:
        return stack[-1]
    ctx = _task_context()
    if ctx is None:
        return start_run()  # as MLflow: logging without a run starts one
    key = _task_key(ctx)
    with _lock:
        active = _task_runs.get(key)
        if active is None:
            client = default_tracking_client()
            run = client.create_run(
                _active_experiment_id(client), ctx.task_name,
                {EXECUTION_ID_TAG: ctx.execution_id, NODE_ID_TAG: ctx.node_id},
                execution_id=ctx.execution_id, node_id=ctx.node_id)
            active = _task_runs[key] = ActiveRun(run, client)
            _register(active)
    return active


def _client_for_reads() -> TrackingClient:
    stack = _stack.get()
    return stack[-1].client if stack else default_tracking_client()


def _register(active: ActiveRun) -> None:
    global _exit_hooked
    with _lock:
        _open[active.run_id] = active
        if not _exit_hooked:
            _exit_hooked = True
            atexit.register(_at_exit)
            if "multiprocessing" in sys.modules:
                # Forked pool workers leave through os._exit, skipping atexit, but they do run
                # multiprocessing's finalizers.
                from multiprocessing import util

                util.Finalize(None, _at_exit, exitpriority=0)


def _end(active: ActiveRun, status: RunStatus | str) -> None:
    """End a run started here (once: ending it again, e.g. `end_run()` inside its `with`
    block, changes nothing)."""
    status = run_status(status)
    stack = _stack.get()
    if active in stack:
        _stack.set(tuple(r for r in stack if r is not active))
    with _lock:
        if _open.pop(active.run_id, None) is None:
            return
        for key, task_run in list(_task_runs.items()):
            if task_run is active:
                del _task_runs[key]
    active.client.end_run(active.run_id, status)


def _end_open_runs() -> None:
    with _lock:
        runs = list(_open.values())
    for active in reversed(runs):  # children before parents
        try:
            _end(active, RunStatus.FINISHED)
        except Exception as exc:  # at exit: report, keep ending the others
            print(f"slipstream: ending run {active.run_id} at exit: {exc}", file=sys.stderr)


def _at_exit() -> None:
    _end_open_runs()
    with _lock:
        clients = list(_clients.values())
    for client in clients:
        try:
            client.flush()
        except Exception as exc:
            print(f"slipstream: flushing logged data at exit: {exc}", file=sys.stderr)


def _forget_after_fork() -> None:
    """A forked child must not reuse the parent's connections, writer thread or runs."""
    global _exit_hooked, _lock
    _lock = threading.RLock()
    _clients.clear()
    _experiment.clear()
    _open.clear()
    _task_runs.clear()
    _exit_hooked = False
    _stack.set(())


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
