"""Where each Ray attempt of a call ran, so a lost attempt can be named in the record.

Ray re-runs an `interruptible` task when its worker or node dies, and fails a task that may not
be re-run; either way the process that ran the attempt is gone and cannot say so. Each Ray task
therefore tells a small actor (on the head node, no CPU) which worker it runs on
before it starts the user's code. A retry reads the attempts before it from there; when Ray
gives up on a call, the runner reads its attempts from there to record them and name the lost
worker.

An interruptible task's note is sent and acknowledged before its code starts (one round trip
to the actor); other tasks send it without waiting, so a worker killed in its first
milliseconds may leave its attempt unnamed ("where it ran is not known").

The attempt number is Ray's own, read through `CoreWorker.get_current_task_attempt_number()`:
Ray 2.x has no public API for it (the state API has it, but needs the dashboard). When it cannot
be read, no lost attempts are shown.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from typing import Any

from slipstream._core.ids import now
from slipstream.entities import Attempt, ErrorInfo, Status
from slipstream.execution.calls import ItemOutcome

_HEAD = "node:__internal_head__"
"""The resource Ray gives the head node only."""

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
    job = ray.get_runtime_context().get_job_id()
    if _LOG is None or _LOG.job != job:
        # on the head node (the cluster's state lives there: it outlives any worker node)
        options: dict[str, Any] = {"num_cpus": 0, "max_restarts": 0,
                                   "resources": {_HEAD: 0.001}}
        _LOG = _Log(job, ray.remote(AttemptLog).options(**options).remote())
    return _LOG.actor


def ray_attempt_number() -> int | None:
    """0 for a task's first Ray attempt, 1 for its first re-run...; None if unknown."""
    try:
        from ray._private.worker import global_worker

        return int(global_worker.core_worker.get_current_task_attempt_number())
    except Exception:
        return None


def announce(ray: Any, log: Any, key: str, worker: str, wait: bool) -> list[Attempt]:
    """In the Ray worker, before running a call: note this attempt (`wait`: until the log has
    it, so a worker killed right after cannot take the note with it); the attempts Ray lost
    before it (each FAILED, "worker lost", with the worker it ran on when known)."""
    number = ray_attempt_number()
    noted = log.started.remote(key, number if number is not None else -1, worker, now())
    if wait:  # if the log is gone or slow, the run goes on and the record says less
        with contextlib.suppress(Exception):
            ray.get(noted, timeout=LOOKUP_TIMEOUT)
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


def lost_outcomes(ray: Any, log: Any, key: str, node_ids: list[str], why: str,
                  hint: str) -> list[ItemOutcome]:
    """Asked from the runner when Ray gave up on a call whose worker or node died: each item
    FAILED (`WorkerLost`), with one attempt per Ray attempt the log saw start, and a message
    naming where the last one ran."""
    try:
        started = ray.get(log.attempts.remote(key), timeout=LOOKUP_TIMEOUT)
    except Exception:
        started = []
    worker = started[-1][1] if started else ""
    where = f"on {worker}" if worker else "(where it ran is not known)"
    error = ErrorInfo("system", "WorkerLost", f"the Ray worker or node running this task "
                                              f"{where} died ({why}); {hint}")
    t = now()
    attempts = tuple(Attempt(i + 1, at, t, Status.FAILED, error, w)
                     for i, (_, w, at) in enumerate(started))
    first = attempts[0].started_at if attempts else t
    return [ItemOutcome(node_id, Status.FAILED, None, attempts, error, first, t)
            for node_id in node_ids]


def forget(log: Any, keys: list[str]) -> None:
    if keys:
        log.forget.remote(keys)


__all__ = ["AttemptLog", "announce", "attempt_log", "forget", "lost_outcomes", "renumber"]
