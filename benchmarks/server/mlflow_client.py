"""The real mlflow client against a tracking server (`--url`): either server, same calls.

    python mlflow_client.py --url http://127.0.0.1:P --bench latency|bulk --server NAME

latency: `mlflow.log_metric` (synchronous, one HTTP request each), median over HTTP_CALLS calls.
bulk: `MlflowClient().log_batch` of 1,000 metrics per request (MLflow's per-request limit) until
50,000 are stored, then `mlflow.end_run()`. One JSON line on stdout.
"""

from __future__ import annotations

import os
import time
import uuid

import _client as s
from _client import c

ARGS = s.parse_args(__doc__ or "")
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
    s.latency(TOOL, ARGS.server, lambda key, value, step: mlflow.log_metric(key, value, step=step),
              mlflow.end_run, lambda: len(MlflowClient().get_metric_history(run_id, "loss")))


def bench_bulk() -> None:
    run_id = start()
    client = MlflowClient()

    def send() -> None:
        now = int(time.time() * 1000)
        points = [Metric(key, s.bulk_value(step, k), now, step)
                  for step in range(s.BULK_STEPS) for k, key in enumerate(s.BULK_KEYS)]
        for first in range(0, len(points), c.BULK_CHUNK):
            client.log_batch(run_id, metrics=points[first:first + c.BULK_CHUNK])

    s.bulk(TOOL, ARGS.server, send, mlflow.end_run,
           lambda key: len(client.get_metric_history(run_id, key)),
           "MlflowClient().log_batch(1,000 metrics) x 50 + mlflow.end_run()")


if __name__ == "__main__":
    s.run({"latency": bench_latency, "bulk": bench_bulk}, ARGS.bench)
