"""What every MLflow route depends on: the app's tracking store, and how it answers.

A route returns `answer({...})`: its content, already in MLflow's shapes (`mlflow_wire`), sent as
is. Annotated `-> Json` (a Response), a route gets no response model, so FastAPI neither builds
one at start nor validates every answer through it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from slipstream.metadata.tracking import TrackingStore


def tracking_store(request: Request) -> TrackingStore:
    """The store the app was created with (`create_app`)."""
    store: TrackingStore = request.app.state.tracking_store
    return store


#: Where MLflow's REST API lives.
PREFIX = "/api/2.0/mlflow"
Store = Annotated[TrackingStore, Depends(tracking_store)]
#: What an MLflow route returns.
Json = JSONResponse


def answer(content: dict[str, Any] | None = None) -> JSONResponse:
    """A 200 with `content` (`{}`, MLflow's empty success, when none)."""
    return JSONResponse({} if content is None else content)
