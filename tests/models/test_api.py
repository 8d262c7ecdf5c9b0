"""ss.models on real stores: log from a run, load by every URI form, register and alias, and
bad input with one clear error and nothing half-written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import slipstream as ss
from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.tracking.fluent import default_tracking_client
from tests.models.zoo import Doubler, train_mlp


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(100, 3))
    return pd.DataFrame(x, columns=["a", "b", "c"])


@pytest.fixture(scope="module")
def labels(frame: pd.DataFrame) -> np.ndarray:
    return (frame["a"] - frame["b"] > 0).astype(int).to_numpy()


def _logged_models() -> list[object]:
    store = default_tracking_client().store
    found, _ = store.search_logged_models(["0"])  # type: ignore[attr-defined]
    return found


def test_log_load_round_trip_by_every_uri(default_stores: str, frame: pd.DataFrame,
                                          labels: np.ndarray) -> None:
    import mlflow.sklearn

    estimator = LogisticRegression().fit(frame, labels)
    with ss.start_run() as run:
        ss.log_input(frame, context="training", name="train")
        info = ss.models.log_model(estimator, input_example=frame.head(3),
                                   registered_model_name="churn")
    assert info.model_uri == f"models:/{info.model_id}" and info.run_id == run.run_id
    assert info.flavor == "sklearn" and info.registered_model_version == 1
    assert info.signature is not None and info.signature.inputs.names() == ["a", "b", "c"]
    store = default_tracking_client().store
    logged = store.get_logged_model(info.model_id)  # type: ignore[attr-defined]
    assert logged.status == "READY" and logged.source_run_id == run.run_id
    assert [o.model_id for o in ss.get_run(run.run_id).outputs] == [info.model_id]
    expected = estimator.predict(frame)
    for uri in (info.model_uri, f"runs:/{run.run_id}/model", "models:/churn/1",
                "models:/churn/latest", info.artifact_uri):
        assert np.array_equal(ss.models.load_model(uri).predict(frame), expected), uri
    model = ss.models.load_pyfunc("models:/churn/1")
    assert np.array_equal(model.predict(frame), expected)
    lineage = model.metadata["slipstream"]["datasets"]
    assert [d["name"] for d in lineage] == ["train"] and lineage[0]["digest"]
    assert model.metadata["model_id"] == info.model_id
    version = ss.models.get_model_version("churn", 1)
    assert version.run_id == run.run_id and version.model_id == info.model_id
    assert [d.name for d in version.datasets] == ["train"]
    if default_stores == "local":  # the real mlflow client reads the folder where it is
        assert np.array_equal(mlflow.sklearn.load_model(info.artifact_uri).predict(frame),
                              expected)


def test_aliases_resolve_to_the_version_they_point_at_now(frame: pd.DataFrame,
                                                          labels: np.ndarray) -> None:
    with ss.start_run():
        first = ss.models.log_model(LogisticRegression(C=0.01).fit(frame, labels),
                                    registered_model_name="churn")
        second = ss.models.log_model(LogisticRegression(C=10.0).fit(frame, labels),
                                     name="better", registered_model_name="churn")
    assert (first.registered_model_version, second.registered_model_version) == (1, 2)
    ss.models.set_alias("churn", "champion", 1)
    resolved = ss.models.resolve("models:/churn@champion")
    assert (resolved.name, resolved.version, resolved.alias) == ("churn", 1, "champion")
    assert resolved.model_id == first.model_id
    ss.models.set_alias("churn", "champion", 2)
    assert ss.models.resolve("models:/churn@champion").version == 2
    assert ss.models.load_model("models:/churn@champion").C == 10.0
    assert ss.models.get_model_version("churn", "champion").version == 2
    assert ss.models.get_model_version("churn", "latest").version == 2
    assert [v.version for v in ss.models.search_model_versions("name = 'churn'")] == [2, 1]
    ss.models.delete_alias("churn", "champion")
    with pytest.raises(NotFoundError):
        ss.models.resolve("models:/churn@champion")


def test_register_model_from_a_run_uri(frame: pd.DataFrame, labels: np.ndarray) -> None:
    with ss.start_run() as run:
        ss.models.log_model(LogisticRegression().fit(frame, labels))
    version = ss.models.register_model(f"runs:/{run.run_id}/model", "fraud")
    assert version.version == 1 and version.run_id == run.run_id
    assert ss.models.load_pyfunc("models:/fraud/1").flavor == "sklearn"


def test_torch_and_python_models_round_trip(frame: pd.DataFrame, labels: np.ndarray) -> None:
    import torch

    mlp = train_mlp(frame.to_numpy(), labels)
    with ss.start_run():
        torch_info = ss.models.log_model(mlp, name="mlp", input_example=frame.to_numpy()[:2])
        python_info = ss.models.log_model(Doubler(), name="doubler")
    loaded = ss.models.load_model(torch_info.model_uri)
    assert isinstance(loaded, torch.nn.Module) and torch_info.flavor == "pytorch"
    with torch.no_grad():
        expected = mlp(torch.tensor(frame.to_numpy(), dtype=torch.float32)).numpy()
    np.testing.assert_allclose(ss.models.load_pyfunc(torch_info.model_uri)
                               .predict(frame.to_numpy()), expected, rtol=1e-6)
    doubled = ss.models.load_pyfunc(python_info.model_uri).predict(np.array([[1.0, 3.0]]))
    assert doubled.tolist() == [[2.0, 6.0]]


def test_log_model_outside_a_run_refuses_and_writes_nothing(frame: pd.DataFrame,
                                                            labels: np.ndarray) -> None:
    with pytest.raises(InvalidInputError, match="no run to log the model to"):
        ss.models.log_model(LogisticRegression().fit(frame, labels))
    assert _logged_models() == []
    assert ss.search_runs(output_format="list") == []


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"flavor": "onnx"}, "Unknown model flavor"),
    ({"name": "a/b"}, "Invalid model name"),
    ({"registered_model_name": ""}, "registered model name"),
    ({"pip_requirements": "numpy"}, "pip_requirements"),
    ({"signature": "inputs"}, "signature must be a ModelSignature"),
])
def test_bad_input_writes_nothing(kwargs: dict[str, object], match: str, frame: pd.DataFrame,
                                  labels: np.ndarray) -> None:
    with ss.start_run() as run, pytest.raises(InvalidInputError, match=match):
        ss.models.log_model(LogisticRegression().fit(frame, labels), **kwargs)  # type: ignore[arg-type]
    assert _logged_models() == []
    assert ss.get_run(run.run_id).outputs == ()


def test_an_object_no_flavor_takes_is_refused() -> None:
    with ss.start_run(), pytest.raises(InvalidInputError, match="No model flavor takes"):
        ss.models.log_model(object())
    assert _logged_models() == []


def test_a_failed_upload_marks_the_model_failed_and_registers_nothing(
        tmp_path: Path, frame: pd.DataFrame, labels: np.ndarray) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the artifact folder should be")
    experiment = ss.create_experiment("blocked", artifact_location=str(blocker))
    with ss.start_run(experiment_id=experiment), pytest.raises(OSError):
        ss.models.log_model(LogisticRegression().fit(frame, labels),
                            registered_model_name="never")
    store = default_tracking_client().store
    found, _ = store.search_logged_models([experiment])  # type: ignore[attr-defined]
    assert [m.status for m in found] == ["FAILED"]
    with pytest.raises(NotFoundError):
        ss.models.get_model_version("never", 1)


@pytest.mark.parametrize(("uri", "error"), [
    ("models:/nope/1", NotFoundError),
    ("models:/nope@champion", NotFoundError),
    ("runs:/0123456789abcdef0123456789abcdef/model", NotFoundError),
    ("models:/m-0123456789abcdef0123456789abcdef", NotFoundError),
    ("models:/", InvalidInputError),
    ("runs:", InvalidInputError),
    ("", InvalidInputError),
    ("bogus-scheme://x/y", InvalidInputError),
    ("/no/such/folder", NotFoundError),
])
def test_uri_errors(uri: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        ss.models.load_model(uri)


def test_unknown_version_and_alias_of_a_known_model(frame: pd.DataFrame,
                                                    labels: np.ndarray) -> None:
    with ss.start_run():
        ss.models.log_model(LogisticRegression().fit(frame, labels), registered_model_name="m")
    with pytest.raises(NotFoundError):
        ss.models.load_model("models:/m/7")
    with pytest.raises(NotFoundError):
        ss.models.get_model_version("m", "challenger")
    with pytest.raises(InvalidInputError):
        ss.models.set_alias("m", "v2", 1)  # version-like alias


def test_a_folder_without_mlmodel_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no MLmodel file"):
        ss.models.load_model(str(tmp_path))


def test_an_autologged_model_loads_by_its_run_uri(frame: pd.DataFrame,
                                                  labels: np.ndarray) -> None:
    ss.sklearn.autolog(silent=True)
    try:
        with ss.start_run() as run:
            estimator = LogisticRegression(C=0.3).fit(frame, labels)
    finally:
        ss.sklearn.autolog(disable=True)
    model = ss.models.load_pyfunc(f"runs:/{run.run_id}/model")
    assert model.flavor == "sklearn" and model.raw.C == 0.3
    assert np.array_equal(model.predict(frame), estimator.predict(frame))


def test_resolved_uris_name_their_run_model_and_version(frame: pd.DataFrame,
                                                        labels: np.ndarray) -> None:
    from slipstream.models.stores import default_registry
    from slipstream.models.uris import resolve_model_uri

    with ss.start_run() as run:
        info = ss.models.log_model(LogisticRegression().fit(frame, labels),
                                   registered_model_name="named")
    by_run = ss.models.resolve(f"runs:/{run.run_id}/model")
    by_id = ss.models.resolve(info.model_uri)
    for resolved in (by_run, by_id):
        assert (resolved.run_id, resolved.model_id) == (run.run_id, info.model_id)
        assert resolved.artifact_uri == info.artifact_uri and resolved.version is None
    explicit = resolve_model_uri("models:/named/1", registry=default_registry())
    assert (explicit.name, explicit.version, explicit.alias) == ("named", 1, None)
    assert explicit.artifact_uri == info.artifact_uri
    folder = ss.models.resolve(info.artifact_uri)
    assert folder.artifact_uri == info.artifact_uri and folder.name is None
