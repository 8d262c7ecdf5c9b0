"""Property tests: render/parse round-trips random ASTs; garbage only ever raises InvalidInputError."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slipstream._core.errors import InvalidInputError
from slipstream.protocol.search import (
    RUNS,
    Comparison,
    Entity,
    Op,
    OrderBy,
    parse_filter,
    parse_order_by,
    render,
    render_order_by,
)
from slipstream.protocol.search.nodes import DATASET_KEYS, NULL_OPS

#: These machines are shared and noisy: generation speed is not what these properties test.
_SHARED_MACHINE = [HealthCheck.too_slow]

keys = st.text(min_size=1, max_size=12)
strings = st.text(max_size=12)
finite = st.floats(allow_nan=False, allow_infinity=False)
whole = st.integers(min_value=-(10**15), max_value=10**15)


def _value(op: Op, numeric: bool, is_metric: bool) -> st.SearchStrategy[object]:
    if op in NULL_OPS:
        return st.none()
    if op in (Op.IN, Op.NOT_IN):
        return st.lists(strings, min_size=1, max_size=4).map(tuple)
    if numeric:
        return finite if is_metric else whole
    return strings


@st.composite
def comparisons(draw: st.DrawFn) -> Comparison:
    entity = draw(st.sampled_from(list(Entity)))
    if entity is Entity.ATTRIBUTE:
        key = draw(st.sampled_from(sorted(RUNS.string_attributes | RUNS.numeric_attributes)))
    elif entity is Entity.DATASET:
        key = draw(st.sampled_from(sorted(DATASET_KEYS)))
    else:
        key = draw(keys)
    op = draw(st.sampled_from(RUNS.allowed_ops(entity, key)))
    value = draw(_value(op, RUNS.is_numeric(entity, key), entity is Entity.METRIC))
    return Comparison(entity, key, op, value)  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None, suppress_health_check=_SHARED_MACHINE)
@given(st.lists(comparisons(), max_size=5))
def test_render_then_parse_gives_the_same_ast(clauses: list[Comparison]) -> None:
    assert parse_filter(render(clauses)) == tuple(clauses)


@st.composite
def order_bys(draw: st.DrawFn) -> OrderBy:
    entity = draw(st.sampled_from([Entity.METRIC, Entity.PARAM, Entity.TAG, Entity.ATTRIBUTE]))
    key = (draw(st.sampled_from(sorted(RUNS.order_by_attributes)))
           if entity is Entity.ATTRIBUTE else draw(keys))
    return OrderBy(entity, key, draw(st.booleans()))


@given(order_bys())
def test_order_by_round_trips(order_by: OrderBy) -> None:
    assert parse_order_by(render_order_by(order_by)) == order_by


_ALPHABET = st.sampled_from(list("metrics.params.tags.attributes.datasets.acc`'\"()=!<>,% _-"
                                 "0123456789eE+ ANDORNOTINISNULLIKE\n\t\\é"))
garbage = st.one_of(st.text(max_size=60), st.text(_ALPHABET, max_size=60),
                    st.lists(comparisons(), max_size=3).map(render).flatmap(
                        lambda s: st.integers(0, len(s)).map(lambda i: s[:i])))


@settings(max_examples=1500, deadline=None, suppress_health_check=_SHARED_MACHINE)
@given(garbage)
def test_garbage_only_raises_invalid_input(text: str) -> None:
    try:
        parse_filter(text)
    except InvalidInputError as error:
        assert str(error).startswith(f"Invalid filter {text!r}: ")


@settings(max_examples=500, deadline=None, suppress_health_check=_SHARED_MACHINE)
@given(garbage)
def test_garbage_order_by_only_raises_invalid_input(text: str) -> None:
    try:
        parse_order_by(text)
    except InvalidInputError as error:
        assert str(error).startswith(f"Invalid order_by {text!r}: ")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_values_cannot_be_rendered(value: float) -> None:
    with pytest.raises(InvalidInputError, match="NaN or infinity"):
        render([Comparison(Entity.METRIC, "a", Op.GT, value)])


def test_parsing_is_linear_enough() -> None:
    long_filter = " AND ".join(f"metrics.m{i} > {i}.5e-3" for i in range(2000))
    assert len(parse_filter(long_filter)) == 2000
    with pytest.raises(InvalidInputError, match="unterminated string") as info:
        parse_filter("params.a = '" + "x" * 100_000)
    assert len(str(info.value)) < 400
