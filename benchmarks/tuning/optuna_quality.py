"""Optuna's side of the quality benchmark (see benchmarks/README.md, "Tuning"), for reference.

    python optuna_quality.py --algorithm tpe|random [--trials N] [--seeds 10]

For each seed 0 .. N-1: an in-memory study, `TPESampler(seed)` or `RandomSampler(seed)`,
direction maximize, the held-out accuracy of _logreg.py over C log-uniform in [1e-4, 1e2] and
penalty l1/l2 (suggested in that order, as `ss.tune` asks for them). The best-so-far curve of
each seed; one JSON line on stdout.
"""

from __future__ import annotations

import time

import _common as c
import _logreg

ARGS = c.parse_quality_args(__doc__ or "")

import optuna  # noqa: E402

TOOL = "optuna"
optuna.logging.set_verbosity(optuna.logging.WARNING)


def objective(trial: optuna.Trial) -> float:
    C = trial.suggest_float("C", *c.QUALITY_C, log=True)
    penalty = trial.suggest_categorical("penalty", list(c.QUALITY_PENALTIES))
    return _logreg.accuracy(C, str(penalty))


def sampler(seed: int) -> optuna.samplers.BaseSampler:
    if ARGS.algorithm == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def main() -> None:
    n = ARGS.trials or c.QUALITY_TRIALS[ARGS.algorithm]
    fits = _logreg.fit_times()
    curves, finished = [], 0
    t0 = time.perf_counter()
    for seed in range(ARGS.seeds):
        study = optuna.create_study(direction="maximize", sampler=sampler(seed))
        study.optimize(objective, n_trials=n)
        trials = sorted(study.trials, key=lambda t: t.number)
        finished += sum(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
        curves.append(c.best_so_far([t.value for t in trials]))
    elapsed = time.perf_counter() - t0
    c.emit(TOOL, "quality", algorithm=ARGS.algorithm, n=n, seeds=ARGS.seeds,
           optimize_s=round(elapsed, 3), objective_s=round(_logreg.SECONDS[0], 3),
           stored=finished, fit_s=fits, sklearn=_logreg.sklearn_version(),
           **c.quality_fields(curves))


if __name__ == "__main__":
    main()
