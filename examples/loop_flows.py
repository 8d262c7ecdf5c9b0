"""The workflows of the closed retraining loop (retraining_loop.py), built from the tasks of the
paper's pipeline (retraining.py):

    train_first       train v1 on `train_data` (C=1), register it with its training data in
                      lineage, and point `champion` at it
    retrain_on_drift  what the drift trigger launches: the `@dynamic` tuning fan-out over
                      `n_c_values` values of C on the new labelled data (`drifted_data`), the best
                      candidate registered, and promoted only when it beats the champion on
                      held-out new rows that neither model was fitted or chosen on

Each registered version carries its figures as tags (`accuracy`, `C`, and for a challenger
`champion_version`, `champion_accuracy`, `promoted`), so the registry says why an alias moved.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from retraining import _accuracy, c_grid, load, score, split, train
from sklearn.linear_model import LogisticRegression

import slipstream as ss
from slipstream import dynamic, task, workflow

FEATURES = [f"f{i}" for i in range(20)]


class Registered(NamedTuple):
    version: int
    accuracy: float


class Candidate(NamedTuple):
    model: LogisticRegression
    c: float
    accuracy: float


class Promotion(NamedTuple):
    version: int
    c: float
    accuracy: float
    champion_version: int
    champion_accuracy: float
    promoted: bool


def new_rows(n_rows: int, shift: float, seed: int) -> pd.DataFrame:
    """Rows of `load`'s data set (shift 0: `train_data`, else `drifted_data`) that v1 never
    saw: the held-out part of its split, the traffic a server would get."""
    return split.fn(load.fn(n_rows=n_rows, shift=shift, seed=seed), seed=seed).test


def _register(model: LogisticRegression, train_set: pd.DataFrame, name: str,
              tags: dict[str, object]) -> int:
    """Log `model` from this task's run with `train_set` as its training data (stored as a
    run artifact, so a monitor can read it back from lineage); register a version of `name`."""
    with tempfile.TemporaryDirectory(prefix="loop-") as folder:
        path = Path(folder) / "train.parquet"
        train_set.to_parquet(path)
        ss.log_artifact(path, "data")
    run = ss.active_run()
    assert run is not None  # log_artifact made the task's run
    ss.log_input(train_set, context="training", name=f"{name}-train",
                 source=f"runs:/{run.run_id}/data/train.parquet")
    with warnings.catch_warnings():  # fitted on arrays (retraining.py), it is served frames
        warnings.filterwarnings("ignore", message="X has feature names")
        info = ss.models.log_model(model, input_example=train_set[FEATURES].head(3))
    version = ss.models.register_model(info.model_uri, name,
                                       tags={k: str(v) for k, v in tags.items()})
    return version.version


@task
def register_first(model: LogisticRegression, train_set: pd.DataFrame, accuracy: float,
                   name: str) -> Registered:
    """Register v1 and make it the champion."""
    version = _register(model, train_set, name, {"accuracy": f"{accuracy:.4f}", "C": 1.0})
    ss.models.set_alias(name, "champion", version)
    return Registered(version, accuracy)


@workflow
def train_first(model: str = "retraining", n_rows: int = 5000, seed: int = 7) -> Registered:
    """Train v1 on `train_data` and register it as the champion."""
    parts = split(data=load(n_rows=n_rows, shift=0.0, seed=seed), seed=seed)
    fitted = train(data=parts.train, c=1.0)
    accuracy = score(model=fitted, data=parts.test)
    return register_first(model=fitted, train_set=parts.train, accuracy=accuracy, name=model)


@task
def pick(models: list[LogisticRegression], cs: list[float], scores: list[float]) -> Candidate:
    """The candidate with the best validation accuracy (the first of equals)."""
    best = max(range(len(scores)), key=scores.__getitem__)
    return Candidate(models[best], cs[best], scores[best])


@dynamic
def tune(data: pd.DataFrame, seed: int, n_c_values: int) -> Candidate:
    """Fit one candidate per value of C on part of `data`, score each on the rest, keep the
    best: the paper's tuning fan-out, built at run time."""
    parts = split(data=data, seed=seed)
    grid = c_grid(n_c_values)
    models = [train(data=parts.train, c=c) for c in grid]
    scores = [score(model=m, data=parts.test) for m in models]
    return pick(models=models, cs=grid, scores=scores)


@task
def register_if_better(candidate: LogisticRegression, c: float, train_set: pd.DataFrame,
                       holdout: pd.DataFrame, name: str, alias: str,
                       min_gain: float) -> Promotion:
    """Score the candidate (fitted with `c`) and the current `alias` on `holdout`; register the candidate, and
    move `alias` to it only when it beats the champion by more than `min_gain`."""
    champion = ss.models.get_model_version(name, alias)
    champion_model = ss.models.load_model(f"models:/{name}/{champion.version}")
    champion_accuracy = _accuracy(champion_model, holdout)
    accuracy = _accuracy(candidate, holdout)
    promoted = accuracy > champion_accuracy + min_gain
    version = _register(candidate, train_set, name, {
        "accuracy": f"{accuracy:.4f}", "C": c, "champion_version": champion.version,
        "champion_accuracy": f"{champion_accuracy:.4f}", "promoted": promoted})
    if promoted:
        ss.models.set_alias(name, alias, version)
    return Promotion(version, c, accuracy, int(champion.version), champion_accuracy,
                     promoted)


@workflow
def retrain_on_drift(model: str = "retraining", alias: str = "champion", n_rows: int = 5000,
                     shift: float = 1.5, seed: int = 7, n_c_values: int = 5,
                     min_gain: float = 0.0) -> Promotion:
    """Retrain on the new labelled data, tune C, and promote only a better model."""
    parts = split(data=load(n_rows=n_rows, shift=shift, seed=seed), seed=seed)
    best = tune(data=parts.train, seed=seed, n_c_values=n_c_values)
    return register_if_better(candidate=best.model, c=best.c, train_set=parts.train, holdout=parts.test,
                              name=model, alias=alias, min_gain=min_gain)
