"""`create_app(settings)`: the Slipstream server as one FastAPI app.

The stores are opened once, here, and handed to the routes through `app.state`; handlers never
read the environment. Errors are mapped once (`server.errors`). The stores close when the app
shuts down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from slipstream._core.settings import Settings
from slipstream.metadata.factory import open_tracking_store
from slipstream.metadata.tracking import TrackingStore
from slipstream.server.errors import register_error_handlers
from slipstream.server.routes import mlflow_tracking


def create_app(settings: Settings, *, tracking_store: TrackingStore | None = None) -> FastAPI:
    """The app over `settings`' store and artifact root (or over a store the caller opened,
    which the caller then closes)."""
    store = tracking_store or open_tracking_store(settings.store_url, settings.artifact_uri)
    owned = tracking_store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            store.close()

    app = FastAPI(title="Slipstream", version=_version(), lifespan=lifespan,
                  summary="Tracking server, wire-compatible with MLflow's REST API.")
    app.state.settings = settings
    app.state.tracking_store = store
    register_error_handlers(app)
    app.include_router(mlflow_tracking.router)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("slipstream")
    except PackageNotFoundError:
        return "0+unknown"
