"""Optuna's side of the tuning benchmarks (see benchmarks/README.md, "Tuning").

    python optuna_tuning.py --bench tpe [--storage memory|sqlite] [--n 200]
    python optuna_tuning.py --bench grid --n 1000
    python optuna_tuning.py --bench parallel --parallel 2

tpe: TPESampler(seed=0) on the trivial objective, in-memory storage or Optuna's RDBStorage on a
SQLite file in a temporary folder (created, with its schema, before the clock starts). grid:
GridSampler over GRID_X x n/GRID_X points, in memory. parallel: the CPU-bound objective with
`n_jobs` threads (Optuna's own parallelism inside one process). One JSON line on stdout.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import _common as c

ARGS = c.parse_args(__doc__ or "", storages=("memory", "sqlite"))
TMP = tempfile.TemporaryDirectory(prefix="optuna-tuning-bench-")

import optuna  # noqa: E402

TOOL = "optuna"
optuna.logging.set_verbosity(optuna.logging.WARNING)


def trivial(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", *c.X_RANGE)
    y = trial.suggest_int("y", *c.Y_RANGE)
    return c.trivial(x, y)


def bench_tpe() -> None:
    n = ARGS.n or c.TPE_TRIALS
    storage = None
    if ARGS.storage == "sqlite":
        storage = optuna.storages.RDBStorage(f"sqlite:///{Path(TMP.name) / 'optuna.db'}")
    study = optuna.create_study(study_name="bench", storage=storage, direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=c.SEED))
    t0 = time.perf_counter()
    study.optimize(trivial, n_trials=n)
    elapsed = time.perf_counter() - t0
    if storage is not None:  # what a fresh reader of the file sees
        stored = len(optuna.load_study(study_name="bench", storage=storage.url).trials)
    else:
        stored = len(study.trials)
    c.emit(TOOL, "tpe", storage=ARGS.storage, n=n, optimize_s=round(elapsed, 4),
           trials_per_s=round(n / elapsed, 2), stored=stored, best_value=study.best_value)


def bench_grid() -> None:
    n = ARGS.n or 1000
    xs, ys = c.grid_values(n)
    sampler = optuna.samplers.GridSampler({"x": xs, "y": ys}, seed=c.SEED)
    study = optuna.create_study(direction="minimize", sampler=sampler)

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", min(xs), max(xs))
        y = trial.suggest_int("y", min(ys), max(ys))
        return c.trivial(x, y)

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=n)
    elapsed = time.perf_counter() - t0
    distinct = len({(t.params["x"], t.params["y"]) for t in study.trials})
    c.emit(TOOL, "grid", n=n, optimize_s=round(elapsed, 4),
           per_trial_ms=round(elapsed / n * 1000, 4), stored=len(study.trials), distinct=distinct,
           best_value=study.best_value)


def bench_parallel() -> None:
    n_jobs = ARGS.parallel
    trials = ARGS.n or c.PARALLEL_TRIALS
    study = optuna.create_study(direction="minimize",
                                sampler=optuna.samplers.RandomSampler(seed=c.SEED))

    def objective(trial: optuna.Trial) -> float:
        trial.suggest_float("x", *c.X_RANGE)
        return c.cpu_work()

    t0, cpu0 = time.perf_counter(), c.cpu_seconds()
    study.optimize(objective, n_trials=trials, n_jobs=n_jobs)
    elapsed, cpu = time.perf_counter() - t0, c.cpu_seconds() - cpu0
    c.emit(TOOL, "parallel", parallel=n_jobs, n=trials, optimize_s=round(elapsed, 4),
           trial_s=round(elapsed * n_jobs / trials, 4), cpu_s=round(cpu, 3),
           stored=len(study.trials))


{"tpe": bench_tpe, "grid": bench_grid, "parallel": bench_parallel}[ARGS.bench]()
