"""Slipstream's side of the quality benchmark (see benchmarks/README.md, "Tuning").

    python slipstream_quality.py --algorithm tpe|random [--trials N] [--seeds 10]

For each seed 0 .. N-1, in a fresh SLIPSTREAM_HOME of its own (the default SQLite metadata
store): `ss.tune(accuracy, space={"C": ss.loguniform(1e-4, 1e2), "penalty": ss.choice(["l1",
"l2"])}, objective="accuracy", goal="maximize", algorithm=..., max_trials=..., seed=seed)`,
sequential and in-process (parallel_trials=1, executor="inline"), the objective the held-out
accuracy of _logreg.py. The best-so-far curve is read back from the stored trials by a new
store handle, as a user would have them. One JSON line on stdout.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import _common as c
import _logreg

import slipstream as ss

TOOL = "slipstream"


def accuracy(C: float, penalty: str) -> dict[str, float]:
    return {"accuracy": _logreg.accuracy(C, penalty)}


def stored(study_id: str) -> list[Any]:
    """The study's trials as a new handle on the current store reads them, in number order."""
    from slipstream._core.settings import Settings
    from slipstream.metadata.factory import open_study_store

    store = open_study_store(Settings.load().store_url)
    try:
        return sorted(store.list_trials(study_id, intermediate=False), key=lambda t: t.number)
    finally:
        close = getattr(store, "close", None)
        if close:
            close()


def main() -> None:
    args = c.parse_quality_args(__doc__ or "")
    n = args.trials or c.QUALITY_TRIALS[args.algorithm]
    fits = _logreg.fit_times()
    space = {"C": ss.loguniform(*c.QUALITY_C), "penalty": ss.choice(list(c.QUALITY_PENALTIES))}
    curves: list[list[float | None]] = []
    complete = with_run = 0
    elapsed = 0.0
    homes = tempfile.TemporaryDirectory(prefix="slipstream-quality-")
    for seed in range(args.seeds):
        os.environ["SLIPSTREAM_HOME"] = str(Path(homes.name) / f"seed-{seed}")
        t0 = time.perf_counter()
        study = ss.tune(accuracy, space=space, objective="accuracy", goal="maximize",
                        algorithm=args.algorithm, max_trials=n, parallel_trials=1,
                        name=f"quality-{args.algorithm}-{seed}", seed=seed, executor="inline")
        elapsed += time.perf_counter() - t0
        trials = stored(study.study_id)
        complete += sum(t.state == "COMPLETE" for t in trials)
        with_run += sum(bool(t.run_id) for t in trials)
        curves.append(c.best_so_far([t.value if t.state == "COMPLETE" else None
                                     for t in trials]))
    homes.cleanup()
    c.emit(TOOL, "quality", algorithm=args.algorithm, n=n, seeds=args.seeds,
           optimize_s=round(elapsed, 3), objective_s=round(_logreg.SECONDS[0], 3),
           stored=complete, with_run=with_run, fit_s=fits, sklearn=_logreg.sklearn_version(),
           **c.quality_fields(curves))


if __name__ == "__main__":
    main()
