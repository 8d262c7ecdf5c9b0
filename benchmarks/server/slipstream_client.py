"""Slipstream's own Python API against a server, through its REST store
(SLIPSTREAM_TRACKING_URI=http://...).

    python slipstream_client.py --url http://127.0.0.1:P --bench latency|bulk --server NAME

latency: `ss.log_metric` per call (buffered: the call never waits for HTTP), plus the flush at
end_run, over HTTP_CALLS calls. bulk: `ss.log_metrics({10 keys}, step)` until 50,000 points,
then `ss.end_run()` (everything stored when it returns). One JSON line on stdout.
"""

from __future__ import annotations

import os
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
    s.latency(TOOL, ARGS.server, lambda key, value, step: ss.log_metric(key, value, step=step),
              ss.end_run, lambda: len(ss.get_metric_history(run_id, "loss")))


def bench_bulk() -> None:
    run_id = start()

    def send() -> None:
        for step in range(s.BULK_STEPS):
            ss.log_metrics({key: s.bulk_value(step, k) for k, key in enumerate(s.BULK_KEYS)},
                           step=step)

    s.bulk(TOOL, ARGS.server, send, ss.end_run,
           lambda key: len(ss.get_metric_history(run_id, key)),
           "ss.log_metrics({10 keys}, step) x 5,000 + ss.end_run(), over HTTP")


if __name__ == "__main__":
    s.run({"latency": bench_latency, "bulk": bench_bulk}, ARGS.bench)
