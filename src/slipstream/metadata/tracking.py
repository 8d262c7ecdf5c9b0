"""The tracking store interface: experiments, runs, metrics, params, tags, dataset inputs.

MLflow's semantics, which the REST layer relies on: `log_batch` is the one write primitive for
metrics, params and tags (`log_metric`, `log_param`, `set_tag` and friends are built on it here),
validated by `metadata.validation` and applied in one transaction, all or nothing. A param keeps
its first value (the same value again is fine, another is an InvalidInputError); tags overwrite;
every metric point is kept, and a run's latest metric per key is the one with the highest step,
then timestamp. Writing to a deleted run is refused; a finished run accepts writes. Unknown ids
raise NotFoundError; a duplicate experiment name raises AlreadyExistsError.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

from slipstream._core.errors import InvalidInputError
from slipstream.entities import (
    DatasetInput,
    Experiment,
    Metric,
    Param,
    Run,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
)

#: MLflow's page size defaults and caps.
SEARCH_MAX_RESULTS_DEFAULT = 1000
SEARCH_MAX_RESULTS_THRESHOLD = 50000


class AlreadyExistsError(InvalidInputError):
    """A name that must be unique is taken (MLflow's RESOURCE_ALREADY_EXISTS)."""


class TrackingStore(ABC):
    """Persistence for the tracking aggregate. Implementations: SQL (SQLite, PostgreSQL) and
    REST (`metadata.rest`: a Slipstream server). Stores that also keep MLflow 3 logged models
    implement `metadata.logged_models.LoggedModelStore` (both do)."""

    url: str
    #: The http(s) base URL of the tracking server this store talks to (REST stores), against
    #: which runs' `mlflow-artifacts:` URIs resolve; None when the store is the database itself.
    tracking_server_url: str | None = None

    # -- experiments ------------------------------------------------------------------------

    @abstractmethod
    def create_experiment(self, name: str, artifact_location: str | None = None,
                          tags: Mapping[str, str] | None = None) -> str:
        """Create an active experiment; returns its id. AlreadyExistsError for a taken name
        (even by a deleted experiment)."""

    @abstractmethod
    def get_experiment(self, experiment_id: str) -> Experiment:
        """One experiment, active or deleted. NotFoundError for an unknown id."""

    @abstractmethod
    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """The experiment with this exact name, active or deleted, or None."""

    @abstractmethod
    def search_experiments(self, view_type: ViewType = ViewType.ACTIVE_ONLY,
                           max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
                           page_token: str | None = None, *, filter_string: str = "",
                           order_by: Sequence[str] = ()) -> tuple[list[Experiment], str | None]:
        """Experiments matching an MLflow filter (attributes name, creation_time,
        last_update_time; tags), ordered by `order_by` then newest first, and the token of the
        next page (None at the end)."""

    @abstractmethod
    def update_experiment(self, experiment_id: str, *, name: str | None = None,
                          lifecycle_stage: str | None = None) -> None:
        """Rename, delete or restore an experiment (primitive behind rename/delete/restore)."""

    @abstractmethod
    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Set (or overwrite) one experiment tag."""

    @abstractmethod
    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Remove one experiment tag; NotFoundError when the experiment has no such tag."""

    # -- runs -------------------------------------------------------------------------------

    @abstractmethod
    def create_run(self, experiment_id: str, user_id: str, start_time: int | None,
                   run_name: str | None, tags: Mapping[str, str] | None = None, *,
                   parent_run_id: str | None = None, execution_id: str | None = None,
                   node_id: str | None = None) -> Run:
        """A RUNNING run in an active experiment; an empty name gets a generated one, kept in
        tag mlflow.runName; `parent_run_id` is also kept as tag mlflow.parentRunId."""

    @abstractmethod
    def update_run_info(self, run_id: str, status: RunStatus | str, end_time: int | None,
                        run_name: str | None = None) -> RunInfo:
        """Set status and end time (and the name, mirrored in tag mlflow.runName)."""

    @abstractmethod
    def get_run(self, run_id: str) -> Run:
        """A run with its params, tags, latest metrics and inputs; NotFoundError if unknown."""

    @abstractmethod
    def set_run_lifecycle(self, run_id: str, stage: str) -> None:
        """Mark a run deleted or active again (primitive behind delete_run/restore_run)."""

    @abstractmethod
    def log_batch(self, run_id: str, metrics: Sequence[Metric] = (),
                  params: Sequence[Param] = (), tags: Sequence[RunTag] = ()) -> None:
        """THE write primitive: metrics, params and tags in one transaction, all or nothing."""

    @abstractmethod
    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove a run tag; NotFoundError when the run has no such tag."""

    @abstractmethod
    def log_inputs(self, run_id: str, datasets: Sequence[DatasetInput]) -> None:
        """Record datasets (by (name, digest) in the experiment) as inputs of the run."""

    @abstractmethod
    def get_metric_history(self, run_id: str, key: str, max_results: int | None = None,
                           page_token: str | None = None) -> tuple[list[Metric], str | None]:
        """Every point of one metric, by step then timestamp, and the next page's token."""

    @abstractmethod
    def search_runs(self, experiment_ids: Sequence[str], filter_string: str = "",
                    run_view_type: ViewType = ViewType.ACTIVE_ONLY,
                    max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
                    order_by: Sequence[str] = (),
                    page_token: str | None = None) -> tuple[list[Run], str | None]:
        """Runs matching an MLflow filter string, ordered (default: start time descending),
        one page of them, and the next page's token."""

    @abstractmethod
    def list_runs_for_executions(self, execution_ids: Sequence[str]) -> list[Run]:
        """Every run logged from nodes of these workflow executions (lineage), any stage."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    # -- conveniences built on the primitives ----------------------------------------------

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        self.update_experiment(experiment_id, name=new_name)

    def delete_experiment(self, experiment_id: str) -> None:
        self.update_experiment(experiment_id, lifecycle_stage="deleted")

    def restore_experiment(self, experiment_id: str) -> None:
        self.update_experiment(experiment_id, lifecycle_stage="active")

    def delete_run(self, run_id: str) -> None:
        self.set_run_lifecycle(run_id, "deleted")

    def restore_run(self, run_id: str) -> None:
        self.set_run_lifecycle(run_id, "active")

    def log_metric(self, run_id: str, key: str, value: float, timestamp: int | None = None,
                   step: int = 0) -> None:
        stamp = int(time.time() * 1000) if timestamp is None else timestamp
        self.log_batch(run_id, metrics=[Metric(key, value, stamp, step)])

    def log_param(self, run_id: str, key: str, value: str) -> None:
        self.log_batch(run_id, params=[Param(key, value)])

    def set_tag(self, run_id: str, key: str, value: str) -> None:
        self.log_batch(run_id, tags=[RunTag(key, value)])

    def end_run(self, run_id: str, status: RunStatus | str, end_time: int | None,
                metrics: Sequence[Metric] = (), params: Sequence[Param] = (),
                tags: Sequence[RunTag] = ()) -> RunInfo:
        """A last batch (if any), then the run's status and end time. The SQL store does both
        in one transaction, all or nothing; here they are two calls."""
        if metrics or params or tags:
            self.log_batch(run_id, metrics=metrics, params=params, tags=tags)
        return self.update_run_info(run_id, status, end_time)

    def list_runs_for_execution(self, execution_id: str) -> list[Run]:
        """Runs logged from one workflow execution's nodes."""
        return self.list_runs_for_executions([execution_id])
