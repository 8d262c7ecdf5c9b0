"""Frozen deployment records: a named deployment routing traffic between model versions (a
primary and at most one canary), the audit trail of every change to it, and what its server
reports back (sampled prediction logs and per-version request statistics).

Times are epoch milliseconds. `revision` counts from 1 at creation and grows by exactly one with
every change (traffic, promote, rollback), so a reader can tell whether anything moved.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

PRIMARY = "primary"
CANARY = "canary"


class DeploymentStatus(enum.StrEnum):
    """STABLE: the primary takes all traffic; CANARY: a canary takes a share of it."""

    STABLE = "STABLE"
    CANARY = "CANARY"


class DeploymentEventKind(enum.StrEnum):
    """What one change to a deployment did."""

    CREATED = "CREATED"
    CANARY_STARTED = "CANARY_STARTED"
    TRAFFIC_CHANGED = "TRAFFIC_CHANGED"
    PROMOTED = "PROMOTED"
    ROLLED_BACK = "ROLLED_BACK"  # the canary removed, the primary back at 100%
    PROMOTION_ROLLED_BACK = "PROMOTION_ROLLED_BACK"  # the primary before a promote restored


@dataclass(frozen=True, slots=True)
class DeploymentTarget:
    """One route of a deployment: its label ("primary" or "canary"), the model URI it serves
    (`models:/churn/3`, `models:/churn@champion`, `runs:/…`, `models:/m-…`) and its share of
    requests in percent."""

    label: str
    model_uri: str
    traffic_percent: float


@dataclass(frozen=True, slots=True)
class Deployment:
    """A named deployment: its targets (primary first; percentages add to 100), how many times
    it changed (`revision`), and who made it."""

    name: str
    targets: tuple[DeploymentTarget, ...]
    revision: int
    status: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str = ""
    created_by: str = ""

    @property
    def primary(self) -> DeploymentTarget:
        """The target labelled "primary" (every deployment has one)."""
        return next(t for t in self.targets if t.label == PRIMARY)

    @property
    def canary(self) -> DeploymentTarget | None:
        """The target labelled "canary", or None."""
        return next((t for t in self.targets if t.label == CANARY), None)


@dataclass(frozen=True, slots=True)
class DeploymentEvent:
    """One change to a deployment: what it did, the revision it produced, who made it and when,
    and the targets before (empty at creation) and after."""

    deployment: str
    revision: int
    kind: str
    user_id: str
    timestamp: int
    before: tuple[DeploymentTarget, ...]
    after: tuple[DeploymentTarget, ...]


@dataclass(frozen=True, slots=True)
class PredictionRecord:
    """One sampled request as a deployment's server answered it: the route (`label`) and model
    version that answered (e.g. "churn/3"), its JSON-able inputs and outputs, latency and HTTP
    status."""

    deployment: str
    label: str
    model_version: str
    request_id: str
    timestamp_ms: int
    inputs: Any
    outputs: Any
    latency_ms: float
    status: int


@dataclass(frozen=True, slots=True)
class VersionStats:
    """Requests answered by one route and model version between `since_ms` and `until_ms`:
    how many, how many failed, and their latency (sum and maximum)."""

    deployment: str
    label: str
    model_version: str
    requests: int
    errors: int
    latency_ms_sum: float
    latency_ms_max: float
    since_ms: int
    until_ms: int

    @property
    def error_rate(self) -> float:
        """errors / requests (0.0 without requests)."""
        return self.errors / self.requests if self.requests else 0.0

    @property
    def latency_ms_mean(self) -> float:
        """Mean latency in milliseconds (0.0 without requests)."""
        return self.latency_ms_sum / self.requests if self.requests else 0.0
