"""Fixtures for the artifact store suite: one `store` per backend (local, S3 on moto, memory)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from slipstream.artifacts import ArtifactStore
from tests.s3_fixture import make_bucket


@pytest.fixture(params=["local", "s3", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArtifactStore]:
    """A fresh, empty store on each backend."""
    if request.param == "local":
        yield ArtifactStore(str(tmp_path / "artifacts"))
    elif request.param == "s3":
        endpoint: str = request.getfixturevalue("s3_endpoint")
        bucket = f"art-{uuid.uuid4().hex[:12]}"
        make_bucket(endpoint, bucket)
        yield ArtifactStore(
            f"s3://{bucket}/some/prefix", {"client_kwargs": {"endpoint_url": endpoint}}
        )
    else:
        yield ArtifactStore(f"memory://slipstream-tests/{uuid.uuid4().hex}")
