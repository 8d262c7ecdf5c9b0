"""PyFuncModel: the input conversions around a flavor's predict, on a real estimator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from slipstream._core.errors import InvalidInputError
from slipstream.models.pyfunc import PyFuncModel
from slipstream.models.signature import infer_signature


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1]})


def _model(frame: pd.DataFrame) -> PyFuncModel:
    estimator = LogisticRegression().fit(frame, (frame["a"] > 0).astype(int))
    return PyFuncModel(estimator, lambda m, x: m.predict(x), flavor="sklearn",
                       signature=infer_signature(frame))


def test_dataframe_array_dict_and_records_give_the_same_predictions(frame: pd.DataFrame) -> None:
    model = _model(frame)
    expected = model.raw.predict(frame)
    assert np.array_equal(model.predict(frame), expected)
    assert np.array_equal(model.predict(frame.to_numpy()), expected)
    assert np.array_equal(model.predict({"a": frame["a"].to_numpy(), "b": frame["b"]}), expected)
    assert np.array_equal(model.predict(frame.to_dict(orient="records")), expected)
    assert np.array_equal(model.predict(frame[["b", "a"]]), expected)  # reordered by name
    assert isinstance(model.predict(frame), np.ndarray)


def test_missing_column_and_wrong_width_are_named(frame: pd.DataFrame) -> None:
    model = _model(frame)
    with pytest.raises(InvalidInputError, match=r"Missing column.*'b'"):
        model.predict(frame[["a"]])
    with pytest.raises(InvalidInputError, match="2 column"):
        model.predict(np.zeros((3, 5)))


def test_tensor_signature_takes_frame_values() -> None:
    seen: list[object] = []
    model = PyFuncModel(None, lambda m, x: seen.append(x) or np.zeros(len(x)), flavor="python",
                        signature=infer_signature(np.zeros((2, 2))))
    model.predict(pd.DataFrame({"a": [1.0], "b": [2.0]}))
    assert isinstance(seen[0], np.ndarray)
