"""What scikit-learn autologging records for one fitted estimator, under MLflow's names:

* params: `get_params(deep=True)` (shallow for a parameter search, whose seed estimator's
  untuned params would mislead), values cut to 6000 characters and keys to 250;
* tags `estimator_name` and `estimator_class`;
* training metrics on the data given to fit: `training_accuracy_score`, `..._precision_score`,
  `..._recall_score`, `..._f1_score` (weighted), `training_log_loss` and `training_roc_auc`
  (with predict_proba) for classifiers; `training_mean_squared_error`,
  `..._root_mean_squared_error`, `..._mean_absolute_error`, `..._r2_score` for regressors;
  `training_score` (the estimator's own `score`) for both;
* the fitted model as the folder artifact `model/` (`models.folder`: the sklearn flavor);
* for GridSearchCV / RandomizedSearchCV: params `best_<name>`, metric `best_cv_score`, the
  artifacts `best_estimator/` and `cv_results.csv`, and one finished child run for each of the
  `max_tuning_runs` best candidates (params: the seed's, updated with the candidate's; metrics:
  the aggregate columns of `cv_results_`).
"""

from __future__ import annotations

import csv
import inspect
import math
import numbers
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slipstream.metadata.validation import MAX_KEY_LENGTH, MAX_PARAM_VALUE_LENGTH
from slipstream.models.folder import save_model
from slipstream.tracking.client import TrackingClient

#: Training rows saved as the model's input example (`log_input_examples=True`).
INPUT_EXAMPLE_ROWS = 5

if TYPE_CHECKING:
    from slipstream.entities import Run

PREFIX = "training_"
Warn = Callable[[str], None]


def is_search(estimator: Any) -> bool:
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

    return isinstance(estimator, GridSearchCV | RandomizedSearchCV)


def estimator_tags(estimator: Any) -> dict[str, str]:
    cls = type(estimator)
    return {"estimator_name": cls.__name__, "estimator_class": f"{cls.__module__}.{cls.__name__}"}


def estimator_params(estimator: Any, deep: bool | None = None) -> dict[str, str]:
    """The estimator's params as strings, cut to MLflow's key and value limits."""
    params = estimator.get_params(deep=not is_search(estimator) if deep is None else deep)
    return truncated(params)


def truncated(params: Mapping[str, Any]) -> dict[str, str]:
    return {str(k)[:MAX_KEY_LENGTH]: str(v)[:MAX_PARAM_VALUE_LENGTH] for k, v in params.items()}


def fit_arguments(fit: Callable[..., Any], estimator: Any, args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(X, y, sample_weight) as passed to `fit` (None for what was not passed)."""
    try:
        bound = inspect.signature(fit).bind(estimator, *args, **kwargs)
    except TypeError:
        return (args[0] if args else kwargs.get("X")), None, None
    values = bound.arguments
    extra = values.get("kwargs") or values.get("fit_params") or values.get("params") or {}
    x = values.get("X", args[0] if args else None)
    y = values.get("y", values.get("Y"))
    weight = values.get("sample_weight", extra.get("sample_weight") if isinstance(extra, dict)
                        else None)
    return x, y, weight


def training_metrics(estimator: Any, x: Any, y: Any, sample_weight: Any,
                     warn: Warn) -> dict[str, float]:
    """MLflow's training metrics for a classifier or regressor, plus `training_score`; each
    metric that cannot be computed is skipped with a warning."""
    if y is None:
        return {}
    from sklearn import metrics
    from sklearn.base import is_classifier, is_regressor

    found: dict[str, float] = {}

    def put(name: str, compute: Callable[[], Any]) -> None:
        try:
            value = float(compute())
        except Exception as exc:
            warn(f"metric {PREFIX}{name} was not logged: {type(exc).__name__}: {exc}")
        else:
            found[PREFIX + name] = value

    if is_classifier(estimator) and hasattr(estimator, "predict"):
        predicted = estimator.predict(x)
        for name, function in (("precision_score", metrics.precision_score),
                               ("recall_score", metrics.recall_score),
                               ("f1_score", metrics.f1_score)):
            put(name, lambda f=function: f(y, predicted, average="weighted",
                                           sample_weight=sample_weight))
        put("accuracy_score", lambda: metrics.accuracy_score(y, predicted, normalize=True,
                                                             sample_weight=sample_weight))
        if hasattr(estimator, "predict_proba"):
            proba = estimator.predict_proba(x)
            put("log_loss", lambda: metrics.log_loss(y, proba, sample_weight=sample_weight))
            scores = proba[:, 1] if proba.shape[1] == 2 else proba
            put("roc_auc", lambda: metrics.roc_auc_score(
                y, scores, average="weighted", sample_weight=sample_weight, multi_class="ovo"))
    elif is_regressor(estimator) and hasattr(estimator, "predict"):
        predicted = estimator.predict(x)
        put("mean_squared_error", lambda: metrics.mean_squared_error(
            y, predicted, sample_weight=sample_weight, multioutput="uniform_average"))
        if PREFIX + "mean_squared_error" in found:
            found[PREFIX + "root_mean_squared_error"] = math.sqrt(
                found[PREFIX + "mean_squared_error"])
        put("mean_absolute_error", lambda: metrics.mean_absolute_error(
            y, predicted, sample_weight=sample_weight, multioutput="uniform_average"))
        put("r2_score", lambda: metrics.r2_score(y, predicted, sample_weight=sample_weight,
                                                 multioutput="uniform_average"))
    if hasattr(estimator, "score"):
        takes_weight = "sample_weight" in inspect.signature(estimator.score).parameters
        put("score", lambda: estimator.score(x, y, sample_weight) if takes_weight
            else estimator.score(x, y))
    return found


def log_model(client: TrackingClient, run_id: str, estimator: Any, artifact_path: str,
              training_x: Any = None) -> None:
    """Save the estimator as a model folder and log it as the artifact `artifact_path/`."""
    example = _head(training_x) if training_x is not None else None
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_model(estimator, Path(tmp) / artifact_path, flavor="sklearn",
                            run_id=run_id, artifact_path=artifact_path, input_example=example)
        client.log_artifacts(run_id, folder, artifact_path)


def log_search(client: TrackingClient, parent: Run, search: Any, max_tuning_runs: int | None,
               log_models: bool, warn: Warn) -> list[str]:
    """The parent's best params, score, best estimator and cv_results.csv, then the child
    runs of the best candidates; returns the child run ids."""
    run_id = parent.info.run_id
    if hasattr(search, "best_params_"):
        client.log_params(run_id, truncated(
            {f"best_{k}": v for k, v in search.best_params_.items()}))
    if hasattr(search, "best_score_"):
        client.log_metric(run_id, "best_cv_score", float(search.best_score_))
    if log_models and hasattr(search, "best_estimator_"):
        log_model(client, run_id, search.best_estimator_, "best_estimator")
    if not hasattr(search, "cv_results_"):
        return []
    results: Mapping[str, Any] = search.cv_results_
    _log_results_csv(client, run_id, results)
    return _child_runs(client, parent, search, results, max_tuning_runs, warn)


def _child_runs(client: TrackingClient, parent: Run, search: Any, results: Mapping[str, Any],
                max_tuning_runs: int | None, warn: Warn) -> list[str]:
    rank_column = "rank_test_score" if "rank_test_score" in results else next(
        (k for k in results if k.startswith("rank_test_")), None)
    count = len(results["params"])
    order = list(range(count))
    if rank_column is not None:
        order.sort(key=lambda i: (results[rank_column][i], i))
    if max_tuning_runs is not None:
        if rank_column is None:
            warn("cv_results_ has no rank_test_* column; child runs follow the search order")
        order = order[:max_tuning_runs]
    seed = search.estimator
    base = seed.get_params(deep=not is_search(seed))
    tags = {**estimator_tags(seed), "mlflow.autologging": "sklearn"}
    end_time = int(time.time() * 1000)
    ids: list[str] = []
    for index in order:
        run = client.create_run(parent.info.experiment_id, None, tags,
                                parent_run_id=parent.info.run_id,
                                execution_id=parent.info.execution_id,
                                node_id=parent.info.node_id, start_time=parent.info.start_time)
        child_id = run.info.run_id
        client.log_params(child_id, truncated({**base, **results["params"][index]}))
        client.log_metrics(child_id, {
            key: float(column[index]) for key, column in results.items()
            if not key.startswith(("param", "split")) and _is_number(column[index])})
        client.end_run(child_id, "FINISHED", end_time=end_time)
        ids.append(child_id)
    return ids


def _log_results_csv(client: TrackingClient, run_id: str, results: Mapping[str, Any]) -> None:
    keys = list(results)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cv_results.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(keys)
            for index in range(len(results["params"])):
                writer.writerow([_cell(results[key][index]) for key in keys])
        client.log_artifact(run_id, path)


def _cell(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _head(x: Any) -> Any:
    try:
        return x.iloc[:INPUT_EXAMPLE_ROWS] if hasattr(x, "iloc") else x[:INPUT_EXAMPLE_ROWS]
    except Exception:
        return None
