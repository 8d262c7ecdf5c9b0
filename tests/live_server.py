"""A real Slipstream server (uvicorn in a thread, free loopback port) for tests that go through
HTTP: `serve(app)` for one app, and the session fixture `rest_server`, one server whose tracking
store each test swaps for its own (`serving(store)` yields a `RestTrackingStore` on it), so the
store contract suite runs over REST without starting a server per test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@contextlib.contextmanager
def serve(app: Any, **config: Any) -> Iterator[str]:
    """Serve the ASGI `app` on 127.0.0.1 (a free port) until the block ends; yields its URL.
    `config`: more uvicorn.Config options (e.g. timeout_keep_alive)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="slipstream-live-server")
    thread.start()
    try:
        deadline = time.perf_counter() + 15
        while not server.started:
            if not thread.is_alive() or time.perf_counter() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class LiveServer:
    """One running app whose tracking store is replaced per test."""

    def __init__(self, app: Any, url: str) -> None:
        self.app = app
        self.url = url
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def serving(self, store: Any) -> Iterator[Any]:
        """Serve `store` (the caller closes it); yields a RestTrackingStore on the server."""
        from slipstream.metadata.rest.tracking import RestTrackingStore

        with self._lock:
            previous = self.app.state.tracking_store
            self.app.state.tracking_store = store
            rest = RestTrackingStore(self.url)
            try:
                yield rest
            finally:
                rest.close()
                self.app.state.tracking_store = previous


@pytest.fixture(scope="session")
def rest_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A Slipstream server for the whole test session (see `LiveServer.serving`)."""
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from slipstream._core.settings import Settings
    from slipstream.metadata import open_tracking_store
    from slipstream.server.app import create_app

    folder: Path = tmp_path_factory.mktemp("rest-server")
    settings = Settings(home=folder, store_url=f"sqlite:///{folder / 'idle.db'}",
                        artifact_uri=str(folder / "served-artifacts"))
    idle = open_tracking_store(settings.store_url, settings.artifact_uri)
    app = create_app(settings, tracking_store=idle)
    try:
        with serve(app) as url:
            yield LiveServer(app, url)
    finally:
        idle.close()
