"""`SqlModelRegistry`: the model registry methods of `SqlTrackingStore`, each one transaction
through the store's `_write` / `_connect` (SQL in `registry`). Input is checked before any
transaction opens, so bad input writes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError
from slipstream.entities.registry import AliasEvent, ModelVersion, RegisteredModel
from slipstream.entities.tracking import Dataset, DatasetInput
from slipstream.metadata.registry import (
    SEARCH_REGISTRY_DEFAULT,
    SEARCH_REGISTRY_MAX,
    ModelRegistryStore,
    check_alias,
    check_model_name,
    check_version,
)
from slipstream.metadata.validation import check_dataset_input

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


class SqlModelRegistry(ModelRegistryStore):
    """Mixed into `SqlTrackingStore`, which provides the attributes declared here."""

    _write: Callable[[Callable[[Connection], Any]], Any]
    _connect: Callable[[], AbstractContextManager[Connection]]

    # -- registered models --------------------------------------------------------------------

    def create_registered_model(self, name: str, tags: Mapping[str, str] | None = None,
                                description: str = "") -> RegisteredModel:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        self._write(lambda c: reg.create_model(c, name, dict(tags or {}), description, _now()))
        return self.get_registered_model(name)

    def get_registered_model(self, name: str) -> RegisteredModel:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        with self._connect() as conn:
            reg.require_model(conn, name)
            return reg.load_models(conn, [name])[0]

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        check_model_name(new_name)
        self._write(lambda c: reg.rename_model(c, name, new_name, _now()))
        return self.get_registered_model(new_name)

    def update_registered_model(self, name: str, description: str) -> RegisteredModel:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        self._write(lambda c: reg.update_model(c, name, description, _now()))
        return self.get_registered_model(name)

    def delete_registered_model(self, name: str) -> None:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        self._write(lambda c: reg.delete_model(c, name))

    def search_registered_models(self, filter_string: str = "",
                                 max_results: int = SEARCH_REGISTRY_DEFAULT,
                                 order_by: Sequence[str] = (), page_token: str | None = None,
                                 ) -> tuple[list[RegisteredModel], str | None]:
        from slipstream.metadata.sql import registry_search

        _check_max_results(max_results)
        with self._connect() as conn:
            return registry_search.search_models(conn, filter_string or "", max_results,
                                                 list(order_by), page_token)

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        self._write(lambda c: reg.set_model_tag(c, name, key, value, _now()))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        self._write(lambda c: reg.delete_model_tag(c, name, key))

    # -- versions -----------------------------------------------------------------------------

    def create_model_version(self, name: str, source: str, run_id: str | None = None,
                             model_id: str | None = None,
                             tags: Mapping[str, str] | None = None, description: str = "",
                             user_id: str = "", *, execution_id: str | None = None,
                             node_id: str | None = None, workflow_version: str | None = None,
                             datasets: Sequence[Dataset] = ()) -> ModelVersion:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        if not isinstance(source, str) or not source:
            raise InvalidInputError(f"Invalid model version source {source!r:.100}: it must be "
                                    "a non-empty URI.")
        lineage = reg.Lineage(_optional_text("execution_id", execution_id),
                              _optional_text("node_id", node_id),
                              _optional_text("workflow_version", workflow_version),
                              _check_datasets(datasets))
        version = self._write(lambda c: reg.create_version(
            c, name, source, run_id, model_id, dict(tags or {}), description, user_id, _now(),
            lineage))
        return self.get_model_version(name, version)

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        from slipstream.metadata.sql import registry as reg

        number = _key(name, version)
        with self._connect() as conn:
            reg.require_version(conn, name, number)
            return reg.load_versions(conn, [(name, number)])[0]

    def update_model_version(self, name: str, version: int | str,
                             description: str) -> ModelVersion:
        from slipstream.metadata.sql import registry as reg

        number = _key(name, version)
        self._write(lambda c: reg.update_version(c, name, number, description, _now()))
        return self.get_model_version(name, number)

    def delete_model_version(self, name: str, version: int | str) -> None:
        from slipstream.metadata.sql import registry as reg

        number = _key(name, version)
        self._write(lambda c: reg.delete_version(c, name, number, _now()))

    def set_model_version_tag(self, name: str, version: int | str, key: str,
                              value: str) -> None:
        from slipstream.metadata.sql import registry as reg

        number = _key(name, version)
        self._write(lambda c: reg.set_version_tag(c, name, number, key, value, _now()))

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        from slipstream.metadata.sql import registry as reg

        number = _key(name, version)
        self._write(lambda c: reg.delete_version_tag(c, name, number, key))

    def search_model_versions(self, filter_string: str = "",
                              max_results: int = SEARCH_REGISTRY_DEFAULT,
                              order_by: Sequence[str] = (), page_token: str | None = None,
                              ) -> tuple[list[ModelVersion], str | None]:
        from slipstream.metadata.sql import registry_search

        _check_max_results(max_results)
        with self._connect() as conn:
            return registry_search.search_versions(conn, filter_string or "", max_results,
                                                   list(order_by), page_token)

    # -- aliases ------------------------------------------------------------------------------

    def set_model_alias(self, name: str, alias: str, version: int | str,
                        user_id: str = "") -> None:
        from slipstream.metadata.sql import registry as reg

        number = _key(name, version)
        check_alias(alias)
        self._write(lambda c: reg.set_alias(c, name, alias, number, user_id, _now()))

    def delete_model_alias(self, name: str, alias: str, user_id: str = "") -> None:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        check_alias(alias)
        self._write(lambda c: reg.delete_alias(c, name, alias, user_id, _now()))

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        check_alias(alias)
        with self._connect() as conn:
            number = reg.version_by_alias(conn, name, alias)
            return reg.load_versions(conn, [(name, number)])[0]

    def get_alias_history(self, name: str, alias: str | None = None) -> list[AliasEvent]:
        from slipstream.metadata.sql import registry as reg

        check_model_name(name)
        if alias is not None:
            check_alias(alias)
        with self._connect() as conn:
            return reg.alias_history(conn, name, alias)


def _key(name: str, version: int | str) -> int:
    check_model_name(name)
    return check_version(version)


def _optional_text(what: str, value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"Invalid model version {what} {value!r:.100}: it must be a "
                                "string.")
    return value


def _check_datasets(datasets: Sequence[Dataset]) -> tuple[Dataset, ...]:
    if isinstance(datasets, str | bytes):
        raise InvalidInputError("Model version datasets must be a sequence of Dataset records, "
                                "not a string.")
    checked = tuple(datasets)
    for item in checked:
        if not isinstance(item, Dataset):
            raise InvalidInputError(f"Invalid model version dataset {item!r:.100}: expected a "
                                    "slipstream.entities.Dataset.")
        check_dataset_input(DatasetInput(item))
    return checked


def _check_max_results(max_results: int) -> None:
    if isinstance(max_results, bool) or not isinstance(max_results, int) or not (
            1 <= max_results <= SEARCH_REGISTRY_MAX):
        raise InvalidInputError(
            f"Invalid value {max_results!r} for parameter 'max_results': it must be a positive "
            f"integer at most {SEARCH_REGISTRY_MAX}.")


def _now() -> int:
    return int(time.time() * 1000)
