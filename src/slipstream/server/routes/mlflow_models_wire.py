"""MLflow 3's JSON shapes for logged models: `LoggedModel` out (info + data), requests in.

Status goes out as the protobuf enum name (`LOGGED_MODEL_READY`, FAILED as
`LOGGED_MODEL_UPLOAD_FAILED`) and comes in as that name or its number; the artifact location is
shown through the app's `ArtifactUris` (`mlflow-artifacts:/...`).
"""

from __future__ import annotations

from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream.entities.tracking import LoggedModel, LoggedModelStatus, Metric
from slipstream.metadata.rest.codec import float_json
from slipstream.server.artifact_uris import ArtifactUris

#: Our status -> MLflow's protobuf enum name and number.
_WIRE_STATUS: dict[str, tuple[str, int]] = {
    LoggedModelStatus.PENDING.value: ("LOGGED_MODEL_PENDING", 1),
    LoggedModelStatus.READY.value: ("LOGGED_MODEL_READY", 2),
    LoggedModelStatus.FAILED.value: ("LOGGED_MODEL_UPLOAD_FAILED", 3),
}


def status_from_wire(value: str | int) -> LoggedModelStatus:
    """The status a request names (enum name or number); InvalidInputError otherwise."""
    for ours, (name, number) in _WIRE_STATUS.items():
        if value in (name, number, str(number), ours):
            return LoggedModelStatus(ours)
    raise InvalidInputError(f"Invalid logged model status {value!r}; use one of "
                            f"{[name for name, _ in _WIRE_STATUS.values()]}.")


def _present(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def model_metric_json(m: Metric) -> dict[str, Any]:
    return _present(key=m.key, value=float_json(m.value), timestamp=m.timestamp, step=m.step,
                    dataset_name=m.dataset_name, dataset_digest=m.dataset_digest,
                    model_id=m.model_id, run_id=m.run_id)


def logged_model_json(m: LoggedModel, uris: ArtifactUris | None = None) -> dict[str, Any]:
    artifact_uri = uris.to_wire(m.artifact_uri) if uris else m.artifact_uri
    info = _present(model_id=m.model_id, experiment_id=m.experiment_id, name=m.name,
                    creation_timestamp_ms=m.creation_timestamp,
                    last_updated_timestamp_ms=m.last_updated_timestamp,
                    artifact_uri=artifact_uri, status=_WIRE_STATUS[m.status][0],
                    model_type=m.model_type, source_run_id=m.source_run_id,
                    status_message=m.status_message,
                    tags=[{"key": k, "value": v} for k, v in m.tags.items()])
    return {"info": info,
            "data": {"params": [{"key": k, "value": v} for k, v in m.params.items()],
                     "metrics": [model_metric_json(p) for p in m.metrics]}}

