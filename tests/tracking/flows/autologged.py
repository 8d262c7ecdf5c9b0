"""A workflow whose task fits a scikit-learn model with autologging on: the fit must log to
the task's run. `autolog()` is called in the task body, so it holds in process-pool workers."""

from __future__ import annotations

import slipstream as ss
from slipstream import task, workflow


@task
def train(n: int) -> float:
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    ss.sklearn.autolog(silent=True)
    x, y = make_classification(n_samples=n, n_features=5, random_state=0)
    model = LogisticRegression(C=0.5, max_iter=200).fit(x, y)
    return float(model.score(x, y))


@workflow
def fit(n: int = 60) -> float:
    return train(n=n)
