"""Stopping a task that runs past its timeout.

On the main thread (the CLI, the process-pool workers) a real-time timer interrupts the task
with `TaskTimedOut`, which stops Python code and sleeps. Elsewhere the task runs on a helper
thread that is abandoned when the time is up (Python cannot stop a thread): the node is still
recorded TIMED_OUT and the execution moves on.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any


class TaskTimedOut(BaseException):
    """Raised inside a task when its timeout expires (a BaseException, so that a task's own
    `except Exception` cannot swallow it)."""


def call_with_timeout(fn: Callable[[], Any], seconds: float | None) -> Any:
    """Call `fn()`; raise TaskTimedOut if it runs longer than `seconds` (None: no limit)."""
    if seconds is None:
        return fn()
    if threading.current_thread() is threading.main_thread():
        return _with_alarm(fn, seconds)
    return _with_thread(fn, seconds)


def _with_alarm(fn: Callable[[], Any], seconds: float) -> Any:
    def on_alarm(signum: int, frame: Any) -> None:
        raise TaskTimedOut(f"timed out after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _with_thread(fn: Callable[[], Any], seconds: float) -> Any:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="slipstream-task", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TaskTimedOut(f"timed out after {seconds:g} s (left running on a background thread)")
    if "error" in box:
        raise box["error"]
    return box.get("value")
