"""What the runner hands an executor (`TaskCall`) and what comes back (`ItemOutcome`).

A call carries one task and one or more items (a plain task node is one item; a chunk of a
map is many), so executors can amortise shipping the task over a chunk.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from slipstream._core.ids import now
from slipstream.entities import Attempt, ErrorInfo, Status
from slipstream.execution.values import Value


@dataclass
class CallItem:
    """One invocation: the node it records as, and its input values."""

    node_id: str
    inputs: dict[str, Value]


@dataclass
class TaskCall:
    """Run `task` once per item."""

    execution_id: str
    task: Any
    items: list[CallItem]
    bound: dict[str, Any] | None = None
    defer: bool = False
    """Outputs may be serialised later, in the background (the worker's env must allow it)."""


@dataclass
class ItemOutcome:
    """How one item ended: outputs on success, the error otherwise, and every attempt."""

    node_id: str
    status: Status
    outputs: dict[str, Value] | None
    attempts: tuple[Attempt, ...]
    error: ErrorInfo | None
    started_at: float
    ended_at: float

    def without_py(self) -> ItemOutcome:
        if self.outputs:
            self.outputs = {k: v.without_py() for k, v in self.outputs.items()}
        return self


def lost_call_outcomes(future: Future[list[ItemOutcome]], call: TaskCall) -> list[ItemOutcome]:
    """A call's outcomes; if the executor lost it (a worker process died), each item FAILED."""
    try:
        return future.result()
    except Exception as exc:
        t = now()
        error = ErrorInfo("system", type(exc).__name__,
                          f"the worker running this task was lost: {exc}")
        return [ItemOutcome(item.node_id, Status.FAILED, None, (), error, t, t)
                for item in call.items]
