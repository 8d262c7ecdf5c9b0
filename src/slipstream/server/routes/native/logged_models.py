"""/api/v1/logged-models (MLflow 3's logged models: a model's artifacts with tags, params and
linked metrics), and the runs that produced (`/runs/{id}/outputs`) or used
(`/runs/{id}/model-inputs`) them. The app's store must keep logged models (the SQL store does).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from slipstream.entities import LifecycleStage
from slipstream.entities.tracking import LoggedModelStatus, ModelOutput
from slipstream.metadata.logged_models import SEARCH_LOGGED_MODELS_DEFAULT
from slipstream.metadata.rest.codec import logged_model_json
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.mlflow_models import Models
from slipstream.server.routes.native.deps import answer
from slipstream.server.routes.native.schemas import (
    ERRORS,
    Int64,
    MetricOut,
    Millis,
    Model,
    NextPageToken,
    Out,
    Tags,
)

router = APIRouter(tags=["logged models"], responses=ERRORS)
_NO_CONTENT: dict[str, Any] = {"status_code": 204, "response_class": Response}


class LoggedModelOut(Out):
    model_id: str = Field(description="\"m-\" and 32 hexadecimal characters.")
    experiment_id: str
    name: str
    artifact_uri: str = Field(description="Where the model's files live.")
    status: LoggedModelStatus
    creation_timestamp: Millis | None = None
    last_updated_timestamp: Millis | None = None
    source_run_id: str | None = Field(None, description="The run that produced it.")
    model_type: str | None = None
    status_message: str | None = None
    lifecycle_stage: LifecycleStage
    tags: Tags
    params: dict[str, str]
    metrics: list[MetricOut] = Field(description="Metric points linked to the model.")


class LoggedModelPage(Out):
    models: list[LoggedModelOut]
    next_page_token: NextPageToken = None


class NewLoggedModel(Model):
    experiment_id: str = Field(description="An active experiment.")
    name: str | None = Field(None, description="Generated when left out.")
    source_run_id: str | None = None
    model_type: str | None = None
    tags: Tags = {}
    params: dict[str, str] = Field({}, description="A param keeps its first value.")


class LoggedModelFinalize(Model):
    status: LoggedModelStatus = Field(description="READY once its files are uploaded, or "
                                                  "FAILED.")


class ModelTags(Model):
    tags: Tags


class ModelParams(Model):
    params: dict[str, str]


class DatasetRef(Model):
    name: str
    digest: str | None = Field(None, description="Any digest when left out.")


class OrderField(Model):
    field: str = Field(description="name, creation_timestamp, metrics.<key>, ...")
    ascending: bool = True


class LoggedModelSearch(Model):
    experiment_ids: list[str]
    filter: str = Field("", description="MLflow filter on attributes, tags, params, metrics.")
    datasets: list[DatasetRef] = Field([], description="Metric clauses only count points "
                                                       "computed on these datasets.")
    max_results: int = Field(SEARCH_LOGGED_MODELS_DEFAULT, description="Page size, 1..1,000.")
    order_by: list[OrderField] = Field([], description="Then newest first.")
    page_token: str | None = None


class OutputModel(Model):
    model_id: str
    step: Int64 = 0


class RunOutputs(Model):
    models: list[OutputModel]


class RunModelInputs(Model):
    model_ids: list[str]


@router.post("/logged-models", status_code=201, response_model=LoggedModelOut,
             summary="Create a logged model")
def create_logged_model(models: Models, uris: Uris, body: NewLoggedModel) -> Response:
    """A new PENDING model in an active experiment."""
    return answer(logged_model_json(models.create_logged_model(
        body.experiment_id, body.name, body.source_run_id, body.tags, body.params,
        body.model_type), uris.to_wire), 201)


@router.post("/logged-models/search", response_model=LoggedModelPage,
             summary="Search logged models")
def search_logged_models(models: Models, uris: Uris, body: LoggedModelSearch) -> Response:
    """One page of the experiments' active models matching the filter, in order."""
    found, token = models.search_logged_models(
        body.experiment_ids, body.filter, [(d.name, d.digest) for d in body.datasets],
        body.max_results, [(o.field, o.ascending) for o in body.order_by], body.page_token)
    return answer({"models": [logged_model_json(m, uris.to_wire) for m in found],
            "next_page_token": token})


@router.get("/logged-models/{model_id}", response_model=LoggedModelOut,
            summary="Get a logged model")
def get_logged_model(
    models: Models, uris: Uris, model_id: str,
    allow_deleted: Annotated[bool, Query(description="Also return a deleted model.")] = False,
) -> Response:
    """One model with its tags, params and linked metrics."""
    return answer(logged_model_json(models.get_logged_model(model_id, allow_deleted),
                                    uris.to_wire))


@router.patch("/logged-models/{model_id}", response_model=LoggedModelOut,
              summary="Finalize a logged model")
def finalize_logged_model(models: Models, uris: Uris, model_id: str,
                          body: LoggedModelFinalize) -> Response:
    """Set the model's status."""
    finalized = models.finalize_logged_model(model_id, body.status)
    return answer(logged_model_json(finalized, uris.to_wire))


@router.delete("/logged-models/{model_id}", **_NO_CONTENT, summary="Delete a logged model")
def delete_logged_model(models: Models, model_id: str) -> None:
    """Mark the model deleted (get needs allow_deleted; searches leave it out)."""
    models.delete_logged_model(model_id)


@router.post("/logged-models/{model_id}/tags", **_NO_CONTENT, summary="Set model tags")
def set_logged_model_tags(models: Models, model_id: str, body: ModelTags) -> None:
    """Set (or overwrite) tags of the model."""
    models.set_logged_model_tags(model_id, body.tags)


@router.delete("/logged-models/{model_id}/tags/{key:path}", **_NO_CONTENT,
               summary="Delete a model tag")
def delete_logged_model_tag(models: Models, model_id: str, key: str) -> None:
    """Remove one tag; 404 when the model has no such tag."""
    models.delete_logged_model_tag(model_id, key)


@router.post("/logged-models/{model_id}/params", **_NO_CONTENT, summary="Log model params")
def log_logged_model_params(models: Models, model_id: str, body: ModelParams) -> None:
    """Add params (a different value for a logged key is refused)."""
    models.log_logged_model_params(model_id, body.params)


@router.post("/runs/{run_id}/outputs", **_NO_CONTENT, tags=["runs"],
             summary="Log a run's output models")
def log_outputs(models: Models, run_id: str, body: RunOutputs) -> None:
    """Record logged models as outputs of an active run (at a step)."""
    models.log_outputs(run_id, [ModelOutput(m.model_id, m.step) for m in body.models])


@router.post("/runs/{run_id}/model-inputs", **_NO_CONTENT, tags=["runs"],
             summary="Log a run's input models")
def log_model_inputs(models: Models, run_id: str, body: RunModelInputs) -> None:
    """Record logged models as inputs of an active run."""
    models.log_model_inputs(run_id, body.model_ids)
