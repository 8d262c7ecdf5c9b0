"""Property tests: render/parse round-trips random ASTs; garbage only ever raises InvalidInputError."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from slipstream._core.errors import InvalidInputError
from slipstream.protocol.search import (
    EXPERIMENTS,
    LOGGED_MODELS,
    MODEL_VERSIONS,
    REGISTERED_MODELS,
    RUNS,
    Comparison,
    Entity,
    Op,
    OrderBy,
    SearchSchema,
    parse_filter,
    parse_order_by,
    render,
    render_order_by,
)
from slipstream.protocol.search.nodes import DATASET_KEYS, ENTITY_ALIASES, NULL_OPS

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


# -- written text: parse -> render -> parse is stable, on every schema ---------------------------

SCHEMAS = [RUNS, EXPERIMENTS, MODEL_VERSIONS, REGISTERED_MODELS, LOGGED_MODELS]
_ALIASES = {entity: sorted(a for a, e in ENTITY_ALIASES.items() if e is entity) for entity in Entity}
_BARE = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)


def _spelled_number(value: float | int) -> st.SearchStrategy[str]:
    forms = [repr(value), str(value)]
    if isinstance(value, float):
        forms.append(f"{value:e}")
    return st.sampled_from(forms)


@st.composite
def written_clause(draw: st.DrawFn, schema: SearchSchema) -> str:
    """One clause as a person might write it: any entity alias, bare or quoted keys, either
    quote for strings, operators in any case, numbers in several notations."""
    entity = draw(st.sampled_from(sorted(schema.entities, key=lambda e: e.value)))
    if entity is Entity.ATTRIBUTE:
        key = draw(st.sampled_from(sorted(schema.string_attributes | schema.numeric_attributes)))
    elif entity is Entity.DATASET:
        key = draw(st.sampled_from(sorted(DATASET_KEYS)))
    else:
        key = draw(_BARE | keys)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        written_key = draw(st.sampled_from([key, f"`{key}`", f'"{key}"']))
    else:
        free = [q for q in "`\"'" if q not in key]
        assume(free)
        quote = draw(st.sampled_from(free))
        written_key = f"{quote}{key}{quote}"
    if entity is Entity.ATTRIBUTE and draw(st.booleans()):
        identifier = written_key  # a bare attribute
    else:
        identifier = f"{draw(st.sampled_from(_ALIASES[entity]))}.{written_key}"
    op = draw(st.sampled_from(schema.allowed_ops(entity, key)))
    op_text = draw(st.sampled_from([op.value, op.value.lower(), op.value.title()]))
    if op in NULL_OPS:
        value = ""
    elif op in (Op.IN, Op.NOT_IN):
        items = draw(st.lists(_BARE, min_size=1, max_size=3))
        value = "(" + draw(st.sampled_from([",", ", "])).join(f"'{i}'" for i in items) + ")"
    elif schema.is_numeric(entity, key):
        value = draw((finite if entity is Entity.METRIC else whole).flatmap(_spelled_number))
    else:
        quote = draw(st.sampled_from(["'", '"']))
        value = f"{quote}{draw(_BARE | st.just(''))}{quote}"
    space = draw(st.sampled_from([" ", "  ", "\t"]))
    return f"{identifier}{space}{op_text}{space}{value}".rstrip()


def written_filters(schema: SearchSchema) -> st.SearchStrategy[str]:
    return st.lists(written_clause(schema), max_size=4).flatmap(
        lambda clauses: st.sampled_from([" AND ", " and ", "  And\t"]).map(
            lambda joiner: joiner.join(clauses)))


def _stable(text: str, schema: SearchSchema) -> None:
    """If `text` parses, its rendering parses to the same clauses and renders identically."""
    try:
        clauses = parse_filter(text, schema)
    except InvalidInputError as error:  # the filter is quoted (shortened when long), then why
        assert str(error).startswith("Invalid filter ")
        return
    printed = render(clauses)
    assert parse_filter(printed, schema) == clauses, (text, printed)
    assert render(parse_filter(printed, schema)) == printed


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[*_SHARED_MACHINE, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_written_filters_parse_print_parse_stably(schema: SearchSchema, data: st.DataObject) -> None:
    text = data.draw(written_filters(schema))
    parse_filter(text, schema)  # every written form here is valid: no error
    _stable(text, schema)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
@settings(max_examples=200, deadline=None,
          suppress_health_check=[*_SHARED_MACHINE, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_garbage_on_every_schema_only_raises_invalid_input(schema: SearchSchema,
                                                           data: st.DataObject) -> None:
    written = written_filters(schema)
    mangled = written.flatmap(lambda s: st.tuples(st.integers(0, len(s)), st.integers(0, len(s)),
                                                  st.text(_ALPHABET, max_size=4)).map(
        lambda cut: s[:cut[0]] + cut[2] + s[cut[1]:]))
    _stable(data.draw(st.one_of(garbage, mangled)), schema)


@pytest.mark.parametrize(("text", "reason"), [
    ("metrics.acc < 1E310", "too large for a 64-bit float"),  # parsed as inf: unprintable
    ("attributes.start_time < 99999999999999999999999999", "out of range for a 64-bit integer"),
    ("attributes.start_time > 1e400", "out of range for a 64-bit integer"),
    ("attributes.end_time = -9223372036854775809", "out of range for a 64-bit integer"),
])
def test_numbers_the_stores_cannot_hold_are_refused(text: str, reason: str) -> None:
    """Found by the properties above: 1E310 parsed to infinity (which cannot be rendered back),
    and integers past 64 bits reached SQLite as an OverflowError (a 500 from runs/search)."""
    with pytest.raises(InvalidInputError, match=reason):
        parse_filter(text)
