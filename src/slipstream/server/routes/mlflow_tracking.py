"""MLflow's tracking API under /api/2.0/mlflow: runs and metrics here, experiments in
`mlflow_experiments`, logged models in `mlflow_models` (both included in this router).

Each route parses its body or query, calls one `TrackingStore` method, and serialises the result in
MLflow's shapes (`mlflow_wire`); errors are mapped once on the app (`server.errors`).
"""

from __future__ import annotations

import json
import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from slipstream._core.errors import InvalidInputError
from slipstream.entities import (
    DEFAULT_EXPERIMENT_ID,
    Dataset,
    DatasetInput,
    Metric,
    ViewType,
)
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_DEFAULT
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes import mlflow_experiments, mlflow_models
from slipstream.server.routes.batch_body import batch_openapi, decode_batch
from slipstream.server.routes.mlflow_deps import Json, Store
from slipstream.server.routes.mlflow_models import models_store
from slipstream.server.routes.mlflow_wire import (
    Body,
    KeyValue,
    RunScoped,
    metric_json,
    page,
    run_id_of,
    run_info_json,
    run_json,
    tag_map,
)

#: MLflow's cap on one log-batch request body.
MAX_BATCH_REQUEST_BYTES = 1_000_000
#: The run tag MLflow keeps the list of a run's logged-model metadata in (runs/log-model).
LOGGED_MODELS_TAG = "mlflow.log-model.history"

router = APIRouter(prefix="/api/2.0/mlflow", tags=["mlflow tracking"])
router.include_router(mlflow_experiments.router)
router.include_router(mlflow_models.router)


# -- runs ----------------------------------------------------------------------------------


class CreateRun(Body):
    experiment_id: str = DEFAULT_EXPERIMENT_ID
    user_id: str = ""
    run_name: str | None = None
    start_time: int | None = None
    tags: list[KeyValue] = []


class UpdateRun(RunScoped):
    status: str | None = None
    end_time: int | None = None
    run_name: str | None = None


class LogParam(RunScoped):
    key: str
    value: str


class LogMetric(RunScoped):
    key: str
    value: float
    timestamp: int | None = None
    step: int = 0
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None


class SetTag(RunScoped):
    key: str
    value: str


class BatchMetric(Body):
    key: str
    value: float
    timestamp: int
    step: int = 0
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None

    def entity(self) -> Metric:
        return Metric(self.key, self.value, self.timestamp, self.step, self.model_id or None,
                      self.dataset_name or None, self.dataset_digest or None)


class LogBatch(RunScoped):
    metrics: list[BatchMetric] = []
    params: list[KeyValue] = []
    tags: list[KeyValue] = []


class DeleteTag(RunScoped):
    key: str


class InputTag(Body):
    key: str
    value: str = ""


class DatasetBody(Body):
    name: str
    digest: str
    source_type: str
    source: str
    schema_: str | None = Field(default=None, alias="schema")
    profile: str | None = None


class DatasetInputBody(Body):
    dataset: DatasetBody
    tags: list[InputTag] = []


class ModelInputBody(Body):
    model_id: str


class LogInputs(RunScoped):
    datasets: list[DatasetInputBody] = []
    models: list[ModelInputBody] = []


class LogModel(RunScoped):
    model_json: str


class SearchRuns(Body):
    experiment_ids: list[str] = []
    filter: str = ""
    run_view_type: ViewType = ViewType.ACTIVE_ONLY
    max_results: int = SEARCH_MAX_RESULTS_DEFAULT
    order_by: list[str] = []
    page_token: str | None = None


@router.post("/runs/create")
def create_run(store: Store, uris: Uris, body: CreateRun) -> Json:
    run = store.create_run(body.experiment_id, body.user_id, body.start_time, body.run_name,
                           tag_map(body.tags))
    return {"run": run_json(run, uris)}


@router.post("/runs/update")
def update_run(store: Store, uris: Uris, body: UpdateRun) -> Json:
    current = None if body.status else store.get_run(body.run).info.status
    info = store.update_run_info(body.run, body.status or current or "RUNNING", body.end_time,
                                 body.run_name or None)
    return {"run_info": run_info_json(info, uris)}


@router.get("/runs/get")
def get_run(store: Store, uris: Uris, run_id: str | None = None,
            run_uuid: str | None = None) -> Json:
    return {"run": run_json(store.get_run(run_id_of(run_id, run_uuid)), uris)}


@router.post("/runs/log-parameter")
def log_param(store: Store, body: LogParam) -> Json:
    store.log_param(body.run, body.key, body.value)
    return {}


@router.post("/runs/log-metric")
def log_metric(store: Store, body: LogMetric) -> Json:
    stamp = body.timestamp if body.timestamp is not None else int(time.time() * 1000)
    store.log_batch(body.run, metrics=[BatchMetric(**{**body.model_dump(), "timestamp": stamp})
                                       .entity()])
    return {}


@router.post("/runs/set-tag")
def set_tag(store: Store, body: SetTag) -> Json:
    store.set_tag(body.run, body.key, body.value)
    return {}


@router.post("/runs/log-batch", openapi_extra=batch_openapi(LogBatch))
async def log_batch(request: Request, store: Store) -> Json:
    """The logging hot path: the body (`LogBatch`) is decoded by `batch_body`; MLflow refuses
    one over 1 MB before parsing it."""
    raw = await request.body()
    if len(raw) > MAX_BATCH_REQUEST_BYTES:
        raise InvalidInputError(f"Batched logging API requests must be at most "
                                f"{MAX_BATCH_REQUEST_BYTES} bytes, got a request of size "
                                f"{len(raw)}.")
    batch = decode_batch(raw, request.url.path, mlflow=True)
    run = RunScoped.model_validate(batch.body).run
    await run_in_threadpool(store.log_batch, run, metrics=batch.metrics, params=batch.params,
                            tags=batch.tags)
    return {}


@router.post("/runs/delete-tag")
def delete_tag(store: Store, body: DeleteTag) -> Json:
    store.delete_tag(body.run, body.key)
    return {}


@router.post("/runs/log-inputs")
def log_inputs(store: Store, request: Request, body: LogInputs) -> Json:
    datasets = [DatasetInput(Dataset(d.dataset.name, d.dataset.digest, d.dataset.source_type,
                                     d.dataset.source, d.dataset.schema_, d.dataset.profile),
                             tag_map([KeyValue(key=t.key, value=t.value) for t in d.tags]))
                for d in body.datasets]
    if body.models:
        models_store(request).log_model_inputs(body.run, [m.model_id for m in body.models])
    if datasets or not body.models:
        store.log_inputs(body.run, datasets)
    return {}


@router.post("/runs/log-model")
def log_model(store: Store, body: LogModel) -> Json:
    """MLflow's record of a model logged to a run: appended to the run's
    `mlflow.log-model.history` tag (a JSON list)."""
    try:
        model = json.loads(body.model_json)
    except ValueError:
        raise InvalidInputError("Invalid model_json: it must be a JSON object.") from None
    if not isinstance(model, dict):
        raise InvalidInputError("Invalid model_json: it must be a JSON object.")
    history = json.loads(store.get_run(body.run).data.tags.get(LOGGED_MODELS_TAG, "[]"))
    store.set_tag(body.run, LOGGED_MODELS_TAG, json.dumps([*history, model]))
    return {}


@router.post("/runs/delete")
def delete_run(store: Store, body: RunScoped) -> Json:
    store.delete_run(body.run)
    return {}


@router.post("/runs/restore")
def restore_run(store: Store, body: RunScoped) -> Json:
    store.restore_run(body.run)
    return {}


@router.post("/runs/search")
def search_runs(store: Store, uris: Uris, body: SearchRuns) -> Json:
    found, token = store.search_runs(body.experiment_ids, body.filter, body.run_view_type,
                                     body.max_results, body.order_by, body.page_token)
    return page("runs", [run_json(r, uris) for r in found], token)


# -- metrics -------------------------------------------------------------------------------


@router.get("/metrics/get-history")
def get_metric_history(store: Store, metric_key: str, run_id: str | None = None,
                       run_uuid: str | None = None,
                       max_results: Annotated[int | None, Query()] = None,
                       page_token: str | None = None) -> Json:
    points, token = store.get_metric_history(run_id_of(run_id, run_uuid), metric_key,
                                             max_results, page_token)
    return page("metrics", [metric_json(m) for m in points], token)
