"""MLflow's experiment routes under /api/2.0/mlflow/experiments (included by `mlflow_tracking`).

Each route parses its body or query, calls one `TrackingStore` method and answers in MLflow's
shapes (`mlflow_wire`); errors are mapped once on the app (`server.errors`).
"""

from __future__ import annotations

from fastapi import APIRouter

from slipstream._core.errors import NotFoundError
from slipstream.entities import ViewType
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_DEFAULT
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.mlflow_deps import Json, Store
from slipstream.server.routes.mlflow_wire import Body, KeyValue, experiment_json, page, tag_map

router = APIRouter()


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


class ExperimentScoped(Body):
    experiment_id: str


class UpdateExperiment(ExperimentScoped):
    new_name: str


class SetExperimentTag(ExperimentScoped):
    key: str
    value: str = ""


class DeleteExperimentTag(ExperimentScoped):
    key: str


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
    found, token = store.search_experiments(body.view_type, body.max_results, body.page_token,
                                            filter_string=body.filter,
                                            order_by=body.order_by)
    return page("experiments", [experiment_json(e, uris) for e in found], token)


@router.post("/experiments/update")
def update_experiment(store: Store, body: UpdateExperiment) -> Json:
    store.rename_experiment(body.experiment_id, body.new_name)
    return {}


@router.post("/experiments/delete")
def delete_experiment(store: Store, body: ExperimentScoped) -> Json:
    store.delete_experiment(body.experiment_id)
    return {}


@router.post("/experiments/restore")
def restore_experiment(store: Store, body: ExperimentScoped) -> Json:
    store.restore_experiment(body.experiment_id)
    return {}


@router.post("/experiments/set-experiment-tag")
def set_experiment_tag(store: Store, body: SetExperimentTag) -> Json:
    store.set_experiment_tag(body.experiment_id, body.key, body.value)
    return {}


@router.post("/experiments/delete-experiment-tag")
def delete_experiment_tag(store: Store, body: DeleteExperimentTag) -> Json:
    store.delete_experiment_tag(body.experiment_id, body.key)
    return {}
