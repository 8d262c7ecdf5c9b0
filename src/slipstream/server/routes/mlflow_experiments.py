"""MLflow's experiment routes under /api/2.0/mlflow/experiments.

Each route reads its body or query (`mlflow_body`), calls one `TrackingStore` method and answers
in MLflow's shapes (`mlflow_wire`); errors are mapped once on the app (`server.errors`).
"""

from __future__ import annotations

from fastapi import APIRouter

from slipstream._core.errors import NotFoundError
from slipstream.entities import ViewType
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_DEFAULT
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.mlflow_body import Args, Body
from slipstream.server.routes.mlflow_deps import PREFIX, Json, Store, answer
from slipstream.server.routes.mlflow_wire import experiment_json, page

router = APIRouter(prefix=PREFIX, tags=["mlflow tracking"])


@router.get("/experiments/get-by-name")
def get_experiment_by_name(store: Store, uris: Uris, args: Args) -> Json:
    name = args.text("experiment_name")
    found = store.get_experiment_by_name(name)
    if found is None:
        raise NotFoundError(f"Could not find experiment with name '{name}'")
    return answer({"experiment": experiment_json(found, uris)})


@router.post("/experiments/create")
def create_experiment(store: Store, uris: Uris, body: Body) -> Json:
    location = body.optional_text("artifact_location")
    experiment_id = store.create_experiment(body.text("name"),
                                            uris.from_wire(location) if location else None,
                                            body.pairs("tags"))
    return answer({"experiment_id": experiment_id})


@router.get("/experiments/get")
def get_experiment(store: Store, uris: Uris, args: Args) -> Json:
    found = store.get_experiment(args.text("experiment_id"))
    return answer({"experiment": experiment_json(found, uris)})


@router.post("/experiments/search")
def search_experiments(store: Store, uris: Uris, body: Body) -> Json:
    found, token = store.search_experiments(
        body.choice("view_type", ViewType, ViewType.ACTIVE_ONLY),
        body.integer("max_results", SEARCH_MAX_RESULTS_DEFAULT),
        body.optional_text("page_token"), filter_string=body.text("filter", ""),
        order_by=body.texts("order_by"))
    return answer(page("experiments", [experiment_json(e, uris) for e in found], token))


@router.post("/experiments/update")
def update_experiment(store: Store, body: Body) -> Json:
    store.rename_experiment(body.text("experiment_id"), body.text("new_name"))
    return answer()


@router.post("/experiments/delete")
def delete_experiment(store: Store, body: Body) -> Json:
    store.delete_experiment(body.text("experiment_id"))
    return answer()


@router.post("/experiments/restore")
def restore_experiment(store: Store, body: Body) -> Json:
    store.restore_experiment(body.text("experiment_id"))
    return answer()


@router.post("/experiments/set-experiment-tag")
def set_experiment_tag(store: Store, body: Body) -> Json:
    store.set_experiment_tag(body.text("experiment_id"), body.text("key"),
                             body.text("value", ""))
    return answer()


@router.post("/experiments/delete-experiment-tag")
def delete_experiment_tag(store: Store, body: Body) -> Json:
    store.delete_experiment_tag(body.text("experiment_id"), body.text("key"))
    return answer()
