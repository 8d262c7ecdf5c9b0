"""Slipstream's side of the tuning benchmarks (see benchmarks/README.md, "Tuning").

    python slipstream_tuning.py --bench tpe [--n 200]
    python slipstream_tuning.py --bench grid --n 1000
    python slipstream_tuning.py --bench parallel --parallel 2

`ss.tune` in a fresh SLIPSTREAM_HOME (the default SQLite metadata store, created before the
clock starts): every trial is durable in the store and tracked as a run. tpe and grid run
sequentially in-process (parallel_trials=1, the inline executor); parallel runs the CPU-bound
objective with parallel_trials=N and the default executor (inline for 1, process:N else).
After the clock stops, a fresh store handle counts what was persisted. One JSON line on stdout.
"""

from __future__ import annotations

import argparse
import statistics
import time

import _common as c

import slipstream as ss

TOOL = "slipstream"
ARGS = argparse.Namespace()  # set by main(); process-pool workers import this file as a module


def trivial(x: float, y: int) -> float:
    return c.trivial(x, y)


def cpu_bound(x: float) -> float:
    return c.cpu_work()


def stored_trials(study_id: str) -> dict[str, int]:
    """What a new store handle reads back: finished trials, those with a tracked run, and
    distinct parameter sets."""
    from slipstream._core.settings import Settings
    from slipstream.metadata.factory import open_study_store

    store = open_study_store(Settings.load().store_url)
    try:
        trials = store.list_trials(study_id, intermediate=False)
    finally:
        close = getattr(store, "close", None)
        if close:
            close()
    durations = [t.ended_at - t.started_at for t in trials if t.ended_at is not None]
    return {"stored": sum(t.state == "COMPLETE" for t in trials),
            "with_run": sum(bool(t.run_id) for t in trials),
            "distinct": len({tuple(sorted(t.params.items())) for t in trials}),
            "trial_median_s": round(statistics.median(durations), 4) if durations else None,
            "first_trial_s": round(durations[0], 4) if durations else None}


def warm_up() -> None:
    """Create the store (schema) and import what a study imports, untimed."""
    ss.tune(trivial, space={"x": ss.uniform(*c.X_RANGE), "y": ss.intrange(*c.Y_RANGE)},
            goal="minimize", algorithm="random", max_trials=1, name="warm-up", seed=c.SEED)


def bench_tpe() -> None:
    n = ARGS.n or c.TPE_TRIALS
    warm_up()
    t0 = time.perf_counter()
    study = ss.tune(trivial, space={"x": ss.uniform(*c.X_RANGE), "y": ss.intrange(*c.Y_RANGE)},
                    goal="minimize", algorithm="tpe", max_trials=n, parallel_trials=1,
                    name="bench", seed=c.SEED, executor="inline")
    elapsed = time.perf_counter() - t0
    c.emit(TOOL, "tpe", storage="sqlite", n=n, optimize_s=round(elapsed, 4),
           trials_per_s=round(n / elapsed, 2), **stored_trials(study.study_id),
           best_value=study.best_value)


def bench_grid() -> None:
    n = ARGS.n or 1000
    xs, ys = c.grid_values(n)
    warm_up()
    t0 = time.perf_counter()
    study = ss.tune(trivial, space={"x": ss.choice(xs), "y": ss.intrange(min(ys), max(ys))},
                    goal="minimize", algorithm="grid", max_trials=n, parallel_trials=1,
                    name="bench", seed=c.SEED, executor="inline")
    elapsed = time.perf_counter() - t0
    c.emit(TOOL, "grid", n=n, optimize_s=round(elapsed, 4),
           per_trial_ms=round(elapsed / n * 1000, 4), **stored_trials(study.study_id),
           best_value=study.best_value)


def bench_parallel() -> None:
    n_parallel = ARGS.parallel
    trials = ARGS.n or c.PARALLEL_TRIALS
    warm_up()
    t0, cpu0 = time.perf_counter(), c.cpu_seconds()
    study = ss.tune(cpu_bound, space={"x": ss.uniform(*c.X_RANGE)}, goal="minimize",
                    algorithm="random", max_trials=trials, parallel_trials=n_parallel,
                    name="bench", seed=c.SEED)  # the default executor: inline, or process:N
    elapsed, cpu = time.perf_counter() - t0, c.cpu_seconds() - cpu0
    c.emit(TOOL, "parallel", parallel=n_parallel, n=trials, optimize_s=round(elapsed, 4),
           trial_s=round(elapsed * n_parallel / trials, 4), cpu_s=round(cpu, 3),
           **stored_trials(study.study_id))


def main() -> None:
    global ARGS
    ARGS = c.parse_args(__doc__ or "")
    {"tpe": bench_tpe, "grid": bench_grid, "parallel": bench_parallel}[ARGS.bench]()


if __name__ == "__main__":
    main()
