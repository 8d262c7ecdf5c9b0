"""`Annotated[T, ...]`: converted exactly as T; the metadata is for other tools."""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

from slipstream.types.context import ConversionContext
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


class AnnotatedTransformer(TypeTransformer[Any]):
    name = "annotated"

    def matches(self, tp: Any) -> bool:
        return typing.get_origin(tp) is typing.Annotated

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        return engine.to_literal(value, tp.__origin__, ctx)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        return engine.to_python(literal, tp.__origin__, ctx)

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        return engine.is_immutable(tp.__origin__)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> Any:
        return engine.from_string(text, tp.__origin__, ctx)
