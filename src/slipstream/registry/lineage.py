"""Lineage of a new model version, read from the run that produced it: the workflow execution
and node the run belongs to, the workflow's version, and the datasets it trained on.

A run started inside a workflow task carries its execution and node (RunInfo fields, and the
tags `slipstream.execution_id` / `slipstream.node_id` for runs logged through MLflow's API); the
execution store names the execution's workflow version. The training datasets are the run's
inputs whose `mlflow.data.context` is "training"; when none is, those without a context (all
of them when no input has one): evaluation sets are not what a model was trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slipstream._core.errors import NotFoundError
from slipstream.entities.executions import ExecutionRecord
from slipstream.entities.tracking import Dataset, DatasetInput, Run
from slipstream.metadata.base import ExecutionStore

#: Run tags naming the execution and node a run was logged from (tracking.fluent's names;
#: registry may not import tracking).
EXECUTION_ID_TAG = "slipstream.execution_id"
NODE_ID_TAG = "slipstream.node_id"
CONTEXT_TAG = "mlflow.data.context"
TRAINING = "training"


@dataclass(frozen=True, slots=True)
class RunLineage:
    """What a run says about where a model came from."""

    execution_id: str | None = None
    node_id: str | None = None
    workflow_version: str | None = None
    datasets: tuple[Dataset, ...] = ()


def from_run(run: Run, executions: ExecutionStore | None) -> RunLineage:
    """The lineage a model version logged from `run` inherits."""
    tags = run.data.tags
    execution_id = run.info.execution_id or tags.get(EXECUTION_ID_TAG) or None
    node_id = run.info.node_id or tags.get(NODE_ID_TAG) or None
    execution = find_execution(executions, execution_id)
    return RunLineage(execution_id, node_id,
                      execution.workflow_version if execution is not None else None,
                      training_datasets(run.inputs))


def training_datasets(inputs: Sequence[DatasetInput]) -> tuple[Dataset, ...]:
    """The datasets a run trained on, in the order it logged them (see the module doc)."""
    training = [i.dataset for i in inputs if i.tags.get(CONTEXT_TAG) == TRAINING]
    if training:
        return tuple(training)
    return tuple(i.dataset for i in inputs if not i.tags.get(CONTEXT_TAG))


def find_execution(executions: ExecutionStore | None,
                   execution_id: str | None) -> ExecutionRecord | None:
    """The execution with this id, or None without a store, an id, or such an execution (a
    run may name an execution recorded in another store)."""
    if executions is None or not execution_id:
        return None
    try:
        return executions.get_execution(execution_id)
    except NotFoundError:
        return None
