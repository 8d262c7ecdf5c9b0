"""What every MLflow route depends on: the app's tracking store, and the JSON object type."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from slipstream.metadata.tracking import TrackingStore


def tracking_store(request: Request) -> TrackingStore:
    """The store the app was created with (`create_app`)."""
    store: TrackingStore = request.app.state.tracking_store
    return store


Store = Annotated[TrackingStore, Depends(tracking_store)]
Json = dict[str, Any]
