"""Bad input on the MLflow routes, over raw HTTP: MLflow's limits and rules give 400
INVALID_PARAMETER_VALUE (unknown ids 404 RESOURCE_DOES_NOT_EXIST) with MLflow 3.17's error body
(`error_code`, `message`, `sqlstate`, `error_class`), and nothing of the request is written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.server.conftest import Served
from tests.server.test_wire import _call, _new_run

USER_ERROR = {"INVALID_PARAMETER_VALUE": ("INVALID_PARAMETER_VALUE", "KAM00"),
              "RESOURCE_DOES_NOT_EXIST": ("RESOURCE_NOT_FOUND", "KAM00")}


def _refused(status: int, body: dict[str, Any], code: str = "INVALID_PARAMETER_VALUE",
             http: int = 400) -> str:
    assert status == http, body
    assert set(body) == {"error_code", "message", "sqlstate", "error_class"}
    assert body["error_code"] == code
    assert (body["error_class"], body["sqlstate"]) == USER_ERROR[code]
    return str(body["message"])


def _run_data(served: Served, run_id: str) -> dict[str, Any]:
    status, got = _call(served, "GET", "runs/get", query=f"?run_id={run_id}")
    assert status == 200
    data: dict[str, Any] = got["run"]["data"]
    return data


def _metrics(n: int) -> list[dict[str, Any]]:
    return [{"key": f"m{i}", "value": 1.0, "timestamp": 1, "step": 0} for i in range(n)]


def _pairs(n: int, prefix: str) -> list[dict[str, str]]:
    return [{"key": f"{prefix}{i}", "value": "v"} for i in range(n)]


@pytest.mark.parametrize(("batch", "words"), [
    ({"metrics": _metrics(1001)}, "at most 1000 metrics"),
    ({"params": _pairs(101, "p")}, "at most 100 params"),
    ({"tags": _pairs(101, "t")}, "at most 100 tags"),
    ({"metrics": _metrics(950), "params": _pairs(30, "p"), "tags": _pairs(30, "t")},
     "at most 1000 metrics, params and tags"),
])
def test_log_batch_limits(served: Served, batch: dict[str, Any], words: str) -> None:
    run_id = _new_run(served)
    message = _refused(*_call(served, "POST", "runs/log-batch", {"run_id": run_id, **batch}))
    assert words in message
    data = _run_data(served, run_id)
    assert data.get("metrics", []) == [] and data.get("params", []) == []
    assert {t["key"] for t in data["tags"]} == {"mlflow.user", "mlflow.runName"}


def test_log_batch_over_one_megabyte(served: Served) -> None:
    run_id = _new_run(served)
    params = [{"key": f"p{i}", "value": "x" * 5000} for i in range(100)]
    tags = [{"key": f"t{i}", "value": "y" * 7000} for i in range(100)]
    body = {"run_id": run_id, "params": params, "tags": tags}
    assert len(json.dumps(body)) > 1_000_000
    message = _refused(*_call(served, "POST", "runs/log-batch", body))
    assert "at most 1000000 bytes" in message
    assert _run_data(served, run_id).get("params", []) == []


def test_over_long_keys_and_values_write_nothing(served: Served) -> None:
    run_id = _new_run(served)
    good = {"key": "fine", "value": "ok"}
    long_key = {"key": "k" * 251, "value": "v"}
    message = _refused(*_call(served, "POST", "runs/log-batch",
                              {"run_id": run_id, "params": [good, long_key]}))
    assert "250" in message
    message = _refused(*_call(served, "POST", "runs/log-batch",
                              {"run_id": run_id, "params": [good],
                               "tags": [{"key": "t", "value": "v" * 8001}]}))
    assert "8000" in message
    message = _refused(*_call(served, "POST", "runs/log-parameter",
                              {"run_id": run_id, "key": "p", "value": "v" * 6001}))
    assert "6000" in message
    message = _refused(*_call(served, "POST", "runs/log-batch",
                              {"run_id": run_id, "params": [{"key": "../up", "value": "v"}]}))
    assert "../up" in message
    assert _run_data(served, run_id).get("params", []) == []


def test_non_numeric_metric_values(served: Served) -> None:
    run_id = _new_run(served)
    for value in ("lots", None, [1.0], {"v": 1}):
        message = _refused(*_call(served, "POST", "runs/log-batch", {
            "run_id": run_id, "metrics": [{"key": "ok", "value": 1.0, "timestamp": 1},
                                          {"key": "bad", "value": value, "timestamp": 1}]}))
        assert "value" in message
    _refused(*_call(served, "POST", "runs/log-metric",
                    {"run_id": run_id, "key": "m", "value": 1.0, "timestamp": "soon"}))
    assert _run_data(served, run_id).get("metrics", []) == []


def test_unknown_ids_are_not_found(served: Served) -> None:
    ghost = "0" * 32
    for method, path, body, query in [
        ("GET", "runs/get", None, f"?run_id={ghost}"),
        ("POST", "runs/log-batch", {"run_id": ghost, "params": [{"key": "a", "value": "b"}]},
         ""),
        ("POST", "runs/log-metric", {"run_id": ghost, "key": "m", "value": 1, "timestamp": 1},
         ""),
        ("POST", "runs/set-tag", {"run_id": ghost, "key": "t", "value": "v"}, ""),
        ("POST", "runs/delete-tag", {"run_id": ghost, "key": "t"}, ""),
        ("POST", "runs/update", {"run_id": ghost, "status": "FINISHED"}, ""),
        ("POST", "runs/outputs", {"run_id": ghost, "models": []}, ""),
        ("GET", "metrics/get-history", None, f"?run_id={ghost}&metric_key=m"),
        ("GET", "experiments/get", None, "?experiment_id=987654"),
        ("POST", "experiments/delete", {"experiment_id": "987654"}, ""),
        ("GET", "logged-models/m-" + ghost, None, ""),
        ("PATCH", "logged-models/m-" + ghost, {"status": "LOGGED_MODEL_READY"}, ""),
    ]:
        message = _refused(*_call(served, method, path, body, query),
                           code="RESOURCE_DOES_NOT_EXIST", http=404)
        assert message, path


def test_a_metric_linked_to_an_unknown_model_writes_nothing(served: Served) -> None:
    run_id = _new_run(served)
    _refused(*_call(served, "POST", "runs/log-batch", {
        "run_id": run_id, "metrics": [{"key": "acc", "value": 0.5, "timestamp": 1,
                                       "model_id": "m-" + "0" * 32}]}),
             code="RESOURCE_DOES_NOT_EXIST", http=404)
    assert _run_data(served, run_id).get("metrics", []) == []


@pytest.mark.parametrize(("path", "body"), [
    ("runs/search", {"experiment_ids": ["0"], "filter": "metrics.acc >"}),
    ("runs/search", {"experiment_ids": ["0"], "filter": "params.a = 'x' OR params.b = 'y'"}),
    ("runs/search", {"experiment_ids": ["0"], "order_by": ["metrics.acc SIDEWAYS"]}),
    ("experiments/search", {"filter": "nme = 'x'"}),
    ("experiments/search", {"filter": "creation_time > 'yesterday'"}),
    ("experiments/search", {"order_by": ["tags.team UP"]}),
    ("logged-models/search", {"experiment_ids": ["0"], "filter": "name = "}),
    ("logged-models/search", {"experiment_ids": ["0"], "filter": "datasets.name = 'x'"}),
])
def test_malformed_filters_and_order_bys(served: Served, path: str,
                                         body: dict[str, Any]) -> None:
    message = _refused(*_call(served, "POST", path, body))
    assert "position" in message or "order" in message or "filter" in message


def test_bad_logged_model_requests(served: Served) -> None:
    status, created = _call(served, "POST", "logged-models", {"experiment_id": "0",
                                                               "name": "bad-input"})
    assert status == 200
    model_id = created["model"]["info"]["model_id"]
    assert created["model"]["info"]["status"] == "LOGGED_MODEL_PENDING"
    _refused(*_call(served, "PATCH", f"logged-models/{model_id}", {"status": "SHINY"}))
    _refused(*_call(served, "PATCH", f"logged-models/{model_id}/tags",
                    {"tags": [{"key": "ok", "value": "v"}, {"key": "x" * 251, "value": "v"}]}))
    status, got = _call(served, "GET", f"logged-models/{model_id}")
    assert got["model"]["info"]["status"] == "LOGGED_MODEL_PENDING"
    assert "tags" not in got["model"]["info"] or got["model"]["info"]["tags"] == []
    _refused(*_call(served, "POST", "logged-models", {"experiment_id": "987654"}),
             code="RESOURCE_DOES_NOT_EXIST", http=404)
    _refused(*_call(served, "POST", "logged-models/search", {"experiment_ids": ["0"],
                                                              "max_results": 0}))
