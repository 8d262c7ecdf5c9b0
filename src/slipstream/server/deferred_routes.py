"""`DeferredRoutes`: routes under a prefix that are imported and built on first use.

The native API's documented pydantic models, and the fields FastAPI builds from them for every
route, were half of the server's start (issue 3: `slipstream server` answers in under 1 s). A
client that only speaks MLflow's API never needs them, so the app includes an empty router at
their place and fills it on the first request under the prefix (in a worker thread, once), or
when the OpenAPI document is first built, so /openapi.json and /docs stay complete.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send


class DeferredRoutes:
    """The routes `include` adds to a router, mounted on `app` at `prefix` when first needed.

    `include(router)` imports the route modules and includes their routers; it runs once.
    """

    def __init__(self, app: FastAPI, prefix: str, include: Callable[[APIRouter], None]) -> None:
        self.prefix = prefix
        self.loaded = False
        self._include = include
        self._router = APIRouter()
        self._lock = threading.Lock()
        app.include_router(self._router, prefix=prefix)  # empty until loaded, in its place
        app.add_middleware(_LoadOnFirstUse, routes=self)
        build_openapi = app.openapi

        def openapi() -> dict[str, Any]:
            self.load()
            return build_openapi()

        app.openapi = openapi  # type: ignore[method-assign]

    def load(self) -> None:
        """Import and include the routes, unless done already (thread-safe)."""
        if self.loaded:
            return
        with self._lock:
            if not self.loaded:
                built = APIRouter()
                self._include(built)
                self._router.include_router(built)
                self.loaded = True

    def wanted_by(self, scope: Scope) -> bool:
        """Whether the request is under the prefix (so the routes must be there to answer)."""
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        return path == self.prefix or path.startswith(self.prefix + "/")


class _LoadOnFirstUse:
    """ASGI middleware: loads the deferred routes before the first request that needs them."""

    def __init__(self, app: ASGIApp, routes: DeferredRoutes) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.routes.loaded and scope["type"] == "http" and self.routes.wanted_by(scope):
            await run_in_threadpool(self.routes.load)
        await self.app(scope, receive, send)
