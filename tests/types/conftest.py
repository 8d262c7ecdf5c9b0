"""Fixtures for the type engine tests: an in-memory blob store and a fresh engine per test."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from slipstream.types import ConversionContext, TypeEngine, default_transformers
from slipstream.types.pickled import PickleTransformer


class MemoryBlobStore:
    """A dict of sha256 -> bytes implementing the `BlobStore` protocol, counting reads."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.reads = 0

    def put_bytes(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = bytes(data)
        return digest

    def get_bytes(self, digest: str) -> bytes:
        self.reads += 1
        return self.blobs[digest]

    def put_file(self, path: str) -> str:
        with open(path, "rb") as f:
            return self.put_bytes(f.read())

    def get_file(self, digest: str, dest: str) -> None:
        self.reads += 1
        os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
        with open(dest, "wb") as f:
            f.write(self.blobs[digest])


Roundtrip = Callable[[Any, Any], tuple[Any, Any]]


@pytest.fixture
def store() -> MemoryBlobStore:
    return MemoryBlobStore()


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    path = tmp_path / "scratch"
    path.mkdir()
    return path


@pytest.fixture
def ctx(store: MemoryBlobStore, scratch: Path) -> ConversionContext:
    return ConversionContext(store, str(scratch))


@pytest.fixture
def engine() -> TypeEngine:
    """A fresh engine, so the pickle warning's once-per-type memory starts empty."""
    return TypeEngine(default_transformers(), fallback=PickleTransformer())


@pytest.fixture
def roundtrip(engine: TypeEngine, store: MemoryBlobStore, scratch: Path) -> Roundtrip:
    """`(value, hint) -> (value read back, literal)`, through JSON text and a fresh context so
    blobs come from the store rather than the context's recent-blob cache."""

    def run(value: Any, tp: Any) -> tuple[Any, Any]:
        literal = engine.to_literal(value, tp, ConversionContext(store, str(scratch)))
        stored = json.loads(json.dumps(literal, allow_nan=False))
        assert stored == literal
        back = engine.to_python(stored, tp, ConversionContext(store, str(scratch)))
        return back, literal

    return run
