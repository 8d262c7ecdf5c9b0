"""MLflow's JSON shapes of entities (the protobuf JSON mapping its client parses); request
bodies are read by `mlflow_body`.

Out: unset fields are left out, as protobuf does; timestamps are int milliseconds; a metric value
that is NaN or infinite is the string "NaN", "Infinity" or "-Infinity". Artifact locations under
the server's artifact root go out as `mlflow-artifacts:/...` (pass the app's `ArtifactUris`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slipstream.entities import DatasetInput, Experiment, Metric, Run, RunInfo
from slipstream.metadata.rest.codec import float_json
from slipstream.server.artifact_uris import ArtifactUris


def _present(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _pairs(mapping: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in mapping.items()]


def metric_json(m: Metric) -> dict[str, Any]:
    return {"key": m.key, "value": float_json(m.value), "timestamp": m.timestamp, "step": m.step}


def experiment_json(e: Experiment, uris: ArtifactUris | None = None) -> dict[str, Any]:
    """The experiment, its artifact location shown through `uris` (mlflow-artifacts:/...)."""
    location = uris.to_wire(e.artifact_location) if uris else e.artifact_location
    return _present(experiment_id=e.experiment_id, name=e.name,
                    artifact_location=location, lifecycle_stage=e.lifecycle_stage,
                    creation_time=e.creation_time, last_update_time=e.last_update_time,
                    tags=_pairs(e.tags))


def run_info_json(i: RunInfo, uris: ArtifactUris | None = None) -> dict[str, Any]:
    """The run's info, its artifact URI shown through `uris` (mlflow-artifacts:/...)."""
    artifact_uri = uris.to_wire(i.artifact_uri) if uris else i.artifact_uri
    return _present(run_id=i.run_id, run_uuid=i.run_id, experiment_id=i.experiment_id,
                    run_name=i.run_name, user_id=i.user_id, status=i.status,
                    start_time=i.start_time, end_time=i.end_time, artifact_uri=artifact_uri,
                    lifecycle_stage=i.lifecycle_stage)


def _dataset_input_json(d: DatasetInput) -> dict[str, Any]:
    ds = d.dataset
    return {"dataset": _present(name=ds.name, digest=ds.digest, source_type=ds.source_type,
                                source=ds.source, schema=ds.schema, profile=ds.profile),
            "tags": _pairs(d.tags)}


def run_json(r: Run, uris: ArtifactUris | None = None) -> dict[str, Any]:
    return {
        "info": run_info_json(r.info, uris),
        "data": {"metrics": [metric_json(m) for m in r.data.metrics],
                 "params": _pairs(r.data.params), "tags": _pairs(r.data.tags)},
        "inputs": _present(
            dataset_inputs=[_dataset_input_json(d) for d in r.inputs],
            model_inputs=[{"model_id": m} for m in r.model_inputs] or None),
        "outputs": _present(model_outputs=[{"model_id": o.model_id, "step": o.step}
                                           for o in r.outputs] or None),
    }


def page(key: str, items: list[dict[str, Any]], next_page_token: str | None) -> dict[str, Any]:
    """A list response with MLflow's `next_page_token` when there is another page."""
    return _present(**{key: items}, next_page_token=next_page_token or None)
