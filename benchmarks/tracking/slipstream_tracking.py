"""Slipstream's side of the tracking benchmarks (see benchmarks/README.md, "Tracking").

    python slipstream_tracking.py --bench latency|bulk|runs|search [--n N] [--budget-s S]

A fresh SQLite store and artifact folder in a temporary directory (SLIPSTREAM_STORE_URL /
SLIPSTREAM_ARTIFACT_URI, set before the first tracking call); one JSON line on stdout.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _common as c

ARGS = c.parse_args(__doc__ or "")
TMP = tempfile.TemporaryDirectory(prefix="ss-tracking-bench-")
os.environ["SLIPSTREAM_HOME"] = str(Path(TMP.name) / "home")
os.environ["SLIPSTREAM_STORE_URL"] = f"sqlite:///{Path(TMP.name) / 'tracking.db'}"
os.environ["SLIPSTREAM_ARTIFACT_URI"] = str(Path(TMP.name) / "artifacts")

import slipstream as ss  # noqa: E402
from slipstream.tracking.fluent import default_tracking_client  # noqa: E402

TOOL = "slipstream"


def bench_latency() -> None:
    ss.set_experiment(c.EXPERIMENT)
    run = ss.start_run()
    for i in range(c.LATENCY_WARMUP):
        ss.log_metric("warmup", float(i), step=i)
    calls = c.time_calls(lambda i: ss.log_metric("loss", i * 0.001, step=i), c.LATENCY_CALLS)
    t0 = time.perf_counter()
    ss.end_run()
    flush_s = time.perf_counter() - t0
    stored = len(ss.get_metric_history(run.run_id, "loss"))
    c.emit(TOOL, "latency", **c.latency_summary(calls, flush_s), stored=stored)


def bench_bulk() -> None:
    ss.set_experiment(c.EXPERIMENT)
    run = ss.start_run()
    steps = c.BULK_METRICS // c.BULK_KEYS
    keys = [f"m{k}" for k in range(c.BULK_KEYS)]
    t0 = time.perf_counter()
    for step in range(steps):
        ss.log_metrics({key: step * 0.001 + k for k, key in enumerate(keys)}, step=step)
    ss.end_run()  # flushes: everything is in the store when it returns
    wall = time.perf_counter() - t0
    stored = sum(len(ss.get_metric_history(run.run_id, key)) for key in keys)
    c.emit(TOOL, "bulk", n=c.BULK_METRICS, wall_s=round(wall, 4),
           metrics_per_s=round(c.BULK_METRICS / wall, 1), stored=stored,
           how="ss.log_metrics({10 keys}, step) x 5,000 + ss.end_run()")


def bench_runs() -> None:
    ss.set_experiment(c.EXPERIMENT)
    t0 = time.perf_counter()
    for r in range(c.RUNS):
        with ss.start_run():
            for j in range(c.RUN_PARAMS):
                ss.log_param(f"p{j}", f"{r}-{j}")
            for j in range(c.RUN_METRICS):
                ss.log_metric(f"m{j}", r + j * 0.1)
    wall = time.perf_counter() - t0
    found = len(ss.search_runs(experiment_names=[c.EXPERIMENT]))
    c.emit(TOOL, "runs", n=c.RUNS, wall_s=round(wall, 4),
           ms_per_run=round(wall / c.RUNS * 1000, 2), stored=found)


def bench_search() -> None:
    wanted = ARGS.n or c.SEARCH_RUNS
    experiment_id = ss.set_experiment(c.EXPERIMENT).experiment_id
    client = default_tracking_client()
    t0 = time.perf_counter()
    target = wanted
    i = 0
    while i < target:
        acc, cval = c.search_run_values(i)
        run_id = client.create_run(experiment_id).info.run_id
        client.log_metrics(run_id, {"acc": acc})
        client.log_params(run_id, {"C": cval})
        i += 1
        if i == 200:
            target = c.search_target(i, time.perf_counter() - t0, wanted, ARGS.budget_s)
    client.flush()
    setup_s = time.perf_counter() - t0
    times, rows, top = [], 0, None
    for _ in range(c.SEARCH_REPEATS):
        t1 = time.perf_counter()
        df = ss.search_runs(experiment_names=[c.EXPERIMENT], filter_string=c.SEARCH_FILTER,
                            order_by=[c.SEARCH_ORDER])
        times.append(time.perf_counter() - t1)
        rows = len(df)
        top = float(df["metrics.acc"].iloc[0]) if rows else None
    c.emit(TOOL, "search", n_runs=target, setup_s=round(setup_s, 3),
           search_s=round(statistics.median(times), 4), searches=[round(t, 4) for t in times],
           n_results=rows, top_acc=top, result_type=type(df).__name__)


if __name__ == "__main__":
    try:
        {"latency": bench_latency, "bulk": bench_bulk, "runs": bench_runs,
         "search": bench_search}[ARGS.bench]()
    finally:
        sys.stdout.flush()
