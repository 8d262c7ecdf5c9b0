"""Frozen tracking records with MLflow's shapes: experiments, runs, metrics, params, tags, datasets.

Times are epoch milliseconds (ints), as MLflow sends them; ids are strings (experiment ids are
decimal, run ids 32 hex characters). A run also records where it was logged from in a workflow
(`execution_id`, `node_id`) and its parent run (`parent_run_id`, mirrored in the MLflow tag
`mlflow.parentRunId`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: The tag MLflow keeps a nested run's parent in; the store mirrors it in `RunInfo.parent_run_id`.
PARENT_RUN_TAG = "mlflow.parentRunId"
#: The tag MLflow mirrors a run's name in.
RUN_NAME_TAG = "mlflow.runName"
DEFAULT_EXPERIMENT_ID = "0"
DEFAULT_EXPERIMENT_NAME = "Default"


class LifecycleStage(enum.StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"


class RunStatus(enum.StrEnum):
    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"


class ViewType(enum.StrEnum):
    """Which lifecycle stages a search returns (MLflow's names)."""

    ACTIVE_ONLY = "ACTIVE_ONLY"
    DELETED_ONLY = "DELETED_ONLY"
    ALL = "ALL"

    def stages(self) -> tuple[str, ...]:
        """The lifecycle stage values this view includes."""
        if self is ViewType.ACTIVE_ONLY:
            return (LifecycleStage.ACTIVE.value,)
        if self is ViewType.DELETED_ONLY:
            return (LifecycleStage.DELETED.value,)
        return (LifecycleStage.ACTIVE.value, LifecycleStage.DELETED.value)


def _frozen(mapping: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class Experiment:
    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str = LifecycleStage.ACTIVE.value
    creation_time: int | None = None
    last_update_time: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _frozen(self.tags))


@dataclass(frozen=True, slots=True)
class Metric:
    """One point of a metric's history; `value` may be NaN or an infinity."""

    key: str
    value: float
    timestamp: int
    step: int = 0
    #: MLflow 3: the logged model the point is also linked to, and the dataset it was
    #: computed on (both optional).
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None
    #: The run that logged the point, where it is read outside the run (a model's metrics).
    run_id: str | None = None

    def same_point(self, other: Metric) -> bool:
        """Equal, counting NaN equal to NaN (dataclass equality does not)."""
        both_nan = math.isnan(self.value) and math.isnan(other.value)
        return (self.key, self.timestamp, self.step) == (other.key, other.timestamp,
                                                          other.step) and (
            both_nan or self.value == other.value)


@dataclass(frozen=True, slots=True)
class Param:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class RunTag:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset reference; `source`, `schema` and `profile` are JSON text, as MLflow sends."""

    name: str
    digest: str
    source_type: str
    source: str
    schema: str | None = None
    profile: str | None = None


@dataclass(frozen=True, slots=True)
class DatasetInput:
    """A dataset used by a run, with input tags (e.g. `mlflow.data.context`)."""

    dataset: Dataset
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _frozen(self.tags))


@dataclass(frozen=True, slots=True)
class RunInfo:
    run_id: str
    experiment_id: str
    run_name: str
    user_id: str
    status: str
    start_time: int | None
    end_time: int | None
    artifact_uri: str
    lifecycle_stage: str = LifecycleStage.ACTIVE.value
    parent_run_id: str | None = None
    execution_id: str | None = None
    node_id: str | None = None

    @property
    def run_uuid(self) -> str:
        """MLflow's older name for `run_id` (its client sends and reads both)."""
        return self.run_id


@dataclass(frozen=True, slots=True)
class RunData:
    """Params and tags by key; `metrics`: the latest point of each metric, by key."""

    metrics: tuple[Metric, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen(self.params))
        object.__setattr__(self, "tags", _frozen(self.tags))

    @property
    def metric_values(self) -> dict[str, float]:
        """Latest value of each metric, by key."""
        return {m.key: m.value for m in self.metrics}


@dataclass(frozen=True, slots=True)
class ModelOutput:
    """A logged model a run produced, at a step (MLflow 3's run outputs)."""

    model_id: str
    step: int = 0


@dataclass(frozen=True, slots=True)
class Run:
    """A run; `inputs` are its datasets, `model_inputs` the ids of logged models it used,
    `outputs` the logged models it produced."""

    info: RunInfo
    data: RunData = field(default_factory=RunData)
    inputs: tuple[DatasetInput, ...] = ()
    outputs: tuple[ModelOutput, ...] = ()
    model_inputs: tuple[str, ...] = ()


class LoggedModelStatus(enum.StrEnum):
    """A logged model's upload state (MLflow's names; on the wire LOGGED_MODEL_<name>, with
    FAILED as LOGGED_MODEL_UPLOAD_FAILED)."""

    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class LoggedModel:
    """An MLflow 3 logged model: a model's artifacts (under `artifact_uri`) with tags, params
    and the metric points linked to it. Ids are `m-` and 32 hex characters."""

    model_id: str
    experiment_id: str
    name: str
    artifact_uri: str
    status: str = LoggedModelStatus.PENDING.value
    creation_timestamp: int | None = None
    last_updated_timestamp: int | None = None
    source_run_id: str | None = None
    model_type: str | None = None
    status_message: str | None = None
    lifecycle_stage: str = LifecycleStage.ACTIVE.value
    tags: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    metrics: tuple[Metric, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _frozen(self.tags))
        object.__setattr__(self, "params", _frozen(self.params))
