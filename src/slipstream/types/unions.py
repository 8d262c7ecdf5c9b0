"""Optional[T], Union[...] and `X | Y`.

    Optional[T]   None -> null; anything else -> T's literal (T's literal is never null)
    Union[A, B]   None -> null; else {"$u": index of the member in the Union's args, "v": literal}

A value goes to the member whose class is exactly its type, else to the first member that
accepts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.hints import NoneType, type_name, union_members
from slipstream.types.messages import bad_literal, mismatch, unparsable
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine

_NONE_WORDS = frozenset({"none", "null"})


def optional_inner(members: tuple[Any, ...]) -> Any | None:
    """T for `Optional[T]` (a two-member union with None); None for any other union."""
    if len(members) != 2:
        return None
    if members[1] is NoneType:
        return members[0]
    return members[1] if members[0] is NoneType else None


class UnionTransformer(TypeTransformer[Any]):
    name = "union"

    def matches(self, tp: Any) -> bool:
        return union_members(tp) is not None

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        members: tuple[Any, ...] = tp.__args__
        if value is None and NoneType in members:
            return None
        inner = optional_inner(members)
        if inner is not None:
            return engine.to_literal(value, inner, ctx)
        kind = type(value)
        for index, member in enumerate(members):
            if member is kind or getattr(member, "__origin__", None) is kind:
                return {"$u": index, "v": engine.to_literal(value, member, ctx)}
        for index, member in enumerate(members):
            if member is NoneType:
                continue
            try:
                return {"$u": index, "v": engine.to_literal(value, member, ctx)}
            except ValueConversionError:
                continue
        raise mismatch(type_name(tp), value)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        members: tuple[Any, ...] = tp.__args__
        if literal is None and NoneType in members:
            return None
        inner = optional_inner(members)
        if inner is not None:
            return engine.to_python(literal, inner, ctx)
        if type(literal) is dict and type(literal.get("$u")) is int \
                and 0 <= literal["$u"] < len(members):
            return engine.to_python(literal.get("v"), members[literal["$u"]], ctx)
        raise bad_literal(type_name(tp), literal)

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        return all(engine.is_immutable(member) for member in tp.__args__)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> Any:
        members: tuple[Any, ...] = tp.__args__
        if NoneType in members and text.strip().lower() in _NONE_WORDS:
            return None
        for member in members:
            if member is NoneType:
                continue
            try:
                return engine.from_string(text, member, ctx)
            except (ValueConversionError, ValueError):
                continue
        raise unparsable(type_name(tp), text)
