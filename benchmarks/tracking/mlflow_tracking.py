"""mlflow's side of the tracking benchmarks (see benchmarks/README.md, "Tracking").

    python mlflow_tracking.py --bench latency|bulk|runs|search [--n N] [--budget-s S]

A fresh SQLite store (`mlflow.set_tracking_uri("sqlite:///...")`) and artifact folder in a
temporary directory; mlflow's defaults otherwise (synchronous logging). One JSON line on stdout.
The store's schema is created (alembic migrations) before anything is timed.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import _common as c

ARGS = c.parse_args(__doc__ or "")
TMP = tempfile.TemporaryDirectory(prefix="mlflow-tracking-bench-")

import mlflow  # noqa: E402
from mlflow.entities import Metric, Param  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

TOOL = "mlflow"
mlflow.set_tracking_uri(f"sqlite:///{Path(TMP.name) / 'tracking.db'}")


def experiment() -> str:
    """Create the experiment (and the store's schema) with artifacts in the temp folder."""
    artifacts = (Path(TMP.name) / "artifacts").as_uri()
    experiment_id = MlflowClient().create_experiment(c.EXPERIMENT, artifact_location=artifacts)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def bench_latency() -> None:
    experiment()
    run = mlflow.start_run()
    for i in range(c.LATENCY_WARMUP):
        mlflow.log_metric("warmup", float(i), step=i)
    calls = c.time_calls(lambda i: mlflow.log_metric("loss", i * 0.001, step=i), c.LATENCY_CALLS)
    t0 = time.perf_counter()
    mlflow.end_run()
    flush_s = time.perf_counter() - t0
    stored = len(MlflowClient().get_metric_history(run.info.run_id, "loss"))
    c.emit(TOOL, "latency", **c.latency_summary(calls, flush_s), stored=stored)


def bench_bulk() -> None:
    experiment()
    client = MlflowClient()
    run_id = mlflow.start_run().info.run_id
    steps = c.BULK_METRICS // c.BULK_KEYS
    keys = [f"m{k}" for k in range(c.BULK_KEYS)]
    t0 = time.perf_counter()
    now = int(time.time() * 1000)
    points = [Metric(key, step * 0.001 + k, now, step)
              for step in range(steps) for k, key in enumerate(keys)]
    for start in range(0, len(points), c.BULK_CHUNK):
        client.log_batch(run_id, metrics=points[start:start + c.BULK_CHUNK])
    mlflow.end_run()
    wall = time.perf_counter() - t0
    stored = sum(len(client.get_metric_history(run_id, key)) for key in keys)
    c.emit(TOOL, "bulk", n=c.BULK_METRICS, wall_s=round(wall, 4),
           metrics_per_s=round(c.BULK_METRICS / wall, 1), stored=stored,
           how="MlflowClient().log_batch(1,000 metrics) x 50 + mlflow.end_run()")


def bench_runs() -> None:
    experiment()
    t0 = time.perf_counter()
    for r in range(c.RUNS):
        with mlflow.start_run():
            for j in range(c.RUN_PARAMS):
                mlflow.log_param(f"p{j}", f"{r}-{j}")
            for j in range(c.RUN_METRICS):
                mlflow.log_metric(f"m{j}", r + j * 0.1)
    wall = time.perf_counter() - t0
    found = len(mlflow.search_runs(experiment_names=[c.EXPERIMENT]))
    c.emit(TOOL, "runs", n=c.RUNS, wall_s=round(wall, 4),
           ms_per_run=round(wall / c.RUNS * 1000, 2), stored=found)


def bench_search() -> None:
    wanted = ARGS.n or c.SEARCH_RUNS
    experiment_id = experiment()
    client = MlflowClient()
    t0 = time.perf_counter()
    target = wanted
    i = 0
    while i < target:
        acc, cval = c.search_run_values(i)
        run_id = client.create_run(experiment_id).info.run_id
        client.log_batch(run_id, metrics=[Metric("acc", acc, int(time.time() * 1000), 0)],
                         params=[Param("C", cval)])
        i += 1
        if i == 200:
            target = c.search_target(i, time.perf_counter() - t0, wanted, ARGS.budget_s)
    setup_s = time.perf_counter() - t0
    times, rows, top = [], 0, None
    for _ in range(c.SEARCH_REPEATS):
        t1 = time.perf_counter()
        df = mlflow.search_runs(experiment_names=[c.EXPERIMENT], filter_string=c.SEARCH_FILTER,
                                order_by=[c.SEARCH_ORDER])
        times.append(time.perf_counter() - t1)
        rows = len(df)
        top = float(df["metrics.acc"].iloc[0]) if rows else None
    note = (f"capped at {target} runs: creating {wanted} would take more than "
            f"{ARGS.budget_s:.0f} s here" if target < wanted else None)
    c.emit(TOOL, "search", n_runs=target, setup_s=round(setup_s, 3),
           search_s=round(statistics.median(times), 4), searches=[round(t, 4) for t in times],
           n_results=rows, top_acc=top, result_type=type(df).__name__, note=note)


if __name__ == "__main__":
    try:
        {"latency": bench_latency, "bulk": bench_bulk, "runs": bench_runs,
         "search": bench_search}[ARGS.bench]()
    finally:
        sys.stdout.flush()
