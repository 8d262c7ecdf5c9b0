"""The end-to-end test's workflow: make churn data, train a logistic regression in a task, log it
from the task's run and register it as a new version of `churn`, and return its accuracy.
`flip` inverts the class boundary, so two runs give two versions that disagree."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

import slipstream as ss
from slipstream import task, workflow

FEATURES = ["tenure", "charges"]


@task
def make_data(rows: int, flip: bool) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(rng.normal(size=(rows, 2)), columns=FEATURES)
    sign = -1.0 if flip else 1.0
    frame["churned"] = (sign * frame["tenure"] > 0).astype(int)
    return frame


@task
def train(data: pd.DataFrame) -> float:
    features = data[FEATURES]
    ss.log_input(data, context="training", name="churn-train")
    model = LogisticRegression().fit(features, data["churned"])
    ss.models.log_model(model, input_example=features.head(3), registered_model_name="churn")
    return float((model.predict(features) == data["churned"]).mean())


@workflow
def retrain(rows: int = 400, flip: bool = False) -> float:
    return train(data=make_data(rows=rows, flip=flip))
