"""MLflow's tracking API under /api/2.0/mlflow: runs and metrics here, experiments in
`mlflow_experiments`, logged models in `mlflow_models`.

Each route reads its body or query (`mlflow_body`), calls one `TrackingStore` method, and
serialises the result in MLflow's shapes (`mlflow_wire`); errors are mapped once on the app
(`server.errors`).
"""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from slipstream._core.errors import InvalidInputError
from slipstream.entities import DEFAULT_EXPERIMENT_ID, Dataset, DatasetInput, Metric, ViewType
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_DEFAULT
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.batch_body import decode_batch
from slipstream.server.routes.mlflow_body import Args, Body, Fields
from slipstream.server.routes.mlflow_deps import PREFIX, Json, Store, answer
from slipstream.server.routes.mlflow_models import models_store
from slipstream.server.routes.mlflow_wire import (
    metric_json,
    page,
    run_info_json,
    run_json,
)

#: MLflow's cap on one log-batch request body.
MAX_BATCH_REQUEST_BYTES = 1_000_000
#: The run tag MLflow keeps the list of a run's logged-model metadata in (runs/log-model).
LOGGED_MODELS_TAG = "mlflow.log-model.history"

router = APIRouter(prefix=PREFIX, tags=["mlflow tracking"])


# -- runs ----------------------------------------------------------------------------------


@router.post("/runs/create")
def create_run(store: Store, uris: Uris, body: Body) -> Json:
    run = store.create_run(body.text("experiment_id", DEFAULT_EXPERIMENT_ID),
                           body.text("user_id", ""), body.optional_integer("start_time"),
                           body.optional_text("run_name", keep_empty=True), body.pairs("tags"))
    return answer({"run": run_json(run, uris)})


@router.post("/runs/update")
def update_run(store: Store, uris: Uris, body: Body) -> Json:
    run_id, status = body.run_id, body.optional_text("status")
    end_time, run_name = body.optional_integer("end_time"), body.optional_text("run_name")
    current = None if status else store.get_run(run_id).info.status
    info = store.update_run_info(run_id, status or current or "RUNNING", end_time, run_name)
    return answer({"run_info": run_info_json(info, uris)})


@router.get("/runs/get")
def get_run(store: Store, uris: Uris, args: Args) -> Json:
    return answer({"run": run_json(store.get_run(args.run_id), uris)})


@router.post("/runs/log-parameter")
def log_param(store: Store, body: Body) -> Json:
    store.log_param(body.run_id, body.text("key"), body.text("value"))
    return answer()


@router.post("/runs/log-metric")
def log_metric(store: Store, body: Body) -> Json:
    run_id = body.run_id
    stamp = body.optional_integer("timestamp")
    metric = Metric(body.text("key"), body.number("value"),
                    int(time.time() * 1000) if stamp is None else stamp,
                    body.integer("step", 0), body.optional_text("model_id"),
                    body.optional_text("dataset_name"), body.optional_text("dataset_digest"))
    store.log_batch(run_id, metrics=[metric])
    return answer()


@router.post("/runs/set-tag")
def set_tag(store: Store, body: Body) -> Json:
    store.set_tag(body.run_id, body.text("key"), body.text("value"))
    return answer()


@router.post("/runs/log-batch")
async def log_batch(request: Request, store: Store) -> Json:
    """The logging hot path: the body is decoded by `batch_body`; MLflow refuses one over 1 MB
    before parsing it."""
    raw = await request.body()
    if len(raw) > MAX_BATCH_REQUEST_BYTES:
        raise InvalidInputError(f"Batched logging API requests must be at most "
                                f"{MAX_BATCH_REQUEST_BYTES} bytes, got a request of size "
                                f"{len(raw)}.")
    batch = decode_batch(raw, request.url.path, mlflow=True)
    run_id = Fields(batch.body, request.url.path).run_id
    await run_in_threadpool(store.log_batch, run_id, metrics=batch.metrics,
                            params=batch.params, tags=batch.tags)
    return answer()


@router.post("/runs/delete-tag")
def delete_tag(store: Store, body: Body) -> Json:
    store.delete_tag(body.run_id, body.text("key"))
    return answer()


@router.post("/runs/log-inputs")
def log_inputs(store: Store, request: Request, body: Body) -> Json:
    run_id = body.run_id
    datasets = [DatasetInput(_dataset(d.object("dataset")), d.pairs("tags"))
                for d in body.objects("datasets")]
    models = [m.text("model_id") for m in body.objects("models")]
    if models:
        models_store(request).log_model_inputs(run_id, models)
    if datasets or not models:
        store.log_inputs(run_id, datasets)
    return answer()


def _dataset(d: Fields) -> Dataset:
    return Dataset(d.text("name"), d.text("digest"), d.text("source_type"), d.text("source"),
                   d.optional_text("schema", keep_empty=True),
                   d.optional_text("profile", keep_empty=True))


@router.post("/runs/log-model")
def log_model(store: Store, body: Body) -> Json:
    """MLflow's record of a model logged to a run: appended to the run's
    `mlflow.log-model.history` tag (a JSON list)."""
    run_id = body.run_id
    try:
        model = json.loads(body.text("model_json"))
    except ValueError:
        raise InvalidInputError("Invalid model_json: it must be a JSON object.") from None
    if not isinstance(model, dict):
        raise InvalidInputError("Invalid model_json: it must be a JSON object.")
    history = json.loads(store.get_run(run_id).data.tags.get(LOGGED_MODELS_TAG, "[]"))
    store.set_tag(run_id, LOGGED_MODELS_TAG, json.dumps([*history, model]))
    return answer()


@router.post("/runs/delete")
def delete_run(store: Store, body: Body) -> Json:
    store.delete_run(body.run_id)
    return answer()


@router.post("/runs/restore")
def restore_run(store: Store, body: Body) -> Json:
    store.restore_run(body.run_id)
    return answer()


@router.post("/runs/search")
def search_runs(store: Store, uris: Uris, body: Body) -> Json:
    found, token = store.search_runs(
        body.texts("experiment_ids"), body.text("filter", ""),
        body.choice("run_view_type", ViewType, ViewType.ACTIVE_ONLY),
        body.integer("max_results", SEARCH_MAX_RESULTS_DEFAULT), body.texts("order_by"),
        body.optional_text("page_token"))
    return answer(page("runs", [run_json(r, uris) for r in found], token))


# -- metrics -------------------------------------------------------------------------------


@router.get("/metrics/get-history")
def get_metric_history(store: Store, args: Args) -> Json:
    points, token = store.get_metric_history(args.run_id, args.text("metric_key"),
                                             args.optional_integer("max_results"),
                                             args.optional_text("page_token"))
    return answer(page("metrics", [metric_json(m) for m in points], token))
