"""Reading command-line strings into values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from pathlib import Path
from typing import Any, Literal, Optional

import pytest

from slipstream._core.errors import ValueConversionError
from slipstream.types import ConversionContext, Directory, File, TypeEngine


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Point:
    x: int
    y: float


@pytest.mark.parametrize(("text", "tp", "value"), [
    ("42", int, 42), (" -7 ", int, -7), ("2.5", float, 2.5), ("3", float, 3.0),
    ("hello", str, "hello"), ("", str, ""),
    ("true", bool, True), ("Yes", bool, True), ("1", bool, True),
    ("false", bool, False), ("NO", bool, False), ("0", bool, False),
    ("null", type(None), None),
    ("2024-05-01T12:30:00+02:00", dt.datetime,
     dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
    ("2024-05-01", dt.date, dt.date(2024, 5, 1)),
    ("90", dt.timedelta, dt.timedelta(seconds=90)), ("1.5", dt.timedelta, dt.timedelta(seconds=1.5)),
    ("RED", Color, Color.RED), ("green", Color, Color.GREEN),
    ("HIGH", Level, Level.HIGH), ("1", Level, Level.LOW),
    ("[1, 2, 3]", list[int], [1, 2, 3]),
    ('{"a": 1.5}', dict[str, float], {"a": 1.5}),
    ('[[1, "x"]]', dict[int, str], {1: "x"}),
    ('["2024-01-01"]', list[dt.date], [dt.date(2024, 1, 1)]),
    ("[1, 2]", tuple[int, int], (1, 2)),
    ("[[1, 2]]", set[tuple[int, int]], {(1, 2)}),
    ('[1, "a", null]', list, [1, "a", None]),
    ("5", Optional[int], 5), ("none", Optional[int], None),  # noqa: UP045
    ("5", int | str, 5), ("five", int | str, "five"),
    ('{"x": 1, "y": 2.5}', Point, Point(1, 2.5)),
    ("b", Literal["a", "b"], "b"),
    ('{"k": [1]}', Any, {"k": [1]}), ("plain words", Any, "plain words"),
    ("abc", bytes, b"abc"),
])
def test_from_string(engine: TypeEngine, ctx: ConversionContext, text: str, tp: Any,
                     value: Any) -> None:
    got = engine.from_string(text, tp, ctx)
    assert got == value and type(got) is type(value)


def test_float_specials(engine: TypeEngine, ctx: ConversionContext) -> None:
    assert math.isnan(engine.from_string("nan", float, ctx))
    assert engine.from_string("-inf", float, ctx) == -math.inf


def test_paths(engine: TypeEngine, ctx: ConversionContext, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    assert engine.from_string(str(tmp_path / "f.txt"), File, ctx) == File(tmp_path / "f.txt")
    assert engine.from_string(str(tmp_path), Directory, ctx) == Directory(tmp_path)
    with pytest.raises(ValueConversionError) as caught:
        engine.from_string(str(tmp_path / "missing"), File, ctx)
    assert str(caught.value) == f"cannot read {str(tmp_path / 'missing')!r} as File (no such file)"


@pytest.mark.parametrize(("text", "tp", "message"), [
    ("3.5", int, "cannot read '3.5' as int"),
    ("abc", float, "cannot read 'abc' as float"),
    ("maybe", bool, "cannot read 'maybe' as bool (use true/false, 1/0 or yes/no)"),
    ("yesterday", dt.date, "cannot read 'yesterday' as date (use ISO 8601, e.g. 2024-05-01)"),
    ("soon", dt.timedelta, "cannot read 'soon' as timedelta (give a number of seconds)"),
    ("REDD", Color, "cannot read 'REDD' as Color (valid names: 'RED', 'GREEN'). Did you mean "
                    "'RED'?"),
    ("[1, ", list[int], "cannot read '[1, ' as list[int]: invalid JSON (Expecting value)"),
    ('[1, "2"]', list[int], "cannot read '[1, \"2\"]' as list[int]: item 1 of list[int]: "
                            "expected int, got str: '2'"),
    ("x", Optional[int], "cannot read 'x' as Optional[int]"),  # noqa: UP045
    ("c", Literal["a", "b"], "cannot read 'c' as Literal['a', 'b'] (valid values: 'a', 'b')"),
])
def test_from_string_errors(engine: TypeEngine, ctx: ConversionContext, text: str, tp: Any,
                            message: str) -> None:
    with pytest.raises(ValueConversionError) as caught:
        engine.from_string(text, tp, ctx)
    assert str(caught.value) == message
