"""scikit-learn autologging with real estimators on small data, on SQLite and PostgreSQL: exact
params, metrics equal to sklearn's own functions on the training data, the model folder loading
back (with slipstream and with the real mlflow), search child runs, nesting, failures."""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn import metrics
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import slipstream as ss
from slipstream._core.errors import InvalidInputError
from slipstream.entities import Run
from slipstream.models.folder import load_native


@pytest.fixture
def autologged() -> Iterator[None]:
    ss.sklearn.autolog()
    yield
    ss.sklearn.autolog(disable=True)


def runs() -> list[Run]:
    return list(ss.search_runs(output_format="list", order_by=["attributes.start_time ASC"]))


def only_run() -> Run:
    (run,) = runs()
    return run


def as_params(params: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in params.items()}


def iris() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_iris(return_X_y=True)
    return x, y


def test_a_classifier_logs_params_metrics_tags_and_a_loadable_model(fluent_store: str,
                                                                    autologged: None) -> None:
    x, y = iris()
    model = LogisticRegression(C=0.7, max_iter=300).fit(x, y)
    run = only_run()
    assert run.info.run_name == "LogisticRegression" and run.info.status == "FINISHED"
    assert run.info.end_time is not None
    assert run.data.params == as_params(model.get_params(deep=True))
    assert run.data.params["C"] == "0.7"
    tags = run.data.tags
    assert tags["estimator_name"] == "LogisticRegression"
    assert tags["estimator_class"] == "sklearn.linear_model._logistic.LogisticRegression"
    assert tags["mlflow.autologging"] == "sklearn"
    predicted, proba = model.predict(x), model.predict_proba(x)
    assert run.data.metric_values == pytest.approx({
        "training_accuracy_score": metrics.accuracy_score(y, predicted),
        "training_precision_score": metrics.precision_score(y, predicted, average="weighted"),
        "training_recall_score": metrics.recall_score(y, predicted, average="weighted"),
        "training_f1_score": metrics.f1_score(y, predicted, average="weighted"),
        "training_log_loss": metrics.log_loss(y, proba),
        "training_roc_auc": metrics.roc_auc_score(y, proba, average="weighted",
                                                  multi_class="ovo"),
        "training_score": model.score(x, y),
    }, rel=1e-12)
    folder = Path(run.info.artifact_uri) / "model"
    assert sorted(p.name for p in folder.iterdir()) == ["MLmodel", "model.pkl",
                                                       "python_env.yaml", "requirements.txt"]
    loaded = load_native(folder)
    assert type(loaded) is LogisticRegression
    np.testing.assert_array_equal(loaded.predict_proba(x), proba)
    assert ss.active_run() is None


def test_the_model_folder_loads_with_the_real_mlflow(autologged: None) -> None:
    x, y = iris()
    model = LogisticRegression(max_iter=300).fit(x, y)
    folder = Path(only_run().info.artifact_uri) / "model"
    code = ("import sys, mlflow.sklearn, numpy as np; m = mlflow.sklearn.load_model(sys.argv[1]);"
            " np.save(sys.argv[2], m.predict_proba(np.load(sys.argv[3])))")
    np.save(folder.parent / "x.npy", x)
    subprocess.run([sys.executable, "-c", code, str(folder), str(folder.parent / "p.npy"),
                    str(folder.parent / "x.npy")], check=True, timeout=120)
    np.testing.assert_array_equal(np.load(folder.parent / "p.npy"), model.predict_proba(x))


def test_a_regressor_logs_mlflows_regression_metrics(fluent_store: str, autologged: None) -> None:
    x, y = make_regression(n_samples=80, n_features=4, noise=5.0, random_state=0)
    weight = np.linspace(0.5, 1.5, len(y))
    model = RandomForestRegressor(n_estimators=8, max_depth=3, random_state=0)
    model.fit(x, y, sample_weight=weight)
    run = only_run()
    assert run.data.params == as_params(model.get_params(deep=True))
    predicted = model.predict(x)
    mse = metrics.mean_squared_error(y, predicted, sample_weight=weight)
    assert run.data.metric_values == pytest.approx({
        "training_mean_squared_error": mse,
        "training_root_mean_squared_error": math.sqrt(mse),
        "training_mean_absolute_error": metrics.mean_absolute_error(y, predicted,
                                                                    sample_weight=weight),
        "training_r2_score": metrics.r2_score(y, predicted, sample_weight=weight),
        "training_score": model.score(x, y, weight),
    }, rel=1e-12)
    loaded = load_native(Path(run.info.artifact_uri) / "model")
    np.testing.assert_array_equal(loaded.predict(x), predicted)


def test_a_pipeline_logs_once_with_its_steps_params(autologged: None) -> None:
    x, y = iris()
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(C=2.0))])
    pipe.fit(x, y)
    run = only_run()  # the steps' fits did not log runs of their own
    assert run.info.run_name == "Pipeline"
    params = run.data.params
    assert params == as_params(pipe.get_params(deep=True))
    assert params["clf__C"] == "2.0" and params["scale__with_mean"] == "True"
    assert run.data.metric_values["training_accuracy_score"] == metrics.accuracy_score(
        y, pipe.predict(x))
    StandardScaler().fit(x)  # preprocessing alone does not log, as in MLflow
    assert len(runs()) == 1
    reduce = Pipeline([("scale", StandardScaler()), ("pca", PCA(n_components=2))])
    reduce.fit_transform(x)  # an available_if method, wrapped inside its descriptor
    second = runs()[1]
    assert second.info.run_name == "Pipeline" and second.data.params["pca__n_components"] == "2"
    assert len(runs()) == 2


def test_a_grid_search_logs_the_best_candidates_as_child_runs(fluent_store: str) -> None:
    ss.sklearn.autolog(max_tuning_runs=2)
    try:
        x, y = iris()
        search = GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.01, 0.1, 1.0]}, cv=3)
        search.fit(x, y)
    finally:
        ss.sklearn.autolog(disable=True)
    all_runs = runs()
    (parent,) = [r for r in all_runs if r.info.parent_run_id is None]
    children = [r for r in all_runs if r.info.parent_run_id == parent.info.run_id]
    assert len(all_runs) == 3 and len(children) == 2  # the 9 inner fits logged nothing
    assert parent.info.run_name == "GridSearchCV"
    assert parent.data.params == {**as_params(search.get_params(deep=False)),
                                  "best_C": str(search.best_params_["C"])}
    values = parent.data.metric_values
    assert values["best_cv_score"] == pytest.approx(search.best_score_, rel=1e-12)
    assert values["training_accuracy_score"] == metrics.accuracy_score(y, search.predict(x))
    root = Path(parent.info.artifact_uri)
    best = load_native(root / "best_estimator")
    np.testing.assert_array_equal(best.predict(x), search.best_estimator_.predict(x))
    np.testing.assert_array_equal(load_native(root / "model").predict(x), search.predict(x))
    with (root / "cv_results.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["param_C"]) for r in rows] == [0.01, 0.1, 1.0]

    results = search.cv_results_
    best_two = sorted(range(3), key=lambda i: (results["rank_test_score"][i], i))[:2]
    seed = as_params(search.estimator.get_params(deep=True))
    for child, index in zip(sorted(children, key=lambda r: r.data.metric_values[
            "rank_test_score"]), best_two, strict=True):
        assert child.info.status == "FINISHED"
        assert child.info.start_time == parent.info.start_time
        assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert child.data.tags["estimator_name"] == "LogisticRegression"
        assert child.data.params == {**seed, "C": str(results["params"][index]["C"])}
        assert set(child.data.metric_values) == {
            "mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time",
            "mean_test_score", "std_test_score", "rank_test_score"}
        assert child.data.metric_values["mean_test_score"] == pytest.approx(
            results["mean_test_score"][index], rel=1e-12)


def test_a_fit_in_an_active_run_logs_to_it_and_leaves_it_open(autologged: None) -> None:
    x, y = iris()
    with ss.start_run(run_name="mine") as run:
        ss.log_param("note", "user")
        LogisticRegression(max_iter=300).fit(x, y)
        assert ss.active_run() is run
    stored = only_run()
    assert stored.info.run_name == "mine" and stored.data.params["note"] == "user"
    assert stored.data.params["max_iter"] == "300"
    assert "training_accuracy_score" in stored.data.metric_values


def test_exclusive_autolog_stays_out_of_runs_it_did_not_start() -> None:
    ss.sklearn.autolog(exclusive=True)
    try:
        x, y = iris()
        with ss.start_run(run_name="mine"):
            LogisticRegression(max_iter=300).fit(x, y)
        LogisticRegression(max_iter=300).fit(x, y)
    finally:
        ss.sklearn.autolog(disable=True)
    mine, own = runs()
    assert mine.info.run_name == "mine" and mine.data.params == {}
    assert own.info.run_name == "LogisticRegression" and own.data.params["max_iter"] == "300"


def test_a_failing_fit_raises_and_its_run_ends_failed(autologged: None) -> None:
    x, y = iris()
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(np.full_like(x, np.nan), y)
    run = only_run()
    assert run.info.status == "FAILED" and run.info.end_time is not None
    assert run.data.params["C"] == "1.0"  # logged before the fit, as MLflow does
    assert ss.active_run() is None


def test_a_logging_failure_never_breaks_the_fit_and_warns_once(autologged: None) -> None:
    x, y = iris()
    with ss.start_run():
        ss.log_param("C", "user's own")  # the estimator's C conflicts with it
        with pytest.warns(UserWarning, match=r"slipstream autolog: params of LogisticRegression"):
            first = LogisticRegression(max_iter=300).fit(x, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the same failure again: no second warning
            LogisticRegression(max_iter=300).fit(x, y)
    assert first.score(x, y) > 0.9
    run = only_run()
    assert run.data.params == {"C": "user's own"}
    assert "training_accuracy_score" in run.data.metric_values  # the rest was still logged


def test_disable_restores_every_original_method() -> None:
    fit = LogisticRegression.__dict__["fit"]
    fit_transform = Pipeline.__dict__["fit_transform"]
    ss.sklearn.autolog(log_models=False)
    assert LogisticRegression.__dict__["fit"] is not fit
    assert Pipeline.__dict__["fit_transform"] is not fit_transform
    ss.sklearn.autolog(disable=True)
    assert LogisticRegression.__dict__["fit"] is fit
    assert Pipeline.__dict__["fit_transform"] is fit_transform
    x, y = iris()
    LogisticRegression(max_iter=300).fit(x, y)
    assert runs() == []
    with pytest.raises(InvalidInputError, match="max_tuning_runs"):
        ss.sklearn.autolog(max_tuning_runs=-1)


def test_options_log_models_and_input_examples() -> None:
    x, y = iris()
    ss.autolog(log_models=False)
    try:
        LogisticRegression(max_iter=300).fit(x, y)
        ss.autolog(log_input_examples=True)
        LogisticRegression(max_iter=300).fit(x, y)
    finally:
        ss.autolog(disable=True)
    without, with_example = runs()
    assert not (Path(without.info.artifact_uri) / "model").exists()
    folder = Path(with_example.info.artifact_uri) / "model"
    import json

    assert json.loads((folder / "input_example.json").read_text()) == {
        "inputs": x[:5].tolist()}
    assert '"input_example.json"' in (folder / "MLmodel").read_text()


def test_threads_log_their_own_fits_and_joblib_threads_stay_nested(autologged: None) -> None:
    from joblib import parallel_backend

    x, y = make_classification(n_samples=60, n_features=4, random_state=0)
    ids: dict[str, str] = {}

    def fit_in_run(name: str) -> None:
        with ss.start_run(run_name=name) as run:
            LogisticRegression(C=1.0 if name == "a" else 2.0).fit(x, y)
        ids[name] = run.info.run_id

    threads = [threading.Thread(target=fit_in_run, args=(n,)) for n in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ss.get_run(ids["a"]).data.params["C"] == "1.0"
    assert ss.get_run(ids["b"]).data.params["C"] == "2.0"
    with parallel_backend("threading", n_jobs=2):
        GridSearchCV(LogisticRegression(), {"C": [0.5, 1.0]}, cv=2, n_jobs=2).fit(x, y)
    searches = [r for r in runs() if r.info.run_name == "GridSearchCV"]
    assert len(searches) == 1 and len(runs()) == 2 + 1 + 2  # a, b, the search, 2 children


def test_import_slipstream_and_tracking_do_not_import_sklearn() -> None:
    code = ("import sys, slipstream as ss, slipstream.tracking.fluent, slipstream.tracking.client,"
            " slipstream.tracking.log_calls; ss.sklearn; ss.autolog;"
            " assert 'sklearn' not in sys.modules, 'sklearn imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("executor", ["inline", "process:2"])
def test_autolog_in_a_task_logs_to_the_tasks_run(client: Any, executor: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.datasets import make_classification as make

    from slipstream.tracking.fluent import default_tracking_client
    from tests.execution.helpers import run as execute
    from tests.tracking.flows import autologged as flow

    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    endpoint = os.environ.get("SLIPSTREAM_S3_ENDPOINT_URL")
    if endpoint:  # run artifacts are written with plain fsspec, which reads botocore's variable
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    try:
        score, execution = execute(client, flow.fit, executor=executor, n=60)
    finally:
        ss.sklearn.autolog(disable=True)  # the inline task turned it on in this process
    store = default_tracking_client().store
    (run,) = store.list_runs_for_execution(execution.id)
    assert run.info.run_name == "train" and run.info.node_id == "n0"
    assert run.info.status == "FINISHED"  # ended by the engine with the task, not by autolog
    assert run.data.params["C"] == "0.5"
    assert run.data.tags["estimator_name"] == "LogisticRegression"
    x, y = make(n_samples=60, n_features=5, random_state=0)
    assert run.data.metric_values["training_score"] == pytest.approx(score, rel=1e-12)
    import fsspec

    fs, root = fsspec.core.url_to_fs(f"{run.info.artifact_uri.rstrip('/')}/model")
    with fs.open(f"{root}/model.pkl", "rb") as handle:
        import cloudpickle

        model = cloudpickle.loads(handle.read())
    assert model.score(x, y) == score
