"""Signatures: inference from example data, MLflow's JSON encoding both ways, bad specs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.models.signature import (
    ColSpec,
    ModelSignature,
    Schema,
    TensorSpec,
    infer_signature,
)


def test_dataframe_columns_get_mlflow_types() -> None:
    frame = pd.DataFrame({
        "d": [1.0, 2.0], "f": np.array([1, 2], dtype=np.float32), "l": [1, 2],
        "i": np.array([1, 2], dtype=np.int32), "b": [True, False], "s": ["x", "y"],
        "by": [b"a", b"b"], "t": pd.to_datetime(["2020-01-01", "2020-01-02"]),
        "n": [1.0, None]})
    schema = infer_signature(frame).inputs
    assert [(c.name, c.type, c.required) for c in schema] == [
        ("d", "double", True), ("f", "float", True), ("l", "long", True),
        ("i", "integer", True), ("b", "boolean", True), ("s", "string", True),
        ("by", "binary", True), ("t", "datetime", True), ("n", "double", False)]
    assert not schema.is_tensor
    assert schema.names() == ["d", "f", "l", "i", "b", "s", "by", "t", "n"]


def test_arrays_become_tensors_with_any_first_axis() -> None:
    signature = infer_signature(np.zeros((3, 4)), np.array([0, 1]))
    assert signature.inputs.inputs == [TensorSpec(None, "float64", (-1, 4))]
    assert signature.outputs is not None
    assert signature.outputs.inputs == [TensorSpec(None, "int64", (-1,))]
    assert signature.inputs.is_tensor


def test_dict_of_arrays_and_dict_of_scalars_and_records() -> None:
    tensors = infer_signature({"x": np.zeros((2, 3), dtype=np.float32), "y": [1, 2]}).inputs
    assert tensors.inputs == [TensorSpec("x", "float32", (-1, 3)), TensorSpec("y", "int64", (-1,))]
    scalars = infer_signature({"a": "x", "b": 1.5, "c": np.float32(1), "d": np.int32(2),
                               "e": np.datetime64("2020-01-01"), "f": np.bool_(True)}).inputs
    assert scalars.inputs == [ColSpec("a", "string"), ColSpec("b", "double"),
                              ColSpec("c", "float"), ColSpec("d", "integer"),
                              ColSpec("e", "datetime"), ColSpec("f", "boolean")]
    records = infer_signature([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]).inputs
    assert records.inputs == [ColSpec("a", "long"), ColSpec("b", "string")]


def test_series_output_is_a_named_column() -> None:
    signature = infer_signature(pd.DataFrame({"a": [1.0]}), pd.Series([0.5], name="p"))
    assert signature.outputs is not None and signature.outputs.inputs == [ColSpec("p", "double")]


def test_json_matches_what_mlflow_writes_and_reads() -> None:
    from mlflow.models.signature import ModelSignature as MlflowSignature
    from mlflow.models.signature import infer_signature as mlflow_infer

    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [1, 2], "c": ["x", "y"]})
    ours = infer_signature(frame, np.array([0, 1])).to_dict()
    with pytest.warns(UserWarning):  # mlflow's hint about integer columns
        theirs = mlflow_infer(frame, np.array([0, 1])).to_dict()
    assert json.loads(ours["inputs"]) == json.loads(theirs["inputs"])
    assert json.loads(ours["outputs"]) == json.loads(theirs["outputs"])
    loaded = MlflowSignature.from_dict(ours)
    assert loaded.inputs.input_names() == ["a", "b", "c"]
    tensor = infer_signature({"x": np.zeros((2, 3), dtype=np.float32)}).to_dict()
    assert MlflowSignature.from_dict(tensor).inputs.is_tensor_spec()
    assert ModelSignature.from_dict(theirs) == ModelSignature.from_dict(ours)


def test_round_trip_through_json() -> None:
    schema = Schema([TensorSpec("x", "float32", (-1, 28, 28)), TensorSpec("m", "bool", (-1,))])
    assert Schema.from_json(schema.to_json()) == schema
    cols = Schema([ColSpec("a", "long", required=False), ColSpec("b", "string")])
    assert Schema.from_json(cols.to_json()) == cols


@pytest.mark.parametrize("make", [
    lambda: ColSpec("a", "decimal"),
    lambda: TensorSpec("x", "not-a-dtype", (-1,)),
    lambda: TensorSpec("x", "float32", (-2,)),
    lambda: Schema([]),
    lambda: Schema([ColSpec("a", "long"), TensorSpec("x", "float32", (-1,))]),
    lambda: Schema([ColSpec("a", "long"), ColSpec(None, "long")]),
    lambda: Schema([ColSpec("a", "long"), ColSpec("a", "double")]),
    lambda: Schema.from_json("{not json"),
    lambda: Schema.from_json('{"type": "double"}'),
    lambda: infer_signature(pd.DataFrame({"o": [object(), object()]})),
    lambda: infer_signature(np.array(3.0)),
    lambda: infer_signature({}),
])
def test_bad_specs_raise_one_clear_error(make: object) -> None:
    with pytest.raises(InvalidInputError):
        make()  # type: ignore[operator]
