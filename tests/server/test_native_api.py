"""The native REST API (/api/v1) over raw HTTP: its OpenAPI description, its JSON shapes, and
clear 4xx answers to bad input (nothing half-written)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.settings import Settings
from tests.live_server import serve

pytest.importorskip("fastapi")


@dataclass(frozen=True)
class Api:
    url: str
    settings: Settings

    def call(self, method: str, path: str, body: Any = None,
             raw: bytes | None = None) -> tuple[int, Any]:
        """(status, decoded JSON or raw bytes) of one request; errors are answers too."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                status, payload = response.status, response.read()
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, payload, kind = error.code, error.read(), "application/json"
        if not payload:
            return status, None
        return status, json.loads(payload) if "json" in kind else payload


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    from slipstream.server.app import create_app

    folder: Path = tmp_path_factory.mktemp("native")
    settings = Settings(home=folder, store_url=f"sqlite:///{folder / 'native.db'}",
                        artifact_uri=str(folder / "artifacts"))
    with serve(create_app(settings)) as url:
        yield Api(url, settings)


def _run(api: Api, **body: Any) -> dict[str, Any]:
    status, run = api.call("POST", "/api/v1/runs", {"experiment_id": "0", "user_id": "me",
                                                    "start_time": 1000, **body})
    assert status == 201, run
    return run  # type: ignore[no-any-return]


# -- the OpenAPI document ---------------------------------------------------------------------

def test_openapi_documents_every_native_route(api: Api) -> None:
    from fastapi.routing import APIRoute

    from slipstream.server.routes.native import (
        artifacts,
        deployments,
        executions,
        experiments,
        logged_models,
        runs,
        workflows,
    )

    status, spec = api.call("GET", "/openapi.json")
    assert status == 200
    schemas = spec["components"]["schemas"]
    routes = [r for module in (experiments, runs, artifacts, logged_models, executions,
                                 workflows, deployments)
              for r in module.router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 35
    for route in routes:
        path = f"/api/v1{route.path_format}"
        for method in route.methods:
            operation = spec["paths"][path][method.lower()]
            where = f"{method} {path}"
            assert operation.get("summary") and operation.get("description"), where
            assert operation["tags"] and operation["tags"][0] in (
                "experiments", "runs", "executions", "artifacts", "logged models", "workflows",
                "deployments"), where
            assert "422" not in operation["responses"], where  # bad input is a 400
            for code in ("400", "404", "default"):
                ref = operation["responses"][code]["content"]["application/json"]["schema"]
                assert ref["$ref"].endswith("/ErrorBody"), where
            ok = {c: r for c, r in operation["responses"].items() if c.startswith("2")}
            assert len(ok) == 1, where
            ((code, response),) = ok.items()
            if code == "204":
                assert "content" not in response, where
                continue
            content = response["content"]
            if "application/octet-stream" in content or "text/plain" in content:  # not JSON
                continue
            schema = content["application/json"]["schema"]
            name = schema["$ref"].rsplit("/", 1)[-1]
            assert schemas[name]["properties"], where
    # request bodies are documented field by field too
    create_run = schemas["NewRun"]["properties"]
    assert create_run["parent_run_id"]["description"] and create_run["execution_id"]
    batch = spec["paths"]["/api/v1/runs/{run_id}/log-batch"]["post"]["requestBody"]
    point = batch["content"]["application/json"]["schema"]["properties"]["metrics"]["items"]
    assert point["properties"]["value"]["anyOf"][1]["enum"] == ["NaN", "Infinity", "-Infinity"]
    assert "execution_id" in schemas["RunInfoOut"]["properties"]


# -- shapes -------------------------------------------------------------------------------------

def test_experiment_routes(api: Api) -> None:
    status, created = api.call("POST", "/api/v1/experiments",
                               {"name": "native-exp", "tags": {"team": "core"}})
    assert status == 201
    eid = created["experiment_id"]
    status, got = api.call("GET", f"/api/v1/experiments/{eid}")
    assert status == 200 and got["name"] == "native-exp" and got["tags"] == {"team": "core"}
    assert got["artifact_location"] == f"mlflow-artifacts:/{eid}"
    assert api.call("GET", "/api/v1/experiments/by-name?name=native-exp")[1] == got
    assert api.call("POST", f"/api/v1/experiments/{eid}/tags", {"key": "k", "value": "v"})[0] == 204
    assert api.call("DELETE", f"/api/v1/experiments/{eid}/tags/team")[0] == 204
    assert api.call("PATCH", f"/api/v1/experiments/{eid}", {"name": "native-exp2"})[0] == 204
    status, page = api.call("GET", "/api/v1/experiments?filter=name%20LIKE%20'native%25'"
                                   "&order_by=name%20ASC")
    assert [e["name"] for e in page["experiments"]] == ["native-exp2"]
    assert page["experiments"][0]["tags"] == {"k": "v"}
    assert api.call("DELETE", f"/api/v1/experiments/{eid}")[0] == 204
    assert api.call("GET", f"/api/v1/experiments/{eid}")[1]["lifecycle_stage"] == "deleted"
    status, deleted = api.call("GET", "/api/v1/experiments?view_type=DELETED_ONLY")
    assert eid in [e["experiment_id"] for e in deleted["experiments"]]
    assert api.call("POST", f"/api/v1/experiments/{eid}/restore")[0] == 204
    assert api.call("GET", f"/api/v1/experiments/{eid}")[1]["lifecycle_stage"] == "active"


def test_run_routes(api: Api) -> None:
    parent = _run(api, run_name="parent", tags={"t": "1"})
    rid = parent["info"]["run_id"]
    assert set(parent) == {"info", "data", "inputs", "outputs", "model_inputs"}
    assert parent["info"]["status"] == "RUNNING" and parent["data"]["tags"]["t"] == "1"
    child = _run(api, run_name="child", parent_run_id=rid, execution_id="ex1", node_id="n0")
    assert child["info"]["parent_run_id"] == rid
    assert (child["info"]["execution_id"], child["info"]["node_id"]) == ("ex1", "n0")
    status, none = api.call("POST", f"/api/v1/runs/{rid}/log-batch", {
        "metrics": [{"key": "m", "value": v, "timestamp": i, "step": i}
                    for i, v in enumerate([1.5, "NaN", "Infinity", "-Infinity", 3])],
        "params": [{"key": "C", "value": "1.0"}], "tags": [{"key": "t", "value": "2"}]})
    assert (status, none) == (204, None)
    status, history = api.call("GET", f"/api/v1/runs/{rid}/metric-history?key=m&max_results=3")
    assert [p["value"] for p in history["metrics"]] == [1.5, "NaN", "Infinity"]
    token = history["next_page_token"]
    rest = api.call("GET", f"/api/v1/runs/{rid}/metric-history?key=m&page_token={token}")[1]
    assert [p["value"] for p in rest["metrics"]] == ["-Infinity", 3.0]
    assert rest["next_page_token"] is None
    dataset = {"name": "iris", "digest": "abc", "source_type": "local", "source": "{}",
               "schema": "{\"cols\": []}", "profile": None}
    assert api.call("POST", f"/api/v1/runs/{rid}/inputs", {
        "datasets": [{"dataset": dataset, "tags": {"mlflow.data.context": "training"}}]})[0] == 204
    status, info = api.call("PATCH", f"/api/v1/runs/{rid}", {"status": "FINISHED",
                                                             "end_time": 2000})
    assert (info["status"], info["end_time"]) == ("FINISHED", 2000)
    assert api.call("DELETE", f"/api/v1/runs/{rid}/tags/t")[0] == 204
    got = api.call("GET", f"/api/v1/runs/{rid}")[1]
    assert got["data"]["params"] == {"C": "1.0"} and "t" not in got["data"]["tags"]
    assert got["data"]["metrics"] == [{"key": "m", "value": 3.0, "timestamp": 4, "step": 4,
                                       "model_id": None, "dataset_name": None,
                                       "dataset_digest": None}]
    assert got["inputs"][0]["dataset"] == dataset
    status, found = api.call("POST", "/api/v1/runs/search", {
        "experiment_ids": ["0"], "filter": "params.C = '1.0'", "order_by": ["start_time DESC"]})
    assert [r["info"]["run_id"] for r in found["runs"]] == [rid]
    linked = api.call("GET", "/api/v1/runs/by-execution?execution_id=ex1")[1]["runs"]
    assert [r["info"]["run_id"] for r in linked] == [child["info"]["run_id"]]
    assert api.call("DELETE", f"/api/v1/runs/{rid}")[0] == 204
    assert api.call("GET", f"/api/v1/runs/{rid}")[1]["info"]["lifecycle_stage"] == "deleted"
    assert api.call("POST", f"/api/v1/runs/{rid}/restore")[0] == 204


def test_run_artifact_routes(api: Api) -> None:
    rid = _run(api)["info"]["run_id"]
    assert api.call("PUT", f"/api/v1/runs/{rid}/artifacts/plots/a.txt", raw=b"hello")[0] == 204
    status, body = api.call("GET", f"/api/v1/runs/{rid}/artifacts/plots/a.txt")
    assert (status, body) == (200, b"hello")
    assert api.call("GET", f"/api/v1/runs/{rid}/artifacts")[1] == {
        "files": [{"path": "plots", "is_dir": True, "file_size": None}]}
    listed = api.call("GET", f"/api/v1/runs/{rid}/artifacts?path=plots")[1]
    assert listed == {"files": [{"path": "plots/a.txt", "is_dir": False, "file_size": 5}]}
    status, error = api.call("PUT", f"/api/v1/runs/{rid}/artifacts/..%2F..%2Fescape", raw=b"x")
    assert status == 400 and "Invalid artifact path" in error["message"]
    status, error = api.call("GET", f"/api/v1/runs/{rid}/artifacts/missing.txt")
    assert status == 404 and error["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_node_log_route(api: Api) -> None:
    """What a node's attempts printed and logged, as text; attempts name their log."""
    from urllib.parse import quote

    from slipstream.execution.api import Client
    from tests.execution.flows import chatty

    client = Client(api.settings)
    try:
        eid = client.execute(chatty.talk_then_quiet, {"tag": "r", "x": 3}).execution.id
        mapped = client.execute(chatty.talk_map, {"tags": ["m", "m"], "xs": [7, 8]}).execution.id
        expected = client.node_logs(eid, "n0")
    finally:
        client.close()
    base = f"/api/v1/executions/{eid}/nodes"
    status, text = api.call("GET", f"{base}/n0/logs")
    assert status == 200 and text.decode() == expected and "out r 3 begins\n" in expected
    assert api.call("GET", f"{base}/n0/logs?attempt=1") == (200, text)
    with urllib.request.urlopen(f"{api.url}{base}/n0/logs", timeout=20) as response:
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert api.call("GET", f"{base}/n1/logs") == (200, None)  # wrote nothing
    status, text = api.call("GET", f"/api/v1/executions/{mapped}/nodes/{quote('n0[1]')}/logs")
    assert status == 200 and b"out m 8 ends" in text and b"m 7" not in text
    attempts = {n["node_id"]: n["attempts"] for n in
                api.call("GET", f"/api/v1/executions/{eid}")[1]["nodes"]}
    assert attempts["n1"][0]["log"] is None
    log = attempts["n0"][0]["log"]
    assert log["size"] == len(expected.encode()) and log["omitted"] == 0
    assert len(log["digest"]) == 64
    for path, status, names in [
            (f"{base}/n0/logs?attempt=2", 404, "has no attempt 2: it has 1 attempt"),
            (f"{base}/n0/logs?attempt=0", 400, "query.attempt"),
            (f"{base}/n0/x/logs", 404, "has no node 'n0/x'"),
            (f"{base}/n9/logs", 404, "has no node 'n9'"),
            ("/api/v1/executions/nope/nodes/n0/logs", 404, "nope")]:
        got, error = api.call("GET", path)
        assert got == status and names in error["message"], (path, error)


# -- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "body", "status", "code", "names"), [
    ("POST", "/api/v1/experiments", {}, 400, "INVALID_PARAMETER_VALUE", "body.name"),
    ("POST", "/api/v1/experiments", {"name": "x", "colour": "red"}, 400,
     "INVALID_PARAMETER_VALUE", "body.colour"),
    ("POST", "/api/v1/experiments", {"name": "Default"}, 400, "RESOURCE_ALREADY_EXISTS",
     "Default"),
    ("GET", "/api/v1/experiments/424242", None, 404, "RESOURCE_DOES_NOT_EXIST", "424242"),
    ("GET", "/api/v1/experiments/by-name?name=nope", None, 404, "RESOURCE_DOES_NOT_EXIST",
     "nope"),
    ("GET", "/api/v1/experiments?max_results=0", None, 400, "INVALID_PARAMETER_VALUE",
     "max_results"),
    ("GET", "/api/v1/runs/" + "0" * 32, None, 404, "RESOURCE_DOES_NOT_EXIST", "0" * 32),
    ("POST", "/api/v1/runs", {"experiment_id": "0", "start_time": "soon"}, 400,
     "INVALID_PARAMETER_VALUE", "body.start_time"),
    ("POST", "/api/v1/runs/search", {"experiment_ids": ["0"], "filter": "metrics.acc >>> 1"},
     400, "INVALID_PARAMETER_VALUE", "metrics.acc"),
    ("POST", "/api/v1/runs/search", {"experiment_ids": ["0"], "run_view_type": "SOME"}, 400,
     "INVALID_PARAMETER_VALUE", "body.run_view_type"),
    ("GET", "/api/v1/executions?status=DONE", None, 400, "INVALID_PARAMETER_VALUE",
     "query.status"),
    ("GET", "/api/v1/executions?limit=0", None, 400, "INVALID_PARAMETER_VALUE", "query.limit"),
    ("GET", "/api/v1/executions/nope", None, 404, "RESOURCE_DOES_NOT_EXIST", "nope"),
    ("GET", "/api/v1/workflows/nope", None, 404, "RESOURCE_DOES_NOT_EXIST", "nope"),
    ("GET", "/api/v1/nothing-here", None, 404, "ENDPOINT_NOT_FOUND", "/api/v1/nothing-here"),
])
def test_bad_requests_get_a_clear_error(api: Api, method: str, path: str, body: Any,
                                        status: int, code: str, names: str) -> None:
    got_status, error = api.call(method, path, body)
    assert (got_status, error["error_code"]) == (status, code), error
    assert names in error["message"]


@pytest.mark.parametrize(("batch", "names"), [
    ({"metrics": [{"key": "m", "value": "abc", "timestamp": 1}]}, "body.metrics.0.value"),
    ({"metrics": [{"key": "m", "value": True, "timestamp": 1}]}, "body.metrics.0.value"),
    ({"metrics": [{"key": "m", "value": 1.0}]}, "body.metrics.0.timestamp"),
    ({"metrics": [{"key": "../m", "value": 1.0, "timestamp": 1}]}, "Invalid metric name"),
    ({"metrics": [{"key": "m", "value": 1.0, "timestamp": i} for i in range(1001)]},
     "at most 1000 metrics"),
    ({"params": [{"key": "C", "value": "2.0"}], "tags": [{"key": "t", "value": "x"}],
      "metrics": [{"key": "m", "value": 1.0, "timestamp": 1}]}, "Changing param values"),
    ({"params": [{"key": "p", "value": "v" * 6001}]}, "6000"),
])
def test_bad_batches_are_refused_whole(api: Api, batch: dict[str, Any], names: str) -> None:
    rid = _run(api)["info"]["run_id"]
    assert api.call("POST", f"/api/v1/runs/{rid}/log-batch",
                    {"params": [{"key": "C", "value": "1.0"}]})[0] == 204
    status, error = api.call("POST", f"/api/v1/runs/{rid}/log-batch", batch)
    assert status == 400 and error["error_code"] == "INVALID_PARAMETER_VALUE"
    assert names in error["message"]
    data = api.call("GET", f"/api/v1/runs/{rid}")[1]["data"]
    assert data == {"metrics": [], "params": {"C": "1.0"}, "tags": data["tags"]}
    assert "t" not in data["tags"]


def test_bad_run_update(api: Api) -> None:
    rid = _run(api)["info"]["run_id"]
    status, error = api.call("PATCH", f"/api/v1/runs/{rid}", {"status": "DONE"})
    assert status == 400 and "body.status" in error["message"]
    assert api.call("GET", f"/api/v1/runs/{rid}")[1]["info"]["status"] == "RUNNING"


def test_answers_are_exactly_their_documented_models(api: Api) -> None:
    """The routes send what the codec built without re-validating it per request; here every
    kind of answer must round-trip through its response model unchanged."""
    from pydantic import BaseModel

    from slipstream.server.routes.native import logged_models as lm
    from slipstream.server.routes.native import schemas as s

    def same(model: type[BaseModel], answer: Any) -> None:
        parsed = model.model_validate(answer)
        assert parsed.model_dump(mode="json", by_alias=True) == answer, model.__name__

    _, created = api.call("POST", "/api/v1/experiments", {"name": "shapes", "tags": {"a": "b"}})
    same(s.ExperimentCreated, created)
    eid = created["experiment_id"]
    same(s.ExperimentOut, api.call("GET", f"/api/v1/experiments/{eid}")[1])
    same(s.ExperimentPage, api.call("GET", "/api/v1/experiments?max_results=1")[1])
    run = _run(api, experiment_id=eid, parent_run_id=None, tags={"t": "v"})
    same(s.RunOut, run)
    rid = run["info"]["run_id"]
    _, model = api.call("POST", "/api/v1/logged-models", {"experiment_id": eid,
                                                          "source_run_id": rid})
    same(lm.LoggedModelOut, model)
    api.call("POST", f"/api/v1/runs/{rid}/log-batch", {"metrics": [
        {"key": "m", "value": v, "timestamp": 1, "step": i, "model_id": model["model_id"]}
        for i, v in enumerate(["NaN", 2.5, "-Infinity"])], "params": [{"key": "p", "value": "1"}]})
    api.call("POST", f"/api/v1/runs/{rid}/inputs", {"datasets": [
        {"dataset": {"name": "d", "digest": "x", "source_type": "local", "source": "{}"}}]})
    api.call("POST", f"/api/v1/runs/{rid}/outputs", {"models": [{"model_id": model["model_id"],
                                                                 "step": 2}]})
    same(s.RunOut, api.call("GET", f"/api/v1/runs/{rid}")[1])
    same(s.RunInfoOut, api.call("PATCH", f"/api/v1/runs/{rid}", {"run_name": "renamed"})[1])
    same(s.RunPage, api.call("POST", "/api/v1/runs/search", {"experiment_ids": [eid]})[1])
    same(s.MetricHistory, api.call("GET", f"/api/v1/runs/{rid}/metric-history?key=m")[1])
    same(lm.LoggedModelOut, api.call("GET", f"/api/v1/logged-models/{model['model_id']}")[1])
    same(lm.LoggedModelPage, api.call("POST", "/api/v1/logged-models/search",
                                      {"experiment_ids": [eid]})[1])
