"""Records of workflows, executions and node executions, as the metadata store keeps them.

Literal maps (`inputs`, `outputs`) are JSON-ready dicts produced by the type engine: small values
inline, large ones as `{"$blob": <sha256>, ...}` references into the artifact store.
Times are epoch seconds (float).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Lifecycle of an execution or a node execution."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    SKIPPED = "SKIPPED"
    ABORTED = "ABORTED"


TERMINAL_STATUSES = frozenset(
    {Status.SUCCEEDED, Status.FAILED, Status.TIMED_OUT, Status.SKIPPED, Status.ABORTED}
)


@dataclass(frozen=True)
class ErrorInfo:
    """What went wrong: `kind` is user | timeout | system; traceback is the user's frames."""

    kind: str
    type: str
    message: str
    traceback: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "type": self.type, "message": self.message,
                "traceback": self.traceback}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ErrorInfo | None:
        return cls(**data) if data else None


@dataclass(frozen=True)
class LogRef:
    """Where an attempt's captured output (prints and log records) is kept: the artifact
    store's sha256 `digest` of the text, its `size` in bytes, and how many bytes were `omitted`
    from its middle to keep it bounded (0: the whole output)."""

    digest: str
    size: int
    omitted: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"digest": self.digest, "size": self.size, "omitted": self.omitted}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> LogRef | None:
        return cls(data["digest"], data["size"], data.get("omitted", 0)) if data else None


@dataclass(frozen=True)
class Attempt:
    """One try of a node: when it ran, how it ended, on which worker, and where what it wrote
    is kept (`log`: None when it wrote nothing)."""

    number: int
    started_at: float
    ended_at: float | None = None
    status: Status = Status.RUNNING
    error: ErrorInfo | None = None
    worker: str = ""
    log: LogRef | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"number": self.number, "started_at": self.started_at, "ended_at": self.ended_at,
                "status": self.status.value, "worker": self.worker,
                "error": self.error.to_json() if self.error else None}
        if self.log is not None:
            data["log"] = self.log.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attempt:
        return cls(number=data["number"], started_at=data["started_at"],
                   ended_at=data.get("ended_at"), status=Status(data["status"]),
                   error=ErrorInfo.from_json(data.get("error")), worker=data.get("worker", ""),
                   log=LogRef.from_json(data.get("log")))


@dataclass(frozen=True)
class WorkflowRecord:
    """A registered workflow version: its compiled graph spec and where its code lives."""

    name: str
    version: str
    spec: dict[str, Any]
    source_ref: str
    created_at: float


@dataclass(frozen=True)
class ExecutionRecord:
    """One run of a workflow."""

    id: str
    workflow_name: str
    workflow_version: str
    status: Status
    inputs: dict[str, Any]
    created_at: float
    source_ref: str = ""
    started_at: float | None = None
    ended_at: float | None = None
    outputs: dict[str, Any] | None = None
    error: ErrorInfo | None = None
    recovered_from: str | None = None
    executor: str = "inline"
    host: str = ""
    pid: int = 0

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at


@dataclass(frozen=True)
class NodeExecutionRecord:
    """One node of one execution.

    `node_id` is a path unique within the execution: "n2", "n3/n0" (inside a sub-workflow,
    branch or dynamic node "n3"), "n4[17]" (item 17 of map node "n4").
    `cache_status` is "off", "miss", "hit" (outputs reused from the cache) or "recovered"
    (outputs reused from the execution this one recovers).
    """

    execution_id: str
    node_id: str
    name: str
    kind: str
    status: Status
    parent_id: str | None = None
    task_version: str = ""
    started_at: float | None = None
    ended_at: float | None = None
    inputs: dict[str, Any] | None = None
    outputs: dict[str, Any] | None = None
    error: ErrorInfo | None = None
    attempts: tuple[Attempt, ...] = ()
    cache_status: str = "off"
    cache_key: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at


@dataclass(frozen=True)
class CacheEntry:
    """Outputs of a task, reusable by any execution whose node has the same key."""

    key: str
    task_name: str
    cache_version: str
    outputs: dict[str, Any]
    created_at: float
    execution_id: str
    node_id: str
