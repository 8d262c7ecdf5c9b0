"""/api/v1/deployments over raw HTTP, on SQLite and PostgreSQL: a canary rollout driven through
the routes (create, canary, traffic, promote, rollback) as `slipstream deploy` drives it, seen
by the deployment store the servers poll; the history with who made each change; conditional
changes; the figures and prediction log the servers report; clear 400 / 404 answers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from slipstream.entities.deployments import PredictionRecord, VersionStats
from slipstream.metadata.deployments import DeploymentStore
from slipstream.metadata.factory import open_deployment_store
from tests.server.conftest import Served, call_json


def _call(served: Served, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    return call_json(f"{served.url}/api/v1/deployments{path}", method, body)


@pytest.fixture
def store(served: Served) -> Iterator[DeploymentStore]:
    opened = open_deployment_store(served.store_url)
    yield opened
    opened.close()  # type: ignore[attr-defined]


def _name() -> str:
    return f"churn-{uuid.uuid4().hex[:8]}"


def _shares(deployment: dict[str, Any]) -> list[tuple[str, str, float]]:
    return [(t["label"], t["model_uri"], t["traffic_percent"]) for t in deployment["targets"]]


def test_a_canary_rollout_through_the_routes(served: Served, store: DeploymentStore) -> None:
    name = _name()
    status, made = _call(served, "POST", "", {"name": name, "model_uri": "models:/churn@champion",
                                              "description": "churn scoring", "user_id": "ana"})
    assert status == 201, made
    assert made["revision"] == 1 and made["created_by"] == "ana"
    assert _shares(made) == [("primary", "models:/churn@champion", 100.0)]

    status, canary = _call(served, "POST", f"/{name}/canary",
                           {"model_uri": "models:/churn/7", "traffic_percent": 10, "user_id": "bo"})
    assert status == 200, canary
    assert _shares(canary) == [("primary", "models:/churn@champion", 90.0),
                               ("canary", "models:/churn/7", 10.0)]
    # what a serving process polls sees the same split
    assert [(t.label, t.traffic_percent) for t in store.get_deployment(name).targets] == [
        ("primary", 90.0), ("canary", 10.0)]

    status, split = _call(served, "POST", f"/{name}/traffic",
                          {"canary_percent": 50, "expected_revision": 2})
    assert status == 200 and split["revision"] == 3
    assert [t["traffic_percent"] for t in split["targets"]] == [50.0, 50.0]

    status, promoted = _call(served, "POST", f"/{name}/promote")
    assert status == 200 and _shares(promoted) == [("primary", "models:/churn/7", 100.0)]
    status, back = _call(served, "POST", f"/{name}/rollback", {"user_id": "cy"})
    assert status == 200 and _shares(back) == [("primary", "models:/churn@champion", 100.0)]

    status, history = _call(served, "GET", f"/{name}/history")
    assert status == 200
    events = history["events"]
    assert [(e["revision"], e["kind"], e["user_id"]) for e in events] == [
        (1, "CREATED", "ana"), (2, "CANARY_STARTED", "bo"), (3, "TRAFFIC_CHANGED", ""),
        (4, "PROMOTED", ""), (5, "PROMOTION_ROLLED_BACK", "cy")]
    assert _shares({"targets": events[3]["before"]}) == [
        ("primary", "models:/churn@champion", 50.0), ("canary", "models:/churn/7", 50.0)]

    status, listed = _call(served, "GET", "")
    assert status == 200 and name in [d["name"] for d in listed["deployments"]]
    status, _ = _call(served, "DELETE", f"/{name}")
    assert status == 204
    status, gone = _call(served, "GET", f"/{name}")
    assert status == 404 and name in gone["message"]


def test_create_with_a_canary_and_conditional_changes(served: Served) -> None:
    name = _name()
    status, made = _call(served, "POST", "", {"name": name, "model_uri": "models:/churn/6",
                                              "canary_uri": "models:/churn/7",
                                              "canary_percent": 25})
    assert status == 201, made
    assert _shares(made) == [("primary", "models:/churn/6", 75.0),
                             ("canary", "models:/churn/7", 25.0)]
    status, lost = _call(served, "POST", f"/{name}/traffic",
                         {"canary_percent": 40, "expected_revision": 7})
    assert status == 400 and "revision" in lost["message"]
    status, again = _call(served, "POST", "", {"name": name, "model_uri": "models:/churn/6"})
    assert status == 400 and name in again["message"]
    status, shown = _call(served, "GET", f"/{name}")
    assert shown["revision"] == 1 and shown["targets"][1]["traffic_percent"] == 25.0


_CANARY = {"canary_uri": "models:/churn/2", "canary_percent": 10}


@pytest.mark.parametrize(("made", "method", "path", "body", "named"), [
    ({}, "POST", "", {"name": "bad name!", "model_uri": "models:/churn/1"}, "deployment name"),
    ({}, "POST", "", {"name": "ok", "model_uri": "s3://bucket/model"}, "s3://bucket/model"),
    ({}, "POST", "", {"name": "ok", "model_uri": "models:/churn/1",
                      "canary_uri": "models:/churn/2"}, "canary"),
    ({}, "POST", "", {"name": "ok"}, "model_uri"),
    (_CANARY, "POST", "/{name}/traffic", {"canary_percent": 150}, "150"),
    ({}, "POST", "/{name}/traffic", {"canary_percent": 20}, "no canary"),
    ({}, "POST", "/{name}/canary", {"model_uri": "models:/churn/2", "traffic_percent": -1},
     "-1"),
    ({}, "GET", "/{name}/predictions?limit=0", None, "limit"),
])
def test_bad_input_is_a_400_naming_what_was_wrong(served: Served, made: dict[str, Any],
                                                  method: str, path: str, body: Any,
                                                  named: str) -> None:
    name = _name()
    status, before = _call(served, "POST", "", {"name": name, "model_uri": "models:/churn/1",
                                                **made})
    assert status == 201
    status, answer = _call(served, method, path.format(name=name), body)
    assert status == 400, answer
    assert named in answer["message"]
    status, kept = _call(served, "GET", f"/{name}")
    assert kept == before  # nothing half-written


def test_unknown_deployments_are_404(served: Served) -> None:
    for method, path in (("GET", "/nope-x"), ("POST", "/nope-x/promote"),
                         ("GET", "/nope-x/history"), ("DELETE", "/nope-x")):
        status, answer = _call(served, method, path)
        assert status == 404, (method, path, answer)
        assert "nope-x" in answer["message"]


def test_figures_and_prediction_log(served: Served, store: DeploymentStore) -> None:
    name = _name()
    assert _call(served, "POST", "", {"name": name, "model_uri": "models:/churn/6",
                                      "canary_uri": "models:/churn/7",
                                      "canary_percent": 10})[0] == 201
    minute = 1_800_000_000_000 - 1_800_000_000_000 % 60_000
    records = [PredictionRecord(name, "canary" if i % 10 == 0 else "primary",
                                "churn/7" if i % 10 == 0 else "churn/6", f"r{i}",
                                minute + i, {"f0": [i]}, [i % 2], 0.5 + i, 200)
               for i in range(20)]
    stats = [VersionStats(name, "primary", "churn/6", 180, 3, 180 * 1.5, 9.0, minute,
                          minute + 60_000),
             VersionStats(name, "canary", "churn/7", 20, 2, 20 * 2.0, 4.0, minute,
                          minute + 60_000)]
    store.log_predictions(records, stats)

    status, figures = _call(served, "GET", f"/{name}/stats")
    assert status == 200, figures
    rows = {(v["label"], v["model_version"]): v for v in figures["versions"]}
    primary, canary = rows[("primary", "churn/6")], rows[("canary", "churn/7")]
    assert (primary["requests"], primary["errors"]) == (180, 3)
    assert primary["error_rate"] == pytest.approx(3 / 180)
    assert primary["latency_ms_mean"] == pytest.approx(1.5) and primary["latency_ms_max"] == 9.0
    assert canary["error_rate"] == pytest.approx(0.1) and canary["latency_ms_mean"] == 2.0
    assert figures["versions"][0]["label"] == "primary"

    status, page = _call(served, "GET", f"/{name}/predictions?label=canary&limit=5")
    assert status == 200
    got = page["predictions"]
    assert [p["request_id"] for p in got] == ["r10", "r0"]  # newest first, canary only
    assert got[0]["inputs"] == {"f0": [10]} and got[0]["outputs"] == [0]
    status, window = _call(served, "GET",
                           f"/{name}/predictions?since_ms={minute + 5}&until_ms={minute + 8}")
    assert [p["request_id"] for p in window["predictions"]] == ["r7", "r6", "r5"]
