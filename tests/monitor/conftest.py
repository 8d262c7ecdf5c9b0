"""Monitor fixtures: `store_url` on SQLite and PostgreSQL (the metadata suite's), and
`monitor_store` opened on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from slipstream.metadata.monitors import MonitorStore
from tests.metadata.conftest import store_url  # noqa: F401  (fixture registration)


@pytest.fixture
def monitor_store(store_url: str) -> Iterator[MonitorStore]:  # noqa: F811
    from slipstream.metadata.factory import open_monitor_store

    store = open_monitor_store(store_url)
    try:
        yield store
    finally:
        store.close()  # type: ignore[attr-defined]
