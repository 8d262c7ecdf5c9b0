"""Slipstream: typed ML workflows, tracking, tuning and serving — local-first, one package.

    from slipstream import task, workflow, dynamic, map_task, conditional, Resources

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
}

__all__ = [
    "Cache",
    "Client",
    "Directory",
    "File",
    "Resources",
    "Retry",
    "RunContext",
    "Settings",
    "Task",
    "Workflow",
    "conditional",
    "current_context",
    "dynamic",
    "map_task",
    "recover",
    "run",
    "task",
    "workflow",
]

if TYPE_CHECKING:
    from slipstream._core.context import RunContext, current_context
    from slipstream._core.settings import Settings
    from slipstream.execution.api import Client, recover, run
    from slipstream.sdk.conditional import conditional
    from slipstream.sdk.dynamic import dynamic
    from slipstream.sdk.map import map_task
    from slipstream.sdk.resources import Cache, Resources, Retry
    from slipstream.sdk.task import Task, task
    from slipstream.sdk.workflow import Workflow, workflow
    from slipstream.types.files import Directory, File


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'slipstream' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
