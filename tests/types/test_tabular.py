"""numpy arrays, pandas DataFrames and Series, pyarrow Tables: exact round-trips, stable digests."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pytest

from slipstream._core.errors import ValueConversionError
from slipstream.types import ConversionContext, TypeEngine
from tests.types.conftest import MemoryBlobStore, Roundtrip


def sample_frame() -> pd.DataFrame:
    index = pd.Index([10, 20, 30], name="row")
    return pd.DataFrame({
        "i": np.array([1, 2, 3], dtype="int32"),
        "f": [1.5, np.nan, -np.inf],
        "s": ["a", None, "c"],
        "o": pd.Series(["x", None, "z"], dtype=object, index=index),
        "cat": pd.Categorical(["u", "v", "u"]),
        "ts": pd.to_datetime(["2020-01-01", None, "2021-06-01"]).tz_localize("Europe/Paris"),
        "td": pd.to_timedelta([1, 2, 3], unit="s"),
        "ni": pd.array([1, None, 3], dtype="Int64"),
        "b": [True, False, True],
    }, index=index)


def test_dataframe_roundtrip_keeps_dtypes_and_index(roundtrip: Roundtrip) -> None:
    frame = sample_frame()
    back, literal = roundtrip(frame, pd.DataFrame)
    pd.testing.assert_frame_equal(back, frame)
    assert list(back.dtypes) == list(frame.dtypes)
    assert back.index.name == "row"
    assert set(literal) == {"$blob", "fmt", "size"} and literal["fmt"] == "parquet"


@pytest.mark.parametrize("frame", [
    pd.DataFrame(),
    pd.DataFrame({"a": [1, 2]}, index=pd.RangeIndex(5, 7, name="r")),
    pd.DataFrame({"a": [1, 2]}, index=pd.MultiIndex.from_tuples([(1, "x"), (2, "y")],
                                                                names=["n", "k"])),
    pd.DataFrame({"a": pd.Series(["p", "q"], dtype="string")}, index=pd.Index(["x", "y"])),
], ids=["empty", "range-index", "multi-index", "string-dtype"])
def test_dataframe_shapes(roundtrip: Roundtrip, frame: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(roundtrip(frame, pd.DataFrame)[0], frame)


def test_range_index_stays_a_range_index(roundtrip: Roundtrip) -> None:
    frame = pd.DataFrame({"a": [1, 2]}, index=pd.RangeIndex(5, 7))
    assert isinstance(roundtrip(frame, pd.DataFrame)[0].index, pd.RangeIndex)


def test_equal_frames_give_equal_digests(engine: TypeEngine, ctx: ConversionContext) -> None:
    first = engine.to_literal(sample_frame(), pd.DataFrame, ctx)
    second = engine.to_literal(sample_frame(), pd.DataFrame, ctx)
    assert first == second
    assert engine.hash_literal(first) == engine.hash_literal(second)
    other = sample_frame().assign(i=np.array([1, 2, 4], dtype="int32"))
    assert engine.to_literal(other, pd.DataFrame, ctx) != first


def test_non_str_columns_are_refused(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.raises(ValueConversionError, match="non-str column names"):
        engine.to_literal(pd.DataFrame({0: [1]}), pd.DataFrame, ctx)


def test_unstorable_object_column(engine: TypeEngine, ctx: ConversionContext) -> None:
    frame = pd.DataFrame({"mixed": pd.Series([1, "a"], dtype=object)})
    with pytest.raises(ValueConversionError, match=r"cannot store this pandas\.DataFrame"):
        engine.to_literal(frame, pd.DataFrame, ctx)


@pytest.mark.parametrize("series", [
    pd.Series([1.0, 2.0], name="x", index=["a", "b"]),
    pd.Series([1, 2, 3]),
    pd.Series(["p", None], dtype=object, name=7),
    pd.Series(pd.Categorical(["a", "b"]), name="c"),
], ids=["named-float", "unnamed-int", "int-name-object", "categorical"])
def test_series_roundtrip(roundtrip: Roundtrip, series: pd.Series) -> None:
    pd.testing.assert_series_equal(roundtrip(series, pd.Series)[0], series)


def test_arrow_table_roundtrip(roundtrip: Roundtrip) -> None:
    table = pa.table({"a": [1, 2, None], "b": ["x", "y", "z"]})
    back, literal = roundtrip(table, pa.Table)
    assert back.equals(table) and back.schema == table.schema
    assert literal["fmt"] == "parquet"


@pytest.mark.parametrize("array", [
    np.arange(12, dtype="float32").reshape(3, 4),
    np.array([b"ab", b"c"]),
    np.array([], dtype="int8"),
    np.array([[True, False]]),
], ids=["float32", "bytes", "empty", "bool"])
def test_ndarray_roundtrip(roundtrip: Roundtrip, array: np.ndarray) -> None:
    back, literal = roundtrip(array, np.ndarray)
    np.testing.assert_array_equal(back, array)
    assert back.dtype == array.dtype and literal["fmt"] == "npy"


def test_ndarray_generic_hint(roundtrip: Roundtrip) -> None:
    array = np.ones(3)
    np.testing.assert_array_equal(roundtrip(array, npt.NDArray[np.float64])[0], array)


def test_object_arrays_are_refused(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.raises(ValueConversionError, match="dtype object without pickling"):
        engine.to_literal(np.array([{}, None]), np.ndarray, ctx)


def test_tabular_mismatch(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal([1, 2], pd.DataFrame, ctx)
    assert str(caught.value) == "expected pandas.DataFrame, got list: [1, 2]"


def test_blob_read_back_in_same_context_skips_the_store(
        engine: TypeEngine, ctx: ConversionContext, store: MemoryBlobStore) -> None:
    literal = engine.to_literal(sample_frame(), pd.DataFrame, ctx)
    engine.to_python(literal, pd.DataFrame, ctx)
    assert store.reads == 0
