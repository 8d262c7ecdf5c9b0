"""`GET /api/3.0/mlflow/server-info`: what the server supports, as mlflow 3's client reads it.

The client asks before proxied artifact transfers (multipart up/downloads: not offered, so files
go as one streamed PUT / GET), for workspaces (off) and for telemetry (`store_type`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from slipstream.server.routes.mlflow_deps import Json, answer

router = APIRouter(tags=["mlflow server info"])


@router.get("/api/3.0/mlflow/server-info")
def server_info(request: Request) -> Json:
    """Capabilities: SqlStore, no workspaces, no multipart or presigned transfers, no gateway."""
    store = request.app.state.tracking_store
    return answer({
        "store_type": "SqlStore" if store.tracking_server_url is None else None,
        "workspaces_enabled": False,
        "trace_archival_enabled": False,
        "multipart_uploads_enabled": False,
        "multipart_downloads_enabled": False,
        "presigned_upload_run_id_supported": False,
        "presigned_upload_model_id_supported": False,
        "features_enabled": {"gateway": False},
    })
