"""MLflow 3's logged-model routes under /api/2.0/mlflow/logged-models, and runs/outputs.

The app's store must also be a `LoggedModelStore` (the SQL store is); each route calls one of its
methods with what it read of the body or query (`mlflow_body`) and answers in MLflow's shapes
(`mlflow_models_wire`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from slipstream._core.errors import InvalidInputError
from slipstream.entities.tracking import ModelOutput
from slipstream.metadata.logged_models import SEARCH_LOGGED_MODELS_DEFAULT, LoggedModelStore
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.mlflow_body import Args, Body, path_value
from slipstream.server.routes.mlflow_deps import PREFIX, Json, answer
from slipstream.server.routes.mlflow_models_wire import logged_model_json, status_from_wire
from slipstream.server.routes.mlflow_wire import page

router = APIRouter(prefix=PREFIX, tags=["mlflow tracking"])


def models_store(request: Request) -> LoggedModelStore:
    """The app's tracking store, which must keep logged models."""
    store = request.app.state.tracking_store
    if not isinstance(store, LoggedModelStore):
        raise InvalidInputError(f"This server's store ({type(store).__name__}) does not keep "
                                "MLflow logged models.")
    return store


Models = Annotated[LoggedModelStore, Depends(models_store)]
ModelId = Annotated[str, path_value("model_id")]
TagKey = Annotated[str, path_value("tag_key")]


@router.post("/logged-models")
def create_logged_model(models: Models, uris: Uris, body: Body) -> Json:
    model = models.create_logged_model(
        body.text("experiment_id"), body.optional_text("name", keep_empty=True),
        body.optional_text("source_run_id", keep_empty=True), body.pairs("tags"),
        body.pairs("params"), body.optional_text("model_type", keep_empty=True))
    return answer({"model": logged_model_json(model, uris)})


@router.post("/logged-models/search")
def search_logged_models(models: Models, uris: Uris, body: Body) -> Json:
    datasets = [(d.text("dataset_name"), d.optional_text("dataset_digest", keep_empty=True))
                for d in body.objects("datasets")]
    order_by = [(o.text("field_name"), o.boolean("ascending", True))
                for o in body.objects("order_by")]
    found, token = models.search_logged_models(
        body.texts("experiment_ids"), body.text("filter", ""), datasets,
        body.integer("max_results", SEARCH_LOGGED_MODELS_DEFAULT), order_by,
        body.optional_text("page_token", keep_empty=True))
    return answer(page("models", [logged_model_json(m, uris) for m in found], token))


@router.get("/logged-models/{model_id}")
def get_logged_model(models: Models, uris: Uris, model_id: ModelId, args: Args) -> Json:
    found = models.get_logged_model(model_id, args.boolean("allow_deleted", False))
    return answer({"model": logged_model_json(found, uris)})


@router.patch("/logged-models/{model_id}")
def finalize_logged_model(models: Models, uris: Uris, model_id: ModelId, body: Body) -> Json:
    model = models.finalize_logged_model(model_id, status_from_wire(body.raw("status")))
    return answer({"model": logged_model_json(model, uris)})


@router.delete("/logged-models/{model_id}")
def delete_logged_model(models: Models, model_id: ModelId) -> Json:
    models.delete_logged_model(model_id)
    return answer()


@router.patch("/logged-models/{model_id}/tags")
def set_logged_model_tags(models: Models, uris: Uris, model_id: ModelId, body: Body) -> Json:
    models.set_logged_model_tags(model_id, body.pairs("tags"))
    return answer({"model": logged_model_json(models.get_logged_model(model_id), uris)})


@router.delete("/logged-models/{model_id}/tags/{tag_key:path}")
def delete_logged_model_tag(models: Models, model_id: ModelId, tag_key: TagKey) -> Json:
    models.delete_logged_model_tag(model_id, tag_key)
    return answer()


@router.post("/logged-models/{model_id}/params")
def log_logged_model_params(models: Models, model_id: ModelId, body: Body) -> Json:
    models.log_logged_model_params(model_id, body.pairs("params"))
    return answer()


@router.post("/runs/outputs")
def log_outputs(models: Models, body: Body) -> Json:
    run_id = body.run_id
    outputs = [ModelOutput(m.text("model_id"), m.integer("step", 0))
               for m in body.objects("models")]
    models.log_outputs(run_id, outputs)
    return answer()
