"""Content-addressed artifact store: bytes by sha256 under a local folder or any fsspec URL.

`import slipstream.artifacts` stays light: fsspec (and s3fs) load only for non-local roots.
"""

from __future__ import annotations

import os
from typing import Any

from slipstream.artifacts.store import ArtifactStore, validate_digest

__all__ = ["ArtifactStore", "open_artifact_store", "validate_digest"]


def open_artifact_store(
    uri: str | os.PathLike[str], *, storage_options: dict[str, Any] | None = None
) -> ArtifactStore:
    """Open the artifact store at `uri` (folder path, `file://`, `s3://bucket/prefix`, ...).

    Raises `StoreUnavailableError` when the root cannot be created or reached.
    """
    return ArtifactStore(uri, storage_options)
