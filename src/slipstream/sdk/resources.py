"""Knobs for tasks, grouped: compute `Resources`, `Retry` policy, `Cache` policy."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from slipstream._core.errors import DefinitionError


@dataclass(frozen=True)
class Resources:
    """Compute a task requests or is limited to (`cpu="1"`, `mem="1Gi"`, `gpu=1`, custom).

    Kept on the task and honoured by executors that schedule resources (Ray); the in-process
    and process-pool executors record them only.
    """

    cpu: str | float | None = None
    mem: str | None = None
    gpu: str | int | None = None
    ephemeral_storage: str | None = None
    custom: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, {})}


@dataclass(frozen=True)
class Retry:
    """Retry a failed attempt `retries` times, sleeping `backoff` seconds before the first retry
    and multiplying by `factor` each time, up to `max_backoff`."""

    retries: int = 0
    backoff: float = 0.2
    factor: float = 2.0
    max_backoff: float = 30.0

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise DefinitionError(f"retries must be >= 0, got {self.retries}")
        if self.backoff < 0 or self.factor < 1:
            raise DefinitionError("Retry backoff must be >= 0 and factor >= 1")

    def delay(self, retry_number: int) -> float:
        """Seconds to sleep before retry number `retry_number` (1-based)."""
        return min(self.backoff * self.factor ** (retry_number - 1), self.max_backoff)


@dataclass(frozen=True)
class Cache:
    """Reuse outputs across executions for equal inputs; bump `version` to invalidate."""

    version: str | None = None
    ignore_inputs: tuple[str, ...] = ()


def as_retry(value: int | Retry | None) -> Retry:
    if value is None:
        return Retry(0)
    if isinstance(value, Retry):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"retries must be an int or Retry, got {value!r}")
    return Retry(value)


def as_timeout(value: timedelta | float | int | None) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds <= 0:
        raise DefinitionError(f"timeout must be positive, got {value!r}")
    return seconds


def as_cache(cache: bool | Cache | None, cache_version: str | None) -> Cache | None:
    if isinstance(cache, Cache):
        return cache
    if cache:
        return Cache(version=cache_version)
    if cache_version is not None:
        raise DefinitionError("cache_version was given but cache is off; pass cache=True")
    return None
