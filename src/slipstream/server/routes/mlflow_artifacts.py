"""MLflow's artifact proxy, `/api/2.0/mlflow-artifacts/artifacts`: upload, download, list and
delete files under the server's artifact root (a local folder or any fsspec URL).

Paths are relative to that root and checked before anything is read or written ('..', absolute
paths, backslashes, their percent-encoded forms and symlinks out of the root: 400
INVALID_PARAMETER_VALUE). Uploads stream the request body into the repository's writer, which
publishes the file only once it is complete; a body over the server's limit
(`Settings.max_upload_bytes`) is refused with 413 naming the limit, and nothing is published.
Downloads stream the file; every file is sent as an attachment, with `nosniff` and a
`Content-Security-Policy` of `sandbox`, and types a browser would run (HTML, SVG, JavaScript,
XML) as text/plain, so a stored page cannot run script on the server's origin.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from slipstream.artifacts.run_files import CHUNK_SIZE, ArtifactRepository, check_path
from slipstream.server.errors import ERROR_CONTENT
from slipstream.server.routes.mlflow_body import Args, path_value
from slipstream.server.routes.mlflow_deps import Json, answer

PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts"
router = APIRouter(prefix=PROXY_PATH, tags=["mlflow artifacts"])

#: Types a browser would render or execute; served as text/plain instead.
_ACTIVE_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "image/svg+xml", "text/javascript",
    "application/javascript", "application/ecmascript", "text/xml", "application/xml",
})
#: Upload bytes gathered before each hand-off to a worker thread.
_WRITE_BATCH = CHUNK_SIZE


def artifact_repository(request: Request) -> ArtifactRepository:
    """The repository over the server's artifact root (`create_app`)."""
    repository: ArtifactRepository = request.app.state.artifact_repository
    return repository


Repository = Annotated[ArtifactRepository, Depends(artifact_repository)]
FilePath = Annotated[str, path_value("path")]


#: The upload answers beyond the common errors (documented in /openapi.json).
UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "The file is larger than the server's upload limit "
                         "(SLIPSTREAM_MAX_UPLOAD_BYTES), named in the message.",
          "content": ERROR_CONTENT},
}


@router.put("/{path:path}", responses=UPLOAD_RESPONSES)
async def upload_artifact(path: FilePath, request: Request, repository: Repository) -> Json:
    """Store the raw request body as file `path`."""
    relative = check_path(path)
    limit = request.app.state.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if limit and declared.isdigit() and int(declared) > limit:
        raise _too_large(relative, limit)
    writer = repository.writer(relative)
    out = await run_in_threadpool(writer.__enter__)
    try:
        pending, received = bytearray(), 0
        async for chunk in request.stream():
            received += len(chunk)
            if limit and received > limit:
                raise _too_large(relative, limit)
            pending += chunk
            if len(pending) >= _WRITE_BATCH:
                await run_in_threadpool(out.write, bytes(pending))
                pending.clear()
        if pending:
            await run_in_threadpool(out.write, bytes(pending))
    except BaseException as exc:
        await run_in_threadpool(writer.__exit__, type(exc), exc, exc.__traceback__)
        raise
    await run_in_threadpool(writer.__exit__, None, None, None)
    return answer()


@router.get("/{path:path}")
def download_artifact(path: FilePath, repository: Repository) -> Response:
    """The raw bytes of file `path`; 404 RESOURCE_DOES_NOT_EXIST when missing."""
    relative = check_path(path)
    name = relative.rsplit("/", 1)[-1]
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
               "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    media_type = _safe_type(name)
    local = repository.local_path(relative)
    if local is not None:
        return FileResponse(local, media_type=media_type, headers=headers)
    source = repository.open(relative)
    return StreamingResponse(iterate_in_threadpool(_chunks(source)), media_type=media_type,
                             headers=headers)


@router.get("")
def list_artifacts(repository: Repository, args: Args) -> Json:
    """The direct children of folder `path` (names only, as MLflow sends them); `{}` if none."""
    entries = repository.list(check_path(args.text("path", ""), allow_root=True))
    if not entries:
        return answer()
    return answer({"files": [_file_json(e.path.rsplit("/", 1)[-1], e.is_dir, e.file_size)
                             for e in entries]})


@router.delete("/{path:path}")
def delete_artifact(path: FilePath, repository: Repository) -> Json:
    """Remove file or folder `path`."""
    repository.delete(check_path(path))
    return answer()


def _too_large(path: str, limit: int) -> HTTPException:
    return HTTPException(413, f"Artifact {path!r} is larger than the server's upload limit of "
                              f"{limit} bytes (set SLIPSTREAM_MAX_UPLOAD_BYTES to change it)")


def _file_json(name: str, is_dir: bool, size: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": name, "is_dir": is_dir}
    if size is not None and not is_dir:
        entry["file_size"] = size
    return entry


def _safe_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    if guessed is None:
        return "application/octet-stream"
    if guessed in _ACTIVE_TYPES or guessed.endswith("+xml"):
        return "text/plain; charset=utf-8"
    return guessed


def _chunks(source: BinaryIO) -> Iterator[bytes]:
    with source:
        while chunk := source.read(CHUNK_SIZE):
            yield chunk
