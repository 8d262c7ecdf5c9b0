"""Registry fixtures: `store_url` (SQLite and PostgreSQL, from tests.metadata) and `registry`,
a `RegistryClient` on a new store used directly and through a real server's REST store
("rest"), with the store's execution store beside it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from slipstream.metadata.registry import ModelRegistryStore
from slipstream.metadata.tracking import TrackingStore
from slipstream.registry import RegistryClient
from tests.metadata.conftest import (  # noqa: F401  (fixture registration)
    rest_server,
    store_url,
    tracking_store,
)


@pytest.fixture
def registry(store_url: str,  # noqa: F811
             tracking_store: TrackingStore) -> Iterator[RegistryClient]:  # noqa: F811
    from slipstream.metadata import open_execution_store

    assert isinstance(tracking_store, ModelRegistryStore)
    executions = open_execution_store(store_url)
    try:
        yield RegistryClient(tracking_store, tracking_store, executions)
    finally:
        executions.close()
