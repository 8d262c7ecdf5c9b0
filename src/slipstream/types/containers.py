"""list, dict, tuple, set and frozenset, parametrised or bare.

    list[T]        [lit, ...]
    dict[str, V]   {"key": lit, ...}
    dict[K, V]     [[key_lit, value_lit], ...] sorted by the key literal's canonical JSON
    tuple[A, B]    [lit_a, lit_b]            tuple[T, ...] likewise
    set[T]         [lit, ...] sorted by canonical JSON (frozenset the same)

Bare `list`, `dict` and `tuple` hold plain JSON values only (no tuples, str dict keys).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.hints import type_name
from slipstream.types.literals import NotPlainJson, json_copy
from slipstream.types.messages import bad_literal, mismatch, show, within
from slipstream.types.scalars import BoolTransformer, IntTransformer, StrTransformer
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


# Item transformers whose literal is the value itself when the value's type is exactly the hint.
_IDENTITY = (IntTransformer, StrTransformer, BoolTransformer)


def canonical(literal: Any) -> str:
    """The canonical JSON text of a literal, used to order set items and dict pairs."""
    return json.dumps(literal, sort_keys=True, separators=(",", ":"))


def _bare(value: Any, tp: Any) -> Any:
    try:
        return json_copy(value)
    except NotPlainJson as err:
        raise ValueConversionError(
            f"bare {type_name(tp)} holds only plain JSON values, but {err}; give the item type, "
            f"e.g. {type_name(tp)}[...]"
        ) from None


def _convert_all(items: Iterable[Any], tp: Any, convert: Callable[[Any], Any]) -> list[Any]:
    """`[convert(item) ...]`; on failure, re-raise naming the failing item's position."""
    seq = items if type(items) is list else list(items)
    try:
        return [convert(item) for item in seq]
    except ValueConversionError:
        for index, item in enumerate(seq):
            try:
                convert(item)
            except ValueConversionError as err:
                raise within(f"item {index} of {type_name(tp)}", err) from None
        raise


class _Container(TypeTransformer[Any]):
    python_type: type

    def matches(self, tp: Any) -> bool:
        return tp is self.python_type or getattr(tp, "__origin__", None) is self.python_type

    def _check(self, value: Any, tp: Any) -> None:
        if not isinstance(value, self.python_type):
            raise mismatch(type_name(tp), value)

    def from_string(self, engine: TypeEngine, text: str, tp: Any, ctx: ConversionContext) -> Any:
        """JSON text, read as a Python value of `tp` or else as its literal."""
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueConversionError(
                f"cannot read {show(text)} as {type_name(tp)}: invalid JSON ({err.msg})"
            ) from None
        try:
            value = self.python_type(parsed) if self.python_type in (tuple, set, frozenset) \
                else parsed
            return self.to_python(engine, self.to_literal(engine, value, tp, ctx), tp, ctx)
        except TypeError as first:  # includes ValueConversionError
            try:
                return self.to_python(engine, json.loads(text), tp, ctx)
            except (TypeError, ValueError):
                raise within(f"cannot read {show(text)} as {type_name(tp)}", first) from None


class ListTransformer(_Container):
    name = "list"
    python_type = list

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        self._check(value, tp)
        if tp is list:
            return _bare(value, tp)
        item_tp = tp.__args__[0]
        transformer = engine.transformer_for(item_tp)
        if type(transformer) in _IDENTITY and all(type(v) is item_tp for v in value):
            return list(value)
        to_literal = transformer.to_literal
        return _convert_all(value, tp, lambda v: to_literal(engine, v, item_tp, ctx))

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if type(literal) is not list:
            raise bad_literal(type_name(tp), literal)
        if tp is list:
            return json_copy(literal)
        item_tp = tp.__args__[0]
        to_python = engine.transformer_for(item_tp).to_python
        return _convert_all(literal, tp, lambda v: to_python(engine, v, item_tp, ctx))

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return copy.deepcopy(value)

class SetTransformer(_Container):
    """set[T] and frozenset[T]: items sorted by their literal so equal sets give equal literals."""

    name = "set"
    python_type: type = set

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        self._check(value, tp)
        item_tp = tp.__args__[0] if tp is not self.python_type else Any
        to_literal = engine.transformer_for(item_tp).to_literal
        literals = _convert_all(value, tp, lambda v: to_literal(engine, v, item_tp, ctx))
        return sorted(literals, key=canonical)

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if type(literal) is not list:
            raise bad_literal(type_name(tp), literal)
        item_tp = tp.__args__[0] if tp is not self.python_type else Any
        to_python = engine.transformer_for(item_tp).to_python
        return self.python_type(
            _convert_all(literal, tp, lambda v: to_python(engine, v, item_tp, ctx)))

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        return (self.python_type is frozenset and tp is not frozenset
                and engine.is_immutable(tp.__args__[0]))

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return copy.deepcopy(value)

class FrozenSetTransformer(SetTransformer):
    name = "frozenset"
    python_type: type = frozenset


class TupleTransformer(_Container):
    name = "tuple"
    python_type = tuple

    @staticmethod
    def _item_hints(tp: Any, length: int) -> tuple[Any, ...]:
        args: tuple[Any, ...] = getattr(tp, "__args__", ())
        if len(args) == 2 and args[1] is Ellipsis:
            return (args[0],) * length
        if len(args) != length:
            raise ValueConversionError(
                f"expected {type_name(tp)} of {len(args)} items, got {length} items")
        return args

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        self._check(value, tp)
        if tp is tuple:
            return _bare(list(value), tp)
        hints = self._item_hints(tp, len(value))
        out = []
        for index, (item, item_tp) in enumerate(zip(value, hints, strict=True)):
            try:
                out.append(engine.to_literal(item, item_tp, ctx))
            except ValueConversionError as err:
                raise within(f"item {index} of {type_name(tp)}", err) from None
        return out

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if type(literal) is not list:
            raise bad_literal(type_name(tp), literal)
        if tp is tuple:
            return tuple(json_copy(literal))
        hints = self._item_hints(tp, len(literal))
        return tuple(engine.to_python(item, item_tp, ctx)
                     for item, item_tp in zip(literal, hints, strict=True))

    def is_immutable(self, engine: TypeEngine, tp: Any) -> bool:
        args = getattr(tp, "__args__", None)
        if args is None:
            return False
        return all(engine.is_immutable(a) for a in args if a is not Ellipsis)


class DictTransformer(_Container):
    name = "dict"
    python_type = dict

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        self._check(value, tp)
        if tp is dict:
            return _bare(value, tp)
        key_tp, value_tp = tp.__args__
        value_to_literal = engine.transformer_for(value_tp).to_literal
        if key_tp is str:
            out: dict[str, Any] = {}
            for key, item in value.items():
                if type(key) is not str:
                    raise within(f"key of {type_name(tp)}", mismatch("str", key))
                try:
                    out[key] = value_to_literal(engine, item, value_tp, ctx)
                except ValueConversionError as err:
                    raise within(f"value at {show(key)} of {type_name(tp)}", err) from None
            return out
        pairs = []
        for key, item in value.items():
            try:
                key_literal = engine.to_literal(key, key_tp, ctx)
            except ValueConversionError as err:
                raise within(f"key {show(key)} of {type_name(tp)}", err) from None
            try:
                pairs.append([key_literal, value_to_literal(engine, item, value_tp, ctx)])
            except ValueConversionError as err:
                raise within(f"value at {show(key)} of {type_name(tp)}", err) from None
        return sorted(pairs, key=lambda pair: canonical(pair[0]))

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> Any:
        if tp is dict:
            if type(literal) is not dict:
                raise bad_literal(type_name(tp), literal)
            return json_copy(literal)
        key_tp, value_tp = tp.__args__
        to_python = engine.transformer_for(value_tp).to_python
        if key_tp is str:
            if type(literal) is not dict:
                raise bad_literal(type_name(tp), literal)
            return {k: to_python(engine, v, value_tp, ctx) for k, v in literal.items()}
        if type(literal) is not list:
            raise bad_literal(type_name(tp), literal)
        return {engine.to_python(k, key_tp, ctx): to_python(engine, v, value_tp, ctx)
                for k, v in literal}

    def copy(self, engine: TypeEngine, value: Any, tp: Any) -> Any:
        return copy.deepcopy(value)

