"""`SqlLoggedModels`: the logged-model methods of `SqlTrackingStore` (MLflow 3), each one
transaction through the store's `_write` / `_connect` (SQL in `logged_models`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError
from slipstream.entities.tracking import LoggedModel, LoggedModelStatus, ModelOutput
from slipstream.metadata.logged_models import SEARCH_LOGGED_MODELS_DEFAULT, LoggedModelStore
from slipstream.metadata.validation import enum_value

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: MLflow's cap on one logged-model search page.
SEARCH_LOGGED_MODELS_MAX = 1000


class SqlLoggedModels(LoggedModelStore):
    """Mixed into `SqlTrackingStore`, which provides the attributes declared here."""

    artifact_root: str
    _write: Callable[[Callable[[Connection], Any]], Any]
    _connect: Callable[[], AbstractContextManager[Connection]]

    def create_logged_model(self, experiment_id: str, name: str | None = None,
                            source_run_id: str | None = None,
                            tags: Mapping[str, str] | None = None,
                            params: Mapping[str, str] | None = None,
                            model_type: str | None = None) -> LoggedModel:
        from slipstream.metadata.sql import logged_models as lm

        model_id = self._write(lambda c: lm.create(
            c, experiment_id, name, source_run_id, model_type, dict(params or {}),
            dict(tags or {}), self.artifact_root, _now()))
        return self.get_logged_model(model_id)

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        from slipstream.metadata.sql import logged_models as lm

        with self._connect() as conn:
            return lm.get(conn, model_id, allow_deleted)

    def finalize_logged_model(self, model_id: str,
                              status: LoggedModelStatus | str) -> LoggedModel:
        from slipstream.metadata.sql import logged_models as lm

        value = enum_value(LoggedModelStatus, status, "logged model status")
        self._write(lambda c: lm.finalize(c, model_id, value, _now()))
        return self.get_logged_model(model_id)

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        from slipstream.metadata.sql import logged_models as lm

        self._write(lambda c: lm.set_tags(c, model_id, dict(tags), _now()))

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        from slipstream.metadata.sql import logged_models as lm

        self._write(lambda c: lm.delete_tag(c, model_id, key))

    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None:
        from slipstream.metadata.sql import logged_models as lm

        self._write(lambda c: lm.log_params(c, model_id, dict(params)))

    def delete_logged_model(self, model_id: str) -> None:
        from slipstream.metadata.sql import logged_models as lm

        self._write(lambda c: lm.delete(c, model_id, _now()))

    def search_logged_models(self, experiment_ids: Sequence[str], filter_string: str = "",
                             datasets: Sequence[tuple[str, str | None]] = (),
                             max_results: int = SEARCH_LOGGED_MODELS_DEFAULT,
                             order_by: Sequence[tuple[str, bool]] = (),
                             page_token: str | None = None,
                             ) -> tuple[list[LoggedModel], str | None]:
        from slipstream.metadata.sql import logged_models as lm

        if isinstance(max_results, bool) or not isinstance(max_results, int) or not (
                1 <= max_results <= SEARCH_LOGGED_MODELS_MAX):
            raise InvalidInputError(
                f"Invalid value {max_results!r} for parameter 'max_results': it must be a "
                f"positive integer at most {SEARCH_LOGGED_MODELS_MAX}.")
        with self._connect() as conn:
            return lm.search(conn, list(experiment_ids), filter_string or "", list(datasets),
                             max_results, list(order_by), page_token)

    def log_outputs(self, run_id: str, outputs: Sequence[ModelOutput]) -> None:
        from slipstream.metadata.sql import logged_models as lm

        self._write(lambda c: lm.log_outputs(c, run_id, list(outputs)))

    def log_model_inputs(self, run_id: str, model_ids: Sequence[str]) -> None:
        from slipstream.metadata.sql import logged_models as lm

        self._write(lambda c: lm.log_model_inputs(c, run_id, list(model_ids)))



def _now() -> int:
    return int(time.time() * 1000)
