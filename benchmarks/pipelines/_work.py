"""The numeric work of examples/retraining.py as plain functions (numpy, pandas, scikit-learn).

The plain floor and the flytekit pipeline call these, so the three run byte-for-byte the same
learning code; the kfp components carry their own copy (kfp ships each component's source alone).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

N_FEATURES = 20


def make_frame(n_rows: int, shift: float, seed: int) -> pd.DataFrame:
    x, y = make_classification(
        n_samples=n_rows, n_features=N_FEATURES, n_informative=10, random_state=seed + 1 if shift else seed
    )
    if shift:
        rng = np.random.default_rng(seed)
        x = x + shift * rng.normal(size=N_FEATURES)
        y = np.where(x[:, 0] + x[:, 1] > shift, 1 - y, y)
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    frame["label"] = y
    return frame


def split_frame(data: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    train, test = train_test_split(data, test_size=0.25, random_state=seed)
    return train, test


def fit(data: pd.DataFrame, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=1000)
    return model.fit(data.drop(columns="label").to_numpy(), data["label"].to_numpy())


def accuracy(model: LogisticRegression, data: pd.DataFrame) -> float:
    return float(model.score(data.drop(columns="label").to_numpy(), data["label"].to_numpy()))


def c_grid(n_c_values: int) -> list[float]:
    if n_c_values <= 1:
        return [1.0]
    return [float(c) for c in np.logspace(-2, 2, n_c_values)]
