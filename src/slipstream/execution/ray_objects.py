"""The Ray executor's fast path for large values: blobs through Ray's object store.

A task's large outputs are still written to the artifact store by the worker before the task
returns (so a result survives the cluster, and cache and recovery see it exactly as with the
local executors). The worker also returns the bytes of each blob of at least `min_bytes` as a
second return value of its Ray task, owned by the runner; a later call whose input literals
name one of these blobs gets the object reference with it and reads the bytes from the object
store (shared memory on the same node, a node-to-node copy otherwise) instead of the artifact
store. If the object is gone (its node died), the worker reads the artifact store as usual.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from slipstream.types import ConversionContext

FAST_PATH_MIN_BYTES = 1 << 20
"""Blobs of at least this many bytes travel through the object store too."""

FAST_PATH_BUDGET = 1 << 30
"""At most this many bytes of blobs are kept referenced in the object store at once (the
oldest are let go first; their consumers then read the artifact store)."""

FETCH_TIMEOUT = 30.0
"""Seconds a worker waits for the object store before reading the artifact store instead."""


def blob_refs(literal: Any) -> Iterator[dict[str, Any]]:
    """Every blob reference (`{"$blob": digest, ...}`) inside a literal."""
    if isinstance(literal, dict):
        if "$blob" in literal:
            yield literal
            return
        for value in literal.values():
            yield from blob_refs(value)
    elif isinstance(literal, list):
        for value in literal:
            yield from blob_refs(value)


class FastContext(ConversionContext):
    """A worker's conversion context that keeps the large blobs it writes during a call
    (`kept`) and serves blobs handed to the call from the object store (`given`) first."""

    __slots__ = ("given", "kept", "min_bytes")

    def __init__(self, base: ConversionContext, min_bytes: int) -> None:
        super().__init__(base.blobs, base.scratch_dir)
        self.min_bytes = min_bytes
        self.given: dict[str, bytes] = {}
        self.kept: dict[str, bytes] | None = None

    def put_blob(self, data: bytes, fmt: str) -> dict[str, Any]:
        ref = super().put_blob(data, fmt)  # durable first: the artifact store has it
        if self.kept is not None and len(data) >= self.min_bytes:
            self.kept[ref["$blob"]] = bytes(data)
        return ref

    def get_blob(self, ref: dict[str, Any]) -> bytes:
        data = self.given.get(ref["$blob"])
        return data if data is not None else super().get_blob(ref)


class BlobRefs:
    """The runner's side: which object (a call's second return) holds which large blob, as an
    LRU bounded by `budget` bytes."""

    def __init__(self, min_bytes: int, budget: int = FAST_PATH_BUDGET) -> None:
        self.min_bytes = min_bytes
        self.budget = budget
        self._refs: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0

    def add(self, outputs: list[dict[str, Any]], ref: Any) -> None:
        """Note the large blobs named by a call's output literals as held by `ref`."""
        for literals in outputs:
            for blob in blob_refs(literals):
                size = int(blob.get("size", 0))
                if size >= self.min_bytes and blob["$blob"] not in self._refs:
                    self._refs[blob["$blob"]] = (ref, size)
                    self._bytes += size
        while self._bytes > self.budget and self._refs:
            _, (_, size) = self._refs.popitem(last=False)
            self._bytes -= size

    def for_inputs(self, inputs: list[dict[str, Any]]) -> list[Any]:
        """The objects holding the large blobs these input literals name (each once)."""
        found: dict[int, Any] = {}
        for literals in inputs:
            for blob in blob_refs(literals):
                known = self._refs.get(blob["$blob"])
                if known is not None:
                    self._refs.move_to_end(blob["$blob"])
                    found.setdefault(id(known[0]), known[0])
        return list(found.values())

    def clear(self) -> None:
        self._refs.clear()
        self._bytes = 0


def fetch(ray: Any, refs: list[Any]) -> dict[str, bytes]:
    """The blobs held by `refs`; empty if the object store cannot give them in time."""
    if not refs:
        return {}
    try:
        parts = ray.get(refs, timeout=FETCH_TIMEOUT)
    except Exception:  # lost with its node, freed, or slow: the artifact store has them
        return {}
    blobs: dict[str, bytes] = {}
    for part in parts:
        blobs.update(part)
    return blobs


__all__ = ["FAST_PATH_MIN_BYTES", "BlobRefs", "FastContext", "blob_refs", "fetch"]
