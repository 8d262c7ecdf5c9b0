"""The executor seam: where task calls run. The runner (scheduler) only calls `submit` and waits
on the futures, so a new executor (Ray) plugs in without touching it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from concurrent.futures import Future

from slipstream.execution.calls import ItemOutcome, TaskCall
from slipstream.execution.worker import WorkerEnv, run_call, worker_name


class Executor(ABC):
    """Runs task calls; `parallelism` is how many items it can usefully run at once."""

    name: str = "executor"
    parallelism: int = 1
    shares_memory: bool = False
    """True when calls run in the runner's process, so Python objects can be handed over."""
    synchronous: bool = False
    """True when `run_now` runs a call to completion on the caller's thread."""

    @abstractmethod
    def start(self, env: WorkerEnv, artifact_uri: str) -> None:
        """Prepare to run calls of one execution (pools, cluster connections)."""

    @abstractmethod
    def submit(self, call: TaskCall) -> Future[list[ItemOutcome]]:
        """Start running `call`; the future's result has one outcome per item."""

    @abstractmethod
    def shutdown(self) -> None:
        """Release workers; called once per execution."""

    def run_now(self, call: TaskCall) -> list[ItemOutcome]:
        """Run a call to completion here (only for `synchronous` executors)."""
        return self.submit(call).result()

    def chunk_size(self, items: int) -> int:
        """How many map items to send per call."""
        return max(1, min(256, items // (self.parallelism * 4) or 1))

    def callback_host(self) -> str | None:
        """An address of this machine its calls can connect back to when they may run on
        other machines (a tuner's link listens there); None: they run here."""
        return None


class InlineExecutor(Executor):
    """Runs each call immediately in the runner's thread: the default, and the fastest for
    small tasks."""

    name = "inline"
    parallelism = 1
    shares_memory = True
    synchronous = True

    def __init__(self) -> None:
        self._env: WorkerEnv | None = None

    def start(self, env: WorkerEnv, artifact_uri: str) -> None:
        self._env = env

    def submit(self, call: TaskCall) -> Future[list[ItemOutcome]]:
        assert self._env is not None, "start() first"
        future: Future[list[ItemOutcome]] = Future()
        future.set_result(run_call(call, self._env))
        return future

    def run_now(self, call: TaskCall) -> list[ItemOutcome]:
        assert self._env is not None, "start() first"
        return run_call(call, self._env)

    def shutdown(self) -> None:
        self._env = None

    def chunk_size(self, items: int) -> int:
        return 64


def make_executor(spec: str) -> Executor:
    """`inline`, `process`, `process:N`, or a Ray cluster: `ray` (a local instance), `auto` /
    `ray:auto` (the running one), `ray:HOST:PORT`, `ray://HOST:10001`."""
    from slipstream._core.errors import InvalidInputError

    if spec == "auto" or spec == "ray" or spec.startswith("ray:"):
        from slipstream.execution.ray_executor import RayExecutor, parse_address

        return RayExecutor(parse_address(spec))
    kind, _, arg = spec.partition(":")
    if kind == "inline" and not arg:
        return InlineExecutor()
    if kind == "process":
        from slipstream.execution.process import ProcessExecutor

        try:
            workers = int(arg) if arg else None
        except ValueError:
            raise InvalidInputError(f"executor {spec!r}: the worker count must be a number") from None
        return ProcessExecutor(workers)
    raise InvalidInputError(
        f"Unknown executor {spec!r}: use 'inline' (default), 'process' / 'process:N', or 'ray' / "
        "'ray:auto' / 'ray://HOST:10001'")


__all__ = ["Executor", "InlineExecutor", "make_executor", "worker_name"]
