"""The wording of conversion errors, kept in one place so every transformer reads alike."""

from __future__ import annotations

from typing import Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.hints import type_name

MAX_SHOWN = 80


def show(value: Any) -> str:
    """`repr(value)`, cut to about 80 characters."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def mismatch(expected: str, value: Any) -> ValueConversionError:
    """"expected int, got str: '3'"."""
    return ValueConversionError(f"expected {expected}, got {type_name(type(value))}: {show(value)}")


def bad_literal(expected: str, literal: Any) -> ValueConversionError:
    """A stored literal that does not have the shape `expected`'s transformer writes."""
    return ValueConversionError(f"literal is not a stored {expected}: {show(literal)}")


def within(where: str, err: Exception) -> ValueConversionError:
    """Prefix a nested error with where it happened ("item 2 of list[int]")."""
    return ValueConversionError(f"{where}: {err}")


def unparsable(expected: str, text: str, hint: str = "") -> ValueConversionError:
    """A command-line string that is not a valid `expected`."""
    suffix = f" ({hint})" if hint else ""
    return ValueConversionError(f"cannot read {show(text)} as {expected}{suffix}")
