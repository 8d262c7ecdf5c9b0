"""The real mlflow client against a tracking server (`--url`): either server, same calls.

    python mlflow_client.py --url http://127.0.0.1:P --bench latency|bulk --server NAME

latency: `mlflow.log_metric` (synchronous, one HTTP request each), median over HTTP_CALLS calls.
bulk: `MlflowClient().log_batch` of 1,000 metrics per request (MLflow's per-request limit) until
BULK_METRICS are stored, then `mlflow.end_run()`. One JSON line on stdout.
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

HTTP_CALLS = 300  # timed log_metric requests

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--url", required=True)
parser.add_argument("--bench", choices=["latency", "bulk"], required=True)
parser.add_argument("--server", required=True, help="which server answers (for the record)")
parser.add_argument("--json", action="store_true", help="print the JSON line (always on)")
ARGS = parser.parse_args()
os.environ["MLFLOW_TRACKING_URI"] = ARGS.url

import mlflow  # noqa: E402
from mlflow.entities import Metric  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

TOOL = "mlflow-client"


def start() -> str:
    mlflow.set_tracking_uri(ARGS.url)
    mlflow.set_experiment(f"{c.EXPERIMENT}-{uuid.uuid4().hex[:8]}")
    return mlflow.start_run().info.run_id


def bench_latency() -> None:
    run_id = start()
    for i in range(c.LATENCY_WARMUP):
        mlflow.log_metric("warmup", float(i), step=i)
    calls = c.time_calls(lambda i: mlflow.log_metric("loss", i * 0.001, step=i), HTTP_CALLS)
    t0 = time.perf_counter()
    mlflow.end_run()
    flush_s = time.perf_counter() - t0
    stored = len(MlflowClient().get_metric_history(run_id, "loss"))
    c.emit(TOOL, "latency", server=ARGS.server, **c.latency_summary(calls, flush_s),
           stored=stored)


def bench_bulk() -> None:
    run_id = start()
    client = MlflowClient()
    steps = c.BULK_METRICS // c.BULK_KEYS
    keys = [f"m{k}" for k in range(c.BULK_KEYS)]
    t0 = time.perf_counter()
    now = int(time.time() * 1000)
    points = [Metric(key, step * 0.001 + k, now, step)
              for step in range(steps) for k, key in enumerate(keys)]
    for first in range(0, len(points), c.BULK_CHUNK):
        client.log_batch(run_id, metrics=points[first:first + c.BULK_CHUNK])
    mlflow.end_run()
    wall = time.perf_counter() - t0
    stored = sum(len(client.get_metric_history(run_id, key)) for key in keys)
    c.emit(TOOL, "bulk", server=ARGS.server, n=c.BULK_METRICS, wall_s=round(wall, 4),
           metrics_per_s=round(c.BULK_METRICS / wall, 1), stored=stored,
           how="MlflowClient().log_batch(1,000 metrics) x 50 + mlflow.end_run()")


if __name__ == "__main__":
    try:
        {"latency": bench_latency, "bulk": bench_bulk}[ARGS.bench]()
    finally:
        sys.stdout.flush()
