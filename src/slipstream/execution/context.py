"""`RunContext`: what a running task may know about its execution. Passed explicitly to tasks
that declare a `RunContext` parameter, and available as `current_context()` to library code
(the tracking API) running inside a task."""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass, field

_current: contextvars.ContextVar[RunContext | None] = contextvars.ContextVar(
    "slipstream_run_context", default=None)


@dataclass(frozen=True)
class RunContext:
    """Identity of the running node execution."""

    execution_id: str
    node_id: str
    task_name: str
    attempt: int = 1
    worker: str = ""
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("slipstream.task"))

    @classmethod
    def local(cls, task_name: str) -> RunContext:
        """The context of a task called as plain Python, outside any execution."""
        return cls(execution_id="", node_id="", task_name=task_name)


def current_context() -> RunContext | None:
    """The context of the task running on this thread, or None outside a task."""
    return _current.get()


def enter_context(ctx: RunContext) -> contextvars.Token[RunContext | None]:
    return _current.set(ctx)


def exit_context(token: contextvars.Token[RunContext | None]) -> None:
    _current.reset(token)
