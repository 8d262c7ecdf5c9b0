"""A conversion context that checks values without storing anything.

Used at definition time (a constant wired into a task input) to run `to_literal` for its type
checks: blobs are hashed and dropped, files are hashed in place, and nothing is ever read back.
"""

from __future__ import annotations

import hashlib
import tempfile

from slipstream._core.errors import InternalError
from slipstream.types.context import ConversionContext


class DiscardingBlobStore:
    """A `BlobStore` that returns content hashes and keeps nothing."""

    def put_bytes(self, data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def get_bytes(self, digest: str) -> bytes:
        raise InternalError("a validation context cannot read blobs back")

    def put_file(self, path: str) -> str:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def get_file(self, digest: str, dest: str) -> None:
        raise InternalError("a validation context cannot read files back")


def validation_context() -> ConversionContext:
    """A context for `to_literal` calls made only to check a value against its hint."""
    return ConversionContext(DiscardingBlobStore(), tempfile.gettempdir())
