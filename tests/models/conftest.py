"""Models fixtures: the default stores, on SQLite + a local folder ("local") or PostgreSQL + S3
on moto ("pg_s3"), named through the environment as a user would; the default tracking clients
are closed after each test (before a PostgreSQL schema is dropped)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator

import pytest

from tests.s3_fixture import make_bucket

STORES = ["local", pytest.param("pg_s3", marks=[pytest.mark.postgres, pytest.mark.s3])]


def close_default_clients() -> None:
    fluent = sys.modules.get("slipstream.tracking.fluent")
    if fluent is not None:
        fluent.close_default_clients()


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    close_default_clients()


@pytest.fixture(params=STORES)
def default_stores(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the settings at the stores under test; yields "local" or "pg_s3"."""
    if request.param == "local":
        yield "local"
        return
    from tests.metadata.conftest import postgres_schema

    endpoint: str = request.getfixturevalue("s3_endpoint")
    bucket = f"models-{uuid.uuid4().hex[:12]}"
    make_bucket(endpoint, bucket)
    monkeypatch.setenv("SLIPSTREAM_S3_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", f"s3://{bucket}/artifacts")
    with postgres_schema() as url:
        monkeypatch.setenv("SLIPSTREAM_STORE_URL", url)
        yield "pg_s3"
        close_default_clients()
