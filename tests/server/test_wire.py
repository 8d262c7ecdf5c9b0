"""The MLflow wire shapes, over raw HTTP: run_id or run_uuid, metric values as numbers or the
strings "NaN"/"Infinity"/"-Infinity", `{}` for an empty success, and the error body shape."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.server.conftest import Served

API = "/api/2.0/mlflow"


def _call(served: Served, method: str, path: str, body: dict[str, Any] | None = None,
          query: str = "") -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{served.url}{API}/{path}{query}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _new_run(served: Served) -> str:
    status, created = _call(served, "POST", "runs/create",
                            {"experiment_id": "0", "user_id": "me", "start_time": 1_700_000_000_000,
                             "tags": [{"key": "mlflow.user", "value": "me"}]})
    assert status == 200
    info = created["run"]["info"]
    assert info["run_id"] == info["run_uuid"] and info["status"] == "RUNNING"
    assert info["start_time"] == 1_700_000_000_000 and "end_time" not in info
    assert {"key": "mlflow.user", "value": "me"} in created["run"]["data"]["tags"]
    return str(info["run_id"])


def test_metric_values_round_trip_as_protobuf_json(served: Served) -> None:
    run_id = _new_run(served)
    for step, value in enumerate(["NaN", "Infinity", "-Infinity", 1.5]):
        assert _call(served, "POST", "runs/log-metric",
                     {"run_id": run_id, "run_uuid": run_id, "key": "m", "value": value,
                      "timestamp": 10 + step, "step": step}) == (200, {})
    status, history = _call(served, "GET", "metrics/get-history",
                            query=f"?run_uuid={run_id}&metric_key=m&max_results=25000")
    assert status == 200
    assert [p["value"] for p in history["metrics"]] == ["NaN", "Infinity", "-Infinity", 1.5]
    assert history["metrics"][0] == {"key": "m", "value": "NaN", "timestamp": 10, "step": 0}


def test_log_batch_and_update(served: Served) -> None:
    run_id = _new_run(served)
    assert _call(served, "POST", "runs/log-batch", {
        "run_id": run_id,
        "metrics": [{"key": "a", "value": 1, "timestamp": 5, "step": 0, "run_id": run_id}],
        "params": [{"key": "p", "value": "v"}], "tags": [{"key": "t", "value": "u"}]}) == (200, {})
    status, updated = _call(served, "POST", "runs/update",
                            {"run_id": run_id, "run_uuid": run_id, "status": "FINISHED",
                             "end_time": 1_700_000_000_500})
    assert status == 200 and updated["run_info"]["status"] == "FINISHED"
    assert updated["run_info"]["end_time"] == 1_700_000_000_500
    status, got = _call(served, "GET", "runs/get", query=f"?run_id={run_id}")
    assert got["run"]["data"]["metrics"] == [{"key": "a", "value": 1.0, "timestamp": 5, "step": 0}]
    assert got["run"]["data"]["params"] == [{"key": "p", "value": "v"}]
    assert {"key": "t", "value": "u"} in got["run"]["data"]["tags"]
    assert got["run"]["inputs"] == {"dataset_inputs": []}


def test_bad_input_gets_mlflow_error_bodies(served: Served) -> None:
    run_id = _new_run(served)
    status, body = _call(served, "POST", "runs/log-metric",
                         {"run_id": run_id, "key": "m", "value": "lots", "timestamp": 1})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "value" in body["message"]
    status, body = _call(served, "POST", "runs/log-parameter", {"key": "k", "value": "v"})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "run_id" in body["message"]
    status, body = _call(served, "GET", "experiments/get-by-name", query="?experiment_name=nope")
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    status, body = _call(served, "GET", "no-such-thing")
    assert (status, body["error_code"]) == (404, "ENDPOINT_NOT_FOUND")
    assert set(body) == {"error_code", "message", "sqlstate", "error_class"}
    status, got = _call(served, "GET", "runs/get", query=f"?run_id={run_id}")
    assert got["run"]["data"]["metrics"] == []  # nothing partially written


def test_experiment_search_filters_and_refuses_a_malformed_filter(served: Served) -> None:
    status, body = _call(served, "POST", "experiments/search",
                         {"max_results": 10, "filter": "name = 'Default'"})
    assert status == 200 and [e["name"] for e in body["experiments"]] == ["Default"]
    status, body = _call(served, "POST", "experiments/search",
                         {"max_results": 10, "filter": "name LIKE"})
    assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    assert "filter" in body["message"]
