"""type_name, is_compatible and check_hint."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import warnings
from typing import Any, Literal, Optional, TypeVar, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from slipstream._core.errors import DefinitionError, SlipstreamWarning
from slipstream.types import Directory, File, TypeEngine

T = TypeVar("T")


@dataclasses.dataclass
class MyDataclass:
    x: int


@dataclasses.dataclass
class Broken:
    ok: int
    bad: list[T]  # type: ignore[valid-type]


@dataclasses.dataclass
class Tree:
    value: int
    children: list[Tree]


class Animal:
    pass


class Dog(Animal):
    pass


class Color(enum.IntEnum):
    RED = 1


class Opaque:
    pass


@pytest.mark.parametrize(("tp", "name"), [
    (int, "int"),
    (list[dict[str, float]], "list[dict[str, float]]"),
    (Optional[int], "Optional[int]"),  # noqa: UP045
    (int | None, "Optional[int]"),
    (Union[int, str], "Union[int, str]"),  # noqa: UP007
    (int | str | None, "Union[int, str, None]"),
    (pd.DataFrame, "pandas.DataFrame"),
    (pd.Series, "pandas.Series"),
    (np.ndarray, "numpy.ndarray"),
    (pa.Table, "pyarrow.Table"),
    (MyDataclass, "MyDataclass"),
    (tuple[int, ...], "tuple[int, ...]"),
    (tuple[()], "tuple[()]"),
    (Any, "Any"),
    (None, "None"),
    (type(None), "None"),
    (Literal["a", 1], "Literal['a', 1]"),
    (dt.datetime, "datetime"),
    (File, "File"),
    (list, "list"),
    (T, "~T"),
])
def test_type_name(engine: TypeEngine, tp: Any, name: str) -> None:
    assert engine.type_name(tp) == name


COMPATIBLE = [
    (int, int), (int, Any), (list[int], Any), (Dog, Animal), (int, float),
    (int, Optional[int]), (type(None), Optional[int]), (int, int | str),  # noqa: UP045
    (int | str, int | str | None), (Optional[int], Optional[float]),  # noqa: UP045
    (list[int], list[float]), (list[Dog], list[Animal]), (list[int], list), (list, list[int]),
    (dict[str, int], dict[str, float]), (dict[str, int], dict), (dict, dict[str, int]),
    (tuple[int, int], tuple[float, int]), (tuple[int, int], tuple[int, ...]),
    (tuple[int, ...], tuple[float, ...]), (frozenset[int], frozenset[float]),
    (list[list[int]], list[list[float]]), (Color, Color), (dt.datetime, dt.datetime),
    (bool, bool), (bool, Optional[bool]),  # noqa: UP045
]
INCOMPATIBLE = [
    (bool, int), (bool, float), (float, int), (str, int), (Animal, Dog), (Any, int),
    (Optional[int], int), (int | str, int), (list[int], list[str]),  # noqa: UP045
    (list[bool], list[int]), (dict[str, int], dict[int, int]), (list[int], dict[str, int]),
    (list[int], tuple[int, ...]), (tuple[int, int], tuple[int]), (tuple[int, ...], tuple[int]),
    (dt.datetime, dt.date), (Color, int), (bool, int | float), (list, dict),
    (set[int], list[int]), (pd.DataFrame, pd.Series),
]


@pytest.mark.parametrize(("produced", "expected"), COMPATIBLE)
def test_compatible(engine: TypeEngine, produced: Any, expected: Any) -> None:
    assert engine.is_compatible(produced, expected)


@pytest.mark.parametrize(("produced", "expected"), INCOMPATIBLE)
def test_incompatible(engine: TypeEngine, produced: Any, expected: Any) -> None:
    assert not engine.is_compatible(produced, expected)


@pytest.mark.parametrize("tp", [
    int, list[dict[str, float]], Optional[MyDataclass], Tree, pd.DataFrame,  # noqa: UP045
    np.ndarray, File, Directory, Literal["a"], tuple[int, ...], dict[tuple[int, int], str], Any,
])
def test_check_hint_accepts_working_hints(engine: TypeEngine, tp: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine.check_hint(tp)


@pytest.mark.parametrize(("tp", "message"), [
    (3, "no type transformer handles the type hint 3; use a class, a builtin type or a "
        "typing construct such as list[int]"),
    (T, "type hint ~T is a bare TypeVar; give a concrete type"),
    (list[T], "type hint ~T is a bare TypeVar; give a concrete type"),  # type: ignore[valid-type]
    (dict[str, "x"], "type hint 'x' is an unresolved forward reference"),  # type: ignore[misc] # noqa: F821
    (dict[list[int], str], "type hint dict[list[int], str] has unhashable keys; use a tuple or "
                           "str key"),
    (Broken, "field 'bad' of Broken: type hint ~T is a bare TypeVar; give a concrete type"),
])
def test_check_hint_refuses_impossible_hints(engine: TypeEngine, tp: Any, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        engine.check_hint(tp)
    assert str(caught.value).startswith(message)


def test_check_hint_warns_for_pickle(engine: TypeEngine) -> None:
    with pytest.warns(SlipstreamWarning, match="no type transformer for .*Opaque"):
        engine.check_hint(dict[str, list[Opaque]])


def test_transformer_for_is_cached(engine: TypeEngine) -> None:
    first = engine.transformer_for(list[int])
    assert engine.transformer_for(list[int]) is first
    assert engine.transformer_for(int).name == "int"


def test_transformer_for_without_fallback_names_the_hint() -> None:
    from slipstream.types import default_transformers

    bare = TypeEngine(default_transformers())
    with pytest.raises(DefinitionError, match="no type transformer handles the type hint Opaque"):
        bare.transformer_for(Opaque)


def test_annotated_is_its_inner_type(engine: TypeEngine) -> None:
    from typing import Annotated

    from slipstream.types import ConversionContext

    ctx = ConversionContext(None, "/tmp")  # type: ignore[arg-type]
    hint = Annotated[list[int], "doc"]
    assert engine.to_literal([1], hint, ctx) == [1]
    assert engine.to_python([1], hint, ctx) == [1]
    assert engine.type_name(hint) == "list[int]"
    assert engine.is_compatible(hint, list[float])
    assert engine.is_compatible(Annotated[bool, "x"], bool)
    assert not engine.is_compatible(Annotated[bool, "x"], int)
    engine.check_hint(hint)
    with pytest.raises(DefinitionError):
        engine.check_hint(Annotated[T, "x"])
