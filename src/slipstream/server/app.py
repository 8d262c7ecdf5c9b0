"""`create_app(settings)`: the Slipstream server as one FastAPI app.

The stores are opened once, here, and handed to the routes through `app.state`; handlers never
read the environment. Errors are mapped once (`server.errors`). The stores close when the app
shuts down. The artifact root (`settings.artifact_uri`, a folder or any fsspec URL) is served by
MLflow's artifact proxy, and artifact locations under it go out as `mlflow-artifacts:/...`.
The native API (/api/v1) is imported and built on its first request (`deferred_routes`), so the
MLflow API answers sooner after start. The console (the built UI) is the router's fallback for
pages (`console`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from slipstream._core.settings import Settings
from slipstream.artifacts.run_files import open_repository
from slipstream.metadata.factory import open_tracking_store
from slipstream.metadata.tracking import TrackingStore
from slipstream.server.artifact_uris import ArtifactUris
from slipstream.server.console import mount_console
from slipstream.server.deferred_routes import DeferredRoutes
from slipstream.server.errors import ERROR_RESPONSES, register_error_handlers
from slipstream.server.routes import (
    mlflow_artifacts,
    mlflow_experiments,
    mlflow_models,
    mlflow_registry,
    mlflow_server_info,
    mlflow_tracking,
    native,
)
from slipstream.server.routes.native.deps import ExecutionStoreSlot


def create_app(settings: Settings, *, tracking_store: TrackingStore | None = None) -> FastAPI:
    """The app over `settings`' store and artifact root (or over a store the caller opened,
    which the caller then closes)."""
    store = tracking_store or open_tracking_store(settings.store_url, settings.artifact_uri)
    owned = tracking_store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.execution_store.close()
        if owned:
            store.close()

    app = FastAPI(title="Slipstream", version=_version(), lifespan=lifespan,
                  summary="Tracking server, wire-compatible with MLflow's REST API.")
    app.state.settings = settings
    app.state.tracking_store = store
    app.state.artifact_repository = open_repository(settings.artifact_uri)
    app.state.artifact_uris = ArtifactUris(settings.artifact_uri)
    app.state.execution_store = ExecutionStoreSlot(settings.store_url)  # opened at first use
    register_error_handlers(app)
    # Side by side, not nested: FastAPI builds an included router's routes on the first request
    # that reaches it (a nested one also once more when included). Experiments first: a
    # client's first call is an experiment lookup.
    for router in (mlflow_experiments.router, mlflow_tracking.router, mlflow_models.router,
                   mlflow_registry.router, mlflow_artifacts.router, mlflow_server_info.router):
        app.include_router(router, responses=ERROR_RESPONSES)
    DeferredRoutes(app, native.PREFIX, native.include_routes)  # imported on first use
    mount_console(app)  # GET of any other path: the console's files and pages
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("slipstream")
    except PackageNotFoundError:
        return "0+unknown"
