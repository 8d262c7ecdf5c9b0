"""Registry fixtures: `store_url` (SQLite and PostgreSQL, from tests.metadata) and `registry`,
a `RegistryClient` on a new SQL store with its tracking and execution stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from slipstream.registry import RegistryClient
from tests.metadata.conftest import store_url  # noqa: F401  (fixture registration)


@pytest.fixture
def registry(store_url: str, tmp_path: Path) -> Iterator[RegistryClient]:  # noqa: F811
    from slipstream.metadata import open_execution_store, open_tracking_store

    tracking = open_tracking_store(store_url, str(tmp_path / "artifacts"))
    executions = open_execution_store(store_url)
    try:
        yield RegistryClient(tracking, tracking, executions)  # type: ignore[arg-type]
    finally:
        executions.close()
        tracking.close()
