"""Type transformers and the engine that picks one per type hint.

A *literal* is a JSON-ready value (None, bool, int, float, str, list, dict with str keys).
Transformers that produce bytes (parquet, npy, pickle, files) store them through the
`ConversionContext` and put a blob reference in the literal:

    {"$blob": "<sha256 hex>", "fmt": "parquet", "size": 1234}

Floats that JSON cannot hold are the strings "NaN", "Infinity", "-Infinity" (as MLflow and
protobuf JSON write them). The same Python value always gives the same literal, so
`TypeEngine.hash_literal` is a deterministic cache-key ingredient.

Lookup order for a hint: an exact registered type first, then each transformer's `matches` in
registration order (containers, unions, enums, dataclasses, pydantic, numpy, pandas, arrow, files),
then the pickle fallback, which warns once per type.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

T = TypeVar("T")


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

    __slots__ = ("_recent", "blobs", "scratch_dir")

    def __init__(self, blobs: BlobStore, scratch_dir: str) -> None:
        self.blobs = blobs
        self.scratch_dir = scratch_dir
        self._recent: dict[str, bytes] = {}

    def put_blob(self, data: bytes, fmt: str) -> dict[str, Any]:
        """Store bytes; return the literal that references them."""
        digest = self.blobs.put_bytes(data)
        if len(data) <= 64 * 1024 * 1024:
            if len(self._recent) > 64:
                self._recent.pop(next(iter(self._recent)))
            self._recent[digest] = data
        return {"$blob": digest, "fmt": fmt, "size": len(data)}

    def get_blob(self, ref: dict[str, Any]) -> bytes:
        """Bytes of a blob reference made by `put_blob`."""
        digest = ref["$blob"]
        data = self._recent.get(digest)
        return data if data is not None else self.blobs.get_bytes(digest)


class TypeTransformer(ABC, Generic[T]):
    """Converts values of the types it `matches` to literals and back.

    `to_literal` must raise `ValueConversionError` naming the expected type and the actual value's
    type when the value does not fit the hint (a task returning "x" for `int`).
    """

    name: ClassVar[str]

    @abstractmethod
    def matches(self, tp: Any) -> bool:
        """Whether this transformer handles hint `tp`."""

    @abstractmethod
    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        """Python value -> literal."""

    @abstractmethod
    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> T:
        """Literal -> Python value of type `tp`."""

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        """True when values of `tp` can be shared between tasks without copying."""
        return False

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> Any:
        """Parse a command-line string into a value of `tp` (default: JSON, then to_python)."""
        return self.to_python(engine, json.loads(text), tp, ctx)


class TypeEngine:
    """An ordered table of transformers. Build one with `default_engine()`; tests may build their
    own. Lookups are cached per hint."""

    def __init__(self, transformers: Sequence[TypeTransformer[Any]],
                 fallback: TypeTransformer[Any] | None = None) -> None:
        self._transformers = list(transformers)
        self._fallback = fallback
        self._by_hint: dict[Any, TypeTransformer[Any]] = {}

    def transformer_for(self, tp: Any) -> TypeTransformer[Any]:
        """The transformer for hint `tp`; raises DefinitionError for a hint nothing handles."""
        raise NotImplementedError  # filled in below by the types helper

    def to_literal(self, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        return self.transformer_for(tp).to_literal(self, value, tp, ctx)

    def to_python(self, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        return self.transformer_for(tp).to_python(self, literal, tp, ctx)

    def is_immutable(self, tp: Any) -> bool:
        return self.transformer_for(tp).is_immutable(self, tp)

    def from_string(self, text: str, tp: Any, ctx: ConversionContext) -> Any:
        return self.transformer_for(tp).from_string(self, text, tp, ctx)

    @staticmethod
    def hash_literal(literal: Any) -> str:
        """Deterministic sha256 of a literal (canonical JSON: sorted keys, no spaces)."""
        data = json.dumps(literal, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(data.encode()).hexdigest()


def default_engine() -> TypeEngine:
    """The built-in engine (created once per process)."""
    raise NotImplementedError  # filled in by the types helper
