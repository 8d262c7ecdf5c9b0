"""`StorePredictionSink`: a `PredictionSink` writing what a server reports (sampled prediction
records, per-version statistics) into the deployment store, one transaction per call.

Payloads are stored as JSON: values JSON cannot hold as they are (numpy arrays and scalars,
dates, ...) are converted first (`tolist()` / `item()`, else their text), so one odd payload
never loses a whole report.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from typing import Any

from slipstream.metadata.deployments import DeploymentStore
from slipstream.serving.sink import PredictionRecord, PredictionSink, VersionStats


class StorePredictionSink(PredictionSink):
    """Writes each report into `store` (`DeploymentStore.log_predictions`)."""

    def __init__(self, store: DeploymentStore) -> None:
        self._store = store

    def write(self, records: Sequence[PredictionRecord], stats: Sequence[VersionStats]) -> None:
        self._store.log_predictions([_record(r) for r in records], list(stats))


def open_store_sink(url: str) -> StorePredictionSink:
    """`StorePredictionSink` on the store at `url` (a module-level factory: it pickles into
    worker processes as `functools.partial(open_store_sink, url)`)."""
    from slipstream.metadata.factory import open_deployment_store

    return StorePredictionSink(open_deployment_store(url))


def _record(r: PredictionRecord) -> PredictionRecord:
    return dataclasses.replace(r, inputs=jsonable(r.inputs), outputs=jsonable(r.outputs))


def jsonable(value: Any) -> Any:
    """`value` as plain JSON types: unchanged when it already is; otherwise arrays through
    `tolist()`, numpy scalars through `item()`, non-finite floats as None, anything else as
    its text."""
    try:
        json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError):
        return json.loads(json.dumps(_plain(value), default=str, allow_nan=False))


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    for method in ("tolist", "item"):
        convert = getattr(value, method, None)
        if callable(convert):
            try:
                return _plain(convert())
            except (TypeError, ValueError):
                break
    return value
