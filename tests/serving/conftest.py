"""Serving fixtures: the default stores' clients are closed after each test (the server tests
log models into the per-test SLIPSTREAM_HOME through `ss.models`); `default_stores` (from the
models tests) runs a test on SQLite + a folder and on PostgreSQL + S3."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.models.conftest import close_default_clients, default_stores  # noqa: F401


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    close_default_clients()
