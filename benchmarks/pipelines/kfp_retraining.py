"""The retraining pipeline written for Kubeflow Pipelines v2, run with kfp's local
SubprocessRunner (each component in its own Python subprocess, in this venv).

Lightweight Python components; DataFrames as parquet `Dataset` artifacts, the model as a joblib
`Model` artifact; `dsl.ParallelFor` fans out over C, `dsl.If`/`dsl.Else` gate the retraining on
drift. kfp serialises each component's source on its own, so the learning code lives inside the
components (the same statements as benchmarks/pipelines/_work.py).
"""

# ruff: noqa: I001  (import order is deliberate: _bench starts the import clock)

# (no `from __future__ import annotations`: kfp reads the annotations as real types)

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _bench  # first: starts the import clock
import tempfile
import time
from typing import List  # noqa: UP035  (kfp's type parser wants typing.List)

import kfp.local
from kfp import dsl
from kfp.dsl import Dataset, Input, Model, Output

IMPORT_S = time.perf_counter() - _bench.START

# The venv already has kfp, pandas, scikit-learn and pyarrow: no per-task pip install.
component = dsl.component(base_image="python:3.11", install_kfp_package=False)


@component
def load(n_rows: int, shift: float, seed: int, data: Output[Dataset]):
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=n_rows, n_features=20, n_informative=10, random_state=seed + 1 if shift else seed
    )
    if shift:
        rng = np.random.default_rng(seed)
        x = x + shift * rng.normal(size=20)
        y = np.where(x[:, 0] + x[:, 1] > shift, 1 - y, y)
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    frame["label"] = y
    frame.to_parquet(data.path)


@component
def split(data: Input[Dataset], seed: int, train_set: Output[Dataset], test_set: Output[Dataset]):
    import pandas as pd
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(pd.read_parquet(data.path), test_size=0.25, random_state=seed)
    train.to_parquet(train_set.path)
    test.to_parquet(test_set.path)


@component
def train(data: Input[Dataset], c: float, model: Output[Model]):
    import joblib
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    frame = pd.read_parquet(data.path)
    fitted = LogisticRegression(C=c, max_iter=1000).fit(
        frame.drop(columns="label").to_numpy(), frame["label"].to_numpy()
    )
    joblib.dump(fitted, model.path)


@component
def score(model: Input[Model], data: Input[Dataset]) -> float:
    import joblib
    import pandas as pd

    frame = pd.read_parquet(data.path)
    fitted = joblib.load(model.path)
    return float(fitted.score(frame.drop(columns="label").to_numpy(), frame["label"].to_numpy()))


@component
def drifted(baseline: float, current: float, threshold: float) -> bool:
    import os
    import time

    found = baseline - current > threshold
    with open(os.environ["BENCH_MARKS"], "a", encoding="utf-8") as out:  # _bench.mark, inline
        out.write(f"drifted {time.time()}\n")
    return found


@component
def c_grid(n_c_values: int) -> List[float]:  # noqa: UP006
    import numpy as np

    if n_c_values <= 1:
        return [1.0]
    return [float(c) for c in np.logspace(-2, 2, n_c_values)]


@component
def train_and_score(train_set: Input[Dataset], test_set: Input[Dataset], c: float) -> float:
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    train = pd.read_parquet(train_set.path)
    test = pd.read_parquet(test_set.path)
    fitted = LogisticRegression(C=c, max_iter=1000).fit(
        train.drop(columns="label").to_numpy(), train["label"].to_numpy()
    )
    return float(fitted.score(test.drop(columns="label").to_numpy(), test["label"].to_numpy()))


@component
def best(scores: List[float]) -> float:  # noqa: UP006
    import os
    import time

    top = max(scores)
    with open(os.environ["BENCH_MARKS"], "a", encoding="utf-8") as out:  # _bench.mark, inline
        out.write(f"best {time.time()}\n")
    return top


@component
def keep(accuracy: float) -> float:
    return accuracy


@dsl.pipeline(name="retrain")
def retrain(
    n_rows: int = 5000,
    threshold: float = 0.05,
    n_c_values: int = 1,
    seed: int = 7,
) -> float:
    train_data = load(n_rows=n_rows, shift=0.0, seed=seed)
    drifted_data = load(n_rows=n_rows, shift=1.5, seed=seed)
    parts = split(data=train_data.outputs["data"], seed=seed)
    model = train(data=parts.outputs["train_set"], c=1.0)
    baseline = score(model=model.outputs["model"], data=parts.outputs["test_set"])
    current = score(model=model.outputs["model"], data=drifted_data.outputs["data"])
    is_drifted = drifted(baseline=baseline.output, current=current.output, threshold=threshold)
    with dsl.If(is_drifted.output == True):  # noqa: E712  (kfp builds a condition from ==)
        d_parts = split(data=drifted_data.outputs["data"], seed=seed)
        grid = c_grid(n_c_values=n_c_values)
        with dsl.ParallelFor(grid.output) as c:
            tuned = train_and_score(
                train_set=d_parts.outputs["train_set"], test_set=d_parts.outputs["test_set"], c=c
            )
        top = best(scores=dsl.Collected(tuned.output))
    with dsl.Else():
        kept = keep(accuracy=current.output)
    return dsl.OneOf(top.output, kept.output)


def main() -> None:
    args = _bench.parse_args(__doc__ or "")
    with tempfile.TemporaryDirectory(prefix="kfp-bench-") as root:
        start = time.perf_counter()
        kfp.local.init(runner=kfp.local.SubprocessRunner(use_venv=False), pipeline_root=root)
        run = retrain(
            threshold=_bench.THRESHOLD,
            seed=_bench.SEED,
            **_bench.VARIANTS[args.variant],
        )
        result = float(run.output)
        call_s = time.perf_counter() - start
    _bench.emit(args, "kfp", result, IMPORT_S, call_s)


if __name__ == "__main__":
    main()
