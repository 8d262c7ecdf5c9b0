"""The logged-model part of the tracking store interface (MLflow 3): models with their
artifacts' location, status, tags, params and linked metrics, and the runs that produced or used
them. The SQL tracking store implements it next to `TrackingStore`.

MLflow's semantics: a model is created PENDING in an active experiment, with id `m-` + 32 hex
and artifacts under `{artifact_root}/{experiment_id}/models/{model_id}/artifacts`; finalizing
sets READY or FAILED; deleting hides it from get (unless `allow_deleted`) and search. Params keep
their first value; tags overwrite. Metric points logged with a `model_id` (`log_batch`) are
linked to that model. Unknown ids raise NotFoundError.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

from slipstream.entities.tracking import LoggedModel, LoggedModelStatus, ModelOutput

#: MLflow's default page size for logged-model searches.
SEARCH_LOGGED_MODELS_DEFAULT = 100


class LoggedModelStore(ABC):
    """Persistence for logged models and their links to runs."""

    @abstractmethod
    def create_logged_model(self, experiment_id: str, name: str | None = None,
                            source_run_id: str | None = None,
                            tags: Mapping[str, str] | None = None,
                            params: Mapping[str, str] | None = None,
                            model_type: str | None = None) -> LoggedModel:
        """A new PENDING model (a generated name when none is given)."""

    @abstractmethod
    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        """One model with its tags, params and linked metrics."""

    @abstractmethod
    def finalize_logged_model(self, model_id: str,
                              status: LoggedModelStatus | str) -> LoggedModel:
        """Set the model's status (READY once its artifacts are uploaded, or FAILED)."""

    @abstractmethod
    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        """Set (or overwrite) tags of the model."""

    @abstractmethod
    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Remove one tag; NotFoundError when the model has no such tag."""

    @abstractmethod
    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None:
        """Add params to the model (a different value for a logged key is refused)."""

    @abstractmethod
    def delete_logged_model(self, model_id: str) -> None:
        """Mark the model deleted."""

    @abstractmethod
    def search_logged_models(self, experiment_ids: Sequence[str], filter_string: str = "",
                             datasets: Sequence[tuple[str, str | None]] = (),
                             max_results: int = SEARCH_LOGGED_MODELS_DEFAULT,
                             order_by: Sequence[tuple[str, bool]] = (),
                             page_token: str | None = None,
                             ) -> tuple[list[LoggedModel], str | None]:
        """Active models of the experiments matching an MLflow filter (attributes name,
        model_id, model_type, status, source_run_id, creation_timestamp,
        last_updated_timestamp; tags, params, metrics), metric clauses limited to `datasets`
        ((name, digest or None) pairs) when given; ordered by (field, ascending) pairs then
        newest first; one page and the next page's token."""

    @abstractmethod
    def log_outputs(self, run_id: str, outputs: Sequence[ModelOutput]) -> None:
        """Record logged models as outputs of an active run (shown in `Run.outputs`)."""

    @abstractmethod
    def log_model_inputs(self, run_id: str, model_ids: Sequence[str]) -> None:
        """Record logged models as inputs of an active run (shown in `Run.model_inputs`)."""
