"""The study store interface: hyperparameter studies and their trials (`slipstream.tuning`
drives them; the server's /api/v1/studies reads them).

A study's name is unique: 1-256 letters, digits, `_`, `.`, `-` and spaces, not starting with a
space. Trials are numbered from 0 by the store, atomically (two tuners resuming one study never
get the same number). A trial moves RUNNING -> COMPLETE | PRUNED | FAIL exactly once:
finishing a trial that is not RUNNING raises InvalidInputError and changes nothing, so a trial
is never counted twice. `start_trial(number=N)` re-starts trial N when it is still RUNNING (its
tuner died): resume re-runs it with its own parameters instead of losing it or adding another.
Each call is one transaction; bad input raises InvalidInputError and writes nothing; unknown
studies or trials raise NotFoundError.

A store kept in the tracking store's database also implements `TrackedTrialStore`: a trial's
row and its tracked run start in one transaction, and end in one.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream.entities import Metric, Param, Run, RunTag
from slipstream.entities.studies import Study, StudyStatus, Trial, TrialState

MAX_STUDY_NAME_LENGTH = 256
DIRECTIONS = ("maximize", "minimize")
_NAME = re.compile(r"^[A-Za-z0-9_.\-][A-Za-z0-9_.\- ]*$")


class StudyExistsError(InvalidInputError):
    """A study with this name exists already."""


class StudyStore(ABC):
    """Persistence for studies and trials."""

    # -- studies ------------------------------------------------------------------------------

    @abstractmethod
    def create_study(self, study: Study) -> Study:
        """Store a new study (its id and name as given); StudyExistsError if the name is
        taken."""

    @abstractmethod
    def get_study(self, study_id_or_name: str) -> Study:
        """A study by id, or else by name."""

    @abstractmethod
    def list_studies(self) -> list[Study]:
        """Every study, newest first."""

    @abstractmethod
    def update_study(self, study_id: str, *, status: str | None = None,
                     ended_at: float | None = None, execution_id: str | None = None,
                     parent_run_id: str | None = None,
                     settings: Mapping[str, Any] | None = None) -> Study:
        """Change what is given; `ended_at` is cleared when the status goes back to RUNNING."""

    @abstractmethod
    def delete_study(self, study_id: str) -> None:
        """Delete the study with its trials (their runs and node executions stay)."""

    # -- trials -------------------------------------------------------------------------------

    @abstractmethod
    def start_trial(self, study_id: str, params: Mapping[str, Any], *, started_at: float,
                    number: int | None = None, node_id: str = "", run_id: str = "") -> Trial:
        """A RUNNING trial: the next number when `number` is None; else trial `number`, which
        must exist and still be RUNNING (it is re-started: its intermediate values are
        cleared, its params kept and `params` ignored; `node_id` / `run_id` replace the old
        ones when not empty)."""

    @abstractmethod
    def report_intermediate(self, study_id: str, number: int, step: int, value: float) -> None:
        """Record a RUNNING trial's value at `step` (reporting a step again replaces it)."""

    @abstractmethod
    def finish_trial(self, study_id: str, number: int, state: str, *, ended_at: float,
                     value: float | None = None, metrics: Mapping[str, float] | None = None,
                     error: str = "", node_id: str | None = None,
                     run_id: str | None = None) -> Trial:
        """Move a RUNNING trial to COMPLETE (with `value`), PRUNED or FAIL; the trial as it
        now is (`value` kept only for COMPLETE; `node_id` / `run_id` replaced when given)."""

    @abstractmethod
    def get_trial(self, study_id: str, number: int) -> Trial:
        """One trial with its intermediate values."""

    @abstractmethod
    def list_trials(self, study_id: str, *, states: Collection[str] | None = None,
                    intermediate: bool = True) -> list[Trial]:
        """The study's trials in number order (only those in `states` when given); without
        their intermediate values when `intermediate` is False (cheaper)."""


@dataclass(frozen=True)
class TrialRun:
    """The tracked run a trial starts with: created RUNNING with its tags and params, its
    artifacts under `artifact_root` (the tracking store's) unless its experiment says where."""

    experiment_id: str
    artifact_root: str
    run_name: str
    user_id: str
    start_time: int  # epoch milliseconds
    tags: Mapping[str, str]
    params: Sequence[Param]
    parent_run_id: str | None = None
    execution_id: str | None = None
    node_id: str | None = None


@dataclass(frozen=True)
class TrialRunEnd:
    """How a trial's run ends: its last metrics and tags, then `status` (a RunStatus value)."""

    run_id: str
    status: str
    end_time: int  # epoch milliseconds
    metrics: Sequence[Metric] = ()
    tags: Sequence[RunTag] = ()


class TrackedTrialStore(ABC):
    """A study store in the tracking store's database: a trial and its run are written
    together, so a trial costs two transactions (its start and its end), not four."""

    @abstractmethod
    def start_tracked_trial(self, study_id: str, params: Mapping[str, Any], run: TrialRun, *,
                            started_at: float, number: int | None = None,
                            node_id: str = "") -> tuple[Trial, Run]:
        """`start_trial` and the creation of `run` (the trial's run_id) in one transaction:
        both or neither."""

    @abstractmethod
    def finish_tracked_trial(self, study_id: str, number: int, state: str, end: TrialRunEnd,
                             *, ended_at: float, value: float | None = None,
                             metrics: Mapping[str, float] | None = None, error: str = "",
                             node_id: str | None = None) -> Trial:
        """`finish_trial` (its run_id `end.run_id`) and the end of that run in one
        transaction: both or neither."""


# -- checks shared by every implementation ----------------------------------------------------

def check_study_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name) > MAX_STUDY_NAME_LENGTH \
            or not _NAME.match(name):
        raise InvalidInputError(
            f"study name {name!r} is not valid: use 1-{MAX_STUDY_NAME_LENGTH} letters, digits, "
            "'_', '.', '-' or spaces (not starting with a space)")
    return name


def check_study(study: Study) -> Study:
    """`study` when every field is well formed; InvalidInputError naming the first that is
    not."""
    if not isinstance(study.study_id, str) or not 1 <= len(study.study_id) <= 64:
        raise InvalidInputError(f"study id {study.study_id!r:.80} must be a string of 1-64 "
                                "characters")
    check_study_name(study.name)
    if study.direction not in DIRECTIONS:
        raise InvalidInputError(f"direction must be 'maximize' or 'minimize', not "
                                f"{study.direction!r}")
    if study.status not in StudyStatus.__members__:
        raise InvalidInputError(f"study status {study.status!r} is not one of "
                                f"{', '.join(StudyStatus)}")
    if not isinstance(study.objective, str) or not study.objective:
        raise InvalidInputError("objective must be a metric name")
    if not isinstance(study.space, dict) or not study.space:
        raise InvalidInputError("the search space is empty")
    for label, value, least in (("max_trials", study.max_trials, 1),
                                ("parallel_trials", study.parallel_trials, 1),
                                ("max_failed_trials", study.max_failed_trials, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise InvalidInputError(f"{label} must be an integer >= {least}, not {value!r}")
    if study.seed is not None and (not isinstance(study.seed, int) or isinstance(study.seed, bool)):
        raise InvalidInputError(f"seed must be an integer or None, not {study.seed!r}")
    if not _finite(study.created_at) or (study.ended_at is not None
                                         and not _finite(study.ended_at)):
        raise InvalidInputError("created_at and ended_at must be epoch seconds (finite numbers)")
    for label, text in (("algorithm", study.algorithm), ("early_stopping", study.early_stopping),
                        ("task_name", study.task_name), ("task_ref", study.task_ref),
                        ("execution_id", study.execution_id),
                        ("parent_run_id", study.parent_run_id),
                        ("experiment_id", study.experiment_id)):
        if not isinstance(text, str):
            raise InvalidInputError(f"{label} must be a string, not {text!r:.80}")
    for label, text in (("execution_id", study.execution_id),
                        ("parent_run_id", study.parent_run_id),
                        ("experiment_id", study.experiment_id)):
        if len(text) > 64:
            raise InvalidInputError(f"{label} {text!r:.80} is longer than 64 characters")
    if not isinstance(study.settings, dict):
        raise InvalidInputError(f"settings must be a dict, not {study.settings!r:.80}")
    return study


def check_status(status: str) -> str:
    if status not in StudyStatus.__members__:
        raise InvalidInputError(f"study status {status!r} is not one of {', '.join(StudyStatus)}")
    return status


def check_finish(state: str, value: float | None, metrics: Mapping[str, float] | None) -> None:
    """A trial's end is well formed: a finished state, a finite value exactly when COMPLETE,
    finite metrics."""
    if state not in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL):
        raise InvalidInputError(f"a trial finishes as COMPLETE, PRUNED or FAIL, not {state!r}")
    if state == TrialState.COMPLETE and not _finite(value):
        raise InvalidInputError(f"a COMPLETE trial needs a finite objective value, not "
                                f"{value!r}")
    for key, metric in (metrics or {}).items():
        if not isinstance(key, str) or not key or not _finite(metric):
            raise InvalidInputError(f"metric {key!r} must be a named finite number, not "
                                    f"{metric!r}")


def check_intermediate(step: int, value: float) -> None:
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise InvalidInputError(f"step must be an integer >= 0, not {step!r}")
    if not _finite(value):
        raise InvalidInputError(f"an intermediate value must be a finite number, not {value!r}")


def _finite(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))
