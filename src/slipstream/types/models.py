"""pydantic v2 models: `model_dump(mode="json")` out, `model_validate` back.

pydantic is never imported here: a hint can only be a BaseModel subclass once the user's code
has imported pydantic, so `sys.modules` tells whether to look.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.messages import mismatch, show, unparsable
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


def _base_model() -> type | None:
    pydantic = sys.modules.get("pydantic")
    return getattr(pydantic, "BaseModel", None) if pydantic is not None else None


class PydanticTransformer(TypeTransformer[Any]):
    name = "pydantic"

    def matches(self, tp: Any) -> bool:
        base = _base_model()
        return base is not None and isinstance(tp, type) and issubclass(tp, base)

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not isinstance(value, tp):
            raise mismatch(tp.__qualname__, value)
        try:
            return value.model_dump(mode="json")
        except Exception as err:  # pydantic's serialisation errors have no common base
            raise ValueConversionError(
                f"cannot serialise {tp.__qualname__} to JSON: {err}") from None

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        try:
            return tp.model_validate(literal)
        except ValueError as err:  # pydantic.ValidationError is a ValueError
            raise ValueConversionError(
                f"stored value {show(literal)} is not a valid {tp.__qualname__}: {err}") from None

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        if not tp.model_config.get("frozen", False):
            return False
        return all(engine.is_immutable(field.annotation) for field in tp.model_fields.values())

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> Any:
        try:
            return tp.model_validate(json.loads(text))
        except ValueError as err:
            raise unparsable(tp.__qualname__, text, str(err).splitlines()[0]) from None

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return value.model_copy(deep=True)

