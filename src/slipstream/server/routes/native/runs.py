"""/api/v1/runs: create, read, update, delete, restore, log, search; and the run <-> workflow
execution link (a run's `execution_id` and `node_id`; the runs of executions)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from slipstream.entities import LifecycleStage
from slipstream.metadata.rest.codec import metric_json, run_info_json, run_json
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.batch_body import batch_openapi, decode_batch
from slipstream.server.routes.native.deps import Tracking, answer
from slipstream.server.routes.native.schemas import (
    ERRORS,
    MetricHistory,
    NewRun,
    RunBatch,
    RunInfoOut,
    RunInputs,
    RunList,
    RunOut,
    RunPage,
    RunSearch,
    RunUpdate,
)

router = APIRouter(prefix="/runs", tags=["runs"], responses=ERRORS)
_NO_CONTENT: dict[str, Any] = {"status_code": 204, "response_class": Response}


@router.post("", status_code=201, response_model=RunOut, summary="Create a run")
def create_run(store: Tracking, uris: Uris, body: NewRun) -> Response:
    """A RUNNING run in an active experiment, optionally nested under `parent_run_id` and
    linked to a workflow execution's node."""
    return answer(run_json(store.create_run(
        body.experiment_id, body.user_id, body.start_time, body.run_name or None, body.tags,
        parent_run_id=body.parent_run_id, execution_id=body.execution_id, node_id=body.node_id),
        uris.to_wire), 201)


@router.post("/search", response_model=RunPage, summary="Search runs")
def search_runs(store: Tracking, uris: Uris, body: RunSearch) -> Response:
    """One page of the runs of some experiments that match an MLflow filter string, in the
    given order, with the token of the next page."""
    found, token = store.search_runs(body.experiment_ids, body.filter, body.run_view_type,
                                     body.max_results, body.order_by, body.page_token)
    return answer({"runs": [run_json(r, uris.to_wire) for r in found],
                   "next_page_token": token})


@router.get("/by-execution", response_model=RunList, summary="Runs of workflow executions")
def runs_of_executions(
    store: Tracking, uris: Uris,
    execution_id: Annotated[list[str], Query(description="One or more execution ids.")],
) -> Response:
    """Every run logged from nodes of these workflow executions, any lifecycle stage."""
    found = store.list_runs_for_executions(execution_id)
    return answer({"runs": [run_json(r, uris.to_wire) for r in found]})


@router.get("/{run_id}", response_model=RunOut, summary="Get a run")
def get_run(store: Tracking, uris: Uris, run_id: str) -> Response:
    """A run with its params, tags, latest metrics, dataset inputs and execution link."""
    return answer(run_json(store.get_run(run_id), uris.to_wire))


@router.patch("/{run_id}", response_model=RunInfoOut, summary="Update a run")
def update_run(store: Tracking, uris: Uris, run_id: str, body: RunUpdate) -> Response:
    """Set the status, end time and/or name (fields left out keep their value; the end time
    is set as given)."""
    status = body.status if body.status is not None else store.get_run(run_id).info.status
    info = store.update_run_info(run_id, status, body.end_time, body.run_name or None)
    return answer(run_info_json(info, uris.to_wire))


@router.delete("/{run_id}", **_NO_CONTENT, summary="Delete a run")
def delete_run(store: Tracking, run_id: str) -> None:
    """Mark the run deleted (searches leave it out); restore undoes it."""
    store.set_run_lifecycle(run_id, LifecycleStage.DELETED.value)


@router.post("/{run_id}/restore", **_NO_CONTENT, summary="Restore a run")
def restore_run(store: Tracking, run_id: str) -> None:
    """Make a deleted run active again."""
    store.set_run_lifecycle(run_id, LifecycleStage.ACTIVE.value)


@router.post("/{run_id}/log-batch", **_NO_CONTENT, summary="Log metrics, params and tags",
             openapi_extra=batch_openapi(RunBatch))
async def log_batch(request: Request, store: Tracking, run_id: str) -> None:
    """Write metrics, params and tags in one transaction, all or nothing: at most 1,000
    metrics, 100 params and 100 tags per request. (The body is `RunBatch`, decoded by
    `batch_body` on this hot path.)"""
    batch = decode_batch(await request.body(), request.url.path)
    await run_in_threadpool(store.log_batch, run_id, metrics=batch.metrics,
                            params=batch.params, tags=batch.tags)


@router.delete("/{run_id}/tags/{key:path}", **_NO_CONTENT, summary="Delete a run tag")
def delete_tag(store: Tracking, run_id: str, key: str) -> None:
    """Remove one tag; 404 when the run has no such tag."""
    store.delete_tag(run_id, key)


@router.post("/{run_id}/inputs", **_NO_CONTENT, summary="Log dataset inputs")
def log_inputs(store: Tracking, run_id: str, body: RunInputs) -> None:
    """Record datasets (by name and digest) as inputs of the run, with input tags."""
    store.log_inputs(run_id, [d.entity() for d in body.datasets])


@router.get("/{run_id}/metric-history", response_model=MetricHistory,
            summary="Metric history")
def get_metric_history(
    store: Tracking, run_id: str,
    key: Annotated[str, Query(description="The metric name.")],
    max_results: Annotated[int | None, Query(description="Page size (default: all).")] = None,
    page_token: Annotated[str | None, Query(description="From the previous page.")] = None,
) -> Response:
    """Every point of one metric, by step then timestamp, one page at a time."""
    points, token = store.get_metric_history(run_id, key, max_results, page_token)
    return answer({"metrics": [metric_json(m) for m in points], "next_page_token": token})
