"""A Ray cluster: every call (a task node, a chunk of map items) runs as one Ray task.

Addresses: none starts a local Ray instance (it lives as long as this process); `auto` joins
the cluster running on this machine; `host:port` its GCS; `ray://host:10001` goes through the
Ray Client. The first connection of a process is kept and reused by later executions.

As on the process pool, tasks travel with cloudpickle and values as literals whose bytes are in
the artifact store, so every node must reach the artifact URI; outcomes come back the same way.
A task's `Resources` become Ray's `num_cpus`, `memory`, `num_gpus` and custom resources
(`ray_resources`), checked against the cluster's nodes before submitting; `interruptible` tasks
are re-run by Ray when their worker or node dies: the record shows the lost attempt and the
worker it ran on (`ray_attempts`); a task that may not be re-run fails naming that worker.

Large values do not take a fast path through Ray's object store: one was built and measured
(the bytes returned beside the outcome, read by the next task from shared memory) and was
slower, not faster, since the artifact store must still be written before a task counts as
done (see benchmarks/README.md, Ray).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import threading
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import cloudpickle

from slipstream._core.errors import InvalidInputError
from slipstream._core.ids import hostname, now
from slipstream.entities import ErrorInfo, Status
from slipstream.execution.calls import ItemOutcome, TaskCall
from slipstream.execution.executor import Executor
from slipstream.execution.ray_attempts import announce, attempt_log, forget, lost_outcomes, renumber
from slipstream.execution.ray_resources import (
    RETRIES_WHEN_INTERRUPTED,
    demand,
    ray_options,
    unsatisfiable,
)
from slipstream.execution.worker import WorkerEnv, adopt_runner_process, open_worker_env, run_call

_FORWARDED_ENV = ("SLIPSTREAM_", "AWS_", "GOOGLE_", "AZURE_", "MLFLOW_")
"""Environment variables a worker gets from the runner: store endpoints and credentials."""


@dataclass(frozen=True)
class _WorkerConfig:
    artifact_uri: str
    scratch_dir: str
    path: tuple[str, ...]
    environ: tuple[tuple[str, str], ...]


class RayExecutor(Executor):
    """Runs calls as Ray tasks; `address` as in the module docstring (None: a local instance)."""

    shares_memory = False

    def __init__(self, address: str | None = None, **init_options: Any) -> None:
        self.address = address
        self.name = f"ray:{address}" if address else "ray"
        self.init_options = init_options
        self._config: Any = None
        self._remote: Any = None
        self._log: Any = None
        self._tasks: dict[int, tuple[Any, Any]] = {}  # id(task) -> (task, ObjectRef of its pickle)
        self._nodes: list[dict[str, float]] = []
        self._pending: dict[int, Any] = {}  # id(ref) -> ref: Ray Client refs hash by a round trip
        self._done_keys: list[str] = []
        self._lock = threading.Lock()

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self, env: WorkerEnv, artifact_uri: str) -> None:
        ray = _ray()
        if not ray.is_initialized():
            _connect(ray, self.address, self.init_options)
        self._nodes = _node_resources(ray)
        self.parallelism = max(1, int(sum(node.get("CPU", 0.0) for node in self._nodes)))
        environ = tuple(sorted((k, v) for k, v in os.environ.items()
                               if k.startswith(_FORWARDED_ENV)))
        # absolute: Ray workers do not run in this process's folder ('' and relative entries,
        # as `python -c` and `python -m` put first, would name theirs)
        path = tuple(os.path.abspath(entry) for entry in sys.path)
        self._config = ray.put(_WorkerConfig(artifact_uri, env.ctx.scratch_dir, path, environ))
        self._remote = ray.remote(_run_remote)
        self._log = attempt_log(ray)
        self._tasks = {}

    def submit(self, call: TaskCall) -> Future[list[ItemOutcome]]:
        assert self._remote is not None, "start() first"
        ray = _ray()
        options = ray_options(call.task)
        problem = self._check_resources(ray, options)
        if problem is not None:
            return _failed(call, f"task {call.task.name!r} cannot run on the Ray cluster: "
                           f"{problem}. Lower the task's requests, or add a node that has them.")
        for item in call.items:
            item.inputs = {k: v.without_py() for k, v in item.inputs.items()}
        remote = cloudpickle.dumps(TaskCall(call.execution_id, None, call.items, call.bound))
        key = uuid.uuid4().hex  # names the call's Ray attempts in the attempt log
        ref = self._remote.options(**options).remote(
            self._config, self._task_ref(ray, call.task), remote, key, self._log)
        with self._lock:
            self._pending[id(ref)] = ref
        future: Future[list[ItemOutcome]] = Future()
        ref.future().add_done_callback(
            lambda done: self._finished(ref, key, call, done, future))
        return future

    def shutdown(self) -> None:
        """Cancel calls still running (an aborted execution); the connection stays open."""
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        if pending:
            ray = _ray()
            for ref in pending:
                with contextlib.suppress(Exception):  # finished meanwhile, or the cluster is gone
                    ray.cancel(ref)
        if self._log is not None:
            with contextlib.suppress(Exception):
                forget(self._log, self._done_keys)
        self._done_keys = []
        self._tasks = {}
        self._config = None
        self._remote = None
        self._log = None

    def callback_host(self) -> str:
        """This machine's address as the cluster's nodes reach it: the one Ray gave this
        process's node; through the Ray Client (this machine is no node), the address that
        routes to the head."""
        ray = _ray()
        if not ray.is_initialized():
            _connect(ray, self.address, self.init_options)
        if self.address is not None and self.address.startswith("ray://"):
            return _route_to(self.address[len("ray://"):].rpartition(":")[0])
        return str(ray.util.get_node_ip_address())

    # ---- helpers -------------------------------------------------------------------------------

    def _finished(self, ref: Any, key: str, call: TaskCall, done: Future[Any],
                  future: Future[list[ItemOutcome]]) -> None:
        with self._lock:
            self._pending.pop(id(ref), None)
        try:
            outcomes: list[ItemOutcome] = cloudpickle.loads(done.result())
        except BaseException as exc:  # the worker or its node died; a cancelled call
            lost = (_ray().exceptions.WorkerCrashedError, _ray().exceptions.NodeDiedError,
                    _ray().exceptions.LocalRayletDiedError)
            if self._log is None or not isinstance(exc, lost):
                future.set_exception(exc)
                return
            # asking the actor blocks: not on Ray's callback thread
            threading.Thread(target=self._lost, args=(self._log, key, call, exc, future),
                             daemon=True, name="slipstream-ray-lost").start()
            return
        with self._lock:
            self._done_keys.append(key)
            keys = self._done_keys if len(self._done_keys) >= 256 else []
            if keys:
                self._done_keys = []
        if keys and self._log is not None:
            forget(self._log, keys)
        future.set_result(outcomes)

    @staticmethod
    def _lost(log: Any, key: str, call: TaskCall, exc: BaseException,
              future: Future[list[ItemOutcome]]) -> None:
        text = str(exc).strip()
        why = f"{type(exc).__name__}: {text.splitlines()[0] if text else 'no detail'}"
        if getattr(call.task, "interruptible", False):
            hint = f"Ray re-ran it {RETRIES_WHEN_INTERRUPTED} times and lost every attempt"
        else:
            hint = "mark the task interruptible=True to have Ray re-run it on another node"
        future.set_result(lost_outcomes(_ray(), log, key, [i.node_id for i in call.items],
                                        why, hint))

    def _task_ref(self, ray: Any, task: Any) -> Any:
        """The task's pickle, put in the object store once per execution."""
        known = self._tasks.get(id(task))
        if known is None or known[0] is not task:
            known = self._tasks[id(task)] = (task, ray.put(cloudpickle.dumps(task)))
        return known[1]

    def _check_resources(self, ray: Any, options: dict[str, Any]) -> str | None:
        wanted = demand(options)
        problem = unsatisfiable(wanted, self._nodes)
        if problem is not None:  # a node may have joined since start()
            self._nodes = _node_resources(ray)
            problem = unsatisfiable(wanted, self._nodes)
        return problem


def parse_address(spec: str) -> str | None:
    """`ray` -> None (a local instance); `auto`/`ray:auto` -> "auto"; `ray://h:p` as is;
    `ray:h:p` -> "h:p"."""
    if spec == "ray":
        return None
    if spec == "auto":
        return "auto"
    if spec.startswith("ray://"):
        return spec
    if spec.startswith("ray:") and spec[4:]:
        return spec[4:]
    raise InvalidInputError(f"executor {spec!r}: use 'ray', 'ray:auto', 'ray:HOST:PORT' or "
                            "'ray://HOST:10001'")


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InvalidInputError("the Ray executor needs Ray: pip install 'slipstream[ray]'") from None
    return ray


def _connect(ray: Any, address: str | None, options: dict[str, Any]) -> None:
    if address is None:  # "local" starts a new instance even if a cluster runs on this machine
        kwargs = {"include_dashboard": False, "logging_level": logging.WARNING, **options}
        ray.init(address="local", **kwargs)
        return
    try:
        ray.init(address=address, logging_level=logging.WARNING, **options)
    except ConnectionError as exc:
        raise InvalidInputError(f"no Ray cluster answers at {address!r}: {exc}") from None


def _route_to(host: str) -> str:
    """The address of this machine's interface that packets to `host` leave from."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((host, 9))  # UDP: no packet is sent, only the route is looked up
        return str(probe.getsockname()[0])


def _node_resources(ray: Any) -> list[dict[str, float]]:
    return [dict(node["Resources"]) for node in ray.nodes() if node.get("Alive")]


def _failed(call: TaskCall, message: str) -> Future[list[ItemOutcome]]:
    t = now()
    error = ErrorInfo("user", "ResourcesUnavailable", message)
    future: Future[list[ItemOutcome]] = Future()
    future.set_result([ItemOutcome(item.node_id, Status.FAILED, None, (), error, t, t)
                       for item in call.items])
    return future


# ---- in the Ray worker ------------------------------------------------------------------------

_ENV: tuple[_WorkerConfig, WorkerEnv] | None = None
_TASKS: dict[bytes, Any] = {}


def _worker_env(config: _WorkerConfig) -> WorkerEnv:
    """Built once per Ray worker process (again only if an execution's stores differ)."""
    global _ENV
    if _ENV is not None and _ENV[0] == config:
        return _ENV[1]
    # Ray workers outlive executions: only the runner's forwarded variables are replaced
    adopt_runner_process(dict(config.environ), config.path, managed=_FORWARDED_ENV)
    import ray

    context = ray.get_runtime_context()
    node = context.get_node_id()
    ip = ray.util.get_node_ip_address()
    name = f"{hostname()}:{os.getpid()} ray-node {ip} {node[:16]}"
    env = open_worker_env(config.artifact_uri, config.scratch_dir, name)
    _ENV = (config, env)
    return env


def _run_remote(config: _WorkerConfig, task_payload: bytes, call_payload: bytes, key: str,
                log: Any) -> bytes:
    """One call in a Ray worker: its pickled outcomes, after the Ray attempts lost before it."""
    import ray

    env = _worker_env(config)
    digest = hashlib.blake2b(task_payload, digest_size=16).digest()
    task = _TASKS.get(digest)
    if task is None:
        task = _TASKS[digest] = cloudpickle.loads(task_payload)
    lost = announce(ray, log, key, env.name, wait=bool(getattr(task, "interruptible", False)))
    call: TaskCall = cloudpickle.loads(call_payload)
    call.task = task
    outcomes = [outcome.without_py() for outcome in run_call(call, env)]
    for outcome in outcomes:
        outcome.attempts = renumber(lost, outcome.attempts)
    return cloudpickle.dumps(outcomes)


__all__ = ["RayExecutor", "parse_address"]
