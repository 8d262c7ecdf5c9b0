"""What a conversion needs besides the value: a blob store and a scratch folder."""

from __future__ import annotations

import threading
from typing import Any, Protocol


class BlobStore(Protocol):
    """What transformers need from the artifact store: bytes in and out by content hash."""

    def put_bytes(self, data: bytes) -> str: ...

    def get_bytes(self, digest: str) -> bytes: ...

    def put_file(self, path: str) -> str: ...

    def get_file(self, digest: str, dest: str) -> None: ...


class ConversionContext:
    """Per-conversion services: the blob store, a scratch folder for materialised files, and a
    small in-memory cache of recently written blobs so a value read back in the same process
    does not touch storage again."""

    __slots__ = ("_lock", "_recent", "_recent_bytes", "blobs", "scratch_dir")

    RECENT_LIMIT = 64 * 1024 * 1024
    """At most this many bytes of recently written blobs stay in memory."""

    def __init__(self, blobs: BlobStore, scratch_dir: str) -> None:
        self.blobs = blobs
        self.scratch_dir = scratch_dir
        self._recent: dict[str, bytes] = {}
        self._recent_bytes = 0
        self._lock = threading.Lock()  # values may be serialised on a background thread

    def put_blob(self, data: bytes, fmt: str) -> dict[str, Any]:
        """Store bytes; return the literal that references them."""
        digest = self.blobs.put_bytes(data)
        if len(data) <= self.RECENT_LIMIT // 4:
            with self._lock:
                if digest not in self._recent:
                    while self._recent and self._recent_bytes + len(data) > self.RECENT_LIMIT:
                        self._recent_bytes -= len(self._recent.pop(next(iter(self._recent))))
                    self._recent[digest] = data
                    self._recent_bytes += len(data)
        return {"$blob": digest, "fmt": fmt, "size": len(data)}

    def get_blob(self, ref: dict[str, Any]) -> bytes:
        """Bytes of a blob reference made by `put_blob`."""
        digest = ref["$blob"]
        data = self._recent.get(digest)
        return data if data is not None else self.blobs.get_bytes(digest)
