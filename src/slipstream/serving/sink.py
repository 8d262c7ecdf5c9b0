"""What a server reports: sampled `PredictionRecord`s and per-version `VersionStats` (covering
every request), handed to a `PredictionSink` from a background thread about once a second."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class PredictionRecord:
    """One sampled request: which deployment, route and model version answered it, its inputs
    and outputs (JSON-able), how long it took and its HTTP status."""

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
    """Counts for one (deployment, route, model version) over [since_ms, until_ms)."""

    deployment: str
    label: str
    model_version: str
    requests: int
    errors: int
    latency_ms_sum: float
    latency_ms_max: float
    since_ms: int
    until_ms: int


class PredictionSink(abc.ABC):
    """Receives what the server observed since the previous call (never from a request's path:
    a background thread calls it, so a slow sink slows nobody)."""

    @abc.abstractmethod
    def write(self, records: Sequence[PredictionRecord], stats: Sequence[VersionStats]) -> None:
        """Store `records` (sampled) and `stats` (every request); may raise, the server logs it."""
