"""Tuning-suite fixtures. Studies run on the default settings of `isolated_home` (SQLite under
SLIPSTREAM_HOME), or on PostgreSQL with `pg_store` (SLIPSTREAM_STORE_URL set to a fresh schema).
Study stores and default clients opened by a test are closed after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _close_study_stores(isolated_home: Path) -> Iterator[None]:
    yield
    from slipstream.tracking.fluent import close_default_clients
    from slipstream.tuning.api import close_study_stores

    close_default_clients()
    close_study_stores()


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A folder shared with worker processes (markers, counters)."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


@pytest.fixture
def pg_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """SLIPSTREAM_STORE_URL on a fresh PostgreSQL schema (skips without PostgreSQL)."""
    from tests.metadata.conftest import postgres_schema

    with postgres_schema() as url:
        monkeypatch.setenv("SLIPSTREAM_STORE_URL", url)
        yield url
