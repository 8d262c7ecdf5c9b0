"""MLflow's model registry through the real `mlflow` client against a Slipstream server (SQLite
and PostgreSQL): register from a run, a logged model and `log_model(registered_model_name=)`,
aliases, load by `models:/name@alias` and `models:/name/N` predicting as the original, the
registry calls the client makes; and MLflow's error bodies over raw HTTP with nothing written."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from tests.server.conftest import Served


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _call(served: Served, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """(status, decoded JSON) of one request to the MLflow API; error answers too."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{served.url}/api/2.0/mlflow/{path}", data=data,
                                     method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def trained() -> tuple[Any, Any]:
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.2], [0.9, 0.8], [0.1, 0.3], [0.7, 0.1]])
    y = np.array([0, 1, 1, 1, 0, 1])
    return LogisticRegression(C=0.5).fit(X, y), X


def test_register_alias_and_load(mlflow_client_env: Any, served: Served, tracking: Any,
                                 trained: tuple[Any, Any]) -> None:
    mlflow = mlflow_client_env
    import mlflow.pyfunc as mlflow_pyfunc
    import mlflow.sklearn as mlflow_sklearn

    model, X = trained
    name = _name("churn")
    mlflow.set_experiment(_name("registry"))
    with mlflow.start_run() as run:
        info = mlflow_sklearn.log_model(model, name="model", input_example=X[:2],
                                        registered_model_name=name)
    assert str(info.registered_model_version) == "1"
    from_run = mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    from_model = mlflow.register_model(f"models:/{info.model_id}", name)
    assert (from_run.version, from_model.version) == ("2", "3")
    assert from_run.source == f"models:/{info.model_id}" and from_run.status == "READY"
    assert from_model.current_stage == "None"  # (the client's ModelVersion drops model_id)
    assert tracking.store.get_model_version(name, 3).model_id == info.model_id

    client = mlflow.MlflowClient()
    client.set_registered_model_alias(name, "champion", "2")
    by_alias = client.get_model_version_by_alias(name, "champion")
    assert (by_alias.version, by_alias.aliases) == ("2", ["champion"])
    got = client.get_registered_model(name)
    assert got.aliases == {"champion": "2"}
    assert [v.version for v in got.latest_versions] == ["3"]
    uri = client.get_model_version_download_uri(name, "1")
    assert uri.startswith("mlflow-artifacts:/") and info.model_id in uri

    copied = client.copy_model_version(f"models:/{name}@champion", f"{name}-copy")
    assert (copied.version, copied.source) == ("1", f"models:/{name}/2")
    newest = client.create_model_version(f"{name}-copy", f"models:/{name}/latest")
    assert (newest.version, newest.source) == ("2", f"models:/{name}/3")

    expected = model.predict(X)
    assert (mlflow_pyfunc.load_model(f"models:/{name}@champion").predict(X) == expected).all()
    assert (mlflow_sklearn.load_model(f"models:/{name}/1").predict(X) == expected).all()
    assert (mlflow_sklearn.load_model(f"models:/{name}-copy/1").predict(X) == expected).all()
    assert (mlflow_sklearn.load_model(f"models:/{name}/latest").predict(X) == expected).all()

    ours = tracking.store.get_model_version_by_alias(name, "champion")
    assert (ours.version, ours.model_id, ours.run_id) == (2, info.model_id, run.info.run_id)
    tags = client.get_logged_model(info.model_id).tags
    assert {v["version"] for v in json.loads(tags["mlflow.modelVersions"])} >= {"1", "3"}


def test_registry_calls_of_the_client(mlflow_client_env: Any, tracking: Any) -> None:
    mlflow = mlflow_client_env
    from mlflow.exceptions import MlflowException

    client = mlflow.MlflowClient()
    experiment_id = client.create_experiment(_name("reg"))
    logged = client.create_logged_model(experiment_id, name="clf")
    name = _name("fraud")
    made = client.create_registered_model(name, tags={"team": "risk"}, description="first")
    assert (made.name, made.description, made.tags) == (name, "first", {"team": "risk"})
    for _ in range(3):
        client.create_model_version(name, f"models:/{logged.model_id}",
                                    model_id=logged.model_id, tags={"k": "v"})
    client.update_registered_model(name, description="second")
    client.set_registered_model_tag(name, "owner", "ann")
    client.delete_registered_model_tag(name, "team")
    client.update_model_version(name, "2", description="best")
    client.set_model_version_tag(name, "2", "stage", "prod")
    client.delete_model_version_tag(name, "2", "k")
    got = client.get_registered_model(name)
    assert (got.description, got.tags) == ("second", {"owner": "ann"})
    second = client.get_model_version(name, "2")
    assert (second.description, second.tags) == ("best", {"stage": "prod"})

    assert name in [m.name for m in client.search_registered_models()]
    assert [m.name for m in client.search_registered_models(f"name = '{name}'")] == [name]
    assert [v.version for v in client.search_model_versions(f"name='{name}'")] == [
        "3", "2", "1"]
    assert [v.version for v in mlflow.search_model_versions(
        filter_string=f"name='{name}' AND tags.stage = 'prod'")] == ["2"]
    with pytest.warns(FutureWarning):  # stages are deprecated; this still works without them
        assert [v.version for v in client.get_latest_versions(name)] == ["3"]

    client.set_registered_model_alias(name, "challenger", "3")
    client.delete_registered_model_alias(name, "challenger")
    assert client.get_registered_model(name).aliases == {}
    history = tracking.store.get_alias_history(name)
    assert [(e.alias, e.from_version, e.to_version) for e in history] == [
        ("challenger", None, 3), ("challenger", 3, None)]

    client.rename_registered_model(name, f"{name}-v2")
    assert client.get_registered_model(f"{name}-v2").aliases == {}
    client.delete_model_version(f"{name}-v2", "1")
    assert [v.version for v in client.search_model_versions(f"name='{name}-v2'")] == ["3", "2"]
    client.delete_registered_model(f"{name}-v2")
    for call in (lambda: client.get_registered_model(f"{name}-v2"),
                 lambda: client.get_registered_model(name)):
        with pytest.raises(MlflowException) as caught:
            call()
        assert caught.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_search_leaves_out_prompts_only(mlflow_client_env: Any, served: Served) -> None:
    """The client adds tag.`mlflow.prompt.is_prompt` != 'true' to every search: a model without
    the tag still matches, a prompt does not (unless asked for)."""
    client = mlflow_client_env.MlflowClient()
    plain, prompt, other = _name("plain"), _name("prompt"), _name("other")
    client.create_registered_model(plain)
    for made, value in ((prompt, "true"), (other, "false")):  # as register_prompt does
        assert _call(served, "POST", "registered-models/create", {"name": made, "tags": [
            {"key": "mlflow.prompt.is_prompt", "value": value}]})[0] == 200
    found = {m.name for m in client.search_registered_models()}
    assert {plain, other} <= found and prompt not in found
    status, answer = _call(served, "GET", "registered-models/search?filter="
                           + urllib.request.quote("tags.`mlflow.prompt.is_prompt` = 'true'"))
    assert status == 200 and [m["name"] for m in answer["registered_models"]] == [prompt]


def test_wire_shapes(served: Served) -> None:
    name = _name("shapes")
    status, created = _call(served, "POST", "registered-models/create",
                            {"name": name, "tags": [{"key": "a", "value": "b"}]})
    assert status == 200
    assert created["registered_model"]["tags"] == [{"key": "a", "value": "b"}]
    run_status, run = _call(served, "POST", "runs/create", {"experiment_id": "0"})
    assert run_status == 200
    run_id = run["run"]["info"]["run_id"]
    artifact_uri = run["run"]["info"]["artifact_uri"]
    status, version = _call(served, "POST", "model-versions/create", {
        "name": name, "source": f"{artifact_uri}/model", "run_id": run_id})
    assert status == 200
    assert {k: version["model_version"][k] for k in ("version", "current_stage", "status",
                                                     "run_id", "source", "aliases")} == {
        "version": "1", "current_stage": "None", "status": "READY", "run_id": run_id,
        "source": f"{artifact_uri}/model", "aliases": []}
    _call(served, "POST", "registered-models/alias", {"name": name, "alias": "live",
                                                      "version": "1"})
    status, got = _call(served, "GET", f"registered-models/get?name={name}")
    assert got["registered_model"]["aliases"] == [{"alias": "live", "version": "1"}]
    assert got["registered_model"]["latest_versions"][0]["version"] == "1"
    status, uri = _call(served, "GET",
                        f"model-versions/get-download-uri?name={name}&version=1")
    assert status == 200 and uri == {"artifact_uri": f"{artifact_uri}/model"}
    status, version = _call(served, "POST", "model-versions/create", {
        "name": name, "source": f"runs:/{run_id}/model", "run_id": run_id})
    assert status == 200 and version["model_version"]["source"] == f"runs:/{run_id}/model"
    status, uri = _call(served, "GET",
                        f"model-versions/get-download-uri?name={name}&version=2")
    assert status == 200 and uri == {"artifact_uri": f"{artifact_uri}/model"}
    status, _ = _call(served, "DELETE", "registered-models/alias", {"name": name,
                                                                    "alias": "live"})
    assert status == 200
    status, page = _call(served, "GET", f"model-versions/search?filter=name%3D%27{name}%27"
                                        "&max_results=10000")
    assert status == 200 and [v["version"] for v in page["model_versions"]] == ["2", "1"]


def _versions(served: Served, name: str) -> list[str]:
    status, found = _call(served, "GET",
                          f"model-versions/search?filter=name%3D%27{name}%27")
    assert status == 200
    return [v["version"] for v in found.get("model_versions", [])]


@pytest.mark.parametrize(("method", "path", "body", "code"), [
    ("POST", "registered-models/create", {"name": "a/b"}, "INVALID_PARAMETER_VALUE"),
    ("POST", "registered-models/create", {}, "INVALID_PARAMETER_VALUE"),
    ("POST", "registered-models/create", {"name": "{name}"}, "RESOURCE_ALREADY_EXISTS"),
    ("GET", "registered-models/get?name=nope-{name}", None, "RESOURCE_DOES_NOT_EXIST"),
    ("POST", "registered-models/alias", {"name": "{name}", "alias": "v1", "version": "1"},
     "INVALID_PARAMETER_VALUE"),
    ("POST", "registered-models/alias", {"name": "{name}", "alias": "x", "version": "9"},
     "RESOURCE_DOES_NOT_EXIST"),
    ("GET", "registered-models/alias?name={name}&alias=gone", None, "RESOURCE_DOES_NOT_EXIST"),
    ("POST", "model-versions/create", {"name": "{name}", "source": "/etc/passwd"},
     "INVALID_PARAMETER_VALUE"),
    ("POST", "model-versions/create", {"name": "{name}", "source": "s3://b/../x"},
     "INVALID_PARAMETER_VALUE"),
    ("POST", "model-versions/create", {"name": "{name}", "source": "s3://b/%252E%252E/x"},
     "INVALID_PARAMETER_VALUE"),
    ("POST", "model-versions/create", {"name": "{name}", "source": "mlflow-artifacts:/0/x"},
     "INVALID_PARAMETER_VALUE"),
    ("POST", "model-versions/create", {"name": "{name}", "source": "models:/m-" + "0" * 32},
     "RESOURCE_DOES_NOT_EXIST"),
    ("POST", "model-versions/create", {"name": "{name}", "source": "runs:/abc/model",
                                       "run_id": "def"}, "INVALID_PARAMETER_VALUE"),
    ("POST", "model-versions/create", {"name": "nope-{name}", "source": "s3://b/m"},
     "RESOURCE_DOES_NOT_EXIST"),
    ("GET", "model-versions/get?name={name}&version=one", None, "INVALID_PARAMETER_VALUE"),
    ("GET", "model-versions/search?max_results=0", None, "INVALID_PARAMETER_VALUE"),
    ("GET", "model-versions/search?filter=metrics.x%3E1", None, "INVALID_PARAMETER_VALUE"),
    ("GET", "registered-models/search?filter=name%20%3D", None, "INVALID_PARAMETER_VALUE"),
    ("DELETE", "registered-models/alias", {"name": "nope-{name}", "alias": "x"},
     "RESOURCE_DOES_NOT_EXIST"),
    ("DELETE", "model-versions/delete-tag", {"name": "{name}", "version": "7", "key": "k"},
     "RESOURCE_DOES_NOT_EXIST"),
    ("POST", "model-versions/transition-stage",
     {"name": "{name}", "version": "1", "stage": "Production"}, "INVALID_PARAMETER_VALUE"),
])
def test_bad_input_gets_mlflow_errors_and_writes_nothing(served: Served, method: str,
                                                         path: str, body: Any,
                                                         code: str) -> None:
    name = _name("bad")
    assert _call(served, "POST", "registered-models/create", {"name": name})[0] == 200
    status, version = _call(served, "POST", "model-versions/create",
                            {"name": name, "source": "s3://bucket/model"})
    assert status == 200, version
    before = _call(served, "GET", f"registered-models/get?name={name}")[1]
    filled = json.loads(json.dumps(body).replace("{name}", name)) if body else body
    status, error = _call(served, method, path.replace("{name}", name), filled)
    assert (status, error["error_code"]) == (404 if code == "RESOURCE_DOES_NOT_EXIST" else 400,
                                             code), error
    assert error["message"] and error["error_class"]
    assert _call(served, "GET", f"registered-models/get?name={name}")[1] == before
    assert _versions(served, name) == ["1"]


def test_deleting_what_is_not_set_succeeds_as_in_mlflow(served: Served) -> None:
    name = _name("unset")
    _call(served, "POST", "registered-models/create", {"name": name})
    _call(served, "POST", "model-versions/create", {"name": name, "source": "s3://b/m"})
    for path, body in (("registered-models/alias", {"alias": "never"}),
                       ("registered-models/delete-tag", {"key": "never"}),
                       ("model-versions/delete-tag", {"version": "1", "key": "never"})):
        assert _call(served, "DELETE", path, {"name": name, **body}) == (200, {}), path


def test_a_version_registered_by_slipstream_loads_through_mlflow(
        mlflow_client_env: Any, served: Served, tracking: Any,
        trained: tuple[Any, Any]) -> None:
    """Slipstream registers a stored location with lineage; the mlflow client sees the source
    as mlflow-artifacts:/..., none of the lineage fields, and loads the model by version."""
    mlflow = mlflow_client_env
    import mlflow.sklearn as mlflow_sklearn

    from slipstream.entities import Dataset

    model, X = trained
    mlflow.set_experiment(_name("interop"))
    with mlflow.start_run() as run:
        info = mlflow_sklearn.log_model(model, name="model")
    location = tracking.store.get_logged_model(info.model_id).artifact_uri
    name = _name("native")
    tracking.store.create_registered_model(name)
    tracking.store.create_model_version(
        name, location, run_id=run.info.run_id, execution_id="ex-1", node_id="n0",
        workflow_version="wf", datasets=[Dataset("train", "d1", "local", "{}")])
    tracking.store.set_model_alias(name, "champion", 1, user_id="ann")

    client = mlflow.MlflowClient()
    got = client.get_model_version_by_alias(name, "champion")
    assert got.source.startswith("mlflow-artifacts:/") and got.run_id == run.info.run_id
    wire = _call(served, "GET", f"model-versions/get?name={name}&version=1")[1]
    assert not {"execution_id", "node_id", "workflow_version", "datasets"} & set(
        wire["model_version"])
    loaded = mlflow_sklearn.load_model(f"models:/{name}/1")
    assert (loaded.predict(X) == model.predict(X)).all()
