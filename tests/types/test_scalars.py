"""Scalars and temporal values: round-trips, strictness, exact messages, NaN and infinities."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slipstream._core.errors import ValueConversionError
from slipstream.types import ConversionContext, TypeEngine
from tests.types.conftest import MemoryBlobStore, Roundtrip

fixtures_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@fixtures_ok
@given(st.integers())
def test_int_roundtrip(roundtrip: Roundtrip, value: int) -> None:
    back, literal = roundtrip(value, int)
    assert literal == value and back == value and type(back) is int


@fixtures_ok
@given(st.floats(allow_nan=False))
def test_float_roundtrip(roundtrip: Roundtrip, value: float) -> None:
    back, _ = roundtrip(value, float)
    assert back == value and type(back) is float


@fixtures_ok
@given(st.text())
def test_str_roundtrip(roundtrip: Roundtrip, value: str) -> None:
    assert roundtrip(value, str) == (value, value)


@fixtures_ok
@given(st.binary(max_size=2000))
def test_small_bytes_are_inline_base64(roundtrip: Roundtrip, value: bytes) -> None:
    back, literal = roundtrip(value, bytes)
    assert back == value and isinstance(literal, str)


@fixtures_ok
@given(st.datetimes(timezones=st.one_of(st.none(), st.timezones())))
def test_datetime_roundtrip_keeps_timezone(roundtrip: Roundtrip, value: dt.datetime) -> None:
    back, literal = roundtrip(value, dt.datetime)
    # A named zone comes back as its fixed offset: the same wall time and offset, so the same
    # instant. (`==` alone is always False across zones for an ambiguous wall time, PEP 495.)
    assert back.replace(tzinfo=None) == value.replace(tzinfo=None)
    assert back.utcoffset() == value.utcoffset()
    assert literal == value.isoformat()


@fixtures_ok
@given(st.timedeltas(min_value=dt.timedelta(days=-36500), max_value=dt.timedelta(days=36500)))
def test_timedelta_roundtrip_as_seconds(roundtrip: Roundtrip, value: dt.timedelta) -> None:
    back, literal = roundtrip(value, dt.timedelta)
    assert back == value and literal == value.total_seconds()


def test_other_scalars_roundtrip(roundtrip: Roundtrip) -> None:
    assert roundtrip(True, bool) == (True, True)
    assert roundtrip(None, type(None)) == (None, None)
    assert roundtrip(None, None) == (None, None)
    assert roundtrip(dt.date(2024, 2, 29), dt.date) == (dt.date(2024, 2, 29), "2024-02-29")


def test_large_bytes_go_to_a_blob(roundtrip: Roundtrip, store: MemoryBlobStore) -> None:
    data = bytes(range(256)) * 300
    back, literal = roundtrip(data, bytes)
    assert back == data
    assert literal == {"$blob": literal["$blob"], "fmt": "bytes", "size": len(data)}
    assert store.blobs[literal["$blob"]] == data


def test_bytes_inline_limit_is_64_kib(roundtrip: Roundtrip) -> None:
    assert isinstance(roundtrip(b"x" * 65536, bytes)[1], str)
    assert isinstance(roundtrip(b"x" * 65537, bytes)[1], dict)


def test_int_is_accepted_for_float_and_stored_as_float(roundtrip: Roundtrip) -> None:
    back, literal = roundtrip(3, float)
    assert literal == 3.0 and type(literal) is float and type(back) is float


@pytest.mark.parametrize(("value", "literal"), [
    (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity"),
])
def test_non_finite_floats(roundtrip: Roundtrip, value: float, literal: str) -> None:
    back, stored = roundtrip(value, float)
    assert stored == literal
    assert back == value or (math.isnan(back) and math.isnan(value))


def test_numpy_scalars_are_accepted(roundtrip: Roundtrip) -> None:
    assert roundtrip(np.int64(7), int) == (7, 7)
    assert roundtrip(np.float32(0.5), float) == (0.5, 0.5)
    assert roundtrip(np.bool_(True), bool) == (True, True)


@pytest.mark.parametrize(("value", "tp", "message"), [
    (True, int, "expected int, got bool: True"),
    ("3", int, "expected int, got str: '3'"),
    (3.0, int, "expected int, got float: 3.0"),
    (False, float, "expected float, got bool: False"),
    ("1.5", float, "expected float, got str: '1.5'"),
    (3, str, "expected str, got int: 3"),
    (1, bool, "expected bool, got int: 1"),
    (0, type(None), "expected None, got int: 0"),
    ("ab", bytes, "expected bytes, got str: 'ab'"),
    (dt.datetime(2024, 1, 1), dt.date, "expected date, got datetime: "
                                       "datetime.datetime(2024, 1, 1, 0, 0)"),
    ("2024-01-01", dt.datetime, "expected datetime, got str: '2024-01-01'"),
    (5, dt.timedelta, "expected timedelta, got int: 5"),
])
def test_mismatch_messages(engine: TypeEngine, ctx: ConversionContext, value: object, tp: type,
                           message: str) -> None:
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal(value, tp, ctx)
    assert str(caught.value) == message


def test_long_values_are_cut_in_messages(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal("x" * 500, int, ctx)
    shown = str(caught.value).removeprefix("expected int, got str: ")
    assert len(shown) == 80 and shown.endswith("...")


def test_bad_literals_are_refused(engine: TypeEngine, ctx: ConversionContext) -> None:
    for literal, tp in [("3", int), (True, int), ("nan", float), (1, str), ("!!", bytes),
                        ("yesterday", dt.date)]:
        with pytest.raises(ValueConversionError, match="literal is not a stored"):
            engine.to_python(literal, tp, ctx)


def test_scalars_are_immutable(engine: TypeEngine) -> None:
    for tp in (int, float, str, bool, type(None), bytes, dt.datetime, dt.date, dt.timedelta):
        assert engine.is_immutable(tp)


def test_scalar_literals_are_the_value_itself(engine: TypeEngine, ctx: ConversionContext) -> None:
    value = "a string"
    assert engine.to_literal(value, str, ctx) is value
    big = 10**30
    assert engine.to_literal(big, int, ctx) is big
