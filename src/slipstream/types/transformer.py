"""The `TypeTransformer` contract every built-in and user transformer implements."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    from slipstream.types.context import ConversionContext
    from slipstream.types.engine import TypeEngine

T = TypeVar("T")


NO_COPY: Any = object()
"""Returned by `TypeTransformer.copy` when a value can only be copied through its literal."""


class TypeTransformer(ABC, Generic[T]):
    """Converts values of the types it `matches` to literals and back.

    `to_literal` must raise `ValueConversionError` naming the expected type and the actual value's
    type when the value does not fit the hint (a task returning "x" for `int`).
    """

    name: ClassVar[str]
    storage_modules: ClassVar[tuple[str, ...]] = ()
    """Modules `to_literal` imports (e.g. pyarrow for parquet), so a runner can import them in
    the background before the first value needs them."""

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

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        """A copy of `value` that a consumer may change freely, cheaper than a round trip through
        the literal; NO_COPY (the default) when only the round trip is safe."""
        return NO_COPY

    def check(self, engine: TypeEngine, value: Any, tp: Any) -> bool:
        """Validate `value` against `tp` without serialising it, raising ValueConversionError
        as `to_literal` would; return True when that check is complete, so serialisation can
        run later (in the background). False (the default): only `to_literal` can tell."""
        return False

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> Any:
        """Parse a command-line string into a value of `tp` (default: JSON, then to_python)."""
        return self.to_python(engine, json.loads(text), tp, ctx)
