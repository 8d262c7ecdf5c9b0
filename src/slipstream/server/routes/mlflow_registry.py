"""MLflow's model registry routes under /api/2.0/mlflow: registered-models/* and model-versions/*.

The app's store must also be a `ModelRegistryStore` (the SQL store is). Each route reads its
body or query (`mlflow_body`), calls the registry (and, for sources and download URIs, the run
or logged model a version came from), and answers in MLflow's shapes (`mlflow_registry_wire`);
errors are mapped once on the app (`server.errors`). GETs take query parameters; POST, PATCH and
DELETE take JSON bodies (`DELETE registered-models/alias` too). Stages do not exist here: every version is in
stage "None", `get-latest-versions` answers the newest version, `transition-stage` is refused.
As in MLflow, deleting a tag or alias that is not set succeeds (its model or version must exist).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.metadata.registry import SEARCH_REGISTRY_DEFAULT, SEARCH_REGISTRY_MAX
from slipstream.metadata.registry import ModelRegistryStore as RegistryStore
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.mlflow_body import Args, Body
from slipstream.server.routes.mlflow_deps import PREFIX, Json, answer
from slipstream.server.routes.mlflow_registry_wire import (
    NO_STAGE,
    check_source,
    download_uri,
    model_version_json,
    prompt_search,
    registered_model_json,
)
from slipstream.server.routes.mlflow_wire import page

router = APIRouter(prefix=PREFIX, tags=["mlflow model registry"])

#: MLflow's default and cap for a model-versions/search page (the client asks for 10,000).
SEARCH_VERSIONS_DEFAULT = 10_000
SEARCH_VERSIONS_MAX = 200_000
T = TypeVar("T")


def registry_store(request: Request) -> RegistryStore:
    """The app's tracking store, which must keep the model registry."""
    store = request.app.state.tracking_store
    if not isinstance(store, RegistryStore):
        raise InvalidInputError(f"This server's store ({type(store).__name__}) does not keep "
                                "a model registry.")
    return store


Registry = Annotated[RegistryStore, Depends(registry_store)]


# -- registered models ----------------------------------------------------------------------

@router.post("/registered-models/create")
def create_registered_model(store: Registry, uris: Uris, body: Body) -> Json:
    made = store.create_registered_model(body.text("name"), body.pairs("tags"),
                                         body.text("description", ""))
    return answer({"registered_model": registered_model_json(made, uris)})


@router.get("/registered-models/get")
def get_registered_model(store: Registry, uris: Uris, args: Args) -> Json:
    found = store.get_registered_model(args.text("name"))
    return answer({"registered_model": registered_model_json(found, uris)})


@router.post("/registered-models/rename")
def rename_registered_model(store: Registry, uris: Uris, body: Body) -> Json:
    renamed = store.rename_registered_model(body.text("name"), body.text("new_name"))
    return answer({"registered_model": registered_model_json(renamed, uris)})


@router.patch("/registered-models/update")
def update_registered_model(store: Registry, uris: Uris, body: Body) -> Json:
    updated = store.update_registered_model(body.text("name"), body.text("description", ""))
    return answer({"registered_model": registered_model_json(updated, uris)})


@router.delete("/registered-models/delete")
def delete_registered_model(store: Registry, body: Body) -> Json:
    store.delete_registered_model(body.text("name"))
    return answer()


@router.get("/registered-models/search")
def search_registered_models(store: Registry, uris: Uris, args: Args) -> Json:
    """Models matching the filter; prompts (MLflow's tagged models) are left out unless the
    filter asks for them."""
    wanted = prompt_search(args.text("filter", ""))
    found, token = store.search_registered_models(
        wanted.filter, args.integer("max_results", SEARCH_REGISTRY_DEFAULT),
        args.texts("order_by"), args.optional_text("page_token"))
    return answer(page("registered_models",
                       [registered_model_json(m, uris) for m in found if wanted.keep(m)], token))


@router.post("/registered-models/get-latest-versions")
def get_latest_versions(store: Registry, uris: Uris, body: Body) -> Json:
    """The newest version, for no stages or stage "None" (the only stage here)."""
    name, stages = body.text("name"), {s.lower() for s in body.texts("stages")}
    model = store.get_registered_model(name)
    latest = model.latest_versions if not stages or NO_STAGE.lower() in stages else ()
    return answer({"model_versions": [model_version_json(v, uris) for v in latest]})


@router.post("/registered-models/set-tag")
def set_registered_model_tag(store: Registry, body: Body) -> Json:
    store.set_registered_model_tag(body.text("name"), body.text("key"), body.text("value", ""))
    return answer()


@router.delete("/registered-models/delete-tag")
def delete_registered_model_tag(store: Registry, body: Body) -> Json:
    name, key = body.text("name"), body.text("key")
    _absent_is_done(lambda: store.delete_registered_model_tag(name, key),
                    lambda: store.get_registered_model(name))
    return answer()


# -- aliases --------------------------------------------------------------------------------

@router.post("/registered-models/alias")
def set_registered_model_alias(store: Registry, body: Body) -> Json:
    store.set_model_alias(body.text("name"), body.text("alias"), body.text("version"))
    return answer()


@router.delete("/registered-models/alias")
def delete_registered_model_alias(store: Registry, body: Body) -> Json:
    name, alias = body.text("name"), body.text("alias")
    _absent_is_done(lambda: store.delete_model_alias(name, alias),
                    lambda: store.get_registered_model(name))
    return answer()


@router.get("/registered-models/alias")
def get_model_version_by_alias(store: Registry, uris: Uris, args: Args) -> Json:
    found = store.get_model_version_by_alias(args.text("name"), args.text("alias"))
    return answer({"model_version": model_version_json(found, uris)})


# -- versions -------------------------------------------------------------------------------

@router.post("/model-versions/create")
def create_model_version(store: Registry, uris: Uris, body: Body) -> Json:
    """A new READY version; its source is checked against the run or logged model it names."""
    name, source, tags = body.text("name"), body.text("source"), body.pairs("tags")
    run_id, model_id = body.optional_text("run_id"), body.optional_text("model_id")
    description = body.text("description", "")
    body.optional_text("run_link")  # accepted, as MLflow's client sends it; not kept
    store.get_registered_model(name)  # an unknown model is a 404 before anything else
    checked = check_source(store, uris, source, run_id, model_id)
    made = store.create_model_version(name, checked.source, checked.run_id, checked.model_id,
                                      tags, description)
    return answer({"model_version": model_version_json(made, uris)})


@router.get("/model-versions/get")
def get_model_version(store: Registry, uris: Uris, args: Args) -> Json:
    found = store.get_model_version(args.text("name"), args.text("version"))
    return answer({"model_version": model_version_json(found, uris)})


@router.patch("/model-versions/update")
def update_model_version(store: Registry, uris: Uris, body: Body) -> Json:
    updated = store.update_model_version(body.text("name"), body.text("version"),
                                         body.text("description", ""))
    return answer({"model_version": model_version_json(updated, uris)})


@router.delete("/model-versions/delete")
def delete_model_version(store: Registry, body: Body) -> Json:
    store.delete_model_version(body.text("name"), body.text("version"))
    return answer()


@router.post("/model-versions/transition-stage")
def transition_model_version_stage() -> Json:
    raise InvalidInputError("Model version stages are not supported by Slipstream (MLflow has "
                            "deprecated them); point an alias at the version instead, e.g. "
                            "set_registered_model_alias(name, 'champion', version).")


@router.get("/model-versions/search")
def search_model_versions(store: Registry, uris: Uris, args: Args) -> Json:
    """Versions matching the filter, newest first unless ordered; up to 200,000 per page, as
    MLflow (fetched from the store 1,000 at a time)."""
    filter_string, order_by = args.text("filter", ""), args.texts("order_by")
    max_results = args.integer("max_results", SEARCH_VERSIONS_DEFAULT)
    if not 1 <= max_results <= SEARCH_VERSIONS_MAX:
        raise InvalidInputError(f"Invalid value {max_results} for parameter 'max_results': it "
                                f"must be between 1 and {SEARCH_VERSIONS_MAX}.")
    found, token = _gather(lambda size, token: store.search_model_versions(
        filter_string, size, order_by, token), max_results, args.optional_text("page_token"))
    return answer(page("model_versions", [model_version_json(v, uris) for v in found], token))


@router.get("/model-versions/get-download-uri")
def get_model_version_download_uri(store: Registry, uris: Uris, args: Args) -> Json:
    found = store.get_model_version(args.text("name"), args.text("version"))
    return answer({"artifact_uri": download_uri(store, uris, found)})


@router.post("/model-versions/set-tag")
def set_model_version_tag(store: Registry, body: Body) -> Json:
    store.set_model_version_tag(body.text("name"), body.text("version"), body.text("key"),
                                body.text("value", ""))
    return answer()


@router.delete("/model-versions/delete-tag")
def delete_model_version_tag(store: Registry, body: Body) -> Json:
    name, version, key = body.text("name"), body.text("version"), body.text("key")
    _absent_is_done(lambda: store.delete_model_version_tag(name, version, key),
                    lambda: store.get_model_version(name, version))
    return answer()


def _absent_is_done(delete: Callable[[], None], owner: Callable[[], object]) -> None:
    """MLflow deletes a tag or alias that is not set without complaint, as long as its model
    (or version) exists: `owner` raises NotFoundError when that is missing too."""
    try:
        delete()
    except NotFoundError:
        owner()


def _gather(search: Callable[[int, str | None], tuple[list[T], str | None]], wanted: int,
            token: str | None) -> tuple[list[T], str | None]:
    """Up to `wanted` results from a store search capped at SEARCH_REGISTRY_MAX per call, and
    the token after the last one returned."""
    found: list[T] = []
    while True:
        batch, token = search(min(wanted - len(found), SEARCH_REGISTRY_MAX), token)
        found.extend(batch)
        if token is None or len(found) >= wanted:
            return found, token
