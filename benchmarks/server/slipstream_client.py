"""Slipstream's own Python API against a server, through its REST store
(SLIPSTREAM_TRACKING_URI=http://...).

    python slipstream_client.py --url http://127.0.0.1:P --bench latency|bulk

latency: `ss.log_metric` per call (buffered: the call never waits for HTTP), plus the flush at
end_run, over HTTP_CALLS calls. bulk: `ss.log_metrics({10 keys}, step)` until BULK_METRICS,
then `ss.end_run()` (everything stored when it returns). One JSON line on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tracking"))
import _common as c

HTTP_CALLS = 300

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--url", required=True)
parser.add_argument("--bench", choices=["latency", "bulk"], required=True)
parser.add_argument("--server", default="slipstream", help="which server answers (for the record)")
parser.add_argument("--json", action="store_true", help="print the JSON line (always on)")
ARGS = parser.parse_args()
os.environ["SLIPSTREAM_TRACKING_URI"] = ARGS.url
os.environ.pop("SLIPSTREAM_STORE_URL", None)

import slipstream as ss  # noqa: E402

TOOL = "slipstream-client"


def bench_latency() -> None:
    ss.set_experiment(f"{c.EXPERIMENT}-{uuid.uuid4().hex[:8]}")
    run = ss.start_run()
    for i in range(c.LATENCY_WARMUP):
        ss.log_metric("warmup", float(i), step=i)
    calls = c.time_calls(lambda i: ss.log_metric("loss", i * 0.001, step=i), HTTP_CALLS)
    t0 = time.perf_counter()
    ss.end_run()
    flush_s = time.perf_counter() - t0
    stored = len(ss.get_metric_history(run.info.run_id, "loss"))
    c.emit(TOOL, "latency", server=ARGS.server, **c.latency_summary(calls, flush_s),
           stored=stored)


def bench_bulk() -> None:
    ss.set_experiment(f"{c.EXPERIMENT}-{uuid.uuid4().hex[:8]}")
    run = ss.start_run()
    steps = c.BULK_METRICS // c.BULK_KEYS
    keys = [f"m{k}" for k in range(c.BULK_KEYS)]
    t0 = time.perf_counter()
    for step in range(steps):
        ss.log_metrics({key: step * 0.001 + k for k, key in enumerate(keys)}, step=step)
    ss.end_run()
    wall = time.perf_counter() - t0
    stored = sum(len(ss.get_metric_history(run.info.run_id, key)) for key in keys)
    c.emit(TOOL, "bulk", server=ARGS.server, n=c.BULK_METRICS, wall_s=round(wall, 4),
           metrics_per_s=round(c.BULK_METRICS / wall, 1), stored=stored,
           how="ss.log_metrics({10 keys}, step) x 5,000 + ss.end_run(), over HTTP")


if __name__ == "__main__":
    try:
        {"latency": bench_latency, "bulk": bench_bulk}[ARGS.bench]()
    finally:
        sys.stdout.flush()
