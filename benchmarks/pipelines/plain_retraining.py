"""The floor: the retraining pipeline as plain Python function calls, no orchestrator."""

# ruff: noqa: I001  (import order is deliberate: _bench starts the import clock)

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _bench  # first: starts the import clock
import time

from _work import accuracy, c_grid, fit, make_frame, split_frame

IMPORT_S = time.perf_counter() - _bench.START


def retrain(n_rows: int = 5000, threshold: float = 0.05, n_c_values: int = 1, seed: int = 7) -> float:
    train_data = make_frame(n_rows, 0.0, seed)
    drifted_data = make_frame(n_rows, 1.5, seed)
    train, test = split_frame(train_data, seed)
    model = fit(train, 1.0)
    baseline = accuracy(model, test)
    current = accuracy(model, drifted_data)
    if baseline - current > threshold:
        _bench.mark("drifted")
        d_train, d_test = split_frame(drifted_data, seed)
        tuned = max(accuracy(fit(d_train, c), d_test) for c in c_grid(n_c_values))
        _bench.mark("best")
        return tuned
    return current


def main() -> None:
    args = _bench.parse_args(__doc__ or "")
    start = time.perf_counter()
    result = retrain(threshold=_bench.THRESHOLD, seed=_bench.SEED, **_bench.VARIANTS[args.variant])
    call_s = time.perf_counter() - start
    _bench.emit(args, "plain", result, IMPORT_S, call_s)


if __name__ == "__main__":
    main()
