"""Per-task orchestration overhead, with the same workflow code for flytekit and Slipstream.

    python orchestration.py --tool slipstream|flytekit --bench chain|map [--n N] --json

chain: a @workflow that wires N trivial `inc` tasks one after the other (built at import time).
map:   a @workflow that runs `map_task(inc)` over N ints.
Prints one JSON line: call_s (time inside the workflow call), us_per_task = call_s / N,
define_s (time to import the tool and define the workflow), peak_rss_mb.
Slipstream persists its metadata in its default SQLite store under SLIPSTREAM_HOME (the parent
gives each run a fresh folder); flytekit runs its local execution.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

START = time.perf_counter()

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--tool", choices=["slipstream", "flytekit"], required=True)
parser.add_argument("--bench", choices=["chain", "map"], required=True)
parser.add_argument("--n", type=int, default=None)
parser.add_argument("--json", action="store_true")
ARGS = parser.parse_args()
N = ARGS.n or (1000 if ARGS.bench == "chain" else 10_000)

if ARGS.tool == "flytekit":
    from flytekit import map_task, task, workflow
else:
    from slipstream import map_task, task, workflow


@task
def inc(x: int) -> int:
    return x + 1


if ARGS.bench == "chain":

    @workflow
    def bench(x: int = 0) -> int:
        for _ in range(N):
            x = inc(x=x)
        return x

    def call() -> object:
        return bench(x=0)

    def expected() -> object:
        return N
else:

    @workflow
    def bench(xs: list[int]) -> list[int]:
        return map_task(inc)(x=xs)

    ITEMS = list(range(N))

    def call() -> object:
        return bench(xs=ITEMS)

    def expected() -> object:
        return [i + 1 for i in ITEMS]


DEFINE_S = time.perf_counter() - START


def main() -> None:
    start = time.perf_counter()
    out = call()
    call_s = time.perf_counter() - start
    ok = list(out) == expected() if ARGS.bench == "map" else int(out) == expected()
    rss = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024.0
    record = {
        "tool": ARGS.tool,
        "bench": ARGS.bench,
        "n": N,
        "ok": ok,
        "define_s": round(DEFINE_S, 4),
        "call_s": round(call_s, 4),
        "us_per_task": round(call_s / N * 1e6, 1),
        "peak_rss_mb": round(rss, 1),
    }
    print(json.dumps(record) if ARGS.json else record, flush=True)
    if not ok:
        sys.exit(f"wrong result from the {ARGS.bench} workflow")


if __name__ == "__main__":
    main()
