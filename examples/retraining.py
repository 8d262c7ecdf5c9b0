"""The adaptive retraining pipeline of the Flyte/Kubeflow study (shared/PAPER.md).

Train a logistic regression on `train_data`, score it on `drifted_data`, and only when the
accuracy drops past `threshold` retrain on the drifted data and tune C: one value (base and
scaling variants) or a runtime fan-out over `n_c_values` values with `@dynamic` (tuning variant).

    slipstream run examples/retraining.py:retrain                      # base
    slipstream run examples/retraining.py:retrain --n-rows 15000       # scaling (x3)
    slipstream run examples/retraining.py:retrain --n-c-values 5       # tuning (5 values of C)
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from slipstream import Resources, conditional, dynamic, task, workflow

N_FEATURES = 20


class Split(NamedTuple):
    train: pd.DataFrame
    test: pd.DataFrame


def _frame(x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    frame["label"] = y
    return frame


@task(cache=True, cache_version="1", retries=2, timeout=timedelta(minutes=5),
      requests=Resources(cpu="1", mem="1Gi"))
def load(n_rows: int, shift: float, seed: int) -> pd.DataFrame:
    """A synthetic binary-classification set; `shift` moves the feature means and the boundary."""
    x, y = make_classification(n_samples=n_rows, n_features=N_FEATURES, n_informative=10,
                               random_state=seed + 1 if shift else seed)
    if shift:
        rng = np.random.default_rng(seed)
        x = x + shift * rng.normal(size=N_FEATURES)
        y = np.where(x[:, 0] + x[:, 1] > shift, 1 - y, y)
    return _frame(x, y)


@task
def split(data: pd.DataFrame, seed: int) -> Split:
    """Hold out a quarter of the rows for scoring."""
    train, test = train_test_split(data, test_size=0.25, random_state=seed)
    return Split(train=train, test=test)


def _fit(data: pd.DataFrame, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=1000)
    return model.fit(data.drop(columns="label").to_numpy(), data["label"].to_numpy())


def _accuracy(model: LogisticRegression, data: pd.DataFrame) -> float:
    return float(model.score(data.drop(columns="label").to_numpy(), data["label"].to_numpy()))


@task
def train(data: pd.DataFrame, c: float) -> LogisticRegression:
    """Fit a logistic regression with regularisation C."""
    return _fit(data, c)


@task
def score(model: LogisticRegression, data: pd.DataFrame) -> float:
    """Accuracy of `model` on `data`."""
    return _accuracy(model, data)


@task
def drifted(baseline: float, current: float, threshold: float) -> bool:
    """Drift is an accuracy drop larger than `threshold`."""
    return baseline - current > threshold


@task
def train_and_score(train_set: pd.DataFrame, test_set: pd.DataFrame, c: float) -> float:
    """Retrain on the drifted data with C and score on its held-out part."""
    return _accuracy(_fit(train_set, c), test_set)


@task
def best(scores: list[float]) -> float:
    """The best accuracy over the tuned values of C."""
    return max(scores)


def c_grid(n_c_values: int) -> list[float]:
    """`n_c_values` values of C spaced log-uniformly around the default 1.0 (1.0 alone for one)."""
    if n_c_values <= 1:
        return [1.0]
    return [float(c) for c in np.logspace(-2, 2, n_c_values)]


@dynamic
def retrain_and_tune(data: pd.DataFrame, seed: int, n_c_values: int) -> float:
    """Retrain on drifted data, fanning out over the values of C at run time."""
    parts = split(data=data, seed=seed)
    scores = [train_and_score(train_set=parts.train, test_set=parts.test, c=c)
              for c in c_grid(n_c_values)]
    return best(scores=scores)


@task
def keep(accuracy: float) -> float:
    """No drift: the current model's accuracy stands."""
    return accuracy


@workflow
def retrain(n_rows: int = 5000, threshold: float = 0.05, n_c_values: int = 1,
            seed: int = 7) -> float:
    """Train, measure drift, and retrain + tune only when drift is detected."""
    train_data = load(n_rows=n_rows, shift=0.0, seed=seed)
    drifted_data = load(n_rows=n_rows, shift=1.5, seed=seed)
    parts = split(data=train_data, seed=seed)
    model = train(data=parts.train, c=1.0)
    baseline = score(model=model, data=parts.test)
    current = score(model=model, data=drifted_data)
    is_drifted = drifted(baseline=baseline, current=current, threshold=threshold)
    return (
        conditional("on_drift")
        .if_(is_drifted.is_true())
        .then(retrain_and_tune(data=drifted_data, seed=seed, n_c_values=n_c_values))
        .else_()
        .then(keep(accuracy=current))
    )


if __name__ == "__main__":
    print(f"final accuracy: {retrain():.4f}")
