"""The parallel floor of the tuning benchmarks: the same CPU-bound trials with no tuner at all,
what this machine gives at the moment (stdlib only; run.py runs it under its own Python).

    python floor.py --bench parallel --parallel 2

1: the trials one after the other in this process. N: a `ProcessPoolExecutor` of N workers
from a forkserver (as Slipstream's process executor makes them), timed from the pool's
creation to the last result, so the pool's start counts as it does for `ss.tune`.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import _common as c

TOOL = "floor"


def trial(_: int) -> float:
    start = time.perf_counter()
    c.cpu_work()
    return time.perf_counter() - start


def main() -> None:
    args = c.parse_args(__doc__ or "")
    trials = args.n or c.PARALLEL_TRIALS
    t0 = time.perf_counter()
    if args.parallel == 1:
        durations = [trial(i) for i in range(trials)]
    else:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(args.parallel, mp_context=context) as pool:
            durations = list(pool.map(trial, range(trials)))
    elapsed = time.perf_counter() - t0
    durations.sort()
    c.emit(TOOL, "parallel", parallel=args.parallel, n=trials, optimize_s=round(elapsed, 4),
           trial_median_s=round(durations[len(durations) // 2], 4))


if __name__ == "__main__":
    main()
