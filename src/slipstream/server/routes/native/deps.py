"""The stores the native routes use, from `app.state` (opened by `create_app`, never here),
and `answer`, how they send what `metadata.rest.codec` built.

The execution, study and deployment stores are opened on the first request that needs them
(`StoreSlot`), so a server that only tracks never pays for them and starts as fast as before.
"""

from __future__ import annotations

import threading
import weakref
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from slipstream.metadata.base import ExecutionStore
from slipstream.metadata.tracking import TrackingStore

S = TypeVar("S")
_SLOT_LOCK = threading.Lock()  # guards creating an app's slot on its first request


class StoreSlot(Generic[S]):
    """A store opened at first use by `factory_name` (a function of `metadata.factory`, given
    `url`), then shared; `close` releases it (unless it was passed in as `store`)."""

    def __init__(self, url: str, factory_name: str, store: S | None = None) -> None:
        self.url = url
        self.factory_name = factory_name
        self._store = store
        self._owned = store is None
        self._lock = threading.Lock()

    def get(self) -> S:
        """The store, opened (and migrated if needed) on the first call."""
        with self._lock:
            if self._store is None:
                from slipstream.metadata import factory

                self._store = getattr(factory, self.factory_name)(self.url)
            assert self._store is not None
            return self._store

    def close(self) -> None:
        with self._lock:
            store, self._store = self._store, None
        if store is not None and self._owned:
            store.close()  # type: ignore[attr-defined]


class ExecutionStoreSlot(StoreSlot[ExecutionStore]):
    """The execution store, opened at first use."""

    def __init__(self, url: str, store: ExecutionStore | None = None) -> None:
        super().__init__(url, "open_execution_store", store)


def slot_store(request: Request, attribute: str, factory_name: str) -> Any:
    """The store in `app.state.<attribute>`: a StoreSlot made on the app's first request that
    needs it (from the app's `settings.store_url`) and closed with the app."""
    app = request.app
    with _SLOT_LOCK:
        slot = getattr(app.state, attribute, None)
        if slot is None:
            slot = StoreSlot(app.state.settings.store_url, factory_name)
            setattr(app.state, attribute, slot)
            weakref.finalize(app, slot.close)
    return slot.get()


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
