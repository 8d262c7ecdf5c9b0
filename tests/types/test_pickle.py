"""The pickle fallback and its once-per-type warning."""

from __future__ import annotations

import warnings

import pytest

from slipstream._core.errors import SlipstreamWarning, ValueConversionError
from slipstream.types import ConversionContext, TypeEngine, default_engine
from tests.types.conftest import Roundtrip


class Opaque:
    def __init__(self, n: int) -> None:
        self.n = n


class Other:
    pass


def test_pickle_roundtrip_and_warning_once(roundtrip: Roundtrip, engine: TypeEngine) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back, literal = roundtrip(Opaque(3), Opaque)
        roundtrip(Opaque(4), Opaque)
        roundtrip([Opaque(5)], list[Opaque])
        engine.check_hint(Opaque)
    assert isinstance(back, Opaque) and back.n == 3
    assert literal["fmt"] == "pickle" and set(literal) == {"$blob", "fmt", "size"}
    relevant = [w for w in caught if issubclass(w.category, SlipstreamWarning)]
    assert len(relevant) == 1
    assert str(relevant[0].message) == (
        f"Slipstream has no type transformer for {__name__}.Opaque; values are pickled (not "
        "portable across Python versions). Register a TypeTransformer for it to avoid this.")


def test_each_type_warns_once(engine: TypeEngine, ctx: ConversionContext) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            engine.to_literal(Opaque(1), Opaque, ctx)
            engine.to_literal(Other(), Other, ctx)
    assert len([w for w in caught if issubclass(w.category, SlipstreamWarning)]) == 2


def test_the_warning_points_at_the_caller(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.warns(SlipstreamWarning) as caught:
        engine.to_literal(Opaque(1), Opaque, ctx)
    assert caught[0].filename == __file__


def test_pickled_value_must_match_its_hint(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.warns(SlipstreamWarning), pytest.raises(ValueConversionError) as caught:
        engine.to_literal(3, Opaque, ctx)
    assert str(caught.value) == "expected Opaque, got int: 3"


def test_unpicklable_value(engine: TypeEngine, ctx: ConversionContext) -> None:
    import threading

    class Holder:
        def __init__(self) -> None:
            self.lock = threading.Lock()

    with pytest.warns(SlipstreamWarning), pytest.raises(ValueConversionError,
                                                        match=r"cannot pickle .*Holder: TypeError"):
        engine.to_literal(Holder(), Holder, ctx)


def test_default_engine_is_built_once() -> None:
    assert default_engine() is default_engine()
    assert default_engine().transformer_for(int) is default_engine().transformer_for(int)


def test_the_warning_points_at_the_caller_from_nested_hints(engine: TypeEngine,
                                                            ctx: ConversionContext) -> None:
    with pytest.warns(SlipstreamWarning) as caught:
        engine.to_literal({"a": [Other()]}, dict[str, list[Other]], ctx)
    assert caught[0].filename == __file__
