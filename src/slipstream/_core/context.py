"""`RunContext`: what a running task may know about its execution. Passed explicitly to tasks
that declare a `RunContext` parameter, and available as `current_context()` to library code
(the tracking API) running inside a task."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

import contextvars

_current: contextvars.ContextVar[RunContext | None] = contextvars.ContextVar(
    "slipstream_run_context", default=None)


class RunContext:
    """Identity of the running node execution (read-only)."""

    __slots__ = ("attempt", "execution_id", "node_id", "task_name", "worker")

    def __init__(self, execution_id: str, node_id: str, task_name: str, attempt: int = 1,
                 worker: str = "") -> None:
        self.execution_id = execution_id
        self.node_id = node_id
        self.task_name = task_name
        self.attempt = attempt
        self.worker = worker

    @property
    def logger(self) -> logging.Logger:
        """A logger named after the task."""
        import logging

        return logging.getLogger(f"slipstream.task.{self.task_name}")

    @classmethod
    def local(cls, task_name: str) -> RunContext:
        """The context of a task called as plain Python, outside any execution."""
        return cls(execution_id="", node_id="", task_name=task_name)

    def __repr__(self) -> str:
        return (f"RunContext(execution_id={self.execution_id!r}, node_id={self.node_id!r}, "
                f"task_name={self.task_name!r}, attempt={self.attempt})")


def current_context() -> RunContext | None:
    """The context of the task running on this thread, or None outside a task."""
    return _current.get()


def enter_context(ctx: RunContext) -> contextvars.Token[RunContext | None]:
    return _current.set(ctx)


def exit_context(token: contextvars.Token[RunContext | None]) -> None:
    _current.reset(token)
