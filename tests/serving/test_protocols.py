"""Every protocol against a real server and a real logged model: a LogisticRegression on a
3-column DataFrame (column signature) and one on a plain array (tensor signature). Answers
equal the model's in-process predictions; the routes' metadata, health and headers are right;
inputs that do not fit the signature are 4xx naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from slipstream.serving.app import create_serving_app
from slipstream.serving.config import ServingConfig
from slipstream.serving.targets import StaticTargets
from tests.serving.helpers import COLUMNS, Client, frame, log_lr, running

ROWS = frame(6, seed=5)


@pytest.fixture
def lr() -> Iterator[tuple[Client, Any]]:
    """A client of a server for models:/churn/1 and the model's own predictions for ROWS."""
    import slipstream.models

    info = log_lr(registered="churn")
    expected = slipstream.models.load_model(info.model_uri).predict(ROWS).tolist()
    app = create_serving_app(StaticTargets("models:/churn/1"), name="churn",
                             config=ServingConfig(poll_interval=0))
    with running(app) as url:
        client = Client(url)
        yield client, expected
        client.close()


def test_mlflow_invocations_formats(lr: tuple[Client, Any]) -> None:
    client, expected = lr
    split = {"dataframe_split": {"columns": COLUMNS, "data": ROWS.to_numpy().tolist()}}
    records = {"dataframe_records": ROWS.to_dict(orient="records")}
    instances = {"instances": ROWS.to_dict(orient="records")}
    inputs = {"inputs": {c: ROWS[c].tolist() for c in COLUMNS}}
    positional = {"instances": ROWS.to_numpy().tolist()}
    for body in (split, records, instances, inputs, positional):
        reply = client.post("/invocations", body)
        assert reply.status == 200, reply.body
        assert reply.json() == {"predictions": expected}
        assert reply.headers["x-model-version"] == "churn/1"
        assert reply.headers["x-slipstream-target"] == "primary"
        assert reply.headers["x-request-id"]
    csv = ROWS.to_csv(index=False)
    reply = client.post("/invocations", csv, content_type="text/csv")
    assert reply.status == 200, reply.body
    assert reply.json() == {"predictions": expected}
    # a caller's request id is echoed
    reply = client.post("/invocations", split, headers={"X-Request-ID": "abc-123"})
    assert reply.headers["x-request-id"] == "abc-123"


def test_v2_infer_metadata_and_health(lr: tuple[Client, Any]) -> None:
    client, expected = lr
    body = {"id": "req-7", "inputs": [{"name": c, "shape": [len(ROWS)], "datatype": "FP64",
                                       "data": ROWS[c].tolist()} for c in COLUMNS]}
    reply = client.post("/v2/models/churn/infer", body)
    assert reply.status == 200, reply.body
    answer = reply.json()
    assert answer["id"] == "req-7" and answer["model_name"] == "churn"
    assert answer["model_version"] == "1"
    (out,) = answer["outputs"]
    assert out["shape"] == [len(ROWS)] and out["datatype"] == "INT64"
    assert out["data"] == expected
    # one [n, 3] tensor in column order; nested data; the versions/ path
    matrix = {"inputs": [{"name": "x", "shape": [len(ROWS), 3], "datatype": "FP64",
                          "data": ROWS.to_numpy().tolist()}]}
    reply = client.post("/v2/models/churn/versions/1/infer", matrix)
    assert reply.status == 200, reply.body
    assert reply.json()["outputs"][0]["data"] == expected
    assert client.post("/v2/models/churn/versions/9/infer", matrix).status == 404

    assert client.get("/v2/health/live").status == 200
    assert client.get("/v2/health/ready").status == 200
    assert client.get("/v2/models/churn/ready").status == 200
    server = client.get("/v2").json()
    assert server["name"] == "slipstream" and "version" in server
    meta = client.get("/v2/models/churn").json()
    assert meta["name"] == "churn" and meta["versions"] == ["1"]
    assert meta["platform"] == "sklearn"
    assert meta["inputs"] == [{"name": c, "datatype": "FP64", "shape": [-1]} for c in COLUMNS]
    assert client.get("/v2/models/other").status == 404
    assert client.post("/v2/models/other/infer", body).json()["error"].startswith("model 'other'")


def test_v1_predict(lr: tuple[Client, Any]) -> None:
    client, expected = lr
    assert client.get("/v1/models/churn").json() == {"name": "churn", "ready": True}
    for instances in (ROWS.to_dict(orient="records"), ROWS.to_numpy().tolist()):
        reply = client.post("/v1/models/churn:predict", {"instances": instances})
        assert reply.status == 200, reply.body
        assert reply.json() == {"predictions": expected}
    assert client.get("/ping").status == 200 and client.get("/health").status == 200
    assert client.get("/version").status == 200


def test_inputs_that_do_not_fit_the_signature(lr: tuple[Client, Any]) -> None:
    client, _ = lr

    def error(path: str, body: Any, **kw: Any) -> tuple[int, str]:
        reply = client.post(path, body, **kw)
        data = reply.json()
        return reply.status, data.get("message") or data.get("error")

    status, message = error("/invocations", {"dataframe_split": {
        "columns": ["tenure", "charges", "cals"], "data": [[1, 2, 3]]}})
    assert status == 400 and "'cals'" in message and "Did you mean 'calls'" in message
    status, message = error("/invocations", {"dataframe_records": [{"tenure": 1, "charges": 2}]})
    assert status == 400 and "missing column 'calls'" in message
    status, message = error("/invocations", {"dataframe_split": {
        "columns": COLUMNS, "data": [["many", 2, 3]]}})
    assert status == 400 and "'tenure'" in message and "double" in message
    status, message = error("/invocations", {"dataframe_split": {
        "columns": COLUMNS, "data": [[1, 2]]}})
    assert status == 400 and "row 0 has 2 values" in message
    status, message = error("/invocations", {"rows": []})
    assert status == 400 and "dataframe_split" in message
    status, message = error("/invocations", b"{not json")
    assert status == 400 and "not valid JSON" in message
    assert client.post("/invocations", "x", content_type="text/plain").status == 415
    status, message = error("/v2/models/churn/infer", {"inputs": [
        {"name": c, "shape": [1], "datatype": "BYTES", "data": ["x"]} for c in COLUMNS]})
    assert status == 400 and "'tenure'" in message
    status, message = error("/v2/models/churn/infer", {"inputs": [
        {"name": "tenure", "shape": [2], "datatype": "FP64", "data": [1.0]}]})
    assert status == 400 and "shape [2] holds 2 values but data has 1" in message
    status, message = error("/v2/models/churn/infer", {"inputs": [
        {"name": "tenure", "shape": [1], "datatype": "FP128", "data": [1.0]}]})
    assert status == 400 and "unknown datatype 'FP128'" in message
    status, message = error("/v1/models/churn:predict", {"inputs": [[1, 2, 3]]})
    assert status == 400 and "instances" in message
    # the server is unharmed
    assert client.post("/invocations", {"instances": [[1, 2, 3]]}).status == 200


def test_tensor_model_checks_shapes_and_types() -> None:
    from sklearn.linear_model import LogisticRegression

    import slipstream as ss
    import slipstream.models

    rng = np.random.default_rng(3)
    x = rng.normal(size=(100, 4))
    model = LogisticRegression().fit(x, (x[:, 0] > 0).astype(int))
    with ss.start_run():
        info = slipstream.models.log_model(model, input_example=x[:3])
    assert info.signature is not None and info.signature.inputs.is_tensor
    rows = np.round(rng.normal(size=(3, 4)), 4)
    expected = model.predict(rows).tolist()
    app = create_serving_app(StaticTargets(info.model_uri), name="arr",
                             config=ServingConfig(poll_interval=0))
    with running(app) as url:
        client = Client(url)
        reply = client.post("/v2/models/arr/infer", {"inputs": [
            {"name": "input-0", "shape": [3, 4], "datatype": "FP64", "data": rows.ravel().tolist()}]})
        assert reply.status == 200, reply.body
        assert reply.json()["outputs"][0]["data"] == expected
        assert client.post("/invocations", {"inputs": rows.tolist()}).json() == {
            "predictions": expected}
        assert client.post("/v1/models/arr:predict", {"instances": rows.tolist()}).json() == {
            "predictions": expected}
        reply = client.post("/v2/models/arr/infer", {"inputs": [
            {"name": "x", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}]})
        assert reply.status == 400 and "shape [1, 3]" in reply.json()["error"]
        assert "[-1, 4]" in reply.json()["error"]
        reply = client.post("/invocations", {"inputs": [["a", "b", "c", "d"]]})
        assert reply.status == 400 and "float64" in reply.json()["message"]
        client.close()
