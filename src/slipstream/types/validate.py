"""A conversion context that validates values without storing anything (definition-time checks)."""

from __future__ import annotations

import hashlib
import tempfile

from slipstream.types.engine import ConversionContext


class _NullBlobs:
    """Hashes bytes and keeps nothing: enough for `to_literal` to validate a value."""

    def put_bytes(self, data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def get_bytes(self, digest: str) -> bytes:
        raise LookupError("validation context stores nothing")

    def put_file(self, path: str) -> str:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def get_file(self, digest: str, dest: str) -> None:
        raise LookupError("validation context stores nothing")


def validation_context() -> ConversionContext:
    """A context whose blobs go nowhere."""
    return ConversionContext(_NullBlobs(), tempfile.gettempdir())
