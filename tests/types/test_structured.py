"""Enums, Literal choices, dataclasses, pydantic models and typing.Any."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any, Literal

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slipstream._core.errors import ValueConversionError
from slipstream.types import ConversionContext, TypeEngine
from tests.types.conftest import MemoryBlobStore, Roundtrip

fixtures_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: float


@dataclasses.dataclass
class Shape:
    name: str
    points: list[Point]
    color: Color
    created: dt.datetime | None = None
    tags: dict[str, int] = dataclasses.field(default_factory=dict)
    area: float = dataclasses.field(init=False, default=0.0)


class Config(pydantic.BaseModel):
    lr: float
    layers: list[int]
    when: dt.date


class Frozen(pydantic.BaseModel, frozen=True):
    name: str


class Opaque:
    def __init__(self, n: int) -> None:
        self.n = n


def test_enum_roundtrip(roundtrip: Roundtrip) -> None:
    assert roundtrip(Color.GREEN, Color) == (Color.GREEN, "green")
    back, literal = roundtrip(Level.HIGH, Level)
    assert back is Level.HIGH and literal == 2 and type(literal) is int


def test_bad_enum_messages(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal("red", Color, ctx)
    assert str(caught.value) == "expected Color, got str: 'red'; valid values: 'red', 'green'"
    with pytest.raises(ValueConversionError) as caught:
        engine.to_python("purple", Color, ctx)
    assert str(caught.value) == "'purple' is not a value of Color; valid values: 'red', 'green'"


def test_literal_choices(roundtrip: Roundtrip, engine: TypeEngine, ctx: ConversionContext) -> None:
    assert roundtrip("b", Literal["a", "b"]) == ("b", "b")
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal(True, Literal[1, 2], ctx)
    assert str(caught.value) == "expected Literal[1, 2], got bool: True; valid values: 1, 2"


@fixtures_ok
@given(st.builds(Point, st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_dataclass_roundtrip(roundtrip: Roundtrip, point: Point) -> None:
    back, literal = roundtrip(point, Point)
    assert back == point and literal == {"x": point.x, "y": point.y}


def test_nested_dataclass_roundtrip(roundtrip: Roundtrip) -> None:
    shape = Shape("tri", [Point(0, 0.0), Point(1, 2.5)], Color.RED,
                  dt.datetime(2024, 1, 1, tzinfo=dt.UTC), {"a": 1})
    back, literal = roundtrip(shape, Shape)
    assert back == shape
    assert literal == {
        "name": "tri", "points": [{"x": 0, "y": 0.0}, {"x": 1, "y": 2.5}], "color": "red",
        "created": "2024-01-01T00:00:00+00:00", "tags": {"a": 1},
    }


def test_wrong_dataclass_field_is_named(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal(Point("1", 2.0), Point, ctx)  # type: ignore[arg-type]
    assert str(caught.value) == "field 'x' of Point: expected int, got str: '1'"
    shape = Shape("s", [Point(1, 1.0), Point(2, True)], Color.RED)  # type: ignore[arg-type]
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal(shape, Shape, ctx)
    assert str(caught.value) == ("field 'points' of Shape: item 1 of list[Point]: "
                                 "field 'y' of Point: expected float, got bool: True")
    with pytest.raises(ValueConversionError) as caught:
        engine.to_python({"x": 1}, Point, ctx)
    assert str(caught.value) == "field 'y' of Point is missing from the stored value"
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal({"x": 1, "y": 2.0}, Point, ctx)
    assert str(caught.value) == "expected Point, got dict: {'x': 1, 'y': 2.0}"


def test_dataclass_immutability(engine: TypeEngine) -> None:
    assert engine.is_immutable(Point)
    assert not engine.is_immutable(Shape)


def test_pydantic_roundtrip(roundtrip: Roundtrip, engine: TypeEngine) -> None:
    config = Config(lr=0.1, layers=[3, 4], when=dt.date(2024, 1, 2))
    back, literal = roundtrip(config, Config)
    assert back == config
    assert literal == {"lr": 0.1, "layers": [3, 4], "when": "2024-01-02"}
    assert engine.is_immutable(Frozen) and not engine.is_immutable(Config)


def test_pydantic_errors(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.raises(ValueConversionError, match=r"^expected Config, got dict: \{'lr': 1\}$"):
        engine.to_literal({"lr": 1}, Config, ctx)
    with pytest.raises(ValueConversionError, match="is not a valid Config"):
        engine.to_python({"lr": "fast"}, Config, ctx)


def test_any_pickles_what_json_cannot_hold(roundtrip: Roundtrip, store: MemoryBlobStore,
                                           recwarn: pytest.WarningsRecorder) -> None:
    back, literal = roundtrip(Opaque(4), Any)
    assert isinstance(back, Opaque) and back.n == 4
    assert literal["fmt"] == "pickle" and literal["$blob"] in store.blobs
    back, literal = roundtrip((1, 2), Any)
    assert back == (1, 2) and literal["fmt"] == "pickle"
    back, literal = roundtrip({"$blob": "x"}, Any)
    assert back == {"$blob": "x"} and literal["fmt"] == "pickle"
    assert not recwarn.list  # Any is a declared choice, not a missing transformer
