"""Frozen records shared by every layer: executions, node executions, cache entries, workflows."""

from slipstream.entities.executions import (
    TERMINAL_STATUSES,
    Attempt,
    CacheEntry,
    ErrorInfo,
    ExecutionRecord,
    NodeExecutionRecord,
    Status,
    WorkflowRecord,
)

__all__ = [
    "TERMINAL_STATUSES",
    "Attempt",
    "CacheEntry",
    "ErrorInfo",
    "ExecutionRecord",
    "NodeExecutionRecord",
    "Status",
    "WorkflowRecord",
]
