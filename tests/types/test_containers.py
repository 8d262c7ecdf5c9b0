"""list, dict, tuple, set, Optional and Union: round-trips, literal shapes, nested errors."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any, Optional, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slipstream._core.errors import ValueConversionError
from slipstream.types import ConversionContext, TypeEngine
from tests.types.conftest import Roundtrip

fixtures_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
finite = st.floats(allow_nan=False, allow_infinity=False)


@fixtures_ok
@given(st.lists(st.integers()))
def test_list_of_int(roundtrip: Roundtrip, value: list[int]) -> None:
    assert roundtrip(value, list[int]) == (value, value)


@fixtures_ok
@given(st.dictionaries(st.text(), st.lists(st.floats())))
def test_dict_of_lists_of_floats_with_nan(roundtrip: Roundtrip,
                                          value: dict[str, list[float]]) -> None:
    back, _ = roundtrip(value, dict[str, list[float]])
    assert back.keys() == value.keys()
    for key, items in value.items():
        assert len(back[key]) == len(items)
        for got, want in zip(back[key], items, strict=True):
            assert got == want or (math.isnan(got) and math.isnan(want))


@fixtures_ok
@given(st.dictionaries(st.integers(), st.text()))
def test_dict_with_int_keys_is_sorted_pairs(roundtrip: Roundtrip, value: dict[int, str]) -> None:
    back, literal = roundtrip(value, dict[int, str])
    assert back == value
    assert literal == sorted([[k, v] for k, v in value.items()], key=lambda p: json.dumps(p[0]))


@fixtures_ok
@given(st.tuples(st.integers(), st.text(), finite))
def test_fixed_tuple(roundtrip: Roundtrip, value: tuple[int, str, float]) -> None:
    back, literal = roundtrip(value, tuple[int, str, float])
    assert back == value and type(back) is tuple and literal == list(value)


@fixtures_ok
@given(st.lists(st.text()).map(tuple))
def test_variadic_tuple(roundtrip: Roundtrip, value: tuple[str, ...]) -> None:
    assert roundtrip(value, tuple[str, ...])[0] == value


@fixtures_ok
@given(st.frozensets(st.integers()), st.sets(st.text()))
def test_sets(roundtrip: Roundtrip, frozen: frozenset[int], plain: set[str]) -> None:
    back, literal = roundtrip(frozen, frozenset[int])
    assert back == frozen and type(back) is frozenset
    assert literal == sorted(frozen, key=json.dumps)
    assert roundtrip(plain, set[str])[0] == plain


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@fixtures_ok
@given(json_values)
def test_any_plain_json_is_stored_as_itself(roundtrip: Roundtrip, value: Any) -> None:
    if isinstance(value, dict) and "$blob" in value:
        return
    assert roundtrip(value, Any) == (value, value)


@fixtures_ok
@given(st.lists(json_values), st.dictionaries(st.text(), json_values))
def test_bare_list_and_dict(roundtrip: Roundtrip, items: list[Any],
                            mapping: dict[str, Any]) -> None:
    assert roundtrip(items, list) == (items, items)
    assert roundtrip(mapping, dict) == (mapping, mapping)


nested_hint = Optional[dict[str, list[tuple[int, Optional[str]]]]]  # noqa: UP045 (the spelling under test)
nested_values = st.none() | st.dictionaries(
    st.text(), st.lists(st.tuples(st.integers(), st.none() | st.text())))


@fixtures_ok
@given(nested_values)
def test_nested_optional_containers(roundtrip: Roundtrip, value: Any) -> None:
    assert roundtrip(value, nested_hint)[0] == value


@fixtures_ok
@given(st.one_of(st.integers(), st.text(), st.none(), st.lists(st.booleans())))
def test_union_picks_the_member_of_the_value_type(roundtrip: Roundtrip, value: Any) -> None:
    tp = Union[int, str, None, list[bool]]  # noqa: UP007
    back, literal = roundtrip(value, tp)
    assert back == value and type(back) is type(value)
    if value is not None:
        assert literal["$u"] == [int, str, type(None), list].index(type(value))


def test_union_literal_shapes(roundtrip: Roundtrip) -> None:
    assert roundtrip(3, int | str)[1] == {"$u": 0, "v": 3}
    assert roundtrip("a", int | str)[1] == {"$u": 1, "v": "a"}
    assert roundtrip(None, int | str | None)[1] is None
    assert roundtrip(2.5, float | int)[1] == {"$u": 0, "v": 2.5}
    assert roundtrip(2, float | int)[1] == {"$u": 1, "v": 2}
    assert roundtrip(2, Optional[int])[1] == 2  # noqa: UP045
    assert roundtrip(None, int | None)[1] is None


def test_union_falls_back_to_first_accepting_member(roundtrip: Roundtrip) -> None:
    back, literal = roundtrip(3, str | float)
    assert literal == {"$u": 1, "v": 3.0} and back == 3.0


def test_datetimes_inside_containers(roundtrip: Roundtrip) -> None:
    value = {"start": dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)}
    back, literal = roundtrip(value, dict[str, dt.datetime])
    assert back == value and literal == {"start": "2024-05-01T12:00:00+00:00"}


def test_equal_sets_and_dicts_give_equal_hashes(engine: TypeEngine, ctx: ConversionContext) -> None:
    a = engine.to_literal({3: "c", 1: "a", 2: "b"}, dict[int, str], ctx)
    b = engine.to_literal({1: "a", 2: "b", 3: "c"}, dict[int, str], ctx)
    assert engine.hash_literal(a) == engine.hash_literal(b)
    c = engine.to_literal({"z": 1, "a": 2}, dict[str, int], ctx)
    d = engine.to_literal({"a": 2, "z": 1}, dict[str, int], ctx)
    assert engine.hash_literal(c) == engine.hash_literal(d)
    s1 = engine.to_literal({"b", "a", "c"}, set[str], ctx)
    assert s1 == ["a", "b", "c"]


@pytest.mark.parametrize(("value", "tp", "message"), [
    ([1, "3"], list[int], "item 1 of list[int]: expected int, got str: '3'"),
    ([[1], [2, True]], list[list[int]],
     "item 1 of list[list[int]]: item 1 of list[int]: expected int, got bool: True"),
    ({"a": "x"}, dict[str, int], "value at 'a' of dict[str, int]: expected int, got str: 'x'"),
    ({1: "x"}, dict[str, str], "key of dict[str, str]: expected str, got int: 1"),
    ((1, 2), list[int], "expected list[int], got tuple: (1, 2)"),
    ((1, "a", 3), tuple[int, str], "expected tuple[int, str] of 2 items, got 3 items"),
    (b"x", int | str, "expected Union[int, str], got bytes: b'x'"),
    ("x", Optional[int], "expected int, got str: 'x'"),  # noqa: UP045
    ([(1, 2)], list, "bare list holds only plain JSON values, but tuple is not a JSON type; "
                     "give the item type, e.g. list[...]"),
    ({1: 2}, dict, "bare dict holds only plain JSON values, but dict key 1 is not a str; "
                   "give the item type, e.g. dict[...]"),
])
def test_container_error_messages(engine: TypeEngine, ctx: ConversionContext, value: Any,
                                  tp: Any, message: str) -> None:
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal(value, tp, ctx)
    assert str(caught.value) == message


def test_immutability(engine: TypeEngine) -> None:
    assert engine.is_immutable(tuple[int, str])
    assert engine.is_immutable(tuple[int, ...])
    assert engine.is_immutable(frozenset[str])
    assert engine.is_immutable(Optional[int])  # noqa: UP045
    assert not engine.is_immutable(tuple[int, list[int]])
    assert not engine.is_immutable(list[int])
    assert not engine.is_immutable(dict[str, int])
    assert not engine.is_immutable(set[int])
    assert not engine.is_immutable(tuple)


def test_bare_containers_return_copies(engine: TypeEngine, ctx: ConversionContext) -> None:
    literal = [[1, 2], {"a": [3]}]
    value = engine.to_python(literal, list, ctx)
    value[0].append(9)
    assert literal == [[1, 2], {"a": [3]}]


def test_list_fast_path_copies_and_still_checks(engine: TypeEngine, ctx: ConversionContext) -> None:
    items = [1, 2, 3]
    literal = engine.to_literal(items, list[int], ctx)
    assert literal == items and literal is not items
    with pytest.raises(ValueConversionError, match="item 2 of list\\[int\\]: expected int, got bool"):
        engine.to_literal([1, 2, False], list[int], ctx)
