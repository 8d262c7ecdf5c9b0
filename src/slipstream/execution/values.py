"""Values in flight: a literal (always, once produced) and, when cheap to share, the Python object."""

from __future__ import annotations

import json
from typing import Any

from slipstream.types import ConversionContext, TypeEngine

INLINE_LIMIT = 64 * 1024
_SCALARS = (int, float, str, bool, type(None))


class Value:
    """A typed value. `py` is only kept when the type is immutable, so sharing it between
    tasks is safe; otherwise each consumer gets a fresh copy from the literal."""

    __slots__ = ("has_py", "literal", "py", "tp")

    def __init__(self, tp: Any, literal: Any, py: Any = None, has_py: bool = False) -> None:
        self.tp = tp
        self.literal = literal
        self.py = py
        self.has_py = has_py

    def get(self, engine: TypeEngine, ctx: ConversionContext) -> Any:
        """The Python value: the shared object when immutable, else a fresh deserialised copy."""
        if self.has_py:
            return self.py
        return engine.to_python(self.literal, self.tp, ctx)

    def without_py(self) -> Value:
        return Value(self.tp, self.literal) if self.has_py else self

    def __getstate__(self) -> tuple[Any, Any]:
        return (self.tp, self.literal)

    def __setstate__(self, state: tuple[Any, Any]) -> None:
        self.tp, self.literal = state
        self.py, self.has_py = None, False


def make_value(engine: TypeEngine, py: Any, tp: Any, ctx: ConversionContext) -> Value:
    """Convert a Python value (validating it against `tp`) and keep it if immutable."""
    literal = engine.to_literal(py, tp, ctx)
    if engine.is_immutable(tp):
        return Value(tp, literal, py, True)
    return Value(tp, literal)


def literal_map(values: dict[str, Value]) -> dict[str, Any]:
    return {name: value.literal for name, value in values.items()}


def offload(literals: dict[str, Any] | None, ctx: ConversionContext) -> dict[str, Any] | None:
    """Keep a literal map inline when small; store it as one blob when large."""
    if not literals:
        return literals
    if all(isinstance(v, _SCALARS) and (not isinstance(v, str) or len(v) < 1024)
           for v in literals.values()):
        return literals
    data = json.dumps(literals, separators=(",", ":")).encode()
    if len(data) <= INLINE_LIMIT:
        return literals
    return {"$literals": ctx.put_blob(data, "json")}


def expand(literals: dict[str, Any] | None, ctx: ConversionContext) -> dict[str, Any]:
    """Inverse of `offload`."""
    if not literals:
        return {}
    ref = literals.get("$literals")
    if ref is None:
        return literals
    result: dict[str, Any] = json.loads(ctx.get_blob(ref))
    return result
