"""Type transformers and the engine that picks one per type hint.

A *literal* is a JSON-ready value (None, bool, int, float, str, list, dict with str keys).
Transformers that produce bytes (parquet, npy, pickle, files) store them through the
`ConversionContext` and put a blob reference in the literal:

    {"$blob": "<sha256 hex>", "fmt": "parquet", "size": 1234}

Floats that JSON cannot hold are the strings "NaN", "Infinity", "-Infinity" (as MLflow and
protobuf JSON write them). The same Python value always gives the same literal, so
`TypeEngine.hash_literal` is a deterministic cache-key ingredient.

Lookup order for a hint: each transformer's `matches` in registration order (scalars first, then
containers, unions, enums, dataclasses, pydantic, numpy, pandas, arrow, files), then the pickle
fallback, which warns once per type. The answer is cached per hint.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sys
import typing
import warnings
from collections.abc import Sequence
from typing import Any

from slipstream._core.errors import DefinitionError, SlipstreamWarning
from slipstream.types import hints
from slipstream.types.annotated import AnnotatedTransformer
from slipstream.types.anyvalue import AnyTransformer
from slipstream.types.archived import ArchivedTransformer
from slipstream.types.arrays import NdarrayTransformer
from slipstream.types.containers import (
    DictTransformer,
    FrozenSetTransformer,
    ListTransformer,
    SetTransformer,
    TupleTransformer,
)
from slipstream.types.context import BlobStore, ConversionContext
from slipstream.types.enums import EnumTransformer, LiteralTransformer
from slipstream.types.estimators import SklearnEstimatorTransformer
from slipstream.types.files import DirectoryTransformer, FileTransformer
from slipstream.types.frames import (
    ArrowTableTransformer,
    DataFrameTransformer,
    SeriesTransformer,
)
from slipstream.types.models import PydanticTransformer
from slipstream.types.pickled import PickleTransformer
from slipstream.types.records import DataclassTransformer, field_hints
from slipstream.types.scalars import (
    BoolTransformer,
    BytesTransformer,
    FloatTransformer,
    IntTransformer,
    NoneTransformer,
    StrTransformer,
)
from slipstream.types.temporal import DatetimeTransformer, DateTransformer, TimedeltaTransformer
from slipstream.types.torch_modules import TorchModuleTransformer
from slipstream.types.transformer import TypeTransformer
from slipstream.types.unions import UnionTransformer

__all__ = [
    "BlobStore",
    "ConversionContext",
    "TypeEngine",
    "TypeTransformer",
    "default_engine",
    "default_transformers",
]

_UNHASHABLE_ORIGINS = (list, dict, set)
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _first_frame_outside_slipstream() -> int:
    """The `stacklevel` that makes a warning point at the first caller outside Slipstream."""
    frame = sys._getframe(2)  # the function that called our caller (which calls warn)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_ROOT):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


class TypeEngine:
    """An ordered table of transformers. Build one with `default_engine()`; tests may build their
    own. Lookups are cached per hint."""

    def __init__(self, transformers: Sequence[TypeTransformer[Any]],
                 fallback: TypeTransformer[Any] | None = None) -> None:
        self._transformers = list(transformers)
        self._fallback = fallback
        self._by_hint: dict[Any, TypeTransformer[Any]] = {}
        self._immutable: dict[Any, bool] = {}
        self._copyable: dict[Any, bool] = {}
        self._warned: set[str] = set()

    def transformer_for(self, tp: Any) -> TypeTransformer[Any]:
        """The transformer for hint `tp`; raises DefinitionError for a hint nothing handles."""
        try:
            return self._by_hint[tp]
        except KeyError:
            found = self._by_hint[tp] = self._find(tp)
            return found
        except TypeError:  # an unhashable hint cannot be cached
            return self._find(tp)

    def _find(self, tp: Any) -> TypeTransformer[Any]:
        for transformer in self._transformers:
            if transformer.matches(tp):
                return transformer
        if self._fallback is not None and self._fallback.matches(tp):
            self._warn_fallback(tp)
            return self._fallback
        if isinstance(tp, str | typing.ForwardRef):
            raise DefinitionError(
                f"type hint {tp!r} is an unresolved forward reference; pass the class itself or "
                "resolve the hints with typing.get_type_hints")
        name, shown = hints.type_name(tp), repr(tp)
        raise DefinitionError(
            f"no type transformer handles the type hint {name}"
            + ("" if name == shown else f" ({shown})")
            + "; use a class, a builtin type or a typing construct such as list[int]")

    def _warn_fallback(self, tp: Any) -> None:
        name = hints.qualified_name(typing.get_origin(tp) or tp)
        if name in self._warned:
            return
        self._warned.add(name)
        warnings.warn(
            f"Slipstream has no type transformer for {name}; values are pickled (not portable "
            "across Python versions). Register a TypeTransformer for it to avoid this.",
            SlipstreamWarning,
            stacklevel=_first_frame_outside_slipstream(),
        )

    def to_literal(self, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        return self.transformer_for(tp).to_literal(self, value, tp, ctx)

    def to_python(self, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        return self.transformer_for(tp).to_python(self, literal, tp, ctx)

    def is_immutable(self, tp: Any) -> bool:
        """Whether values of `tp` can be shared between tasks without copying (cached)."""
        try:
            return self._immutable[tp]
        except KeyError:
            found = self._immutable[tp] = self.transformer_for(tp).is_immutable(self, tp)
            return found
        except TypeError:
            return self.transformer_for(tp).is_immutable(self, tp)

    def can_copy(self, tp: Any) -> bool:
        """Whether values of `tp` have a cheap copy (`copy`), so a producer's object can be kept
        and copied for each consumer instead of deserialised (cached)."""
        try:
            return self._copyable[tp]
        except KeyError:
            transformer = self.transformer_for(tp)
            found = self._copyable[tp] = type(transformer).copy is not TypeTransformer.copy
            return found
        except TypeError:
            return False

    def check(self, value: Any, tp: Any) -> bool:
        """Validate `value` cheaply; True when its serialisation may be deferred (see
        `TypeTransformer.check`)."""
        return self.transformer_for(tp).check(self, value, tp)

    def copy(self, value: Any, tp: Any) -> Any:
        """A copy of `value` that a consumer may change (only when `can_copy(tp)`)."""
        return self.transformer_for(tp).copy(self, value, tp)

    def from_string(self, text: str, tp: Any, ctx: ConversionContext) -> Any:
        return self.transformer_for(tp).from_string(self, text, tp, ctx)

    def type_name(self, tp: Any) -> str:
        """A readable name: "int", "list[dict[str, float]]", "Optional[int]", "pandas.DataFrame"."""
        return hints.type_name(tp)

    def is_compatible(self, produced: Any, expected: Any) -> bool:
        """Whether an output of hint `produced` can be wired into an input of hint `expected`.

        Subclasses fit their base classes, int fits float, but bool fits neither int nor float
        and a datetime does not fit date. Containers compare item by item; a bare `list` fits
        any `list[...]` both ways. A Union fits only if every member fits.
        """
        return hints.is_compatible(produced, expected)

    def check_hint(self, tp: Any) -> None:
        """Raise DefinitionError for a hint that can never convert a value (`3`, a bare TypeVar,
        `list[3]`, a dataclass field of such a type); warn when it falls back to pickle."""
        self._check(tp, set())

    def _check(self, tp: Any, seen: set[Any]) -> None:
        if isinstance(tp, typing.TypeVar):
            raise DefinitionError(
                f"type hint {hints.type_name(tp)} is a bare TypeVar; give a concrete type")
        self.transformer_for(tp)
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            self._check(tp.__origin__, seen)
            return
        if origin is typing.Literal:
            return
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        if origin is dict and args and typing.get_origin(args[0]) in _UNHASHABLE_ORIGINS:
            raise DefinitionError(
                f"type hint {hints.type_name(tp)} has unhashable keys; use a tuple or str key")
        for arg in args:
            self._check(arg, seen)
        if isinstance(tp, type) and dataclasses.is_dataclass(tp) and tp not in seen:
            seen.add(tp)
            for name, hint in field_hints(tp).items():
                try:
                    self._check(hint, seen)
                except DefinitionError as err:
                    raise DefinitionError(f"field {name!r} of {tp.__qualname__}: {err}") from None

    @staticmethod
    def hash_literal(literal: Any) -> str:
        """Deterministic sha256 of a literal (canonical JSON: sorted keys, no spaces)."""
        data = json.dumps(literal, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(data.encode()).hexdigest()


def default_transformers() -> list[TypeTransformer[Any]]:
    """The built-in transformers in lookup order; put your own first to override one."""
    return [
        IntTransformer(), FloatTransformer(), StrTransformer(), BoolTransformer(),
        NoneTransformer(), BytesTransformer(),
        DatetimeTransformer(), DateTransformer(), TimedeltaTransformer(),
        ListTransformer(), DictTransformer(), TupleTransformer(), SetTransformer(),
        FrozenSetTransformer(),
        UnionTransformer(), AnnotatedTransformer(), LiteralTransformer(), EnumTransformer(), AnyTransformer(),
        DataclassTransformer(), PydanticTransformer(),
        NdarrayTransformer(), DataFrameTransformer(), SeriesTransformer(),
        ArrowTableTransformer(),
        FileTransformer(), DirectoryTransformer(), SklearnEstimatorTransformer(),
        TorchModuleTransformer(), ArchivedTransformer(),
    ]


@functools.cache
def default_engine() -> TypeEngine:
    """The built-in engine (created once per process)."""
    return TypeEngine(default_transformers(), fallback=PickleTransformer())
