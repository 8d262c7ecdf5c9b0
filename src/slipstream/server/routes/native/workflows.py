"""/api/v1/workflows: registered workflow versions (read only), with their compiled graphs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from slipstream.server.routes.native.deps import Executions
from slipstream.server.routes.native.schemas import ERRORS

router = APIRouter(prefix="/workflows", tags=["workflows"], responses=ERRORS)


class WorkflowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    version: str = Field(description="Content hash of the graph and task sources.")
    source_ref: str = Field(description="Where the code lives (module:qualname).")
    created_at: float = Field(description="Epoch seconds.")
    spec: dict[str, Any] | None = Field(None, description="The compiled graph (get only).")


class WorkflowList(BaseModel):
    workflows: list[WorkflowOut]


@router.get("", response_model=WorkflowList, summary="List workflow versions")
def list_workflows(
    store: Executions,
    name: Annotated[str | None, Query(description="Only this workflow's versions.")] = None,
) -> WorkflowList:
    """Registered workflow versions, newest first (without their graphs)."""
    found = [WorkflowOut.model_validate(w) for w in store.list_workflows(name)]
    return WorkflowList(workflows=[w.model_copy(update={"spec": None}) for w in found])


@router.get("/{name}", response_model=WorkflowOut, summary="Get a workflow version")
def get_workflow(
    store: Executions, name: str,
    version: Annotated[str | None, Query(description="Default: the newest.")] = None,
) -> WorkflowOut:
    """One version of a workflow with its compiled graph."""
    return WorkflowOut.model_validate(store.get_workflow(name, version))
