"""Stdlib-only helpers shared by the tuning benchmark scripts (one per tool).

Each script runs ONE measurement per process (`--bench tpe|grid|parallel`; the quality scripts:
one algorithm over all seeds) in a fresh temporary folder and prints one JSON line
`{"tool": ..., "bench": ...}`. The objectives, spaces and sizes live here (the quality
benchmark's scikit-learn objective in _logreg.py), so both tools do exactly the same work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from typing import Any

START = time.perf_counter()

TPE_TRIALS = 200
SEED = 0
# the trivial objective: (x - 2)^2 + (y + 3)^2 over x float in [-10, 10], y int in [-10, 10]
X_RANGE = (-10.0, 10.0)
Y_RANGE = (-10, 10)
GRID_SIZES = (250, 500, 1000, 2000)
GRID_X = 10  # a grid of n points: 10 values of x times n / 10 values of y
PARALLEL_TRIALS = 12
CPU_LOOPS = 3_000_000  # pure-Python iterations per CPU-bound trial (about 0.2-0.4 s here)
# the quality benchmark (_logreg.py): TPE's budget against random search's, over QUALITY_SEEDS
QUALITY_TRIALS = {"tpe": 50, "random": 200}
QUALITY_SEEDS = 10  # sampler seeds 0 .. 9
QUALITY_CHECKPOINTS = (10, 25, 50, 100, 200)  # trials at which the best-so-far is reported
QUALITY_C = (1e-4, 1e2)  # C log-uniform
QUALITY_PENALTIES = ("l1", "l2")
QUALITY_SAMPLES, QUALITY_FEATURES, QUALITY_TEST_SIZE = 5000, 20, 0.3
QUALITY_DATA_SEED = 0  # make_classification, the split and liblinear
QUALITY_MAX_ITER = 100


def parse_args(description: str, *, storages: tuple[str, ...] = ()) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bench", choices=["tpe", "grid", "parallel"], required=True)
    parser.add_argument("--n", type=int, default=None, help="tpe: trials; grid: grid points")
    parser.add_argument("--parallel", type=int, default=1,
                        help="parallel: trials at a time (Optuna: n_jobs threads)")
    if storages:
        parser.add_argument("--storage", choices=storages, default=storages[0])
    parser.add_argument("--json", action="store_true", help="print the JSON line (always on)")
    return parser.parse_args()


def parse_quality_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--algorithm", choices=sorted(QUALITY_TRIALS), required=True)
    parser.add_argument("--trials", type=int, default=None,
                        help="trials per study (default: QUALITY_TRIALS[algorithm])")
    parser.add_argument("--seeds", type=int, default=QUALITY_SEEDS, help="seeds 0 .. N-1")
    parser.add_argument("--json", action="store_true", help="print the JSON line (always on)")
    return parser.parse_args()


def best_so_far(values: list[float | None]) -> list[float | None]:
    """The best (highest) value among the first k trials, for k = 1 .. len(values)."""
    out: list[float | None] = []
    best: float | None = None
    for v in values:
        if v is not None and (best is None or v > best):
            best = v
        out.append(best)
    return out


def quality_fields(curves: list[list[float | None]]) -> dict[str, Any]:
    """Per checkpoint reached: every seed's best-so-far and their mean."""
    at: dict[str, list[float | None]] = {}
    for k in QUALITY_CHECKPOINTS:
        if all(len(curve) >= k for curve in curves):
            at[str(k)] = [curve[k - 1] for curve in curves]
    means: dict[str, float | None] = {}
    for k, seeds in at.items():
        nums = [v for v in seeds if v is not None]
        means[k] = round(sum(nums) / len(nums), 6) if nums and len(nums) == len(seeds) else None
    return {"best_at": at, "mean_best_at": means}


def trivial(x: float, y: int) -> float:
    return (x - 2.0) ** 2 + (y + 3) ** 2


def grid_values(n: int) -> tuple[list[float], list[int]]:
    """The grid of n points (n a multiple of GRID_X): x evenly over X_RANGE, y = 0, 1, ..."""
    if n % GRID_X:
        raise SystemExit(f"grid size {n} is not a multiple of {GRID_X}")
    lo, hi = X_RANGE
    xs = [lo + (hi - lo) * i / (GRID_X - 1) for i in range(GRID_X)]
    return xs, list(range(n // GRID_X))


def cpu_work(loops: int = CPU_LOOPS) -> float:
    """A CPU-bound objective body that holds the GIL: a pure-Python loop."""
    total = 0
    for i in range(loops):
        total += i * i % 7
    return float(total)


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def emit(tool: str, bench: str, **fields: Any) -> None:
    record = {
        "tool": tool,
        "bench": bench,
        **fields,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "process_s": round(time.perf_counter() - START, 3),
    }
    print(json.dumps(record), flush=True)
