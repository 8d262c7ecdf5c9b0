"""Where each Ray attempt of a call ran, so a lost attempt can be named in the record.

Ray re-runs an `interruptible` task when its worker or node dies, and fails a task that may not
be re-run; either way the process that ran the attempt is gone and cannot say so. Each Ray task
therefore tells a small actor (pinned to the runner's node, no CPU) which worker it runs on
before it starts the user's code. A retry reads the attempts before it from there; the runner
reads a lost call's last worker from there to name it in the error.

The attempt number is Ray's own, read through `CoreWorker.get_current_task_attempt_number()`:
Ray 2.x has no public API for it (the state API has it, but needs the dashboard). When it cannot
be read, the attempts are numbered as the actor saw them start.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from slipstream._core.ids import now
from slipstream.entities import Attempt, ErrorInfo, Status

LOOKUP_TIMEOUT = 10.0
"""Seconds to wait for the actor's answer before recording a lost attempt without its node."""


class AttemptLog:
    """The actor: call key -> [(Ray attempt number, worker, started at)]."""

    def __init__(self) -> None:
        self._started: dict[str, list[tuple[int, str, float]]] = {}

    def started(self, key: str, number: int, worker: str, at: float) -> None:
        self._started.setdefault(key, []).append((number, worker, at))

    def attempts(self, key: str) -> list[tuple[int, str, float]]:
        return list(self._started.get(key, ()))

    def forget(self, keys: list[str]) -> None:
        for key in keys:
            self._started.pop(key, None)


@dataclass
class _Log:
    job: str
    actor: Any


_LOG: _Log | None = None


def attempt_log(ray: Any) -> Any:
    """The actor for this Ray connection (one per driver connection, created on first use)."""
    global _LOG
    context = ray.get_runtime_context()
    job = context.get_job_id()
    if _LOG is None or _LOG.job != job:
        options: dict[str, Any] = {"num_cpus": 0, "max_restarts": 0}
        try:  # on the runner's node: a worker node may die (not through the Ray Client)
            from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

            options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(
                context.get_node_id(), soft=True)
        except Exception:
            pass
        _LOG = _Log(job, ray.remote(AttemptLog).options(**options).remote())
    return _LOG.actor


def ray_attempt_number() -> int | None:
    """0 for a task's first Ray attempt, 1 for its first re-run...; None if unknown."""
    try:
        from ray._private.worker import global_worker

        return int(global_worker.core_worker.get_current_task_attempt_number())
    except Exception:
        return None


def announce(ray: Any, log: Any, key: str, worker: str) -> list[Attempt]:
    """In the Ray worker, before running a call: note this attempt; the attempts Ray lost
    before it (each FAILED, "worker lost", with the worker it ran on when known)."""
    number = ray_attempt_number()
    log.started.remote(key, number if number is not None else -1, worker, now())
    if not number:
        return []
    try:
        earlier = ray.get(log.attempts.remote(key), timeout=LOOKUP_TIMEOUT)
    except Exception:
        earlier = []
    seen = {n: (w, at) for n, w, at in earlier if n < number}
    retry_start = now()
    lost = []
    for n in range(number):
        worker_was, at = seen.get(n, ("", retry_start))
        where = f" on {worker_was}" if worker_was else " (where it ran is not known)"
        lost.append(Attempt(n + 1, at, retry_start, Status.FAILED,
                            ErrorInfo("system", "WorkerLost",
                                      f"Ray attempt {n + 1} was lost with its worker or node"
                                      f"{where}; Ray re-ran the task"), worker_was))
    return lost


def renumber(lost: list[Attempt], attempts: tuple[Attempt, ...]) -> tuple[Attempt, ...]:
    """The lost Ray attempts, then the retry's own attempts numbered after them."""
    if not lost:
        return attempts
    shift = len(lost)
    return (*lost, *(dataclasses.replace(a, number=a.number + shift) for a in attempts))


def last_worker(ray: Any, log: Any, key: str) -> str:
    """Where the call's last attempt started ('' if not known), asked from the runner."""
    try:
        started = ray.get(log.attempts.remote(key), timeout=LOOKUP_TIMEOUT)
    except Exception:
        return ""
    return started[-1][1] if started else ""


def forget(log: Any, keys: list[str]) -> None:
    if keys:
        log.forget.remote(keys)


__all__ = ["AttemptLog", "announce", "attempt_log", "forget", "last_worker", "renumber"]
