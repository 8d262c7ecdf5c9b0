"""Frozen records shared by every layer: executions, node executions, cache entries, workflows,
and the tracking records (experiments, runs, metrics, params, tags, datasets), loaded on first
use so that running a workflow does not build classes it never needs."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
    "DEFAULT_EXPERIMENT_ID",
    "DEFAULT_EXPERIMENT_NAME",
    "PARENT_RUN_TAG",
    "RUN_NAME_TAG",
    "TERMINAL_STATUSES",
    "Attempt",
    "CacheEntry",
    "Dataset",
    "DatasetInput",
    "ErrorInfo",
    "ExecutionRecord",
    "Experiment",
    "LifecycleStage",
    "Metric",
    "NodeExecutionRecord",
    "Param",
    "Run",
    "RunData",
    "RunInfo",
    "RunStatus",
    "RunTag",
    "Status",
    "ViewType",
    "WorkflowRecord",
]

_TRACKING = frozenset({
    "DEFAULT_EXPERIMENT_ID",
    "DEFAULT_EXPERIMENT_NAME",
    "PARENT_RUN_TAG",
    "RUN_NAME_TAG",
    "Dataset",
    "DatasetInput",
    "Experiment",
    "LifecycleStage",
    "Metric",
    "Param",
    "Run",
    "RunData",
    "RunInfo",
    "RunStatus",
    "RunTag",
    "ViewType",
})

if TYPE_CHECKING:
    from slipstream.entities.tracking import (
        DEFAULT_EXPERIMENT_ID,
        DEFAULT_EXPERIMENT_NAME,
        PARENT_RUN_TAG,
        RUN_NAME_TAG,
        Dataset,
        DatasetInput,
        Experiment,
        LifecycleStage,
        Metric,
        Param,
        Run,
        RunData,
        RunInfo,
        RunStatus,
        RunTag,
        ViewType,
    )


def __getattr__(name: str) -> Any:
    if name in _TRACKING:
        value = getattr(importlib.import_module("slipstream.entities.tracking"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'slipstream.entities' has no attribute {name!r}")
