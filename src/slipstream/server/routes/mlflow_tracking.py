"""MLflow's tracking API under /api/2.0/mlflow: experiments, runs, metrics.

Each route parses its body or query, calls one `TrackingStore` method, and serialises the result in
MLflow's shapes (`mlflow_wire`); errors are mapped once on the app (`server.errors`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import model_validator

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import DEFAULT_EXPERIMENT_ID, Metric, Param, RunTag, ViewType
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_DEFAULT, TrackingStore
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.mlflow_wire import (
    Body,
    KeyValue,
    RunScoped,
    experiment_json,
    metric_json,
    page,
    run_id_of,
    run_info_json,
    run_json,
    tag_map,
)

router = APIRouter(prefix="/api/2.0/mlflow", tags=["mlflow tracking"])


def tracking_store(request: Request) -> TrackingStore:
    """The store the app was created with (`create_app`)."""
    store: TrackingStore = request.app.state.tracking_store
    return store


Store = Annotated[TrackingStore, Depends(tracking_store)]
Json = dict[str, Any]

# -- experiments ---------------------------------------------------------------------------


class CreateExperiment(Body):
    name: str
    artifact_location: str | None = None
    tags: list[KeyValue] = []


class SearchExperiments(Body):
    max_results: int = SEARCH_MAX_RESULTS_DEFAULT
    page_token: str | None = None
    view_type: ViewType = ViewType.ACTIVE_ONLY
    filter: str = ""
    order_by: list[str] = []

    @model_validator(mode="after")
    def _refuse_unsupported(self) -> SearchExperiments:
        if self.filter or self.order_by:
            raise InvalidInputError("experiments/search does not support 'filter' or 'order_by' "
                                    "yet; search without them (newest first)")
        return self


@router.get("/experiments/get-by-name")
def get_experiment_by_name(store: Store, uris: Uris, experiment_name: str) -> Json:
    found = store.get_experiment_by_name(experiment_name)
    if found is None:
        raise NotFoundError(f"Could not find experiment with name '{experiment_name}'")
    return {"experiment": experiment_json(found, uris)}


@router.post("/experiments/create")
def create_experiment(store: Store, uris: Uris, body: CreateExperiment) -> Json:
    location = uris.from_wire(body.artifact_location) if body.artifact_location else None
    experiment_id = store.create_experiment(body.name, location,
                                            tag_map(body.tags))
    return {"experiment_id": experiment_id}


@router.get("/experiments/get")
def get_experiment(store: Store, uris: Uris, experiment_id: str) -> Json:
    return {"experiment": experiment_json(store.get_experiment(experiment_id), uris)}


@router.post("/experiments/search")
def search_experiments(store: Store, uris: Uris, body: SearchExperiments) -> Json:
    found, token = store.search_experiments(body.view_type, body.max_results, body.page_token)
    return page("experiments", [experiment_json(e, uris) for e in found], token)


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


class SetTag(RunScoped):
    key: str
    value: str


class BatchMetric(Body):
    key: str
    value: float
    timestamp: int
    step: int = 0


class LogBatch(RunScoped):
    metrics: list[BatchMetric] = []
    params: list[KeyValue] = []
    tags: list[KeyValue] = []


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
    store.log_metric(body.run, body.key, body.value, body.timestamp, body.step)
    return {}


@router.post("/runs/set-tag")
def set_tag(store: Store, body: SetTag) -> Json:
    store.set_tag(body.run, body.key, body.value)
    return {}


@router.post("/runs/log-batch")
def log_batch(store: Store, body: LogBatch) -> Json:
    store.log_batch(body.run,
                    metrics=[Metric(m.key, m.value, m.timestamp, m.step) for m in body.metrics],
                    params=[Param(p.key, p.value) for p in body.params],
                    tags=[RunTag(t.key, t.value) for t in body.tags])
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
