"""A Slipstream server on a free loopback port, over a new store on SQLite and on PostgreSQL.

* `served` (module): the server, started with uvicorn in a thread, torn down after the module
  (`serve(...)` starts one over other stores).
* `mlflow_client_env`: the real `mlflow` package pointed at the server (no HTTP retries).
* `tracking`: Slipstream's own TrackingClient on the same store, to see the same records.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.metadata.conftest import BACKENDS, postgres_schema

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")


@dataclass(frozen=True)
class Served:
    url: str
    store_url: str
    artifact_root: str


def call_json(url: str, method: str, body: Any = None) -> tuple[int, Any]:
    """(status, decoded JSON body or None) of one request; HTTP errors are answers too."""
    import json
    import urllib.error
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    return status, json.loads(payload) if payload else None


def wait_until_answers(url: str, timeout: float = 15.0) -> float:
    """Poll until the server answers an MLflow request; returns the seconds it took."""
    import urllib.error
    import urllib.request

    started = time.perf_counter()
    probe = f"{url}/api/2.0/mlflow/experiments/get?experiment_id=0"
    while True:
        try:
            with urllib.request.urlopen(probe, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"{url} did not answer within {timeout}s")
        time.sleep(0.01)


@contextlib.contextmanager
def serve(store_url: str, artifact_uri: str, home: Path) -> Iterator[Served]:
    """A server over these stores on a free loopback port, in a thread, until the block ends."""
    from slipstream._core.settings import Settings
    from slipstream.server.app import create_app
    from tests.live_server import serve as serve_app

    settings = Settings(home=home, store_url=store_url, artifact_uri=artifact_uri)
    with serve_app(create_app(settings)) as url:
        wait_until_answers(url)
        yield Served(url, settings.store_url, settings.artifact_uri)


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The server over a new store: SQLite, then PostgreSQL (a schema of its own)."""
    folder: Path = tmp_path_factory.mktemp("server")
    with contextlib.ExitStack() as stack:
        if request.param == "postgres":
            store_url = stack.enter_context(postgres_schema())
        else:
            store_url = f"sqlite:///{folder / 'tracking.db'}"
        yield stack.enter_context(serve(store_url, str(folder / "artifacts"), folder))


@pytest.fixture
def mlflow_client_env(served: Served, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The `mlflow` module, tracking to the served URL."""
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", served.url)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "20")
    mlflow.set_tracking_uri(served.url)
    yield mlflow
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture
def tracking(served: Served) -> Iterator[Any]:
    """Slipstream's TrackingClient on the server's store (its own connection)."""
    from slipstream.metadata import open_tracking_store
    from slipstream.tracking.client import TrackingClient

    client = TrackingClient(open_tracking_store(served.store_url, served.artifact_root))
    yield client
    client.close()
