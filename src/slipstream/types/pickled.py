"""The fallback for classes nothing else handles: a cloudpickle blob of format "pickle".

Pickles are not portable across Python or library versions, so the engine warns once per type
when it falls back here (see `TypeEngine.transformer_for`).
"""

from __future__ import annotations

import pickle
import typing
from typing import TYPE_CHECKING, Any

import cloudpickle

from slipstream._core.errors import ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.hints import type_name
from slipstream.types.literals import is_blob_ref
from slipstream.types.messages import bad_literal, mismatch
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


def pickle_blob(value: Any, ctx: ConversionContext) -> dict[str, Any]:
    """`value` pickled with cloudpickle and stored as a blob of format "pickle"."""
    try:
        data = cloudpickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:  # pickling can fail with almost any exception type
        raise ValueConversionError(
            f"cannot pickle {type_name(type(value))}: {type(err).__name__}: {err}") from None
    return ctx.put_blob(data, "pickle")


def unpickle_blob(literal: dict[str, Any], ctx: ConversionContext) -> Any:
    try:
        return pickle.loads(ctx.get_blob(literal))
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError) as err:
        raise ValueConversionError(
            f"cannot unpickle stored blob {literal['$blob'][:12]}: {type(err).__name__}: {err}"
        ) from None


class PickleTransformer(TypeTransformer[Any]):
    name = "pickle"

    def matches(self, tp: Any) -> bool:
        return isinstance(tp, type) or isinstance(typing.get_origin(tp), type)

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        cls = tp if isinstance(tp, type) else typing.get_origin(tp)
        if not isinstance(value, cls):
            raise mismatch(type_name(tp), value)
        return pickle_blob(value, ctx)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not is_blob_ref(literal, "pickle"):
            raise bad_literal(type_name(tp), literal)
        return unpickle_blob(literal, ctx)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> Any:
        raise ValueConversionError(
            f"{type_name(tp)} has no command-line form (its values are pickled); "
            f"cannot read {text!r}")
