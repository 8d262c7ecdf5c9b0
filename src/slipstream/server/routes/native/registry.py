"""/api/v1/registered-models and /api/v1/model-versions: the model registry (models, their
auto-numbered versions with lineage, tags, aliases and the alias history). The app's store must
keep the registry (the SQL store does). A version's source is shown as the other artifact
locations are (`mlflow-artifacts:/...` under the server's root) and read back the same way.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from slipstream.metadata.registry import SEARCH_REGISTRY_DEFAULT
from slipstream.metadata.rest.codec import (
    alias_event_json,
    model_version_json,
    registered_model_json,
)
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.mlflow_registry import Registry
from slipstream.server.routes.native.deps import answer
from slipstream.server.routes.native.registry_schemas import (
    AliasHistory,
    AliasSet,
    ModelVersionOut,
    ModelVersionPage,
    ModelVersionUpdate,
    NewModelVersion,
    NewRegisteredModel,
    RegisteredModelOut,
    RegisteredModelPage,
    RegisteredModelUpdate,
)
from slipstream.server.routes.native.schemas import ERRORS, TagIn

router = APIRouter(tags=["model registry"], responses=ERRORS)
_NO_CONTENT: dict[str, Any] = {"status_code": 204, "response_class": Response}
_MODEL = "/registered-models/{name}"
_VERSION = "/registered-models/{name}/versions/{version}"

Filter = Annotated[str, Query(description="MLflow filter, e.g. \"name LIKE 'churn%'\", "
                                          "\"tags.team = 'ml'\".")]
PageSize = Annotated[int, Query(description="Page size, 1..1,000.")]
OrderBy = Annotated[list[str] | None, Query(description="e.g. name DESC (repeatable).")]
PageToken = Annotated[str | None, Query(description="From the previous page.")]


# -- registered models ----------------------------------------------------------------------

@router.post("/registered-models", status_code=201, response_model=RegisteredModelOut,
             summary="Create a registered model")
def create_registered_model(store: Registry, uris: Uris, body: NewRegisteredModel) -> Response:
    """A new model without versions; 400 RESOURCE_ALREADY_EXISTS when the name is taken."""
    made = store.create_registered_model(body.name, body.tags, body.description)
    return answer(registered_model_json(made, uris.to_wire), 201)


@router.get("/registered-models", response_model=RegisteredModelPage,
            summary="Search registered models")
def search_registered_models(store: Registry, uris: Uris, filter: Filter = "",
                             max_results: PageSize = SEARCH_REGISTRY_DEFAULT,
                             order_by: OrderBy = None,
                             page_token: PageToken = None) -> Response:
    """One page of models matching the filter, by `order_by` (name, creation_timestamp,
    last_updated_timestamp) then name."""
    found, token = store.search_registered_models(filter, max_results, order_by or (),
                                                  page_token)
    return answer({"registered_models": [registered_model_json(m, uris.to_wire)
                                         for m in found], "next_page_token": token})


@router.get(_MODEL, response_model=RegisteredModelOut, summary="Get a registered model")
def get_registered_model(store: Registry, uris: Uris, name: str) -> Response:
    """One model with its tags, aliases and newest version."""
    return answer(registered_model_json(store.get_registered_model(name), uris.to_wire))


@router.patch(_MODEL, response_model=RegisteredModelOut, summary="Rename or describe a model")
def update_registered_model(store: Registry, uris: Uris, name: str,
                            body: RegisteredModelUpdate) -> Response:
    """Rename the model (its versions, tags and aliases follow) and/or set its description; a
    refused rename changes nothing."""
    if body.new_name is not None:
        name = store.rename_registered_model(name, body.new_name).name
    if body.description is not None:
        store.update_registered_model(name, body.description)
    return answer(registered_model_json(store.get_registered_model(name), uris.to_wire))


@router.delete(_MODEL, **_NO_CONTENT, summary="Delete a registered model")
def delete_registered_model(store: Registry, name: str) -> None:
    """Delete the model with its versions, tags, aliases and alias history."""
    store.delete_registered_model(name)


@router.post(f"{_MODEL}/tags", **_NO_CONTENT, summary="Set a registered model tag")
def set_registered_model_tag(store: Registry, name: str, body: TagIn) -> None:
    """Set (or overwrite) one tag of the model."""
    store.set_registered_model_tag(name, body.key, body.value)


@router.delete(f"{_MODEL}/tags/{{key:path}}", **_NO_CONTENT,
               summary="Delete a registered model tag")
def delete_registered_model_tag(store: Registry, name: str, key: str) -> None:
    """Remove one tag; 404 when the model has no such tag."""
    store.delete_registered_model_tag(name, key)


# -- versions -------------------------------------------------------------------------------

@router.post(f"{_MODEL}/versions", status_code=201, response_model=ModelVersionOut,
             summary="Create a model version")
def create_model_version(store: Registry, uris: Uris, name: str,
                         body: NewModelVersion) -> Response:
    """The model's next version (READY), with its lineage (execution, node, workflow version,
    training datasets)."""
    made = store.create_model_version(
        name, uris.from_wire(body.source), body.run_id, body.model_id, body.tags,
        body.description, body.user_id, execution_id=body.execution_id, node_id=body.node_id,
        workflow_version=body.workflow_version, datasets=[d.entity() for d in body.datasets])
    return answer(model_version_json(made, uris.to_wire), 201)


@router.get("/model-versions", response_model=ModelVersionPage,
            summary="Search model versions")
def search_model_versions(store: Registry, uris: Uris, filter: Filter = "",
                          max_results: PageSize = SEARCH_REGISTRY_DEFAULT,
                          order_by: OrderBy = None,
                          page_token: PageToken = None) -> Response:
    """One page of versions of any model matching the filter (`name = 'churn'`, `run_id = '…'`,
    `tags.k = 'v'`, `version_number > 2`, `execution_id = '…'`), newest first unless ordered."""
    found, token = store.search_model_versions(filter, max_results, order_by or (), page_token)
    return answer({"model_versions": [model_version_json(v, uris.to_wire) for v in found],
                   "next_page_token": token})


@router.get(_VERSION, response_model=ModelVersionOut, summary="Get a model version")
def get_model_version(store: Registry, uris: Uris, name: str, version: str) -> Response:
    """One version with its tags, aliases and lineage."""
    return answer(model_version_json(store.get_model_version(name, version), uris.to_wire))


@router.patch(_VERSION, response_model=ModelVersionOut, summary="Describe a model version")
def update_model_version(store: Registry, uris: Uris, name: str, version: str,
                         body: ModelVersionUpdate) -> Response:
    """Set the version's description."""
    updated = store.update_model_version(name, version, body.description)
    return answer(model_version_json(updated, uris.to_wire))


@router.delete(_VERSION, **_NO_CONTENT, summary="Delete a model version")
def delete_model_version(store: Registry, name: str, version: str) -> None:
    """Delete the version, its tags and the aliases pointing at it (its number is not
    reused)."""
    store.delete_model_version(name, version)


@router.post(f"{_VERSION}/tags", **_NO_CONTENT, summary="Set a model version tag")
def set_model_version_tag(store: Registry, name: str, version: str, body: TagIn) -> None:
    """Set (or overwrite) one tag of the version."""
    store.set_model_version_tag(name, version, body.key, body.value)


@router.delete(f"{_VERSION}/tags/{{key:path}}", **_NO_CONTENT,
               summary="Delete a model version tag")
def delete_model_version_tag(store: Registry, name: str, version: str, key: str) -> None:
    """Remove one tag; 404 when the version has no such tag."""
    store.delete_model_version_tag(name, version, key)


# -- aliases --------------------------------------------------------------------------------

@router.put(f"{_MODEL}/aliases/{{alias}}", **_NO_CONTENT, summary="Set or move an alias")
def set_model_alias(store: Registry, name: str, alias: str, body: AliasSet) -> None:
    """Point the alias at a version (moving it if set); the move is kept in the history with
    who made it."""
    store.set_model_alias(name, alias, body.version, body.user_id)


@router.get(f"{_MODEL}/aliases/{{alias}}", response_model=ModelVersionOut,
            summary="Get the version an alias points at")
def get_model_version_by_alias(store: Registry, uris: Uris, name: str, alias: str) -> Response:
    """The version the alias points at now."""
    return answer(model_version_json(store.get_model_version_by_alias(name, alias),
                                     uris.to_wire))


@router.delete(f"{_MODEL}/aliases/{{alias}}", **_NO_CONTENT, summary="Delete an alias")
def delete_model_alias(
    store: Registry, name: str, alias: str,
    user_id: Annotated[str, Query(description="Who removes it (kept in the history).")] = "",
) -> None:
    """Remove the alias; 404 when it is not set."""
    store.delete_model_alias(name, alias, user_id)


@router.get(f"{_MODEL}/alias-history", response_model=AliasHistory,
            summary="The history of a model's aliases")
def get_alias_history(
    store: Registry, name: str,
    alias: Annotated[str | None, Query(description="Only this alias's moves.")] = None,
) -> Response:
    """Every move of the model's aliases (or of one), oldest first, with who made it."""
    return answer({"events": [alias_event_json(e)
                              for e in store.get_alias_history(name, alias)]})
