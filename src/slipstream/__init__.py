"""Slipstream: typed ML workflows, tracking, tuning and serving — local-first, one package.

    from slipstream import task, workflow, dynamic, map_task, conditional, Resources
    ss.set_experiment(...); with ss.start_run(): ss.log_metric(...)   # tracking
    ss.tune(fn, space={"C": ss.loguniform(1e-4, 1e2)}, objective="accuracy")  # tuning

Everything here is imported lazily, so `import slipstream` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "task": "slipstream.sdk.task",
    "Task": "slipstream.sdk.task",
    "workflow": "slipstream.sdk.workflow",
    "Workflow": "slipstream.sdk.workflow",
    "dynamic": "slipstream.sdk.dynamic",
    "map_task": "slipstream.sdk.map",
    "conditional": "slipstream.sdk.conditional",
    "Resources": "slipstream.sdk.resources",
    "Retry": "slipstream.sdk.resources",
    "Cache": "slipstream.sdk.resources",
    "File": "slipstream.types.files",
    "Directory": "slipstream.types.files",
    "RunContext": "slipstream._core.context",
    "current_context": "slipstream._core.context",
    "Client": "slipstream.execution.api",
    "run": "slipstream.execution.api",
    "recover": "slipstream.execution.api",
    "Settings": "slipstream._core.settings",
    "set_experiment": "slipstream.tracking.fluent",
    "start_run": "slipstream.tracking.fluent",
    "end_run": "slipstream.tracking.fluent",
    "active_run": "slipstream.tracking.fluent",
    "log_metric": "slipstream.tracking.log_calls",
    "log_metrics": "slipstream.tracking.log_calls",
    "log_param": "slipstream.tracking.log_calls",
    "log_params": "slipstream.tracking.log_calls",
    "set_tag": "slipstream.tracking.log_calls",
    "set_tags": "slipstream.tracking.log_calls",
    "delete_tag": "slipstream.tracking.log_calls",
    "log_artifact": "slipstream.tracking.log_calls",
    "log_artifacts": "slipstream.tracking.log_calls",
    "log_dict": "slipstream.tracking.log_calls",
    "log_text": "slipstream.tracking.log_calls",
    "log_input": "slipstream.tracking.log_calls",
    "search_runs": "slipstream.tracking.fluent",
    "get_run": "slipstream.tracking.fluent",
    "get_metric_history": "slipstream.tracking.fluent",
    "get_experiment": "slipstream.tracking.fluent",
    "get_experiment_by_name": "slipstream.tracking.fluent",
    "create_experiment": "slipstream.tracking.fluent",
    "get_artifact_uri": "slipstream.tracking.log_calls",
    "list_artifacts": "slipstream.tracking.log_calls",
    "download_artifacts": "slipstream.tracking.log_calls",
    "end_task_run": "slipstream.tracking.fluent",
    "ActiveRun": "slipstream.tracking.fluent",
    "TrackingClient": "slipstream.tracking.client",
    "autolog": "slipstream.models.autolog",
    "sklearn": "slipstream.models.autolog",
    "tune": "slipstream.tuning.api",
    "resume_study": "slipstream.tuning.api",
    "suggest": "slipstream.tuning.api",
    "report": "slipstream.tuning.trial",
    "TrialPruned": "slipstream.tuning.trial",
    "uniform": "slipstream.tuning.space",
    "loguniform": "slipstream.tuning.space",
    "intrange": "slipstream.tuning.space",
    "choice": "slipstream.tuning.space",
    "LaunchPlan": "slipstream.scheduling.plans",
}
# The tuning names (tune ... choice) and LaunchPlan are left out of the TYPE_CHECKING imports
# below: the import linter counts those, and serving (which reads __version__ here) sits beside
# tuning and scheduling.
#: Subpackages reachable as attributes (`ss.models.log_model(...)`), imported on first use.
_SUBPACKAGES = {"models": "slipstream.models"}

__all__ = [
    "ActiveRun",
    "Cache",
    "Client",
    "Directory",
    "File",
    "LaunchPlan",
    "Resources",
    "Retry",
    "RunContext",
    "Settings",
    "Task",
    "TrackingClient",
    "TrialPruned",
    "Workflow",
    "active_run",
    "autolog",
    "choice",
    "conditional",
    "create_experiment",
    "current_context",
    "delete_tag",
    "download_artifacts",
    "dynamic",
    "end_run",
    "end_task_run",
    "get_artifact_uri",
    "get_experiment",
    "get_experiment_by_name",
    "get_metric_history",
    "get_run",
    "intrange",
    "list_artifacts",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_input",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_text",
    "loguniform",
    "map_task",
    "models",
    "recover",
    "report",
    "resume_study",
    "run",
    "search_runs",
    "set_experiment",
    "set_tag",
    "set_tags",
    "sklearn",
    "start_run",
    "suggest",
    "task",
    "tune",
    "uniform",
    "workflow",
]

if TYPE_CHECKING:
    from slipstream import models
    from slipstream._core.context import RunContext, current_context
    from slipstream._core.settings import Settings
    from slipstream.execution.api import Client, recover, run
    from slipstream.models.autolog import autolog, sklearn
    from slipstream.sdk.conditional import conditional
    from slipstream.sdk.dynamic import dynamic
    from slipstream.sdk.map import map_task
    from slipstream.sdk.resources import Cache, Resources, Retry
    from slipstream.sdk.task import Task, task
    from slipstream.sdk.workflow import Workflow, workflow
    from slipstream.tracking.client import TrackingClient
    from slipstream.tracking.fluent import (
        ActiveRun,
        active_run,
        create_experiment,
        end_run,
        end_task_run,
        get_experiment,
        get_experiment_by_name,
        get_metric_history,
        get_run,
        search_runs,
        set_experiment,
        start_run,
    )
    from slipstream.tracking.log_calls import (
        delete_tag,
        download_artifacts,
        get_artifact_uri,
        list_artifacts,
        log_artifact,
        log_artifacts,
        log_dict,
        log_input,
        log_metric,
        log_metrics,
        log_param,
        log_params,
        log_text,
        set_tag,
        set_tags,
    )
    from slipstream.types.files import Directory, File


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        package = importlib.import_module(_SUBPACKAGES[name])
        globals()[name] = package
        return package
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'slipstream' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
