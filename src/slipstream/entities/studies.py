"""Frozen records of hyperparameter studies and their trials, as the study store keeps them.

A study is one tuning job: a search space, an objective metric and its direction, the Optuna
sampler and pruner it runs (`algorithm`, `early_stopping`), its budget, and the execution its
trials run in (each trial is a node execution of that execution, and a tracked run whose
parent is the study's run). Trials are numbered from 0 in the order they started; a number is
never reused, so a resumed study neither loses nor repeats one.

Times are epoch seconds (float), as for executions. `space` maps each parameter to its
distribution's JSON form (see `slipstream.tuning.space`); `params` maps each parameter to the
value the trial ran with.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class StudyStatus(enum.StrEnum):
    """RUNNING while a tuner drives it; INTERRUPTED when it stopped early (Ctrl-C, a crash
    noticed on resume); COMPLETED when its budget is spent; FAILED when max_failed_trials was
    reached or it could not go on."""

    RUNNING = "RUNNING"
    INTERRUPTED = "INTERRUPTED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class TrialState(enum.StrEnum):
    """Optuna's trial states, as stored: RUNNING, COMPLETE, PRUNED (stopped early by the
    pruner), FAIL (raised, or returned no usable objective)."""

    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    PRUNED = "PRUNED"
    FAIL = "FAIL"


FINISHED_TRIAL_STATES = frozenset({TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL})


@dataclass(frozen=True, slots=True)
class Study:
    """One tuning job and how it is set up."""

    study_id: str
    name: str
    objective: str
    direction: str  # "maximize" | "minimize"
    space: dict[str, Any]
    algorithm: str
    early_stopping: str
    max_trials: int
    parallel_trials: int
    max_failed_trials: int
    status: str
    created_at: float
    task_name: str = ""
    task_ref: str = ""
    """Where to load the objective from again (`slipstream tune resume`): the source ref the
    engine records for a workflow (`path.py:name` or `module:qualname`)."""
    seed: int | None = None
    execution_id: str = ""
    parent_run_id: str = ""
    experiment_id: str = ""
    ended_at: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    """Anything else the tuner needs to resume exactly (executor, sampler options)."""


@dataclass(frozen=True, slots=True)
class Trial:
    """One trial of a study: the parameters it ran with and how it ended. `value` is the
    objective (None unless COMPLETE); `metrics` every metric the objective returned;
    `intermediate` the (step, value) pairs it reported, in step order."""

    study_id: str
    number: int
    state: str
    params: dict[str, Any]
    started_at: float
    ended_at: float | None = None
    value: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    intermediate: tuple[tuple[int, float], ...] = ()
    node_id: str = ""
    run_id: str = ""
    error: str = ""
