"""Values in flight: a literal (always, once produced) and, when cheap to share, the Python object."""

from __future__ import annotations

import json
from concurrent.futures import Executor, Future
from typing import Any

from slipstream.types import ConversionContext, TypeEngine

INLINE_LIMIT = 64 * 1024
_SCALARS = (int, float, str, bool, type(None))


_PENDING: Any = object()


class Value:
    """A typed value: its literal and, when cheap to hand over, the Python object.

    `shared` objects (immutable types) go to every consumer as they are; other kept objects are
    copied for each consumer with the type's cheap copy (a DataFrame's `copy(deep=True)`),
    which is exact and far cheaper than deserialising. Without a kept object, each consumer
    gets a fresh value from the literal. A deferred value's literal is being produced on a
    background thread; reading `literal` waits for it (and raises if serialising failed).
    """

    __slots__ = ("_future", "_literal", "has_py", "py", "shared", "tp")

    def __init__(self, tp: Any, literal: Any, py: Any = None, has_py: bool = False,
                 shared: bool = True) -> None:
        self.tp = tp
        self._literal = literal
        self._future: Future[Any] | None = None
        self.py = py
        self.has_py = has_py
        self.shared = shared

    @property
    def literal(self) -> Any:
        if self._literal is _PENDING:
            assert self._future is not None
            self._literal = self._future.result()
        return self._literal

    @property
    def ready(self) -> bool:
        """True when `literal` can be read at once without error."""
        if self._literal is not _PENDING:
            return True
        future = self._future
        return future is not None and future.done() and future.exception() is None

    def get(self, engine: TypeEngine, ctx: ConversionContext) -> Any:
        """The Python value, safe for the caller to change."""
        if self.has_py:
            return self.py if self.shared else engine.copy(self.py, self.tp)
        return engine.to_python(self.literal, self.tp, ctx)

    def without_py(self) -> Value:
        return Value(self.tp, self.literal) if self.has_py else self

    def __getstate__(self) -> tuple[Any, Any]:
        return (self.tp, self.literal)

    def __setstate__(self, state: tuple[Any, Any]) -> None:
        self.tp, self._literal = state
        self._future, self.py, self.has_py, self.shared = None, None, False, True


def deferred_value(engine: TypeEngine, py: Any, tp: Any, ctx: ConversionContext,
                   serializer: Executor) -> Value:
    """A value already validated (`engine.check`) whose literal is produced on `serializer`.
    The object is owned by the value (consumers get copies), so serialising it later is exact."""
    value = Value(tp, _PENDING, py, True, False)
    value._future = serializer.submit(engine.to_literal, py, tp, ctx)
    return value


def keep(engine: TypeEngine, tp: Any, literal: Any, py: Any) -> Value:
    """A value that keeps `py` if the type allows handing it over (shared or copied)."""
    if engine.is_immutable(tp):
        return Value(tp, literal, py, True, True)
    if engine.can_copy(tp):
        return Value(tp, literal, py, True, False)
    return Value(tp, literal)


def make_value(engine: TypeEngine, py: Any, tp: Any, ctx: ConversionContext) -> Value:
    """Convert a Python value (validating it against `tp`) and keep it where allowed."""
    return keep(engine, tp, engine.to_literal(py, tp, ctx), py)


def literal_map(values: dict[str, Value]) -> dict[str, Any]:
    return {name: value.literal for name, value in values.items()}


def stored_literal_map(values: dict[str, Value]) -> dict[str, Any]:
    """The literals of the values that could be stored (waiting for deferred ones); a value
    whose storing failed is left out (its producer's node records that failure)."""
    out = {}
    for name, value in values.items():
        try:
            out[name] = value.literal
        except Exception:
            continue
    return out


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
