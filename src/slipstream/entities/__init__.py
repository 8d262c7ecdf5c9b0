"""Frozen records shared by every layer: executions, node executions, cache entries, workflows,
the tracking records (experiments, runs, metrics, params, tags, datasets) and the model
registry's (registered models, versions, alias events) and drift monitoring's (monitors,
drift reports), loaded on first use so that running a workflow does not build classes it never
needs."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from slipstream.entities.executions import (
    TERMINAL_STATUSES,
    Attempt,
    CacheEntry,
    ErrorInfo,
    ExecutionRecord,
    LogRef,
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
    "AliasEvent",
    "Attempt",
    "CacheEntry",
    "Dataset",
    "DatasetInput",
    "DriftReport",
    "ErrorInfo",
    "ExecutionRecord",
    "Experiment",
    "LifecycleStage",
    "LogRef",
    "Metric",
    "ModelVersion",
    "ModelVersionStatus",
    "Monitor",
    "NodeExecutionRecord",
    "Param",
    "RegisteredModel",
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

_REGISTRY = frozenset({"AliasEvent", "ModelVersion", "ModelVersionStatus", "RegisteredModel"})

_MONITORING = frozenset({"DriftReport", "Monitor"})

if TYPE_CHECKING:
    from slipstream.entities.monitoring import DriftReport, Monitor
    from slipstream.entities.registry import (
        AliasEvent,
        ModelVersion,
        ModelVersionStatus,
        RegisteredModel,
    )
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
    module = ("slipstream.entities.tracking" if name in _TRACKING
              else "slipstream.entities.registry" if name in _REGISTRY
              else "slipstream.entities.monitoring" if name in _MONITORING else None)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'slipstream.entities' has no attribute {name!r}")
