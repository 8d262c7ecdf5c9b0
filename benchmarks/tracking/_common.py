"""Stdlib-only helpers shared by the tracking benchmark scripts (one per tool).

Each script runs ONE measurement per process (`--bench latency|bulk|runs|search`) against a
fresh SQLite store in a temporary folder, and prints one JSON line `{"tool": ..., "bench": ...}`.
The workload constants live here, so both tools do exactly the same work.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

START = time.perf_counter()

EXPERIMENT = "bench"
LATENCY_CALLS = 2000  # timed log_metric calls
LATENCY_WARMUP = 20  # untimed calls first (first-use costs: connections, caches)
BULK_METRICS = 50_000  # 10 keys x 5,000 steps
BULK_KEYS = 10
BULK_CHUNK = 1000  # metrics per mlflow log_batch (MLflow's per-request limit)
RUNS = 100
RUN_PARAMS = 10
RUN_METRICS = 10
SEARCH_RUNS = 10_000
SEARCH_REPEATS = 3
SEARCH_FILTER = "metrics.acc > 0.5 and params.C = '1.0'"
SEARCH_ORDER = "metrics.acc DESC"
SEARCH_BUDGET_S = 100.0  # the untimed setup of the search runs is capped at about this
C_VALUES = ("0.1", "1.0", "10.0")


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bench", choices=["latency", "bulk", "runs", "search"], required=True)
    parser.add_argument("--n", type=int, default=None, help="search: how many runs to create")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=None,
        help="search: cap the setup near this many seconds (fewer runs, a multiple of 1,000)",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON line (always on)")
    return parser.parse_args()


def search_run_values(i: int) -> tuple[float, str]:
    """(metric acc, param C) of the i-th search run: deterministic, about 1/6 match the filter."""
    return ((i * 7919) % 10_000) / 10_000, C_VALUES[i % len(C_VALUES)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


def latency_summary(call_ns: list[int], flush_s: float) -> dict[str, Any]:
    calls_us = [ns / 1000 for ns in call_ns]
    total_calls_s = sum(call_ns) / 1e9
    return {
        "n": len(call_ns),
        "call_median_us": round(statistics.median(calls_us), 2),
        "call_p99_us": round(percentile(calls_us, 99), 2),
        "call_mean_us": round(statistics.fmean(calls_us), 2),
        "calls_total_s": round(total_calls_s, 4),
        "flush_s": round(flush_s, 4),
        "per_metric_us": round((total_calls_s + flush_s) / len(call_ns) * 1e6, 2),
    }


def time_calls(call: Callable[[int], None], n: int) -> list[int]:
    """Per-call wall time in ns of call(i) for i in range(n), on this thread."""
    out = []
    clock = time.perf_counter_ns
    for i in range(n):
        t0 = clock()
        call(i)
        out.append(clock() - t0)
    return out


def search_target(created: int, elapsed: float, wanted: int, budget_s: float | None) -> int:
    """After `created` runs in `elapsed` s: how many to create in all (a multiple of 1,000, at
    least 1,000) so the setup fits in `budget_s`."""
    if budget_s is None or elapsed <= 0:
        return wanted
    projected = created / elapsed * budget_s
    return min(wanted, max(1000, int(projected // 1000) * 1000))


def emit(tool: str, bench: str, **fields: Any) -> None:
    record = {
        "tool": tool,
        "bench": bench,
        **fields,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "process_s": round(time.perf_counter() - START, 3),
    }
    print(json.dumps(record), flush=True)
