"""The JSON shapes of tracking and registry entities on Slipstream's native REST API (`/api/v1`),
both ways.

One codec for both ends: the server serialises entities with the `*_json` functions (its
pydantic models then document and check the shapes) and the REST store parses answers with the
`*_from_json` functions. Plain dicts and the stdlib only, so the REST store stays light.

Shapes: tags and params are JSON objects (`{"key": "value"}`), times are epoch milliseconds,
and a metric value is a JSON number or one of the strings "NaN", "Infinity", "-Infinity"
(protobuf's JSON mapping, as MLflow sends them), since JSON has no literal for them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from slipstream.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    Metric,
    Run,
    RunData,
    RunInfo,
)
from slipstream.entities.registry import AliasEvent, ModelVersion, RegisteredModel
from slipstream.entities.tracking import LoggedModel, ModelOutput

Json = dict[str, Any]
#: How a server shows a stored artifact location (e.g. as `mlflow-artifacts:/...`).
UriMap = Callable[[str], str]

#: The strings that stand for the floats JSON cannot write.
SPECIAL_FLOATS: dict[str, float] = {"NaN": math.nan, "Infinity": math.inf,
                                    "-Infinity": -math.inf}


# -- metric values ----------------------------------------------------------------------------

def float_json(value: float) -> float | str:
    """A float as JSON: itself, or "NaN" / "Infinity" / "-Infinity"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def float_from_json(value: Any) -> float:
    """A JSON number, or one of the special strings, as a float; ValueError otherwise."""
    if isinstance(value, str):
        try:
            return SPECIAL_FLOATS[value]
        except KeyError:
            raise ValueError(f"a metric value must be a number or one of "
                             f"{sorted(SPECIAL_FLOATS)}, got the string {value!r:.100}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a metric value must be a number or one of {sorted(SPECIAL_FLOATS)},"
                         f" got {value!r:.100}")
    return float(value)


# -- entities -> JSON ---------------------------------------------------------------------------

def _same(uri: str) -> str:
    return uri


def experiment_json(e: Experiment, uri: UriMap = _same) -> Json:
    return {"experiment_id": e.experiment_id, "name": e.name,
            "artifact_location": uri(e.artifact_location), "lifecycle_stage": e.lifecycle_stage,
            "creation_time": e.creation_time, "last_update_time": e.last_update_time,
            "tags": dict(e.tags)}


def metric_json(m: Metric) -> Json:
    return {"key": m.key, "value": float_json(m.value), "timestamp": m.timestamp, "step": m.step,
            "model_id": m.model_id, "dataset_name": m.dataset_name,
            "dataset_digest": m.dataset_digest}


def run_info_json(i: RunInfo, uri: UriMap = _same) -> Json:
    return {"run_id": i.run_id, "experiment_id": i.experiment_id, "run_name": i.run_name,
            "user_id": i.user_id, "status": i.status, "start_time": i.start_time,
            "end_time": i.end_time, "artifact_uri": uri(i.artifact_uri),
            "lifecycle_stage": i.lifecycle_stage, "parent_run_id": i.parent_run_id,
            "execution_id": i.execution_id, "node_id": i.node_id}


def dataset_json(d: Dataset) -> Json:
    return {"name": d.name, "digest": d.digest, "source_type": d.source_type,
            "source": d.source, "schema": d.schema, "profile": d.profile}


def dataset_input_json(d: DatasetInput) -> Json:
    return {"dataset": dataset_json(d.dataset), "tags": dict(d.tags)}


def run_json(r: Run, uri: UriMap = _same) -> Json:
    return {"info": run_info_json(r.info, uri),
            "data": {"metrics": [metric_json(m) for m in r.data.metrics],
                     "params": dict(r.data.params), "tags": dict(r.data.tags)},
            "inputs": [dataset_input_json(d) for d in r.inputs],
            "outputs": [{"model_id": o.model_id, "step": o.step} for o in r.outputs],
            "model_inputs": list(r.model_inputs)}


def logged_model_json(m: LoggedModel, uri: UriMap = _same) -> Json:
    return {"model_id": m.model_id, "experiment_id": m.experiment_id, "name": m.name,
            "artifact_uri": uri(m.artifact_uri), "status": m.status,
            "creation_timestamp": m.creation_timestamp,
            "last_updated_timestamp": m.last_updated_timestamp,
            "source_run_id": m.source_run_id, "model_type": m.model_type,
            "status_message": m.status_message, "lifecycle_stage": m.lifecycle_stage,
            "tags": dict(m.tags), "params": dict(m.params),
            "metrics": [metric_json(p) for p in m.metrics]}


def model_version_json(v: ModelVersion, uri: UriMap = _same) -> Json:
    """A registry version; its `source` shown through `uri` (a location, or `models:/...`)."""
    return {"name": v.name, "version": v.version, "source": uri(v.source),
            "creation_timestamp": v.creation_timestamp,
            "last_updated_timestamp": v.last_updated_timestamp, "run_id": v.run_id,
            "model_id": v.model_id, "status": v.status, "description": v.description,
            "user_id": v.user_id, "tags": dict(v.tags), "aliases": list(v.aliases),
            "execution_id": v.execution_id, "node_id": v.node_id,
            "workflow_version": v.workflow_version,
            "datasets": [dataset_json(d) for d in v.datasets]}


def registered_model_json(m: RegisteredModel, uri: UriMap = _same) -> Json:
    return {"name": m.name, "creation_timestamp": m.creation_timestamp,
            "last_updated_timestamp": m.last_updated_timestamp, "description": m.description,
            "tags": dict(m.tags), "aliases": dict(m.aliases),
            "latest_versions": [model_version_json(v, uri) for v in m.latest_versions]}


def alias_event_json(e: AliasEvent) -> Json:
    return {"name": e.name, "alias": e.alias, "from_version": e.from_version,
            "to_version": e.to_version, "user_id": e.user_id, "timestamp": e.timestamp}


# -- JSON -> entities ---------------------------------------------------------------------------

def experiment_from_json(data: Mapping[str, Any]) -> Experiment:
    return Experiment(experiment_id=str(data["experiment_id"]), name=data["name"],
                      artifact_location=data["artifact_location"],
                      lifecycle_stage=data["lifecycle_stage"],
                      creation_time=data.get("creation_time"),
                      last_update_time=data.get("last_update_time"),
                      tags=data.get("tags") or {})


def metric_from_json(data: Mapping[str, Any]) -> Metric:
    return Metric(data["key"], float_from_json(data["value"]), int(data["timestamp"]),
                  int(data.get("step") or 0), data.get("model_id"), data.get("dataset_name"),
                  data.get("dataset_digest"))


def run_info_from_json(data: Mapping[str, Any]) -> RunInfo:
    return RunInfo(run_id=data["run_id"], experiment_id=str(data["experiment_id"]),
                   run_name=data["run_name"], user_id=data["user_id"], status=data["status"],
                   start_time=data.get("start_time"), end_time=data.get("end_time"),
                   artifact_uri=data["artifact_uri"], lifecycle_stage=data["lifecycle_stage"],
                   parent_run_id=data.get("parent_run_id"),
                   execution_id=data.get("execution_id"), node_id=data.get("node_id"))


def dataset_from_json(data: Mapping[str, Any]) -> Dataset:
    return Dataset(name=data["name"], digest=data["digest"], source_type=data["source_type"],
                   source=data["source"], schema=data.get("schema"),
                   profile=data.get("profile"))


def dataset_input_from_json(data: Mapping[str, Any]) -> DatasetInput:
    return DatasetInput(dataset_from_json(data["dataset"]), data.get("tags") or {})


def run_from_json(data: Mapping[str, Any]) -> Run:
    body = data.get("data") or {}
    return Run(info=run_info_from_json(data["info"]),
               data=RunData(metrics=tuple(metric_from_json(m) for m in body.get("metrics", ())),
                            params=body.get("params") or {}, tags=body.get("tags") or {}),
               inputs=tuple(dataset_input_from_json(d) for d in data.get("inputs") or ()),
               outputs=tuple(ModelOutput(o["model_id"], int(o.get("step") or 0))
                             for o in data.get("outputs") or ()),
               model_inputs=tuple(data.get("model_inputs") or ()))


def logged_model_from_json(data: Mapping[str, Any]) -> LoggedModel:
    return LoggedModel(
        model_id=data["model_id"], experiment_id=str(data["experiment_id"]), name=data["name"],
        artifact_uri=data["artifact_uri"], status=data["status"],
        creation_timestamp=data.get("creation_timestamp"),
        last_updated_timestamp=data.get("last_updated_timestamp"),
        source_run_id=data.get("source_run_id"), model_type=data.get("model_type"),
        status_message=data.get("status_message"), lifecycle_stage=data["lifecycle_stage"],
        tags=data.get("tags") or {}, params=data.get("params") or {},
        metrics=tuple(metric_from_json(p) for p in data.get("metrics") or ()))


def model_version_from_json(data: Mapping[str, Any]) -> ModelVersion:
    return ModelVersion(
        name=data["name"], version=int(data["version"]), source=data["source"],
        creation_timestamp=int(data["creation_timestamp"]),
        last_updated_timestamp=int(data["last_updated_timestamp"]),
        run_id=data.get("run_id"), model_id=data.get("model_id"), status=data["status"],
        description=data.get("description") or "", user_id=data.get("user_id") or "",
        tags=data.get("tags") or {}, aliases=tuple(data.get("aliases") or ()),
        execution_id=data.get("execution_id"), node_id=data.get("node_id"),
        workflow_version=data.get("workflow_version"),
        datasets=tuple(dataset_from_json(d) for d in data.get("datasets") or ()))


def registered_model_from_json(data: Mapping[str, Any]) -> RegisteredModel:
    return RegisteredModel(
        name=data["name"], creation_timestamp=int(data["creation_timestamp"]),
        last_updated_timestamp=int(data["last_updated_timestamp"]),
        description=data.get("description") or "", tags=data.get("tags") or {},
        aliases={k: int(v) for k, v in (data.get("aliases") or {}).items()},
        latest_versions=tuple(model_version_from_json(v)
                              for v in data.get("latest_versions") or ()))


def alias_event_from_json(data: Mapping[str, Any]) -> AliasEvent:
    return AliasEvent(name=data["name"], alias=data["alias"],
                      from_version=data.get("from_version"), to_version=data.get("to_version"),
                      user_id=data.get("user_id") or "", timestamp=int(data["timestamp"]))
