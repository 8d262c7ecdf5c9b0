"""The native model registry API (/api/v1/registered-models, /api/v1/model-versions) over raw
HTTP: its OpenAPI description, its JSON shapes (exactly their documented models), lineage and the
alias history, and clear 4xx answers to bad input with nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from slipstream._core.settings import Settings
from tests.live_server import serve
from tests.server.test_native_api import Api

pytest.importorskip("fastapi")

DATASET = {"name": "train", "digest": "d1", "source_type": "local",
           "source": '{"uri": "file:///data/train"}', "schema": None, "profile": None}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    from slipstream.server.app import create_app

    folder: Path = tmp_path_factory.mktemp("native-registry")
    settings = Settings(home=folder, store_url=f"sqlite:///{folder / 'registry.db'}",
                        artifact_uri=str(folder / "artifacts"))
    with serve(create_app(settings)) as url:
        yield Api(url, settings)


def _same(model: type[BaseModel], answer: Any) -> None:
    parsed = model.model_validate(answer)
    assert parsed.model_dump(mode="json", by_alias=True) == answer, model.__name__


def _model(api: Api, name: str, **body: Any) -> dict[str, Any]:
    status, made = api.call("POST", "/api/v1/registered-models", {"name": name, **body})
    assert status == 201, made
    return made  # type: ignore[no-any-return]


def _version(api: Api, name: str, **body: Any) -> dict[str, Any]:
    status, made = api.call("POST", f"/api/v1/registered-models/{name}/versions",
                            {"source": "s3://bucket/m", **body})
    assert status == 201, made
    return made  # type: ignore[no-any-return]


def test_openapi_documents_every_registry_route(api: Api) -> None:
    from fastapi.routing import APIRoute

    from slipstream.server.routes.native import registry

    status, spec = api.call("GET", "/openapi.json")
    assert status == 200
    schemas = spec["components"]["schemas"]
    routes = [r for r in registry.router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 18
    for route in routes:
        path = f"/api/v1{route.path_format}"
        for method in route.methods:
            operation = spec["paths"][path][method.lower()]
            where = f"{method} {path}"
            assert operation.get("summary") and operation.get("description"), where
            assert operation["tags"] == ["model registry"], where
            assert "422" not in operation["responses"], where
            for code in ("400", "404", "default"):
                ref = operation["responses"][code]["content"]["application/json"]["schema"]
                assert ref["$ref"].endswith("/ErrorBody"), where
            ok = {c: r for c, r in operation["responses"].items() if c.startswith("2")}
            assert len(ok) == 1, where
            ((code, response),) = ok.items()
            if code == "204":
                assert "content" not in response, where
                continue
            name = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            assert schemas[name]["properties"], where
    version = schemas["NewModelVersion"]["properties"]
    assert version["execution_id"]["description"] and version["datasets"]["description"]
    assert "workflow_version" in schemas["ModelVersionOut"]["properties"]


def test_models_versions_lineage_and_aliases(api: Api) -> None:
    from slipstream.server.routes.native import registry_schemas as s

    made = _model(api, "churn", tags={"team": "ml"}, description="predicts churn")
    _same(s.RegisteredModelOut, made)
    assert (made["aliases"], made["latest_versions"]) == ({}, [])
    first = _version(api, "churn", run_id="r" * 32, tags={"k": "v"}, user_id="ann",
                     execution_id="ex-1", node_id="n0-train", workflow_version="wf-1",
                     datasets=[DATASET], source="mlflow-artifacts:/0/r/artifacts/model")
    _same(s.ModelVersionOut, first)
    assert (first["version"], first["status"], first["datasets"], first["execution_id"]) == (
        1, "READY", [DATASET], "ex-1")
    assert first["source"] == "mlflow-artifacts:/0/r/artifacts/model"  # stored under the root
    _version(api, "churn")

    assert api.call("PUT", "/api/v1/registered-models/churn/aliases/champion",
                    {"version": 1, "user_id": "ann"})[0] == 204
    assert api.call("PUT", "/api/v1/registered-models/churn/aliases/champion",
                    {"version": 2, "user_id": "bob"})[0] == 204
    status, by_alias = api.call("GET", "/api/v1/registered-models/churn/aliases/champion")
    assert status == 200 and (by_alias["version"], by_alias["aliases"]) == (2, ["champion"])
    assert api.call("DELETE",
                    "/api/v1/registered-models/churn/aliases/champion?user_id=cy")[0] == 204
    status, history = api.call("GET", "/api/v1/registered-models/churn/alias-history")
    _same(s.AliasHistory, history)
    assert [(e["from_version"], e["to_version"], e["user_id"]) for e in history["events"]] == [
        (None, 1, "ann"), (1, 2, "bob"), (2, None, "cy")]

    assert api.call("POST", "/api/v1/registered-models/churn/tags",
                    {"key": "owner", "value": "bo"})[0] == 204
    assert api.call("DELETE", "/api/v1/registered-models/churn/tags/team")[0] == 204
    assert api.call("POST", "/api/v1/registered-models/churn/versions/1/tags",
                    {"key": "stage", "value": "prod"})[0] == 204
    assert api.call("DELETE", "/api/v1/registered-models/churn/versions/1/tags/k")[0] == 204
    status, described = api.call("PATCH", "/api/v1/registered-models/churn/versions/1",
                                 {"description": "best"})
    _same(s.ModelVersionOut, described)
    assert (described["description"], described["tags"]) == ("best", {"stage": "prod"})

    status, renamed = api.call("PATCH", "/api/v1/registered-models/churn",
                               {"new_name": "attrition", "description": "renamed"})
    _same(s.RegisteredModelOut, renamed)
    assert (renamed["name"], renamed["description"], renamed["tags"]) == (
        "attrition", "renamed", {"owner": "bo"})
    assert renamed["latest_versions"][0]["version"] == 2
    status, found = api.call("GET", "/api/v1/model-versions?filter=execution_id%20%3D%20%27ex-1%27")
    _same(s.ModelVersionPage, found)
    assert [(v["name"], v["version"]) for v in found["model_versions"]] == [("attrition", 1)]
    status, page = api.call("GET", "/api/v1/registered-models?filter=name%20LIKE%20%27attr%25%27"
                                   "&max_results=1&order_by=name%20DESC")
    _same(s.RegisteredModelPage, page)
    assert [m["name"] for m in page["registered_models"]] == ["attrition"]

    assert api.call("DELETE", "/api/v1/registered-models/attrition/versions/1")[0] == 204
    assert api.call("GET", "/api/v1/registered-models/attrition/versions/1")[0] == 404
    assert api.call("DELETE", "/api/v1/registered-models/attrition")[0] == 204
    assert api.call("GET", "/api/v1/registered-models/attrition")[0] == 404


@pytest.mark.parametrize(("method", "path", "body", "status", "names"), [
    ("POST", "/api/v1/registered-models", {"name": "m"}, 400, "RESOURCE_ALREADY_EXISTS"),
    ("POST", "/api/v1/registered-models", {"name": "a/b"}, 400, "a/b"),
    ("POST", "/api/v1/registered-models", {"name": "x", "colour": "red"}, 400, "colour"),
    ("POST", "/api/v1/registered-models/m/versions", {"source": ""}, 400, "source"),
    ("POST", "/api/v1/registered-models/m/versions",
     {"source": "s3://b/x", "datasets": [{**DATASET, "name": ""}]}, 400, "name"),
    ("POST", "/api/v1/registered-models/m/versions",
     {"source": "s3://b/x", "execution_id": 7}, 400, "execution_id"),
    ("POST", "/api/v1/registered-models/nope/versions", {"source": "s3://b/x"}, 404, "nope"),
    ("PUT", "/api/v1/registered-models/m/aliases/v1", {"version": 1}, 400, "v1"),
    ("PUT", "/api/v1/registered-models/m/aliases/live", {"version": 9}, 404, "9"),
    ("PUT", "/api/v1/registered-models/m/aliases/live", {"version": "one"}, 400, "version"),
    ("GET", "/api/v1/registered-models/m/versions/0", None, 400, "0"),
    ("GET", "/api/v1/registered-models/m/aliases/live", None, 404, "live"),
    ("DELETE", "/api/v1/registered-models/m/tags/nope", None, 404, "nope"),
    ("GET", "/api/v1/model-versions?max_results=0", None, 400, "max_results"),
    ("PATCH", "/api/v1/registered-models/m", {"new_name": "a/b", "description": "changed"},
     400, "a/b"),
    ("GET", "/api/v1/registered-models?filter=metrics.x%20%3E%201", None, 400, "metrics"),
])
def test_bad_requests_get_a_clear_error_and_write_nothing(
        api: Api, method: str, path: str, body: Any, status: int, names: str) -> None:
    if api.call("GET", "/api/v1/registered-models/m")[0] == 404:
        _model(api, "m")
        _version(api, "m")
    before = api.call("GET", "/api/v1/model-versions?max_results=1000")[1]
    models = api.call("GET", "/api/v1/registered-models?max_results=1000")[1]
    got, error = api.call(method, path, body)
    assert got == status, error
    assert names in f"{error['error_code']} {error['message']}"
    assert api.call("GET", "/api/v1/model-versions?max_results=1000")[1] == before
    assert api.call("GET", "/api/v1/registered-models?max_results=1000")[1] == models
