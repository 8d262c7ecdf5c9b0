"""int, float, str, bool, None and bytes: the hot path, so each check is a `type(...) is`.

Strict: `True` is not an int or a float, and "3" is not an int. numpy scalars are accepted
(`np.int64` for int, `np.float32` for float) when numpy is already imported.
"""

from __future__ import annotations

import base64
import binascii
import sys
from typing import TYPE_CHECKING, Any

from slipstream.types.context import ConversionContext
from slipstream.types.hints import NoneType
from slipstream.types.literals import float_from_literal, float_literal, is_blob_ref
from slipstream.types.messages import bad_literal, mismatch, unparsable
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine

INLINE_BYTES_LIMIT = 64 * 1024


def _numpy_scalar(value: Any, kind: str) -> bool:
    """Whether `value` is a numpy scalar of abstract kind "integer", "floating" or "bool_"."""
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, getattr(np, kind))


class _Scalar(TypeTransformer[Any]):
    python_type: type

    def matches(self, tp: Any) -> bool:
        return tp is self.python_type

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        return True


class IntTransformer(_Scalar):
    name = "int"
    python_type = int

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if type(value) is int:
            return value
        if (isinstance(value, int) and type(value) is not bool) or _numpy_scalar(value, "integer"):
            return int(value)
        raise mismatch("int", value)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> int:
        if type(literal) is int:
            return literal
        raise bad_literal("int", literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> int:
        try:
            return int(text.strip())
        except ValueError:
            raise unparsable("int", text) from None


class FloatTransformer(_Scalar):
    name = "float"
    python_type = float

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        kind = type(value)
        if kind is float:
            return value if value - value == 0.0 else float_literal(value)
        if kind is bool:
            raise mismatch("float", value)
        if (kind is int or isinstance(value, int) or _numpy_scalar(value, "integer")
                or _numpy_scalar(value, "floating")):
            try:
                return float_literal(float(value))
            except OverflowError:
                raise mismatch("float (in range)", value) from None
        raise mismatch("float", value)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> float:
        if type(literal) is float:
            return literal
        return float_from_literal(literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> float:
        try:
            return float(text.strip())
        except ValueError:
            raise unparsable("float", text) from None


class StrTransformer(_Scalar):
    name = "str"
    python_type = str

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if type(value) is str:
            return value
        if isinstance(value, str):
            return str.__str__(value)
        raise mismatch("str", value)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> str:
        if type(literal) is str:
            return literal
        raise bad_literal("str", literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> str:
        return text


_TRUE = frozenset({"true", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "off"})


class BoolTransformer(_Scalar):
    name = "bool"
    python_type = bool

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if type(value) is bool:
            return value
        if _numpy_scalar(value, "bool_"):
            return bool(value)
        raise mismatch("bool", value)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> bool:
        if type(literal) is bool:
            return literal
        raise bad_literal("bool", literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> bool:
        word = text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise unparsable("bool", text, "use true/false, 1/0 or yes/no")


class NoneTransformer(_Scalar):
    name = "none"
    python_type = NoneType

    def matches(self, tp: Any) -> bool:
        return tp is NoneType or tp is None

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if value is None:
            return None
        raise mismatch("None", value)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> None:
        if literal is not None:
            raise bad_literal("None", literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> None:
        if text.strip().lower() not in ("", "none", "null"):
            raise unparsable("None", text, "use 'none' or 'null'")


class BytesTransformer(_Scalar):
    """Up to 64 KiB inline as a base64 string; larger as a blob of format "bytes"."""

    name = "bytes"
    python_type = bytes

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise mismatch("bytes", value)
        data = bytes(value)
        if len(data) <= INLINE_BYTES_LIMIT:
            return base64.b64encode(data).decode("ascii")
        return ctx.put_blob(data, "bytes")

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> bytes:
        if type(literal) is str:
            try:
                return base64.b64decode(literal, validate=True)
            except binascii.Error:
                raise bad_literal("bytes", literal) from None
        if is_blob_ref(literal, "bytes"):
            return ctx.get_blob(literal)
        raise bad_literal("bytes", literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> bytes:
        return text.encode()
