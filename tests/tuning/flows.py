"""Workflows that tune: a task running a study (its run is the study's parent run), and the
paper's @dynamic variant (one training node per parameter set from ss.suggest)."""

from __future__ import annotations

import slipstream as ss
from tests.tuning import objectives

SPACE = {"C": ss.loguniform(1e-3, 1.0), "penalty": ss.choice(["l1", "l2"])}


@ss.task
def tune_inside(trials: int) -> str:
    """Runs a study of `trials` trials; returns its id."""
    study = ss.tune(objectives.quadratic, space={"x": ss.uniform(-2, 2), "y": ss.intrange(0, 1)},
                    max_trials=trials, algorithm="random", seed=0, name="inside")
    return study.study_id


@ss.workflow
def tuning_flow(trials: int) -> str:
    return tune_inside(trials=trials)


@ss.task
def train(C: float, penalty: str) -> float:
    return 1.0 - abs(C - 0.5) - (0.1 if penalty == "l1" else 0.0)


@ss.dynamic
def fan_out(n: int) -> list[float]:
    return [train(C=p["C"], penalty=p["penalty"]) for p in ss.suggest(SPACE, n, seed=4)]


@ss.workflow
def suggested_flow(n: int) -> list[float]:
    return fan_out(n=n)
