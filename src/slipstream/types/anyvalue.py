"""`typing.Any`: plain JSON values as themselves, anything else as a pickle blob."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from slipstream.types.context import ConversionContext
from slipstream.types.literals import NotPlainJson, is_blob_ref, json_copy
from slipstream.types.pickled import pickle_blob, unpickle_blob
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


class AnyTransformer(TypeTransformer[Any]):
    name = "any"

    def matches(self, tp: Any) -> bool:
        return tp is Any

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        try:
            literal = json_copy(value)
        except NotPlainJson:
            return pickle_blob(value, ctx)
        if type(literal) is dict and "$blob" in literal:  # would read back as a blob reference
            return pickle_blob(value, ctx)
        return literal

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if is_blob_ref(literal, "pickle"):
            return unpickle_blob(literal, ctx)
        return json_copy(literal)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> Any:
        """JSON when the text is JSON, else the text itself."""
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return copy.deepcopy(value)

