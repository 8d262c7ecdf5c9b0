"""Reading back what a study wrote: its execution's nodes and its runs."""

from __future__ import annotations

from typing import Any


def nodes_of(study: Any) -> dict[str, Any]:
    from slipstream.execution.api import default_client

    return {n.node_id: n for n in default_client().store.list_nodes(study.execution_id)}


def runs_of(study: Any) -> dict[str, Any]:
    """Trial runs by run id (the study's execution's runs)."""
    from slipstream.tracking.fluent import default_tracking_client

    store = default_tracking_client().store
    return {r.info.run_id: r for r in store.list_runs_for_execution(study.execution_id)}


def numbers(study: Any) -> list[int]:
    return [t.number for t in study.trials]
