"""Slipstream's own Python API against a server, through its REST store
(SLIPSTREAM_TRACKING_URI=http://...).

    python slipstream_client.py --url http://127.0.0.1:P --bench latency|bulk --server NAME

latency: `ss.log_metric` per call (buffered: the call never waits for HTTP), plus the flush at
end_run, over HTTP_CALLS calls. bulk: `ss.log_metrics({10 keys}, step)` until 50,000 points,
then `ss.end_run()` (everything stored when it returns). One JSON line on stdout.
"""

from __future__ import annotations

import os
import time
import uuid

import _client as s
from _client import c

ARGS = s.parse_args(__doc__ or "")
os.environ["SLIPSTREAM_TRACKING_URI"] = ARGS.url
os.environ.pop("SLIPSTREAM_STORE_URL", None)

import slipstream as ss  # noqa: E402

TOOL = "slipstream-client"


def start() -> str:
    ss.set_experiment(f"{c.EXPERIMENT}-{uuid.uuid4().hex[:8]}")
    return ss.start_run().info.run_id


def bench_latency() -> None:
    run_id = start()
    for i in range(c.LATENCY_WARMUP):
        ss.log_metric("warmup", float(i), step=i)
    calls = c.time_calls(lambda i: ss.log_metric("loss", i * 0.001, step=i), s.HTTP_CALLS)
    t0 = time.perf_counter()
    ss.end_run()
    flush_s = time.perf_counter() - t0
    s.emit_latency(TOOL, ARGS.server, calls, flush_s, len(ss.get_metric_history(run_id, "loss")))


def bench_bulk() -> None:
    run_id = start()
    t0 = time.perf_counter()
    for step in range(s.BULK_STEPS):
        ss.log_metrics({key: s.bulk_value(step, k) for k, key in enumerate(s.BULK_KEYS)},
                       step=step)
    ss.end_run()
    wall = time.perf_counter() - t0
    stored = sum(len(ss.get_metric_history(run_id, key)) for key in s.BULK_KEYS)
    s.emit_bulk(TOOL, ARGS.server, wall, stored,
                "ss.log_metrics({10 keys}, step) x 5,000 + ss.end_run(), over HTTP")


if __name__ == "__main__":
    s.run({"latency": bench_latency, "bulk": bench_bulk}, ARGS.bench)
