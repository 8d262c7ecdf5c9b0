"""/api/v1/runs/{run_id}/artifacts: list, upload and download a run's artifact files.

Paths are relative to the run's artifact root and checked (no '..', no absolute paths). The
bytes go through the same code as MLflow's artifact proxy (`routes.mlflow_artifacts`): streamed
uploads published only once complete and refused (413) over the server's size limit, downloads
sent as attachments with safe content types.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from slipstream.artifacts.run_files import ArtifactRepository, check_path, open_repository
from slipstream.metadata.tracking import TrackingStore
from slipstream.server.routes import mlflow_artifacts
from slipstream.server.routes.native.deps import Tracking
from slipstream.server.routes.native.schemas import ERRORS

router = APIRouter(prefix="/runs/{run_id}/artifacts", tags=["artifacts"], responses=ERRORS)


class ArtifactFile(BaseModel):
    path: str = Field(description="Path from the run's artifact root.")
    is_dir: bool
    file_size: int | None = Field(None, description="Bytes (files only).")


class ArtifactList(BaseModel):
    files: list[ArtifactFile] = Field(description="The folder's direct children, by path.")


def _repository(store: TrackingStore, run_id: str) -> ArtifactRepository:
    return open_repository(store.get_run(run_id).info.artifact_uri)


@router.get("", response_model=ArtifactList, summary="List a run's artifacts")
def list_artifacts(
    store: Tracking, run_id: str,
    path: Annotated[str, Query(description="Folder inside the run (default: its root).")] = "",
) -> ArtifactList:
    """The direct children of a folder of the run's artifacts (empty for a file or nothing)."""
    entries = _repository(store, run_id).list(check_path(path, allow_root=True))
    return ArtifactList(files=[ArtifactFile(path=e.path, is_dir=e.is_dir,
                                            file_size=None if e.is_dir else e.file_size)
                               for e in entries])


@router.get("/{path:path}", summary="Download a run artifact",
            response_class=Response,
            responses={200: {"description": "The file's bytes.",
                             "content": {"application/octet-stream": {}}}})
def download_artifact(store: Tracking, run_id: str, path: str) -> Response:
    """The raw bytes of one file of the run's artifacts; 404 when it does not exist."""
    return mlflow_artifacts.download_artifact(path, _repository(store, run_id))


@router.put("/{path:path}", status_code=204, response_class=Response,
            summary="Upload a run artifact", responses=mlflow_artifacts.UPLOAD_RESPONSES,
            openapi_extra={"requestBody": {"required": True, "description": "The file's bytes.",
                                           "content": {"application/octet-stream": {}}}})
async def upload_artifact(store: Tracking, run_id: str, path: str, request: Request) -> None:
    """Store the raw request body as file `path` of the run's artifacts (replacing it)."""
    repository = await run_in_threadpool(_repository, store, run_id)
    await mlflow_artifacts.upload_artifact(path, request, repository)
