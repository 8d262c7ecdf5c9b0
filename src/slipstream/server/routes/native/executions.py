"""/api/v1/executions: workflow executions (read only), with their node executions, attempts,
what each attempt printed and logged, and the tracking runs logged from them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from slipstream.entities import ExecutionRecord, NodeExecutionRecord, Status
from slipstream.metadata.rest.codec import run_json
from slipstream.server.artifact_uris import Uris
from slipstream.server.routes.native.deps import Executions, Tracking, answer
from slipstream.server.routes.native.schemas import ERRORS, INT64_MAX, RunList

router = APIRouter(prefix="/executions", tags=["executions"], responses=ERRORS)
Seconds = Annotated[float | None, Field(description="Epoch seconds.")]
LiteralMap = Annotated[dict[str, Any] | None, Field(
    description="Values by name: small ones inline, large ones as {\"$blob\": sha256} "
                "references into the artifact store.")]


class _FromRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorInfoOut(_FromRecord):
    kind: str = Field(description="user | timeout | system")
    type: str
    message: str
    traceback: str = ""


class LogRefOut(_FromRecord):
    digest: str = Field(description="sha256 of the text in the artifact store.")
    size: int = Field(description="Bytes kept.")
    omitted: int = Field(0, description="Bytes left out of the middle to keep it bounded.")


class AttemptOut(_FromRecord):
    number: int
    started_at: float
    ended_at: Seconds = None
    status: Status
    error: ErrorInfoOut | None = None
    worker: str = Field("", description="Where the attempt ran.")
    log: LogRefOut | None = Field(None, description="What the attempt printed and logged "
                                  "(GET .../nodes/{node_id}/logs); null when nothing.")


class ExecutionOut(_FromRecord):
    id: str
    workflow_name: str
    workflow_version: str = Field(description="Content hash of the graph and task sources.")
    status: Status
    inputs: LiteralMap
    outputs: LiteralMap = None
    created_at: float
    started_at: Seconds = None
    ended_at: Seconds = None
    duration: float | None = Field(None, description="Seconds from start to end.")
    error: ErrorInfoOut | None = None
    recovered_from: str | None = Field(None, description="The execution this one recovers.")
    source_ref: str = ""
    executor: str
    host: str
    pid: int


class NodeExecutionOut(_FromRecord):
    execution_id: str
    node_id: str = Field(description="Path unique in the execution: n2, n3/n0, n4[17].")
    name: str
    kind: str
    status: Status
    parent_id: str | None = None
    task_version: str = ""
    started_at: Seconds = None
    ended_at: Seconds = None
    duration: float | None = None
    inputs: LiteralMap = None
    outputs: LiteralMap = None
    error: ErrorInfoOut | None = None
    attempts: list[AttemptOut] = Field(description="Every try, first to last.")
    cache_status: str = Field(description="off | miss | hit | recovered")
    cache_key: str | None = None
    detail: dict[str, Any] = {}
    run_ids: list[str] = Field([], description="Tracking runs logged from this node.")


class ExecutionList(BaseModel):
    executions: list[ExecutionOut]


class ExecutionDetail(BaseModel):
    execution: ExecutionOut
    nodes: list[NodeExecutionOut]


def _node(node: NodeExecutionRecord, run_ids: list[str]) -> NodeExecutionOut:
    out = NodeExecutionOut.model_validate(node)
    out.run_ids = run_ids
    return out


@router.get("", response_model=ExecutionList, summary="List workflow executions")
def list_executions(
    store: Executions,
    workflow: Annotated[str | None, Query(description="Only this workflow's executions.")]
    = None,
    status: Annotated[Status | None, Query(description="Only executions in this status.")]
    = None,
    since: Annotated[float | None, Query(description="Created at or after (epoch s).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX, description="How many to skip.")] = 0,
) -> ExecutionList:
    """Executions, newest first, optionally filtered by workflow name, status and age."""
    found: list[ExecutionRecord] = store.list_executions(
        workflow_name=workflow, status=status, since=since, limit=limit, offset=offset)
    return ExecutionList(executions=[ExecutionOut.model_validate(e) for e in found])


@router.get("/{execution_id}", response_model=ExecutionDetail, summary="Get an execution")
def get_execution(store: Executions, tracking: Tracking, execution_id: str) -> ExecutionDetail:
    """One execution (by id or unique prefix) with its node executions, their attempts and
    the ids of the runs each node logged to."""
    record = store.get_execution(execution_id)
    runs: dict[str, list[str]] = {}
    for run in tracking.list_runs_for_execution(record.id):
        runs.setdefault(run.info.node_id or "", []).append(run.info.run_id)
    nodes = [_node(n, runs.get(n.node_id, [])) for n in store.list_nodes(record.id)]
    return ExecutionDetail(execution=ExecutionOut.model_validate(record), nodes=nodes)


@router.get("/{execution_id}/runs", response_model=RunList, summary="Runs of an execution")
def runs_of_execution(store: Executions, tracking: Tracking, uris: Uris,
                      execution_id: str) -> Response:
    """Every tracking run logged from the execution's nodes (each names its node_id)."""
    record = store.get_execution(execution_id)
    found = tracking.list_runs_for_execution(record.id)
    return answer({"runs": [run_json(r, uris.to_wire) for r in found]})


@router.get("/{execution_id}/nodes/{node_id:path}/logs", response_class=Response,
            summary="Logs of a node",
            responses={200: {"description": "The text, UTF-8.", "content": {"text/plain": {}}}})
def node_logs(
    store: Executions, request: Request, execution_id: str, node_id: str,
    attempt: Annotated[int | None, Query(ge=1, le=INT64_MAX, description="Attempt number (default: the "
                                                          "latest).")] = None,
) -> PlainTextResponse:
    """What one attempt of a node (n2, n3/n0, n4[17]) wrote to stdout and stderr and the log
    records it emitted; empty when it wrote nothing or did not run. 404 for an unknown
    execution, node or attempt."""
    from slipstream.artifacts import open_artifact_store
    from slipstream.execution.task_logs import read_node_log

    blobs = open_artifact_store(request.app.state.settings.artifact_uri)
    text = read_node_log(store, blobs, execution_id, node_id, attempt)
    return PlainTextResponse(text, media_type="text/plain; charset=utf-8")
