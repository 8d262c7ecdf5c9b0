"""Frozen model-registry records with MLflow's shapes: registered models, their versions, and
the audit trail of alias moves.

Times are epoch milliseconds; versions are integers numbered from 1 per model. An alias names one
version of one model (`champion` -> 3); every move of an alias is recorded as an `AliasEvent`.
A version also records its lineage: the workflow execution and node whose run produced it, the
workflow's version, and the datasets it was trained on (in the order given).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from slipstream.entities.tracking import Dataset


class ModelVersionStatus(enum.StrEnum):
    """A version's registration state (MLflow's names); versions are READY once created."""

    PENDING_REGISTRATION = "PENDING_REGISTRATION"
    FAILED_REGISTRATION = "FAILED_REGISTRATION"
    READY = "READY"


def _frozen(mapping: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """One version of a registered model: where its files are (`source`), the run and logged
    model it came from, the aliases pointing at it, and its lineage (the execution and node that
    ran the training, the workflow version, the datasets it was trained on)."""

    name: str
    version: int
    source: str
    creation_timestamp: int
    last_updated_timestamp: int
    run_id: str | None = None
    model_id: str | None = None
    status: str = ModelVersionStatus.READY.value
    description: str = ""
    user_id: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    execution_id: str | None = None
    node_id: str | None = None
    workflow_version: str | None = None
    datasets: tuple[Dataset, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _frozen(self.tags))
        object.__setattr__(self, "datasets", tuple(self.datasets))


@dataclass(frozen=True, slots=True)
class RegisteredModel:
    """A named model: its description, tags, aliases (alias -> version) and its newest version
    (`latest_versions`, MLflow's field: one entry, or none before the first version)."""

    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, int] = field(default_factory=dict)
    latest_versions: tuple[ModelVersion, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _frozen(self.tags))
        object.__setattr__(self, "aliases", _frozen(self.aliases))


@dataclass(frozen=True, slots=True)
class AliasEvent:
    """One move of an alias: set (from_version None), moved, or deleted (to_version None),
    by `user_id` at `timestamp`."""

    name: str
    alias: str
    from_version: int | None
    to_version: int | None
    user_id: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class DeployedAt:
    """A deployment route serving a model version now: the deployment's name, the route's
    label ("primary" / "canary"), the URI it serves and its share of requests."""

    deployment: str
    label: str
    model_uri: str
    traffic_percent: float


@dataclass(frozen=True, slots=True)
class ModelLineage:
    """Where one model version came from, hop by hop: the datasets it was trained on, the
    workflow execution and node that trained it (with the workflow's name and version), the run
    that node logged to, and the logged model; each id can be looked up in its own store. And
    where it went: the deployment routes serving it now."""

    name: str
    version: int
    source: str
    datasets: tuple[Dataset, ...] = ()
    execution_id: str | None = None
    node_id: str | None = None
    workflow_name: str | None = None
    workflow_version: str | None = None
    run_id: str | None = None
    model_id: str | None = None
    deployments: tuple[DeployedAt, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "datasets", tuple(self.datasets))
        object.__setattr__(self, "deployments", tuple(self.deployments))
