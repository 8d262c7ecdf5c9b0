"""`RestModelRegistry`: the model registry methods of `RestTrackingStore`, one request each to the
server's `/api/v1/registered-models` and `/api/v1/model-versions`.

Names, versions, aliases and lineage datasets are checked here first, as the SQL store checks
them (so a bad call fails without a round trip and never becomes a malformed URL); the server
checks everything again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slipstream._core.errors import InvalidInputError
from slipstream.entities.registry import AliasEvent, ModelVersion, RegisteredModel
from slipstream.entities.tracking import Dataset
from slipstream.metadata.registry import (
    SEARCH_REGISTRY_DEFAULT,
    ModelRegistryStore,
    check_alias,
    check_model_name,
    check_version,
)
from slipstream.metadata.rest.codec import (
    alias_event_from_json,
    dataset_json,
    model_version_from_json,
    registered_model_from_json,
)
from slipstream.metadata.rest.http import JsonHttp, quote

MODELS = "/api/v1/registered-models"


class RestModelRegistry(ModelRegistryStore):
    """Mixed into `RestTrackingStore`, which provides `_http`."""

    _http: JsonHttp

    # -- registered models --------------------------------------------------------------------

    def create_registered_model(self, name: str, tags: Mapping[str, str] | None = None,
                                description: str = "") -> RegisteredModel:
        return registered_model_from_json(self._http.request("POST", MODELS, {
            "name": check_model_name(name), "tags": dict(tags or {}),
            "description": description}))

    def get_registered_model(self, name: str) -> RegisteredModel:
        return registered_model_from_json(self._http.get(_model(name)))

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        return registered_model_from_json(self._http.request(
            "PATCH", _model(name), {"new_name": check_model_name(new_name)}))

    def update_registered_model(self, name: str, description: str) -> RegisteredModel:
        return registered_model_from_json(self._http.request(
            "PATCH", _model(name), {"description": description}))

    def delete_registered_model(self, name: str) -> None:
        self._http.request("DELETE", _model(name))

    def search_registered_models(self, filter_string: str = "",
                                 max_results: int = SEARCH_REGISTRY_DEFAULT,
                                 order_by: Sequence[str] = (), page_token: str | None = None,
                                 ) -> tuple[list[RegisteredModel], str | None]:
        answer = self._http.get(MODELS, _search(filter_string, max_results, order_by,
                                                page_token))
        return ([registered_model_from_json(m) for m in answer["registered_models"]],
                answer.get("next_page_token"))

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        self._http.request("POST", f"{_model(name)}/tags", {"key": key, "value": value})

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self._http.request("DELETE", f"{_model(name)}/tags/{quote(key)}")

    # -- versions -----------------------------------------------------------------------------

    def create_model_version(self, name: str, source: str, run_id: str | None = None,
                             model_id: str | None = None,
                             tags: Mapping[str, str] | None = None, description: str = "",
                             user_id: str = "", *, execution_id: str | None = None,
                             node_id: str | None = None, workflow_version: str | None = None,
                             datasets: Sequence[Dataset] = ()) -> ModelVersion:
        return model_version_from_json(self._http.request("POST", f"{_model(name)}/versions", {
            "source": source, "run_id": run_id, "model_id": model_id, "tags": dict(tags or {}),
            "description": description, "user_id": user_id, "execution_id": execution_id,
            "node_id": node_id, "workflow_version": workflow_version,
            "datasets": [dataset_json(d) for d in _datasets(datasets)]}))

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        return model_version_from_json(self._http.get(_version(name, version)))

    def update_model_version(self, name: str, version: int | str,
                             description: str) -> ModelVersion:
        return model_version_from_json(self._http.request(
            "PATCH", _version(name, version), {"description": description}))

    def delete_model_version(self, name: str, version: int | str) -> None:
        self._http.request("DELETE", _version(name, version))

    def set_model_version_tag(self, name: str, version: int | str, key: str,
                              value: str) -> None:
        self._http.request("POST", f"{_version(name, version)}/tags",
                           {"key": key, "value": value})

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        self._http.request("DELETE", f"{_version(name, version)}/tags/{quote(key)}")

    def search_model_versions(self, filter_string: str = "",
                              max_results: int = SEARCH_REGISTRY_DEFAULT,
                              order_by: Sequence[str] = (), page_token: str | None = None,
                              ) -> tuple[list[ModelVersion], str | None]:
        answer = self._http.get("/api/v1/model-versions",
                                _search(filter_string, max_results, order_by, page_token))
        return ([model_version_from_json(v) for v in answer["model_versions"]],
                answer.get("next_page_token"))

    # -- aliases ------------------------------------------------------------------------------

    def set_model_alias(self, name: str, alias: str, version: int | str,
                        user_id: str = "") -> None:
        self._http.request("PUT", _alias(name, alias),
                           {"version": check_version(version), "user_id": user_id})

    def delete_model_alias(self, name: str, alias: str, user_id: str = "") -> None:
        self._http.request("DELETE", _alias(name, alias), query={"user_id": user_id or None})

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        return model_version_from_json(self._http.get(_alias(name, alias)))

    def get_alias_history(self, name: str, alias: str | None = None) -> list[AliasEvent]:
        if alias is not None:
            check_alias(alias)
        answer = self._http.get(f"{_model(name)}/alias-history", {"alias": alias})
        return [alias_event_from_json(e) for e in answer["events"]]


def _model(name: str) -> str:
    return f"{MODELS}/{quote(check_model_name(name))}"


def _version(name: str, version: int | str) -> str:
    return f"{_model(name)}/versions/{check_version(version)}"


def _alias(name: str, alias: str) -> str:
    return f"{_model(name)}/aliases/{quote(check_alias(alias))}"


def _search(filter_string: str, max_results: int, order_by: Sequence[str],
            page_token: str | None) -> dict[str, object]:
    return {"filter": filter_string or None, "max_results": max_results,
            "order_by": list(order_by) or None, "page_token": page_token}


def _datasets(datasets: Sequence[Dataset]) -> tuple[Dataset, ...]:
    if isinstance(datasets, str | bytes):
        raise InvalidInputError("Model version datasets must be a sequence of Dataset records, "
                                "not a string.")
    checked = tuple(datasets)
    for item in checked:
        if not isinstance(item, Dataset):
            raise InvalidInputError(f"Invalid model version dataset {item!r:.100}: expected a "
                                    "slipstream.entities.Dataset.")
    return checked
