"""The quality benchmark's fixed objective: held-out accuracy of a logistic regression on
`make_classification(n_samples=5000, n_features=20, random_state=0)`, one fixed train/test split
(70/30, random_state=0), solver liblinear (both penalties), max_iter and random_state fixed, so
a (C, penalty) point always scores the same. Needs numpy and scikit-learn (both tools' venvs).
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import _common as c

_DATA: tuple[Any, Any, Any, Any] | None = None
_L1_RATIO: bool | None = None  # scikit-learn >= 1.8 deprecates `penalty` for `l1_ratio`
SECONDS = [0.0]  # time spent in accuracy(), summed: the objective's own share of a study


def data() -> tuple[Any, Any, Any, Any]:
    """(X_train, X_test, y_train, y_test), made once per process."""
    global _DATA, _L1_RATIO
    if _DATA is None:
        import sklearn
        from sklearn.datasets import make_classification
        from sklearn.model_selection import train_test_split

        X, y = make_classification(n_samples=c.QUALITY_SAMPLES, n_features=c.QUALITY_FEATURES,
                                   random_state=c.QUALITY_DATA_SEED)
        _DATA = tuple(train_test_split(X, y, test_size=c.QUALITY_TEST_SIZE,
                                       random_state=c.QUALITY_DATA_SEED))
        _L1_RATIO = tuple(int(p) for p in sklearn.__version__.split(".")[:2]) >= (1, 8)
    return _DATA


def accuracy(C: float, penalty: str) -> float:
    """Held-out accuracy of LogisticRegression(C, penalty) fitted on the training split."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    start = time.perf_counter()
    X_train, X_test, y_train, y_test = data()
    if penalty not in c.QUALITY_PENALTIES:
        raise ValueError(f"penalty must be one of {c.QUALITY_PENALTIES}, not {penalty!r}")
    how: dict[str, Any] = ({"l1_ratio": 1.0 if penalty == "l1" else 0.0} if _L1_RATIO
                           else {"penalty": penalty})
    model = LogisticRegression(C=C, solver="liblinear", max_iter=c.QUALITY_MAX_ITER,
                               random_state=c.QUALITY_DATA_SEED, **how)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    score = float(model.score(X_test, y_test))
    SECONDS[0] += time.perf_counter() - start
    return score


def fit_times() -> dict[str, float]:
    """Seconds of one fit at a few fixed points (median of 3 each), untimed by the studies."""
    import statistics

    data()
    out = {}
    for C in (1e-4, 1e-2, 1.0, 1e2):
        for penalty in c.QUALITY_PENALTIES:
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                accuracy(C, penalty)
                runs.append(time.perf_counter() - start)
            out[f"{penalty}_C{C:g}"] = round(statistics.median(runs), 4)
    SECONDS[0] = 0.0
    return out


def sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)
