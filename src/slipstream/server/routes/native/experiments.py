"""/api/v1/experiments: create, read, search, rename, delete, restore, tag."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from slipstream._core.errors import NotFoundError
from slipstream.entities import LifecycleStage, ViewType
from slipstream.metadata.rest.codec import experiment_json
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_DEFAULT
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.native.deps import Tracking, answer
from slipstream.server.routes.native.schemas import (
    ERRORS,
    ExperimentCreated,
    ExperimentOut,
    ExperimentPage,
    ExperimentUpdate,
    NewExperiment,
    TagIn,
)

router = APIRouter(prefix="/experiments", tags=["experiments"], responses=ERRORS)
_NO_CONTENT: dict[str, Any] = {"status_code": 204, "response_class": Response}


@router.post("", status_code=201, response_model=ExperimentCreated,
             summary="Create an experiment")
def create_experiment(store: Tracking, uris: Uris, body: NewExperiment) -> Response:
    """A new active experiment; 400 RESOURCE_ALREADY_EXISTS when the name is taken (even by a
    deleted experiment)."""
    location = uris.from_wire(body.artifact_location) if body.artifact_location else None
    created = store.create_experiment(body.name, location, body.tags)
    return answer({"experiment_id": created}, 201)


@router.get("", response_model=ExperimentPage, summary="Search experiments")
def search_experiments(
    store: Tracking, uris: Uris,
    view_type: Annotated[ViewType, Query(description="Which lifecycle stages to list.")]
    = ViewType.ACTIVE_ONLY,
    max_results: Annotated[int, Query(description="Page size, 1..50,000.")]
    = SEARCH_MAX_RESULTS_DEFAULT,
    page_token: Annotated[str | None, Query(description="From the previous page.")] = None,
    filter: Annotated[str, Query(description="MLflow filter on name, creation_time, "
                                 "last_update_time and tags, e.g. \"name LIKE 'churn%'\".")]
    = "",
    order_by: Annotated[list[str] | None, Query(description="e.g. name ASC (repeatable); "
                                                "then newest first.")] = None,
) -> Response:
    """One page of experiments matching the filter, in order, with the next page's token."""
    found, token = store.search_experiments(view_type, max_results, page_token,
                                            filter_string=filter, order_by=order_by or ())
    return answer({"experiments": [experiment_json(e, uris.to_wire) for e in found],
                   "next_page_token": token})


@router.get("/by-name", response_model=ExperimentOut, summary="Get an experiment by name")
def get_experiment_by_name(
    store: Tracking, uris: Uris, name: Annotated[str, Query(description="The exact experiment name.")],
) -> Response:
    """The experiment with this exact name, active or deleted; 404 when there is none."""
    found = store.get_experiment_by_name(name)
    if found is None:
        raise NotFoundError(f"Could not find experiment with name {name!r}")
    return answer(experiment_json(found, uris.to_wire))


@router.get("/{experiment_id}", response_model=ExperimentOut, summary="Get an experiment")
def get_experiment(store: Tracking, uris: Uris, experiment_id: str) -> Response:
    """One experiment, active or deleted."""
    return answer(experiment_json(store.get_experiment(experiment_id), uris.to_wire))


@router.patch("/{experiment_id}", **_NO_CONTENT, summary="Rename, delete or restore")
def update_experiment(store: Tracking, experiment_id: str, body: ExperimentUpdate) -> None:
    """Set the name and/or the lifecycle stage ("deleted" deletes it with its runs, "active"
    restores it)."""
    stage = body.lifecycle_stage.value if body.lifecycle_stage is not None else None
    store.update_experiment(experiment_id, name=body.name, lifecycle_stage=stage)


@router.delete("/{experiment_id}", **_NO_CONTENT, summary="Delete an experiment")
def delete_experiment(store: Tracking, experiment_id: str) -> None:
    """Mark the experiment (and its runs) deleted; restore undoes it."""
    store.update_experiment(experiment_id, lifecycle_stage=LifecycleStage.DELETED.value)


@router.post("/{experiment_id}/restore", **_NO_CONTENT, summary="Restore an experiment")
def restore_experiment(store: Tracking, experiment_id: str) -> None:
    """Make a deleted experiment (and its runs) active again."""
    store.update_experiment(experiment_id, lifecycle_stage=LifecycleStage.ACTIVE.value)


@router.post("/{experiment_id}/tags", **_NO_CONTENT, summary="Set an experiment tag")
def set_experiment_tag(store: Tracking, experiment_id: str, body: TagIn) -> None:
    """Set (or overwrite) one tag of an active experiment."""
    store.set_experiment_tag(experiment_id, body.key, body.value)


@router.delete("/{experiment_id}/tags/{key:path}", **_NO_CONTENT,
               summary="Delete an experiment tag")
def delete_experiment_tag(store: Tracking, experiment_id: str, key: str) -> None:
    """Remove one tag; 404 when the experiment has no such tag."""
    store.delete_experiment_tag(experiment_id, key)
