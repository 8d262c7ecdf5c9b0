"""Tracking fixtures. The fluent API's default client follows `SLIPSTREAM_HOME`, which the root
`isolated_home` fixture points at a fresh folder per test; after each test the default tracking
clients are closed (open runs end FINISHED) so no run or writer thread leaks into the next."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _close_tracking_clients() -> Iterator[None]:
    yield
    fluent = sys.modules.get("slipstream.tracking.fluent")
    if fluent is not None:
        fluent.close_default_clients()


@pytest.fixture
def sqlite_store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'slipstream.db'}"
