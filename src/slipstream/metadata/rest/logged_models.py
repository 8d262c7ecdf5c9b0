"""`RestLoggedModels`: the logged-model methods of `RestTrackingStore`, one request each to the
server's `/api/v1/logged-models` (and a run's `outputs` / `model-inputs`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slipstream.entities.tracking import LoggedModel, LoggedModelStatus, ModelOutput
from slipstream.metadata.logged_models import SEARCH_LOGGED_MODELS_DEFAULT, LoggedModelStore
from slipstream.metadata.rest.codec import logged_model_from_json
from slipstream.metadata.rest.http import JsonHttp, quote, safe_segment

MODELS = "/api/v1/logged-models"


class RestLoggedModels(LoggedModelStore):
    """Mixed into `RestTrackingStore`, which provides `_http`."""

    _http: JsonHttp

    def create_logged_model(self, experiment_id: str, name: str | None = None,
                            source_run_id: str | None = None,
                            tags: Mapping[str, str] | None = None,
                            params: Mapping[str, str] | None = None,
                            model_type: str | None = None) -> LoggedModel:
        return logged_model_from_json(self._http.request("POST", MODELS, {
            "experiment_id": str(experiment_id), "name": name, "source_run_id": source_run_id,
            "tags": dict(tags or {}), "params": dict(params or {}), "model_type": model_type}))

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        return logged_model_from_json(self._http.get(
            _model(model_id), {"allow_deleted": "true" if allow_deleted else None}))

    def finalize_logged_model(self, model_id: str,
                              status: LoggedModelStatus | str) -> LoggedModel:
        return logged_model_from_json(self._http.request("PATCH", _model(model_id),
                                                         {"status": str(status)}))

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        self._http.request("POST", f"{_model(model_id)}/tags", {"tags": dict(tags)})

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        self._http.request("DELETE", f"{_model(model_id)}/tags/{quote(key)}")

    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None:
        self._http.request("POST", f"{_model(model_id)}/params", {"params": dict(params)})

    def delete_logged_model(self, model_id: str) -> None:
        self._http.request("DELETE", _model(model_id))

    def search_logged_models(self, experiment_ids: Sequence[str], filter_string: str = "",
                             datasets: Sequence[tuple[str, str | None]] = (),
                             max_results: int = SEARCH_LOGGED_MODELS_DEFAULT,
                             order_by: Sequence[tuple[str, bool]] = (),
                             page_token: str | None = None,
                             ) -> tuple[list[LoggedModel], str | None]:
        answer = self._http.request("POST", f"{MODELS}/search", {
            "experiment_ids": [str(e) for e in experiment_ids], "filter": filter_string or "",
            "datasets": [{"name": n, "digest": d} for n, d in datasets],
            "max_results": max_results,
            "order_by": [{"field": f, "ascending": a} for f, a in order_by],
            "page_token": page_token})
        return ([logged_model_from_json(m) for m in answer["models"]],
                answer.get("next_page_token"))

    def log_outputs(self, run_id: str, outputs: Sequence[ModelOutput]) -> None:
        self._http.request("POST", f"/api/v1/runs/{safe_segment('Run', run_id)}/outputs",
                           {"models": [{"model_id": o.model_id, "step": o.step}
                                       for o in outputs]})

    def log_model_inputs(self, run_id: str, model_ids: Sequence[str]) -> None:
        self._http.request("POST", f"/api/v1/runs/{safe_segment('Run', run_id)}/model-inputs",
                           {"model_ids": list(model_ids)})


def _model(model_id: str) -> str:
    return f"{MODELS}/{safe_segment('Logged model', model_id)}"
