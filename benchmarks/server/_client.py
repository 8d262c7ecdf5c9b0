"""What the server benchmark's two client scripts share: their arguments, the workload (the
tracking benchmarks' constants, tracking/_common.py) and their JSON records."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tracking"))
import _common as c

HTTP_CALLS = 300  # timed log_metric calls against a server
BULK_STEPS = c.BULK_METRICS // c.BULK_KEYS
BULK_KEYS = [f"m{k}" for k in range(c.BULK_KEYS)]


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--url", required=True, help="the server, http://127.0.0.1:PORT")
    parser.add_argument("--bench", choices=["latency", "bulk"], required=True)
    parser.add_argument("--server", required=True, help="which server answers (for the record)")
    parser.add_argument("--json", action="store_true", help="print the JSON line (always on)")
    return parser.parse_args()


def bulk_value(step: int, k: int) -> float:
    """The value of key BULK_KEYS[k] at `step` (the tracking benchmarks' bulk values)."""
    return step * 0.001 + k


def latency(tool: str, server: str, log: Callable[[str, float, int], object],
            end_run: Callable[[], object], stored: Callable[[], int]) -> None:
    """Untimed warm-up calls, HTTP_CALLS timed `log(key, value, step)` calls, then `end_run()`
    (timed as the flush); emit the record with how many "loss" points `stored()` finds."""
    for i in range(c.LATENCY_WARMUP):
        log("warmup", float(i), i)
    calls = c.time_calls(lambda i: log("loss", i * 0.001, i), HTTP_CALLS)
    t0 = time.perf_counter()
    end_run()
    flush_s = time.perf_counter() - t0
    c.emit(tool, "latency", server=server, **c.latency_summary(calls, flush_s), stored=stored())


def bulk(tool: str, server: str, send: Callable[[], object], end_run: Callable[[], object],
         count: Callable[[str], int], how: str) -> None:
    """Time `send()` (all BULK_METRICS points) and `end_run()`; emit the record with the points
    `count(key)` finds stored for every key."""
    t0 = time.perf_counter()
    send()
    end_run()
    wall = time.perf_counter() - t0
    stored = sum(count(key) for key in BULK_KEYS)
    c.emit(tool, "bulk", server=server, n=c.BULK_METRICS, wall_s=round(wall, 4),
           metrics_per_s=round(c.BULK_METRICS / wall, 1), stored=stored, how=how)


def run(benches: dict[str, Callable[[], None]], bench: str) -> None:
    try:
        benches[bench]()
    finally:
        sys.stdout.flush()
