"""Convert between entities and table rows: parameter dicts out, entities back in.

No SQLAlchemy at run time: the hot path uses these with plain driver rows.

JSON columns hold compact text; None stays NULL so `None` and `{}` round-trip distinctly.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import NotFoundError
from slipstream.entities import (
    Attempt,
    CacheEntry,
    ErrorInfo,
    ExecutionRecord,
    NodeExecutionRecord,
    Status,
    WorkflowRecord,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Row

_decode = json.loads


def _unserialisable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _make_encoder() -> Callable[[Any], str]:
    """Compact JSON encoding. `JSONEncoder.encode` builds a C encoder on every call (most of
    the cost for small values); build it once instead, when CPython's accelerator exists."""
    public = json.JSONEncoder(separators=(",", ":")).encode
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return public
    # markers=None: no circular-reference check (literal maps are trees)
    chunks = make(None, _unserialisable, json.encoder.encode_basestring_ascii, None,
                  ":", ",", False, False, True)

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    return encode


_encode = _make_encoder()


def _dumps_opt(value: Any) -> str | None:
    return None if value is None else _encode(value)


def _loads_opt(text: str | None) -> Any:
    return None if text is None else _decode(text)


def _error_text(error: ErrorInfo | None) -> str | None:
    return None if error is None else _encode(error.to_json())


def _error(text: str | None) -> ErrorInfo | None:
    return None if text is None else ErrorInfo.from_json(_decode(text))


def workflow_params(w: WorkflowRecord) -> dict[str, Any]:
    """Bound parameters of one workflows row."""
    return {"name": w.name, "version": w.version, "spec": _encode(w.spec),
            "source_ref": w.source_ref, "created_at": w.created_at}


def execution_params(e: ExecutionRecord) -> dict[str, Any]:
    """Bound parameters of one executions row."""
    return {
        "id": e.id, "workflow_name": e.workflow_name, "workflow_version": e.workflow_version,
        "status": Status(e.status).value, "inputs": _encode(e.inputs),
        "outputs": _dumps_opt(e.outputs), "error": _error_text(e.error),
        "created_at": e.created_at, "started_at": e.started_at, "ended_at": e.ended_at,
        "recovered_from": e.recovered_from, "executor": e.executor, "host": e.host,
        "pid": e.pid, "source_ref": e.source_ref,
    }


def node_params(n: NodeExecutionRecord) -> dict[str, Any]:
    """Bound parameters of one node_executions row."""
    return {
        "execution_id": n.execution_id, "node_id": n.node_id, "name": n.name, "kind": n.kind,
        "status": Status(n.status).value, "parent_id": n.parent_id,
        "task_version": n.task_version, "started_at": n.started_at, "ended_at": n.ended_at,
        "inputs": _dumps_opt(n.inputs), "outputs": _dumps_opt(n.outputs),
        "error": _error_text(n.error),
        "attempts": _encode([a.to_json() for a in n.attempts]),
        "cache_status": n.cache_status, "cache_key": n.cache_key,
        "detail": _encode(n.detail),
    }


def cache_params(c: CacheEntry) -> dict[str, Any]:
    """Bound parameters of one cache_entries row."""
    return {"key": c.key, "task_name": c.task_name, "cache_version": c.cache_version,
            "outputs": _encode(c.outputs), "created_at": c.created_at,
            "execution_id": c.execution_id, "node_id": c.node_id}


def workflow_from_row(r: Row[Any]) -> WorkflowRecord:
    """A WorkflowRecord from a full workflows row."""
    return WorkflowRecord(name=r.name, version=r.version, spec=_decode(r.spec),
                          source_ref=r.source_ref, created_at=r.created_at)


def execution_from_row(r: Row[Any]) -> ExecutionRecord:
    """An ExecutionRecord from a full executions row."""
    return ExecutionRecord(
        id=r.id, workflow_name=r.workflow_name, workflow_version=r.workflow_version,
        status=Status(r.status), inputs=_decode(r.inputs), created_at=r.created_at,
        source_ref=r.source_ref, started_at=r.started_at, ended_at=r.ended_at,
        outputs=_loads_opt(r.outputs), error=_error(r.error),
        recovered_from=r.recovered_from, executor=r.executor, host=r.host, pid=r.pid,
    )


def node_from_row(r: Row[Any]) -> NodeExecutionRecord:
    """A NodeExecutionRecord from a full node_executions row."""
    return NodeExecutionRecord(
        execution_id=r.execution_id, node_id=r.node_id, name=r.name, kind=r.kind,
        status=Status(r.status), parent_id=r.parent_id, task_version=r.task_version,
        started_at=r.started_at, ended_at=r.ended_at, inputs=_loads_opt(r.inputs),
        outputs=_loads_opt(r.outputs), error=_error(r.error),
        attempts=tuple(Attempt.from_json(a) for a in _decode(r.attempts)),
        cache_status=r.cache_status, cache_key=r.cache_key, detail=_decode(r.detail),
    )


def cache_from_row(r: Any) -> CacheEntry:
    """A CacheEntry from a full cache_entries row (any row with the columns as attributes)."""
    return CacheEntry(key=r.key, task_name=r.task_name, cache_version=r.cache_version,
                      outputs=_decode(r.outputs), created_at=r.created_at,
                      execution_id=r.execution_id, node_id=r.node_id)


def numeric_id(experiment_id: str) -> int:
    """The stored integer id; NotFoundError for anything that cannot be one."""
    try:
        return int(str(experiment_id))
    except ValueError:
        raise NotFoundError(f"No Experiment with id={experiment_id} exists") from None
