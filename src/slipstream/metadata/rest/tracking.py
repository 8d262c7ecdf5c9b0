"""`RestTrackingStore`: the tracking store interface over a Slipstream server's native API.

Every method is one request to `/api/v1` (shapes: `slipstream.metadata.rest.codec`); the server's
error answers come back as the exceptions the SQL store raises, with the server's message.
Batches are checked here first (MLflow's limits: 1,000 metrics, 100 params, 100 tags), so a bad
call fails without a round trip; `TrackingClient`'s buffer already splits its writes to fit.
Run artifacts live wherever the server's runs say (`artifact_uri`); `tracking_server_url` lets
the client resolve `mlflow-artifacts:` URIs against this server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slipstream._core.errors import NotFoundError
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
from slipstream.metadata.rest.codec import (
    dataset_input_json,
    experiment_from_json,
    float_json,
    metric_from_json,
    run_from_json,
    run_info_from_json,
)
from slipstream.metadata.rest.http import DEFAULT_TIMEOUT, JsonHttp, quote, safe_segment
from slipstream.metadata.rest.logged_models import RestLoggedModels
from slipstream.metadata.rest.registry import RestModelRegistry
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_DEFAULT, TrackingStore
from slipstream.metadata.validation import check_batch, check_dataset_input, check_run_id

API = "/api/v1"


class RestTrackingStore(RestLoggedModels, RestModelRegistry, TrackingStore):
    """Tracking store at `url` (http:// or https://, the server's base URL), logged models
    and the model registry included."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT,
                 check: bool = True) -> None:
        self._http = JsonHttp(url, timeout=timeout)
        self.url = self._http.base_url
        self.tracking_server_url = self.url
        if check:
            self._http.get(f"{API}/experiments/0")  # fails now, clearly, if nobody answers

    # -- experiments ------------------------------------------------------------------------

    def create_experiment(self, name: str, artifact_location: str | None = None,
                          tags: Mapping[str, str] | None = None) -> str:
        answer = self._http.request("POST", f"{API}/experiments", {
            "name": name, "artifact_location": artifact_location, "tags": dict(tags or {})})
        return str(answer["experiment_id"])

    def get_experiment(self, experiment_id: str) -> Experiment:
        return experiment_from_json(self._http.get(_experiment(experiment_id)))

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        try:
            return experiment_from_json(self._http.get(f"{API}/experiments/by-name",
                                                       {"name": name}))
        except NotFoundError:
            return None

    def search_experiments(self, view_type: ViewType = ViewType.ACTIVE_ONLY,
                           max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
                           page_token: str | None = None, *, filter_string: str = "",
                           order_by: Sequence[str] = ()) -> tuple[list[Experiment], str | None]:
        answer = self._http.get(f"{API}/experiments", {
            "view_type": ViewType(view_type).value, "max_results": max_results,
            "page_token": page_token, "filter": filter_string or None,
            "order_by": list(order_by) or None})
        return ([experiment_from_json(e) for e in answer["experiments"]],
                answer.get("next_page_token"))

    def update_experiment(self, experiment_id: str, *, name: str | None = None,
                          lifecycle_stage: str | None = None) -> None:
        self._http.request("PATCH", _experiment(experiment_id),
                           {"name": name, "lifecycle_stage": lifecycle_stage})

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        self._http.request("POST", f"{_experiment(experiment_id)}/tags",
                           {"key": key, "value": value})

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        self._http.request("DELETE", f"{_experiment(experiment_id)}/tags/{quote(key)}")

    # -- runs -------------------------------------------------------------------------------

    def create_run(self, experiment_id: str, user_id: str, start_time: int | None,
                   run_name: str | None, tags: Mapping[str, str] | None = None, *,
                   parent_run_id: str | None = None, execution_id: str | None = None,
                   node_id: str | None = None) -> Run:
        return run_from_json(self._http.request("POST", f"{API}/runs", {
            "experiment_id": str(experiment_id), "user_id": user_id, "start_time": start_time,
            "run_name": run_name, "tags": dict(tags or {}), "parent_run_id": parent_run_id,
            "execution_id": execution_id, "node_id": node_id}))

    def update_run_info(self, run_id: str, status: RunStatus | str, end_time: int | None,
                        run_name: str | None = None) -> RunInfo:
        return run_info_from_json(self._http.request("PATCH", _run(run_id), {
            "status": str(status), "end_time": end_time, "run_name": run_name}))

    def get_run(self, run_id: str) -> Run:
        return run_from_json(self._http.get(_run(run_id)))

    def set_run_lifecycle(self, run_id: str, stage: str) -> None:
        if stage == "deleted":
            self._http.request("DELETE", _run(run_id))
        else:
            self._http.request("POST", f"{_run(run_id)}/restore")

    def log_batch(self, run_id: str, metrics: Sequence[Metric] = (),
                  params: Sequence[Param] = (), tags: Sequence[RunTag] = ()) -> None:
        check_run_id(run_id)
        check_batch(metrics, params, tags)
        self._http.request("POST", f"{_run(run_id)}/log-batch", {
            "metrics": [_metric(m) for m in metrics],
            "params": [{"key": p.key, "value": p.value} for p in params],
            "tags": [{"key": t.key, "value": t.value} for t in tags]})

    def delete_tag(self, run_id: str, key: str) -> None:
        self._http.request("DELETE", f"{_run(run_id)}/tags/{quote(key)}")

    def log_inputs(self, run_id: str, datasets: Sequence[DatasetInput]) -> None:
        for item in datasets:
            check_dataset_input(item)
        self._http.request("POST", f"{_run(run_id)}/inputs",
                           {"datasets": [dataset_input_json(d) for d in datasets]})

    def get_metric_history(self, run_id: str, key: str, max_results: int | None = None,
                           page_token: str | None = None) -> tuple[list[Metric], str | None]:
        answer = self._http.get(f"{_run(run_id)}/metric-history", {
            "key": key, "max_results": max_results, "page_token": page_token})
        return [metric_from_json(m) for m in answer["metrics"]], answer.get("next_page_token")

    def search_runs(self, experiment_ids: Sequence[str], filter_string: str = "",
                    run_view_type: ViewType = ViewType.ACTIVE_ONLY,
                    max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
                    order_by: Sequence[str] = (),
                    page_token: str | None = None) -> tuple[list[Run], str | None]:
        answer = self._http.request("POST", f"{API}/runs/search", {
            "experiment_ids": [str(e) for e in experiment_ids], "filter": filter_string,
            "run_view_type": ViewType(run_view_type).value, "max_results": max_results,
            "order_by": list(order_by), "page_token": page_token})
        return [run_from_json(r) for r in answer["runs"]], answer.get("next_page_token")

    def list_runs_for_executions(self, execution_ids: Sequence[str]) -> list[Run]:
        if not execution_ids:
            return []
        answer = self._http.get(f"{API}/runs/by-execution",
                                {"execution_id": list(execution_ids)})
        return [run_from_json(r) for r in answer["runs"]]

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"RestTrackingStore({self.url!r})"


def _metric(m: Metric) -> dict[str, Any]:
    point = {"key": m.key, "value": float_json(float(m.value)), "timestamp": m.timestamp,
             "step": m.step}
    for name in ("model_id", "dataset_name", "dataset_digest"):
        if getattr(m, name) is not None:
            point[name] = getattr(m, name)
    return point


def _experiment(experiment_id: str) -> str:
    return f"{API}/experiments/{safe_segment('Experiment', experiment_id)}"


def _run(run_id: str) -> str:
    return f"{API}/runs/{safe_segment('Run', run_id)}"
