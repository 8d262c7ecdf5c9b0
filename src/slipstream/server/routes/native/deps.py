"""The stores the native routes use, from `app.state` (opened by `create_app`, never here),
and `answer`, how they send what `metadata.rest.codec` built.

The execution store is opened on the first request that needs it (`ExecutionStoreSlot`), so a
server that only tracks never pays for it and starts as fast as before.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from slipstream.metadata.base import ExecutionStore
from slipstream.metadata.tracking import TrackingStore


class ExecutionStoreSlot:
    """An execution store opened at first use, then shared; `close` releases it."""

    def __init__(self, url: str, store: ExecutionStore | None = None) -> None:
        self.url = url
        self._store = store
        self._owned = store is None
        self._lock = threading.Lock()

    def get(self) -> ExecutionStore:
        """The store, opened (and migrated if needed) on the first call."""
        with self._lock:
            if self._store is None:
                from slipstream.metadata.factory import open_execution_store

                self._store = open_execution_store(self.url)
            return self._store

    def close(self) -> None:
        with self._lock:
            store, self._store = self._store, None
        if store is not None and self._owned:
            store.close()


def tracking_store(request: Request) -> TrackingStore:
    store: TrackingStore = request.app.state.tracking_store
    return store


def execution_store(request: Request) -> ExecutionStore:
    slot: ExecutionStoreSlot = request.app.state.execution_store
    return slot.get()


Tracking = Annotated[TrackingStore, Depends(tracking_store)]
Executions = Annotated[ExecutionStore, Depends(execution_store)]


def answer(content: dict[str, Any], status_code: int = 200) -> JSONResponse:
    """`content` (built by `metadata.rest.codec`, already in the documented shape) sent as is:
    the route's response_model documents it in /openapi.json but is not re-validated per
    request (that doubled the cost of a large search); tests check the shapes against it."""
    return JSONResponse(content, status_code=status_code)
