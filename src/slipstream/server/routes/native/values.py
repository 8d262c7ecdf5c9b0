"""/api/v1/values/{digest}: execution values too large for a node's record (blob references
`{"$blob": digest, "fmt": ...}`), as a preview for the console or as their bytes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from slipstream.server.routes.native.deps import answer
from slipstream.server.routes.native.schemas import ERRORS

router = APIRouter(prefix="/values", tags=["executions"], responses=ERRORS)
Fmt = Annotated[str, Query(description="The reference's fmt: parquet, npy, json, bytes, "
                                       "pickle, …")]


def _store(request: Request) -> Any:
    from slipstream.artifacts import open_artifact_store

    return open_artifact_store(request.app.state.settings.artifact_uri)


@router.get("/{digest}/preview", summary="Preview a stored value")
def preview_value(
    request: Request, digest: str, fmt: Fmt,
    max_rows: Annotated[int, Query(ge=1, le=500, description="Rows of a table.")] = 20,
) -> Response:
    """A table's first rows and schema, an array's shape and first items, a JSON document,
    text, or just the size for formats never opened here (pickle, sklearn, torch, archive);
    404 for an unknown digest."""
    from slipstream.server.value_previews import preview

    return answer(preview(_store(request), digest, fmt, max_rows))


@router.get("/{digest}", summary="Download a stored value", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
def download_value(request: Request, digest: str) -> Response:
    """The blob's bytes: images inline with their type, anything else as an attachment."""
    from slipstream.server.value_previews import media_type

    data = _store(request).get_bytes(digest)
    kind = media_type(data[:16])
    if kind:
        return Response(data, media_type=kind, headers={"Cache-Control": "public, max-age=86400"})
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{digest[:16]}.bin"'})
