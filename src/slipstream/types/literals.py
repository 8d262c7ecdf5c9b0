"""Helpers for the literal format itself: non-finite floats and plain JSON values."""

from __future__ import annotations

import math
from typing import Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.messages import bad_literal

_FLOAT_NAMES = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def float_literal(value: float) -> float | str:
    """A float as JSON can hold it: finite floats as themselves, else "NaN"/"Infinity"/..."""
    if value - value == 0.0:  # finite
        return value
    if value != value:
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def float_from_literal(literal: Any) -> float:
    kind = type(literal)
    if kind is float or kind is int:
        return float(literal)
    if kind is str and literal in _FLOAT_NAMES:
        return _FLOAT_NAMES[literal]
    raise bad_literal("float", literal)


class NotPlainJson(ValueConversionError):
    """A value that is not made only of None, bool, int, finite float, str, list and dict."""


def json_copy(value: Any) -> Any:
    """A copy of a plain JSON value (str dict keys, finite floats, lists not tuples).

    Raises `NotPlainJson` naming the first part that is not plain JSON.
    """
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        if value - value == 0.0:
            return value
        raise NotPlainJson(f"{value!r} is not a finite float")
    if kind is list:
        return [json_copy(item) for item in value]
    if kind is dict:
        copied: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise NotPlainJson(f"dict key {key!r} is not a str")
            copied[key] = json_copy(item)
        return copied
    raise NotPlainJson(f"{kind.__name__} is not a JSON type")


def is_blob_ref(literal: Any, fmt: str) -> bool:
    """Whether `literal` is `{"$blob": ..., "fmt": fmt, ...}`."""
    return type(literal) is dict and "$blob" in literal and literal.get("fmt") == fmt
