"""Scheduling fixtures: `store_url` on SQLite and PostgreSQL (a per-test schema), a controllable
`clock`, and `plans`, a `Plans` service on that store whose clock is `clock`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from slipstream._core.settings import Settings
from slipstream.scheduling.plans import Plans
from tests.metadata.conftest import BACKENDS, postgres_schema, sqlite_url

#: 2026-01-05 09:00:00 UTC, a Monday.
START = 1_767_603_600.0


class Clock:
    """Epoch seconds that move only when told to."""

    def __init__(self, t: float = START) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_plans(store_url: str, folder: Path, clock: Clock | None = None) -> Plans:
    settings = Settings.load(store_url=store_url, artifact_uri=str(folder / "artifacts"))
    return Plans(settings, clock=clock or Clock())


@pytest.fixture
def plans(store_url: str, tmp_path: Path, clock: Clock) -> Iterator[Plans]:
    service = make_plans(store_url, tmp_path, clock)
    try:
        yield service
    finally:
        service.store.close()
        service.client.close()
