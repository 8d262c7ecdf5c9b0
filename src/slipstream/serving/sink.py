"""What a server reports: sampled `PredictionRecord`s and per-version `VersionStats` (covering
every request), handed to a `PredictionSink` from a background thread about once a second.
The records are the deployment store's own entities, so a sink stores them as they come."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from slipstream.entities.deployments import PredictionRecord, VersionStats

__all__ = ["PredictionRecord", "PredictionSink", "VersionStats"]


class PredictionSink(abc.ABC):
    """Receives what the server observed since the previous call (never from a request's path:
    a background thread calls it, so a slow sink slows nobody)."""

    @abc.abstractmethod
    def write(self, records: Sequence[PredictionRecord], stats: Sequence[VersionStats]) -> None:
        """Store `records` (sampled) and `stats` (every request); may raise, the server logs it."""
