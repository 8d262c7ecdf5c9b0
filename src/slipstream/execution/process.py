"""A local process pool: independent nodes and map items run in parallel on this machine.

Tasks travel with cloudpickle (by reference when their module is importable, by value from
`__main__`); values travel as literals, their bytes through the artifact store.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import cloudpickle

from slipstream.execution.calls import ItemOutcome, TaskCall
from slipstream.execution.executor import Executor
from slipstream.execution.worker import WorkerEnv, adopt_runner_process, open_worker_env, run_call

_ENV: WorkerEnv | None = None
_TASKS: dict[bytes, Any] = {}


class ProcessExecutor(Executor):
    """Runs calls on `workers` processes (default: the CPU count)."""

    name = "process"
    shares_memory = False

    def __init__(self, workers: int | None = None) -> None:
        self.parallelism = workers or os.cpu_count() or 2
        self.name = f"process:{self.parallelism}"
        self._pool: ProcessPoolExecutor | None = None
        self._initargs: tuple[Any, ...] = ()

    def start(self, env: WorkerEnv, artifact_uri: str) -> None:
        self._initargs = (artifact_uri, env.ctx.scratch_dir, list(sys.path), dict(os.environ))
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.parallelism, mp_context=multiprocessing.get_context(
            "forkserver"), initializer=_init_worker, initargs=self._initargs)

    def submit(self, call: TaskCall) -> Future[list[ItemOutcome]]:
        assert self._pool is not None, "start() first"
        for item in call.items:
            item.inputs = {k: v.without_py() for k, v in item.inputs.items()}
        payload = cloudpickle.dumps(call.task)
        remote = TaskCall(call.execution_id, None, call.items, call.bound)
        with _main_module_hidden():
            try:
                return self._pool.submit(_run_remote, payload, remote)
            except BrokenProcessPool:  # a worker died earlier: its calls failed; start afresh
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                return self._pool.submit(_run_remote, payload, remote)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Keep multiprocessing from re-running the user's `__main__` script in each new worker:
    tasks from `__main__` travel by value (cloudpickle), so workers never need that module."""
    main = sys.modules.get("__main__")
    saved = {name: main.__dict__[name] for name in ("__file__", "__spec__")
             if main is not None and name in main.__dict__}
    if main is not None:
        main.__dict__.pop("__file__", None)
        main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        if main is not None:
            main.__dict__.pop("__spec__", None)
            main.__dict__.update(saved)


def _init_worker(artifact_uri: str, scratch_dir: str, path: list[str],
                 environ: dict[str, str]) -> None:
    global _ENV
    # Workers fork from a forkserver started once per process, so they inherit the environment
    # of that moment; the runner's current one (credentials, endpoints) is what tasks expect.
    adopt_runner_process(environ, path)
    _ENV = open_worker_env(artifact_uri, scratch_dir)


def _run_remote(payload: bytes, call: TaskCall) -> list[ItemOutcome]:
    assert _ENV is not None, "worker not initialised"
    task = _TASKS.get(payload)
    if task is None:
        task = _TASKS[payload] = cloudpickle.loads(payload)
    call.task = task
    return [outcome.without_py() for outcome in run_call(call, _ENV)]
