"""Start executions: /api/v1/executions/{id}/recover and /rerun (from an old one) and
/api/v1/workflows/{name}/launch (a registered version on new inputs), the console's buttons.
The work happens in a process of its own (`server.launches`); the answer, 202, names the new
execution as soon as it has started."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from slipstream.server.routes.native.deps import Executions
from slipstream.server.routes.native.schemas import ERRORS

router = APIRouter(tags=["executions"], responses=ERRORS)


class Started(BaseModel):
    execution_id: str = Field(description="The new execution (running; poll it).")


class RerunBody(BaseModel):
    inputs: dict[str, Any] = Field({}, description="Inputs to replace, by name, as JSON "
                                   "values; the others keep the old execution's values.")


class LaunchBody(BaseModel):
    inputs: dict[str, Any] = Field({}, description="Inputs by name, as JSON values; the "
                                   "others take their defaults.")


async def _start(request: Request, action: str, subject: str,
                 inputs: dict[str, Any] | None = None, version: str | None = None) -> Started:
    from slipstream.server import launches

    started = await run_in_threadpool(launches.start, request.app.state.settings, action,
                                      subject, inputs, version)
    return Started(execution_id=started)


@router.post("/executions/{execution_id}/recover", status_code=202, response_model=Started,
             summary="Recover an execution")
async def recover(store: Executions, request: Request, execution_id: str) -> Started:
    """A new execution of a failed, aborted or killed one that reuses every node that
    succeeded; 400 when it succeeded or still runs."""
    record = store.get_execution(execution_id)  # 404 for an unknown id, here
    return await _start(request, "recover", record.id)


@router.post("/executions/{execution_id}/rerun", status_code=202, response_model=Started,
             summary="Re-run an execution with new inputs")
async def rerun(store: Executions, request: Request, execution_id: str,
                body: RerunBody) -> Started:
    """A new execution of the workflow at the old one's source_ref (its code as it is now) on
    the old inputs, those given replaced; 400 naming an unknown or mistyped input."""
    record = store.get_execution(execution_id)
    return await _start(request, "rerun", record.id, body.inputs)


@router.post("/workflows/{name}/launch", status_code=202, response_model=Started,
             summary="Launch a workflow")
async def launch(
    store: Executions, request: Request, name: str, body: LaunchBody,
    version: Annotated[str | None, Query(description="Default: the newest.")] = None,
) -> Started:
    """A new execution of a registered workflow version (loaded from its source_ref) on the
    given inputs, defaults filled; 400 naming a missing, unknown or mistyped input, or code at
    the source_ref that is now another version."""
    record = store.get_workflow(name, version)
    return await _start(request, "launch", record.name, body.inputs, record.version)
