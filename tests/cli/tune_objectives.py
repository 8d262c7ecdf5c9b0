"""Objectives the tuning CLI tests run through `slipstream tune tests/cli/tune_objectives.py:NAME`
(loaded by file path in a subprocess, so process-pool workers import it as `tune_objectives`).

`TUNE_TEST_SLEEP` (seconds, default 0) slows `slow` down so a test can kill the tuner
mid-study; `TUNE_TEST_LOG` names a file each trial appends its parameters to, so a test sees
every call, also those of trials whose result was never recorded.
"""

from __future__ import annotations

import json
import os
import time

import slipstream as ss
from slipstream import task


@task
def quadratic(x: float, y: int) -> float:
    """(x - 2)^2 + (y + 3)^2: 0 at x=2, y=-3."""
    return (x - 2.0) ** 2 + (y + 3) ** 2


def scored(x: float, penalty: str) -> dict[str, float]:
    """A dict of metrics; the study names which one is the objective."""
    return {"accuracy": 1.0 - abs(x - 0.3) - (0.05 if penalty == "l1" else 0.0), "loss": abs(x)}


def slow(x: float, y: int) -> float:
    log = os.environ.get("TUNE_TEST_LOG")
    if log:
        with open(log, "a") as out:
            out.write(json.dumps({"x": x, "y": y}) + "\n")
    time.sleep(float(os.environ.get("TUNE_TEST_SLEEP", "0")))
    return (x - 2.0) ** 2 + (y + 3) ** 2


def curve(x: float, y: int) -> float:
    """Reports a value per step, so a pruner can stop it."""
    value = 0.0
    for step in range(8):
        value = (x - 2.0) ** 2 + (y + 3) ** 2 + 8 - step
        ss.report(step, value)
    return value


def fails_above_zero(x: float, y: int) -> float:
    if x > 0:
        raise ValueError(f"x={x} is above zero")
    return x * x
