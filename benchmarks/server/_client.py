"""What the server benchmark's two client scripts share: their arguments, the workload (the
tracking benchmarks' constants, tracking/_common.py) and their JSON records."""

from __future__ import annotations

import argparse
import sys
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


def emit_latency(tool: str, server: str, calls: list[int], flush_s: float, stored: int) -> None:
    c.emit(tool, "latency", server=server, **c.latency_summary(calls, flush_s), stored=stored)


def emit_bulk(tool: str, server: str, wall: float, stored: int, how: str) -> None:
    c.emit(tool, "bulk", server=server, n=c.BULK_METRICS, wall_s=round(wall, 4),
           metrics_per_s=round(c.BULK_METRICS / wall, 1), stored=stored, how=how)


def run(benches: dict[str, Callable[[], None]], bench: str) -> None:
    try:
        benches[bench]()
    finally:
        sys.stdout.flush()
