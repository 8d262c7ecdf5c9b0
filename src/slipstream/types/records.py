"""Dataclasses, field by field through the engine: {"field": literal, ...}.

Fields with `init=False` are not stored; they are recomputed by the class on the way back.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import DefinitionError, ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.messages import bad_literal, mismatch, within
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


def field_hints(cls: type) -> dict[str, Any]:
    """Resolved type hints of a dataclass's `init` fields, in declaration order."""
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError) as err:
        raise DefinitionError(
            f"cannot resolve the field types of dataclass {cls.__qualname__}: {err}") from None
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}


class DataclassTransformer(TypeTransformer[Any]):
    name = "dataclass"

    def __init__(self) -> None:
        self._fields: dict[type, dict[str, Any]] = {}

    def matches(self, tp: Any) -> bool:
        return isinstance(tp, type) and dataclasses.is_dataclass(tp)

    def fields(self, cls: type) -> dict[str, Any]:
        """`field_hints(cls)`, cached per class."""
        found = self._fields.get(cls)
        if found is None:
            found = self._fields[cls] = field_hints(cls)
        return found

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not isinstance(value, tp):
            raise mismatch(tp.__qualname__, value)
        out: dict[str, Any] = {}
        for name, hint in self.fields(tp).items():
            try:
                out[name] = engine.to_literal(getattr(value, name), hint, ctx)
            except ValueConversionError as err:
                raise within(f"field {name!r} of {tp.__qualname__}", err) from None
        return out

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if type(literal) is not dict:
            raise bad_literal(tp.__qualname__, literal)
        kwargs: dict[str, Any] = {}
        for name, hint in self.fields(tp).items():
            if name not in literal:
                raise ValueConversionError(
                    f"field {name!r} of {tp.__qualname__} is missing from the stored value")
            try:
                kwargs[name] = engine.to_python(literal[name], hint, ctx)
            except ValueConversionError as err:
                raise within(f"field {name!r} of {tp.__qualname__}", err) from None
        return tp(**kwargs)

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        params = getattr(tp, "__dataclass_params__", None)
        if params is None or not params.frozen:
            return False
        return all(engine.is_immutable(hint) for hint in self.fields(tp).values())

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return copy.deepcopy(value)

