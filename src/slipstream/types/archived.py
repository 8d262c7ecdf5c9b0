"""Values that pack themselves: any class with a `__slipstream_archive__(self) -> bytes` method
and a `__slipstream_unarchive__(cls, data: bytes)` classmethod is stored as the bytes it
gives (a blob of format "archive") and rebuilt by its class. Upper layers use it for values
with a portable on-disk form (`slipstream.models.PyFuncModel`: its model folder, zipped), so
the type engine needs no import of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.hints import type_name
from slipstream.types.literals import is_blob_ref
from slipstream.types.messages import bad_literal, mismatch
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine

PACK = "__slipstream_archive__"
UNPACK = "__slipstream_unarchive__"


class ArchivedTransformer(TypeTransformer[Any]):
    """Classes that define both archive hooks."""

    name = "archive"

    def matches(self, tp: Any) -> bool:
        return (isinstance(tp, type) and callable(getattr(tp, PACK, None))
                and callable(getattr(tp, UNPACK, None)))

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not isinstance(value, tp):
            raise mismatch(type_name(tp), value)
        data = getattr(value, PACK)()
        if not isinstance(data, bytes):
            raise ValueConversionError(f"{type_name(tp)}.{PACK}() returned "
                                       f"{type(data).__name__}, not bytes")
        return ctx.put_blob(data, "archive")

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not is_blob_ref(literal, "archive"):
            raise bad_literal(type_name(tp), literal)
        return getattr(tp, UNPACK)(ctx.get_blob(literal))
