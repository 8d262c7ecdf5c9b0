"""Enum members (literal: the member's value) and `Literal[...]` choices (literal: the value)."""

from __future__ import annotations

import enum
import typing
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import ValueConversionError, did_you_mean
from slipstream.types.context import ConversionContext
from slipstream.types.hints import type_name
from slipstream.types.literals import NotPlainJson, json_copy
from slipstream.types.messages import mismatch, show, unparsable
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


def _valid(values: typing.Iterable[Any]) -> str:
    return ", ".join(repr(v) for v in values)


class EnumTransformer(TypeTransformer[enum.Enum]):
    name = "enum"

    def matches(self, tp: Any) -> bool:
        return isinstance(tp, type) and issubclass(tp, enum.Enum)

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not isinstance(value, tp):
            err = mismatch(tp.__name__, value)
            raise ValueConversionError(f"{err}; valid values: {_valid(m.value for m in tp)}")
        raw = value.value
        kind = type(raw)
        if kind is str or kind is int:
            return raw
        try:
            return json_copy(raw)
        except NotPlainJson as exc:
            raise ValueConversionError(
                f"{tp.__name__}.{value.name} has a value that is not plain JSON ({exc})") from None

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any,
                  ctx: ConversionContext) -> enum.Enum:
        try:
            return tp(literal)  # type: ignore[no-any-return]
        except (ValueError, TypeError):
            raise ValueConversionError(
                f"{show(literal)} is not a value of {tp.__name__}; valid values: "
                f"{_valid(m.value for m in tp)}") from None

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        return True

    def from_string(self, engine: TypeEngine, text: str, tp: Any,
                    ctx: ConversionContext) -> enum.Enum:
        """A member's name or its value written as text."""
        name = text.strip()
        if name in tp.__members__:
            return tp.__members__[name]  # type: ignore[no-any-return]
        for member in tp:
            if str(member.value) == name:
                return member  # type: ignore[no-any-return]
        raise ValueConversionError(
            f"cannot read {show(text)} as {tp.__name__} (valid names: {_valid(tp.__members__)})."
            + did_you_mean(name, tp.__members__))


class LiteralTransformer(TypeTransformer[Any]):
    """`Literal["a", "b", 3]`: the value itself, which must be one of the choices."""

    name = "literal"

    def matches(self, tp: Any) -> bool:
        return typing.get_origin(tp) is typing.Literal

    def _choice(self, value: Any, tp: Any) -> Any:
        for choice in typing.get_args(tp):
            if type(choice) is type(value) and choice == value:
                return choice
        err = mismatch(type_name(tp), value)
        raise ValueConversionError(f"{err}; valid values: {_valid(typing.get_args(tp))}")

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if isinstance(value, enum.Enum):
            raise mismatch(type_name(tp), value)
        return self._choice(value, tp)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        return self._choice(literal, tp)

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        return True

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> Any:
        for choice in typing.get_args(tp):
            if str(choice) == text.strip():
                return choice
        raise unparsable(type_name(tp), text, f"valid values: {_valid(typing.get_args(tp))}")
