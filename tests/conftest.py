"""Root fixtures shared by every suite.

* `s3_endpoint` (session): one moto S3 server for the whole run (from tests.s3_fixture).
* `isolated_home` (autouse): SLIPSTREAM_HOME points at a fresh folder and the other
  SLIPSTREAM_* settings are cleared, so no test reads or writes ~/.slipstream or a stray
  slipstream.toml; default clients made during the test are closed afterwards.
* `backend`: the store matrix, "local" (SQLite + a local folder) and "pg_s3" (a per-test
  PostgreSQL schema + a per-test bucket on moto).
* `client_factory` / `client`: `Client`s on the `backend` under test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.s3_fixture import make_bucket, s3_endpoint  # noqa: F401  (fixture registration)

_SETTING_VARS = ("SLIPSTREAM_STORE_URL", "SLIPSTREAM_TRACKING_URI", "SLIPSTREAM_ARTIFACT_URI",
                 "SLIPSTREAM_EXECUTOR", "SLIPSTREAM_CONFIG")
BACKENDS = ["local", pytest.param("pg_s3", marks=[pytest.mark.postgres, pytest.mark.s3])]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own SLIPSTREAM_HOME; nothing touches ~/.slipstream."""
    home = tmp_path_factory.mktemp("slipstream-home")
    monkeypatch.setenv("SLIPSTREAM_HOME", str(home))
    for name in _SETTING_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(home)  # no ./slipstream.toml from the repo or the caller's folder
    yield home
    _close_default_clients()


def _close_default_clients() -> None:
    import sys

    api = sys.modules.get("slipstream.execution.api")
    if api is None:
        return
    with api._clients_lock:
        clients = list(api._clients.values())
        api._clients.clear()
    for client in clients:
        client.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which stores the clients of this test use: "local" or "pg_s3"."""
    return str(request.param)


@pytest.fixture
def store_urls(backend: str, request: pytest.FixtureRequest, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """(metadata store URL, artifact URI) of brand-new, empty stores on `backend`."""
    if backend == "local":
        yield f"sqlite:///{tmp_path / 'store' / 'slipstream.db'}", str(tmp_path / "artifacts")
        return
    from tests.metadata.conftest import postgres_schema

    endpoint: str = request.getfixturevalue("s3_endpoint")
    bucket = f"exec-{uuid.uuid4().hex[:12]}"
    make_bucket(endpoint, bucket)
    # Process-pool workers open the artifact store from its URI alone, so the endpoint has to
    # come from the environment.
    monkeypatch.setenv("SLIPSTREAM_S3_ENDPOINT_URL", endpoint)
    with postgres_schema() as url:
        yield url, f"s3://{bucket}/artifacts"


ClientFactory = Callable[..., Any]


@pytest.fixture
def client_factory(store_urls: tuple[str, str], isolated_home: Path) -> Iterator[ClientFactory]:
    """`client_factory(executor="inline")` -> a new `Client` on the same stores (so two
    clients of one test see each other's executions, as two processes would)."""
    from slipstream._core.settings import Settings
    from slipstream.execution.api import Client

    store_url, artifact_uri = store_urls
    made: list[Any] = []

    def make(executor: str = "inline") -> Any:
        client = Client(Settings(home=isolated_home, store_url=store_url,
                                 artifact_uri=artifact_uri, executor=executor))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(client_factory: ClientFactory) -> Any:
    """A `Client` on the `backend` under test (inline executor unless told otherwise)."""
    return client_factory()
