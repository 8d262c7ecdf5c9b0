"""MLflow 3's logged-model routes under /api/2.0/mlflow/logged-models, and runs/outputs
(included by `mlflow_tracking`).

The app's store must also be a `LoggedModelStore` (the SQL store is); each route calls one of its
methods and answers in MLflow's shapes (`mlflow_models_wire`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from slipstream._core.errors import InvalidInputError
from slipstream.entities.tracking import ModelOutput
from slipstream.metadata.logged_models import SEARCH_LOGGED_MODELS_DEFAULT, LoggedModelStore
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.mlflow_deps import Json
from slipstream.server.routes.mlflow_models_wire import logged_model_json, status_from_wire
from slipstream.server.routes.mlflow_wire import Body, KeyValue, RunScoped, page, tag_map

router = APIRouter()


def models_store(request: Request) -> LoggedModelStore:
    """The app's tracking store, which must keep logged models."""
    store = request.app.state.tracking_store
    if not isinstance(store, LoggedModelStore):
        raise InvalidInputError(f"This server's store ({type(store).__name__}) does not keep "
                                "MLflow logged models.")
    return store


Models = Annotated[LoggedModelStore, Depends(models_store)]


class CreateLoggedModel(Body):
    experiment_id: str
    name: str | None = None
    model_type: str | None = None
    source_run_id: str | None = None
    params: list[KeyValue] = []
    tags: list[KeyValue] = []


class FinalizeLoggedModel(Body):
    status: str | int


class SetLoggedModelTags(Body):
    tags: list[KeyValue] = []


class LogLoggedModelParams(Body):
    params: list[KeyValue] = []


class SearchDataset(Body):
    dataset_name: str
    dataset_digest: str | None = None


class SearchOrderBy(Body):
    field_name: str
    ascending: bool = True
    dataset_name: str | None = None
    dataset_digest: str | None = None


class SearchLoggedModels(Body):
    experiment_ids: list[str] = []
    filter: str = ""
    datasets: list[SearchDataset] = []
    max_results: int = SEARCH_LOGGED_MODELS_DEFAULT
    order_by: list[SearchOrderBy] = []
    page_token: str | None = None


class ModelOutputBody(Body):
    model_id: str
    step: int = 0


class LogOutputs(RunScoped):
    models: list[ModelOutputBody] = []


@router.post("/logged-models")
def create_logged_model(models: Models, uris: Uris, body: CreateLoggedModel) -> Json:
    model = models.create_logged_model(body.experiment_id, body.name, body.source_run_id,
                                       tag_map(body.tags), tag_map(body.params),
                                       body.model_type)
    return {"model": logged_model_json(model, uris)}


@router.post("/logged-models/search")
def search_logged_models(models: Models, uris: Uris, body: SearchLoggedModels) -> Json:
    found, token = models.search_logged_models(
        body.experiment_ids, body.filter,
        [(d.dataset_name, d.dataset_digest) for d in body.datasets], body.max_results,
        [(o.field_name, o.ascending) for o in body.order_by], body.page_token)
    return page("models", [logged_model_json(m, uris) for m in found], token)


@router.get("/logged-models/{model_id}")
def get_logged_model(models: Models, uris: Uris, model_id: str,
                     allow_deleted: bool = False) -> Json:
    return {"model": logged_model_json(models.get_logged_model(model_id, allow_deleted), uris)}


@router.patch("/logged-models/{model_id}")
def finalize_logged_model(models: Models, uris: Uris, model_id: str,
                          body: FinalizeLoggedModel) -> Json:
    model = models.finalize_logged_model(model_id, status_from_wire(body.status))
    return {"model": logged_model_json(model, uris)}


@router.delete("/logged-models/{model_id}")
def delete_logged_model(models: Models, model_id: str) -> Json:
    models.delete_logged_model(model_id)
    return {}


@router.patch("/logged-models/{model_id}/tags")
def set_logged_model_tags(models: Models, uris: Uris, model_id: str,
                          body: SetLoggedModelTags) -> Json:
    models.set_logged_model_tags(model_id, tag_map(body.tags))
    return {"model": logged_model_json(models.get_logged_model(model_id), uris)}


@router.delete("/logged-models/{model_id}/tags/{tag_key:path}")
def delete_logged_model_tag(models: Models, model_id: str, tag_key: str) -> Json:
    models.delete_logged_model_tag(model_id, tag_key)
    return {}


@router.post("/logged-models/{model_id}/params")
def log_logged_model_params(models: Models, model_id: str, body: LogLoggedModelParams) -> Json:
    models.log_logged_model_params(model_id, tag_map(body.params))
    return {}


@router.post("/runs/outputs")
def log_outputs(models: Models, body: LogOutputs) -> Json:
    models.log_outputs(body.run, [ModelOutput(m.model_id, m.step) for m in body.models])
    return {}
