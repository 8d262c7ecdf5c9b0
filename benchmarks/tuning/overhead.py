"""Where a persisted trial's time goes: `ss.tune` on the trivial objective in a fresh
SLIPSTREAM_HOME, with Optuna's ask and tell and the study store's per-trial writes timed
(a local aid for work on the tuner, not one of run.py's measurements).

    python overhead.py [--n 300] [--algorithm tpe] [--repeat 3]

Prints, per repeat, milliseconds per trial: the whole loop, Optuna's ask and tell, the study
store's trial start and end (each one transaction with the trial's run), and the rest (the
tuner, the engine's worker, the trial task). The part beyond ask and tell is what Slipstream
adds to each trial.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import _common as c

SPENT: Counter[str] = Counter()


def timed(owner: Any, name: str, label: str) -> None:
    """Replace owner.name by a wrapper adding its wall time to SPENT[label]."""
    inner: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            SPENT[label] += time.perf_counter() - start

    setattr(owner, name, wrapper)


def trivial(x: float, y: int) -> float:
    return c.trivial(x, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--algorithm", default="tpe")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    home = tempfile.TemporaryDirectory(prefix="slipstream-overhead-")
    os.environ["SLIPSTREAM_HOME"] = home.name

    import optuna

    import slipstream as ss
    from slipstream.metadata.sql.study_store import SqlStudyStore

    timed(optuna.study.Study, "ask", "ask")
    timed(optuna.study.Study, "tell", "tell")
    for method in ("start_trial", "start_tracked_trial"):
        timed(SqlStudyStore, method, "store start")
    for method in ("finish_trial", "finish_tracked_trial"):
        timed(SqlStudyStore, method, "store end")
    space = {"x": ss.uniform(*c.X_RANGE), "y": ss.intrange(*c.Y_RANGE)}
    ss.tune(trivial, space=space, algorithm="random", max_trials=1, name="warm-up", seed=c.SEED)
    for i in range(args.repeat):
        SPENT.clear()
        t0 = time.perf_counter()
        ss.tune(trivial, space=space, algorithm=args.algorithm, max_trials=args.n,
                name=f"overhead-{i}", seed=c.SEED, executor="inline")
        per = {k: v / args.n * 1000 for k, v in SPENT.items()}
        total = (time.perf_counter() - t0) / args.n * 1000
        rest = total - sum(per.values())
        print(f"{args.algorithm} x{args.n}: {total:.3f} ms/trial = ask {per['ask']:.3f} + tell "
              f"{per['tell']:.3f} + store start {per['store start']:.3f} + store end "
              f"{per['store end']:.3f} + rest {rest:.3f}; beyond ask and tell "
              f"{total - per['ask'] - per['tell']:.3f} ms (load {os.getloadavg()[0]:.1f})")
    home.cleanup()


if __name__ == "__main__":
    main()
