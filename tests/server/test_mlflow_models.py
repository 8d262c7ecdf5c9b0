"""MLflow 3 logged models through the real `mlflow` client against a Slipstream server: log a
scikit-learn model in a run, find it, load it back by `models:/<model_id>`; the same records
through Slipstream's store."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.server.conftest import Served


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_sklearn_log_model_search_and_load(mlflow_client_env: Any, served: Served,
                                           tracking: Any) -> None:
    mlflow = mlflow_client_env
    pytest.importorskip("sklearn")
    import mlflow.sklearn as mlflow_sklearn
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.2], [0.9, 0.8], [0.1, 0.3], [0.7, 0.1]])
    y = np.array([0, 1, 1, 1, 0, 1])
    model = LogisticRegression().fit(X, y)
    experiment = mlflow.set_experiment(_name("models"))
    with mlflow.start_run() as run:
        mlflow.log_param("C", 1.0)
        mlflow.log_metric("acc", 0.75)
        info = mlflow_sklearn.log_model(model, name="model", input_example=X[:2])
    model_id = info.model_id
    assert model_id.startswith("m-") and len(model_id) == 34

    got = mlflow.MlflowClient().get_logged_model(model_id)
    assert got.status.name == "READY" or str(got.status) == "READY"
    assert got.name == "model" and got.source_run_id == run.info.run_id
    assert got.experiment_id == experiment.experiment_id
    assert got.artifact_location.startswith("mlflow-artifacts:/")
    assert got.params == {"C": "1.0"}
    assert [(m.key, m.value, m.run_id) for m in got.metrics] == [("acc", 0.75, run.info.run_id)]

    found = mlflow.search_logged_models(experiment_ids=[experiment.experiment_id],
                                        filter_string="name = 'model'", output_format="list")
    assert [m.model_id for m in found] == [model_id]
    assert mlflow.search_logged_models(experiment_ids=[experiment.experiment_id],
                                       filter_string="metrics.acc > 0.9",
                                       output_format="list") == []

    logged = mlflow.MlflowClient().get_run(run.info.run_id)
    assert [(o.model_id, o.step) for o in logged.outputs.model_outputs] == [(model_id, 0)]

    loaded = mlflow_sklearn.load_model(f"models:/{model_id}")
    assert (loaded.predict(X) == model.predict(X)).all()

    ours = tracking.store.get_logged_model(model_id)
    assert ours.status == "READY" and ours.source_run_id == run.info.run_id
    assert tracking.get_run(run.info.run_id).outputs[0].model_id == model_id


def test_logged_model_tags_params_finalize_and_delete(mlflow_client_env: Any,
                                                       served: Served) -> None:
    import urllib.request

    mlflow = mlflow_client_env
    from mlflow.entities import LoggedModelStatus

    client = mlflow.MlflowClient()
    experiment_id = client.create_experiment(_name("lm"))
    created = client.create_logged_model(experiment_id, name="clf", tags={"team": "a"},
                                         params={"depth": "3"}, model_type="classifier")
    assert str(created.status) == "PENDING" and created.model_type == "classifier"
    client.set_logged_model_tags(created.model_id, {"team": "b", "stage": "dev"})
    client.delete_logged_model_tag(created.model_id, "stage")
    done = client.finalize_logged_model(created.model_id, LoggedModelStatus.READY)
    assert str(done.status) == "READY" and done.tags["team"] == "b" and "stage" not in done.tags
    assert done.params == {"depth": "3"}

    by_tag = client.search_logged_models([experiment_id], filter_string="tags.team = 'b'")
    assert [m.model_id for m in by_tag] == [created.model_id]
    by_param = client.search_logged_models([experiment_id],
                                           filter_string="params.depth = '3' AND status = 'READY'")
    assert [m.model_id for m in by_param] == [created.model_id]
    other = client.create_logged_model(experiment_id, name="reg")
    ordered = client.search_logged_models([experiment_id],
                                          order_by=[{"field_name": "name", "ascending": True}])
    assert [m.name for m in ordered] == ["clf", "reg"]
    page = client.search_logged_models([experiment_id], max_results=1)
    assert len(page) == 1 and page.token
    rest = client.search_logged_models([experiment_id], max_results=1, page_token=page.token)
    assert {page[0].model_id, rest[0].model_id} == {created.model_id, other.model_id}

    client.delete_logged_model(other.model_id)
    with pytest.raises(mlflow.exceptions.MlflowException) as caught:
        client.get_logged_model(other.model_id)
    assert caught.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    url = f"{served.url}/api/2.0/mlflow/logged-models/{other.model_id}?allow_deleted=true"
    with urllib.request.urlopen(url) as response:
        assert json.load(response)["model"]["info"]["model_id"] == other.model_id
    with pytest.raises(mlflow.exceptions.MlflowException) as caught:
        client.search_logged_models([experiment_id], filter_string="name = ")
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"


def test_log_model_records_the_history_tag(served: Served, mlflow_client_env: Any) -> None:
    """runs/log-model (MLflow 2's record of a model logged to a run) appends to the run's
    mlflow.log-model.history tag; a model_json that is not an object is refused."""
    from mlflow.models import Model

    from tests.server.test_wire import _call, _new_run

    run_id = _new_run(served)
    client = mlflow_client_env.MlflowClient()
    for path in ("first", "second"):
        client._record_logged_model(run_id, Model(artifact_path=path, run_id=run_id))
    history = json.loads(client.get_run(run_id).data.tags["mlflow.log-model.history"])
    assert [h["artifact_path"] for h in history] == ["first", "second"]
    status, body = _call(served, "POST", "runs/log-model", {"run_id": run_id,
                                                             "model_json": "[1]"})
    assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
