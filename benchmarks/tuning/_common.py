"""Stdlib-only helpers shared by the tuning benchmark scripts (one per tool).

Each script runs ONE measurement per process (`--bench tpe|grid|parallel`) in a fresh temporary
folder and prints one JSON line `{"tool": ..., "bench": ...}`. The objectives, spaces and sizes
live here, so both tools do exactly the same work.
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
