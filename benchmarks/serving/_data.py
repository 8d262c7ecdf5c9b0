"""The serving benchmark's model and data, the same for both tools (numpy, pandas, sklearn).

A scikit-learn LogisticRegression on a synthetic DataFrame of 8 numeric columns; the query
rows are fixed too, and their predictions go into the record each tool's model script writes,
so the load generator can check that a server answers what the model predicts in-process.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

COLUMNS = [f"f{i}" for i in range(8)]
TRAIN_ROWS = 2000
QUERY_ROWS = 64  # single-row requests cycle over these
BATCH_ROWS = 1000  # the batch request


def frame(n: int, seed: int) -> pd.DataFrame:
    """n rows of 8 float64 columns, rounded so JSON carries them exactly."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(np.round(rng.normal(size=(n, len(COLUMNS))), 6), columns=COLUMNS)


def train() -> tuple[LogisticRegression, pd.DataFrame]:
    """The fitted model and its training frame (deterministic)."""
    x = frame(TRAIN_ROWS, 0)
    weights = np.linspace(-1.0, 1.0, len(COLUMNS))
    y = (x.to_numpy() @ weights + np.random.default_rng(1).normal(scale=0.5, size=len(x)) > 0)
    model = LogisticRegression().fit(x, y.astype(np.int64))
    return model, x


def queries() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the single-row query rows, the 1,000-row batch)."""
    return frame(QUERY_ROWS, 2), frame(BATCH_ROWS, 3)


def write_record(out: Path, uri: str, log_model_s: float, model: LogisticRegression,
                 **extra: Any) -> None:
    """The model script's output: where the model is, how long log_model took, the query rows
    and the model's own predictions for them."""
    rows, batch = queries()
    record = {"uri": uri, "log_model_s": round(log_model_s, 4), "columns": COLUMNS,
              "rows": rows.to_numpy().tolist(), "expected": model.predict(rows).tolist(),
              "batch": batch.to_numpy().tolist(), "batch_expected": model.predict(batch).tolist(),
              **extra}
    out.write_text(json.dumps(record))


def timed(call: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    value = call()
    return value, time.perf_counter() - t0
