"""Objectives the tuning tests run (importable, so process-pool workers and `resume_study` load
them by reference). Switches come through environment variables, which workers inherit."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import slipstream as ss


def quadratic(x: float, y: int) -> float:
    return (x - 1.0) ** 2 + y


@ss.task
def scored(params: dict[str, Any]) -> dict[str, float]:
    """A @task taking one params dict and returning several metrics."""
    accuracy = 1.0 - abs(params["C"] - 0.5) - (0.1 if params["penalty"] == "l1" else 0.0)
    return {"accuracy": accuracy, "loss": 1.0 - accuracy, "ignored": math.nan}


def flaky(x: float) -> Any:
    """Fails in the way TUNING_FAIL names: raise | none | nan | missing."""
    how = os.environ["TUNING_FAIL"]
    if how == "raise":
        raise ValueError(f"bad x {x}")
    if how == "none":
        return None
    if how == "nan":
        return math.nan
    return {"other": 1.0}


def curve(quality: float) -> float:
    """Reports 10 steps of `quality * step`; a trial that `ss.report` prunes stops early."""
    value = 0.0
    pause = float(os.environ.get("TUNING_STEP_SLEEP", "0"))
    for step in range(10):
        value = quality * (step + 1)
        ss.report(step, value)
        time.sleep(pause)
    return value


def slow(x: float, y: int) -> float:
    """Sleeps TUNING_SLEEP seconds; interrupts the study at trial TUNING_INTERRUPT_AT (raising
    KeyboardInterrupt, as Ctrl-C does) when that is set and the marker file is absent."""
    marker = os.environ.get("TUNING_MARKER")
    if marker and os.environ.get("TUNING_INTERRUPT_AT") and not Path(marker).exists():
        ctx = ss.current_context()
        if ctx is not None and ctx.node_id == f"trial-{os.environ['TUNING_INTERRUPT_AT']}":
            Path(marker).write_text("interrupted")
            raise KeyboardInterrupt
    time.sleep(float(os.environ.get("TUNING_SLEEP", "0")))
    return (x - 1.0) ** 2 + y


def burn(x: float) -> float:
    """About 0.3 s of CPU and records when it ran (for the in-flight checks)."""
    start = time.time()
    total = 0.0
    for i in range(600_000):
        total += math.sqrt(i + x)
    folder = os.environ.get("TUNING_TIMES")
    if folder:
        Path(folder, f"{os.getpid()}-{start}").write_text(f"{start} {time.time()}")
    return total * 0.0 + x


def deletes_its_run(x: float) -> float:
    """Deletes the run it logs to (as a user might from another window) and returns x."""
    active = ss.active_run()
    if active is not None:
        from slipstream.tracking import fluent

        fluent.delete_run(active.run_id)
    return x


def logs_itself(x: float) -> float:
    """Logs a metric, a param and a tag of its own to the active run (the trial's)."""
    ss.log_metric("half", x / 2)
    ss.log_param("note", "own")
    ss.set_tag("mine", "yes")
    return x
