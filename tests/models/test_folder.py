"""Model folders: each flavor saved and loaded back (by us and by the real mlflow client), the
descriptor's contents, and bad input that writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.models.descriptor import read_descriptor
from slipstream.models.folder import (
    load_input_example,
    load_native,
    load_pyfunc_folder,
    save_model,
)
from tests.models.zoo import Doubler, Plain, train_mlp


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 3))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    return pd.DataFrame(x, columns=["a", "b", "c"]), y


@pytest.fixture(scope="module")
def estimator(data: tuple[pd.DataFrame, np.ndarray]) -> LogisticRegression:
    return LogisticRegression().fit(*data)


def test_sklearn_folder_loads_here_and_in_mlflow(tmp_path: Path, estimator: LogisticRegression,
                                                  data: tuple[pd.DataFrame, np.ndarray]) -> None:
    import mlflow.pyfunc
    import mlflow.sklearn
    from mlflow.models import Model

    frame, _ = data
    folder = save_model(estimator, tmp_path / "m", input_example=frame.head(4), run_id="r1",
                        datasets=[{"name": "train", "digest": "abc", "source": "mem"}])
    expected = estimator.predict(frame)
    assert np.array_equal(load_native(folder).predict(frame), expected)
    model = load_pyfunc_folder(folder)
    assert model.flavor == "sklearn"
    assert np.array_equal(model.predict(frame), expected)
    assert model.signature is not None and model.signature.inputs.names() == ["a", "b", "c"]
    assert model.signature.outputs is not None  # inferred by predicting on the example
    assert np.array_equal(mlflow.sklearn.load_model(str(folder)).predict(frame), expected)
    assert np.array_equal(mlflow.pyfunc.load_model(str(folder)).predict(frame), expected)
    meta = Model.load(str(folder))
    assert meta.signature.inputs.input_names() == ["a", "b", "c"]
    assert meta.run_id == "r1"
    pd.testing.assert_frame_equal(load_input_example(folder), frame.head(4))


def test_descriptor_records_environment_and_lineage(tmp_path: Path,
                                                    estimator: LogisticRegression) -> None:
    import sklearn

    folder = save_model(estimator, tmp_path / "m", run_id="r1",
                        datasets=[{"name": "train", "digest": "abc", "source": "mem"}])
    descriptor = read_descriptor(folder)
    assert "mlflow_version" not in descriptor
    assert descriptor["flavors"]["python_function"]["python_version"]
    assert descriptor["flavors"]["python_function"]["loader_module"] == "mlflow.sklearn"
    assert len(descriptor["model_uuid"]) == 32 and descriptor["utc_time_created"]
    assert descriptor["slipstream"] == {
        "flavor": "sklearn", "datasets": [{"name": "train", "digest": "abc", "source": "mem"}]}
    lines = (folder / "requirements.txt").read_text().splitlines()
    assert f"scikit-learn=={sklearn.__version__}" in lines
    assert any(line.startswith("numpy==") for line in lines)
    assert any(line.startswith("cloudpickle==") for line in lines)
    env = (folder / "python_env.yaml").read_text()
    assert env.startswith("python: 3.") and "-r requirements.txt" in env


def test_pytorch_folder_predicts_on_cpu_without_grad(tmp_path: Path,
                                                     data: tuple[pd.DataFrame, np.ndarray]) -> None:
    import mlflow.pytorch

    frame, y = data
    mlp = train_mlp(frame.to_numpy(), y)
    folder = save_model(mlp, tmp_path / "t", input_example=frame.to_numpy()[:3])
    with torch.no_grad():
        expected = mlp(torch.tensor(frame.to_numpy(), dtype=torch.float32)).numpy()
    model = load_pyfunc_folder(folder)
    assert model.flavor == "pytorch"
    assert not model.raw.training
    out = model.predict(frame.to_numpy())
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict(frame), expected, rtol=1e-6)
    assert ((out > 0) == y).mean() > 0.8  # it learned
    assert model.signature is not None and model.signature.inputs.is_tensor
    reloaded = mlflow.pytorch.load_model(str(folder))
    np.testing.assert_allclose(reloaded(torch.tensor(frame.to_numpy(), dtype=torch.float32))
                               .detach().numpy(), expected, rtol=1e-6)


def test_python_function_flavor_for_python_models_and_plain_objects(tmp_path: Path) -> None:
    import mlflow.pyfunc

    folder = save_model(Doubler(), tmp_path / "d")
    model = load_pyfunc_folder(folder)
    assert model.flavor == "python_function"
    assert model.predict(np.array([[1.0, 2.0]])).tolist() == [[2.0, 4.0]]
    assert mlflow.pyfunc.load_model(str(folder)).predict(np.array([[1.0]])).tolist() == [[2.0]]
    plain = load_pyfunc_folder(save_model(Plain(), tmp_path / "p"))
    assert plain.predict(np.array([[1, 2], [3, 4]])).tolist() == [3, 7]


def test_flavor_can_be_overridden(tmp_path: Path, estimator: LogisticRegression,
                                  data: tuple[pd.DataFrame, np.ndarray]) -> None:
    folder = save_model(estimator, tmp_path / "m", flavor="python_function")
    model = load_pyfunc_folder(folder)
    assert model.flavor == "python_function"
    assert np.array_equal(model.predict(data[0]), estimator.predict(data[0]))


@pytest.mark.parametrize("call", [
    lambda p: save_model(object(), p),
    lambda p: save_model(Plain(), p, flavor="onnx"),
    lambda p: save_model(Plain(), p, flavor="pytorch"),
    lambda p: save_model(Plain(), p, signature={"inputs": "[]"}),
    lambda p: save_model(Plain(), p, pip_requirements="numpy"),
    lambda p: save_model(Plain(), p, input_example=np.array([object()])),
])
def test_bad_input_writes_nothing(tmp_path: Path, call: Any) -> None:
    target = tmp_path / "m"
    with pytest.raises(InvalidInputError):
        call(target)
    assert not target.exists()


def test_saving_into_a_used_folder_or_loading_a_non_model_fails(tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("keep")
    with pytest.raises(InvalidInputError, match="not an empty folder"):
        save_model(Plain(), tmp_path / "used")
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["x"]
    with pytest.raises(NotFoundError, match="not a model folder"):
        load_pyfunc_folder(tmp_path / "used")


def test_input_examples_of_arrays_and_dicts(tmp_path: Path) -> None:
    folder = save_model(Plain(), tmp_path / "a", input_example=np.ones((2, 2)))
    assert load_input_example(folder).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    info = read_descriptor(folder)["saved_input_example_info"]
    assert info["type"] == "ndarray"
    assert json.loads((folder / "input_example.json").read_text()) == {
        "inputs": [[1.0, 1.0], [1.0, 1.0]]}


def test_folders_mlflow_wrote_load_here(tmp_path: Path, estimator: LogisticRegression,
                                        data: tuple[pd.DataFrame, np.ndarray]) -> None:
    import mlflow.sklearn

    frame, _ = data
    mlflow.sklearn.save_model(estimator, str(tmp_path / "theirs"), input_example=frame.head(2))
    model = load_pyfunc_folder(tmp_path / "theirs")
    assert model.flavor == "sklearn"
    assert np.array_equal(model.predict(frame), estimator.predict(frame))
    assert model.signature is not None and model.signature.inputs.names() == ["a", "b", "c"]
