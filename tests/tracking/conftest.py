"""Tracking fixtures. The fluent API's default client follows `SLIPSTREAM_HOME`, which the root
`isolated_home` fixture points at a fresh folder per test; after each test the default tracking
clients are closed (open runs end FINISHED) so no run or writer thread leaks into the next."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.metadata.conftest import BACKENDS, postgres_schema


@pytest.fixture(autouse=True)
def _close_tracking_clients() -> Iterator[None]:
    yield
    fluent = sys.modules.get("slipstream.tracking.fluent")
    if fluent is not None:
        fluent.close_default_clients()


@pytest.fixture
def sqlite_store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'slipstream.db'}"


@pytest.fixture(params=BACKENDS)
def fluent_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The fluent API's store: the default SQLite file under SLIPSTREAM_HOME ("sqlite"), or a
    fresh PostgreSQL schema ("postgres") named by SLIPSTREAM_STORE_URL."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    with postgres_schema() as url:
        monkeypatch.setenv("SLIPSTREAM_STORE_URL", url)
        yield "postgres"
        from slipstream.tracking.fluent import close_default_clients

        close_default_clients()  # before the schema is dropped
