"""MLflow bodies and queries read by hand (`mlflow_body`): a field of the wrong JSON type is a 400
INVALID_PARAMETER_VALUE in MLflow's error shape naming the field, nothing of the request is
written, and what MLflow's server accepts (numbers as strings, null as unset, unknown fields)
is accepted."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.entities import ViewType
from slipstream.server.routes.mlflow_body import Fields, decode_object
from tests.server.conftest import Served
from tests.server.test_mlflow_bad_input import _refused
from tests.server.test_wire import API, _call, _new_run

_RUN = "RUN"  # replaced by a new run's id

_BAD_BODIES: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "runs/create", {"experiment_id": 0}, "body.experiment_id: Input should be a valid "
                                                  "string"),
    ("POST", "runs/create", {"tags": [{"key": 1, "value": "v"}]}, "body.tags.0.key"),
    ("POST", "runs/create", {"tags": {"a": "b"}}, "body.tags: Input should be a valid list"),
    ("POST", "runs/create", {"start_time": "soon"}, "body.start_time: Input should be a valid "
                                                    "integer"),
    ("POST", "runs/log-metric", {"run_id": _RUN, "key": "m", "value": "abc", "timestamp": 1},
     "body.value"),
    ("POST", "runs/log-metric", {"run_id": _RUN, "key": "m", "value": 1, "step": 1.5},
     "body.step"),
    ("POST", "runs/log-parameter", {"run_id": _RUN, "key": "p", "value": 3}, "body.value"),
    ("POST", "runs/set-tag", {"run_id": _RUN, "value": "v"}, "body.key: Field required"),
    ("POST", "runs/log-inputs", {"run_id": _RUN, "datasets": [{"dataset": {"name": "d"}}]},
     "body.datasets.0.dataset.digest: Field required"),
    ("POST", "runs/log-inputs", {"run_id": _RUN, "datasets": ["d"]},
     "body.datasets.0: Input should be an object"),
    ("POST", "runs/search", {"experiment_ids": "0"}, "body.experiment_ids"),
    ("POST", "runs/search", {"experiment_ids": [0]}, "body.experiment_ids.0"),
    ("POST", "runs/search", {"run_view_type": "SOME"}, "body.run_view_type: Input should be "
                                                       "one of 'ACTIVE_ONLY'"),
    ("POST", "runs/search", {"max_results": "ten"}, "body.max_results"),
    ("POST", "experiments/create", {}, "body.name: Field required"),
    ("POST", "experiments/create", {"name": "e", "tags": [{"key": "k", "value": 1}]},
     "body.tags.0.value"),
    ("POST", "experiments/search", {"order_by": "name"}, "body.order_by"),
    ("POST", "registered-models/create", {"name": ["x"]}, "body.name"),
    ("POST", "registered-models/create", {"name": "bad-tags", "tags": [{"key": 1}]},
     "body.tags.0.key"),
    ("POST", "registered-models/get-latest-versions", {"name": "m", "stages": "None"},
     "body.stages"),
    ("DELETE", "registered-models/alias", {"name": "m", "alias": 7}, "body.alias"),
    ("POST", "model-versions/create", {"name": "m", "source": 5}, "body.source"),
    ("POST", "logged-models", {"experiment_id": "0", "name": 3}, "body.name"),
    ("POST", "logged-models/search", {"order_by": [{"field_name": "name",
                                                    "ascending": "sideways"}]},
     "body.order_by.0.ascending: Input should be a valid boolean"),
    ("POST", "logged-models/search", {"datasets": [{"dataset_digest": "d"}]},
     "body.datasets.0.dataset_name: Field required"),
    ("POST", "runs/outputs", {"run_id": _RUN, "models": [{"model_id": "m-1", "step": "x"}]},
     "body.models.0.step"),
]


@pytest.mark.parametrize(("method", "path", "body", "named"), _BAD_BODIES,
                         ids=[f"{p}:{n.split(':')[0]}" for _, p, _, n in _BAD_BODIES])
def test_a_mistyped_field_is_refused_naming_it(served: Served, method: str, path: str,
                                               body: dict[str, Any], named: str) -> None:
    if _RUN in body.values():
        body = {**body, "run_id": _new_run(served)}
    message = _refused(*_call(served, method, path, body))
    assert message.startswith(f"Invalid request to {API}/{path}: {named}"), message


@pytest.mark.parametrize(("path", "query", "named"), [
    ("experiments/get", "", "query.experiment_id: Field required"),
    ("experiments/get-by-name", "", "query.experiment_name: Field required"),
    ("registered-models/search", "?max_results=ten", "query.max_results: Input should be a "
                                                     "valid integer"),
    ("model-versions/search", "?max_results=1.5", "query.max_results"),
    ("metrics/get-history", "?run_id=r", "query.metric_key: Field required"),
    ("logged-models/m-1", "?allow_deleted=perhaps", "query.allow_deleted"),
])
def test_a_bad_query_parameter_is_refused_naming_it(served: Served, path: str, query: str,
                                                    named: str) -> None:
    message = _refused(*_call(served, "GET", path, query=query))
    assert message.startswith(f"Invalid request to {API}/{path}: {named}"), message


def test_a_refused_body_writes_nothing(served: Served) -> None:
    _refused(*_call(served, "POST", "registered-models/create",
                    {"name": "half-made", "tags": [{"key": "ok", "value": "v"}, {"key": 1}]}))
    _refused(*_call(served, "GET", "registered-models/get", query="?name=half-made"),
             code="RESOURCE_DOES_NOT_EXIST", http=404)
    run_id = _new_run(served)
    _refused(*_call(served, "POST", "runs/log-inputs", {
        "run_id": run_id, "datasets": [
            {"dataset": {"name": "ok", "digest": "d", "source_type": "local", "source": "s"}},
            {"dataset": {"name": "bad", "digest": 1, "source_type": "local", "source": "s"}}]}))
    status, got = _call(served, "GET", "runs/get", query=f"?run_id={run_id}")
    assert status == 200 and got["run"]["inputs"].get("dataset_inputs", []) == []


@pytest.mark.parametrize(("raw", "why"), [
    (b'{"name": ', "body: JSON decode error"),
    (b'["name"]', "body: Input should be a JSON object"),
    (b"\xff\xfe", "body: JSON decode error"),
])
def test_a_body_that_is_not_a_json_object(served: Served, raw: bytes, why: str) -> None:
    request = urllib.request.Request(f"{served.url}{API}/experiments/create", data=raw,
                                     method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=20)
    message = _refused(refused.value.code, json.loads(refused.value.read()))
    assert message.startswith(f"Invalid request to {API}/experiments/create: {why}"), message


def test_what_mlflows_server_accepts_is_accepted(served: Served) -> None:
    """int64 as a string, null as unset, unknown fields ignored, run_uuid for run_id."""
    status, created = _call(served, "POST", "runs/create", {
        "experiment_id": "0", "start_time": "1700000000000", "run_name": None,
        "tags": [{"key": "k"}], "colour": "red"})
    assert status == 200, created
    info = created["run"]["info"]
    assert info["start_time"] == 1_700_000_000_000
    assert {"key": "k", "value": ""} in created["run"]["data"]["tags"]
    status, _ = _call(served, "POST", "runs/log-metric", {
        "run_uuid": info["run_id"], "key": "m", "value": "0.25", "timestamp": 5.0,
        "step": "2", "model_id": ""})
    assert status == 200
    status, history = _call(served, "GET", "metrics/get-history",
                            query=f"?run_uuid={info['run_id']}&metric_key=m")
    assert history["metrics"] == [{"key": "m", "value": 0.25, "timestamp": 5, "step": 2}]
    status, found = _call(served, "POST", "experiments/search",
                          {"max_results": "1000", "view_type": "ALL", "order_by": None})
    assert status == 200 and any(e["experiment_id"] == "0" for e in found["experiments"])


# -- the reader itself ------------------------------------------------------------------------

def test_query_values_are_the_last_given_and_lists_every_one() -> None:
    args = Fields({"order_by": ["name ASC", "version DESC"], "max_results": ["5", "7"],
                   "flag": ["True"]}, "/p", "query")
    assert args.texts("order_by") == ["name ASC", "version DESC"]
    assert args.integer("max_results", 1) == 7
    assert args.boolean("flag", False) is True
    assert args.texts("missing") == [] and args.optional_text("missing") is None


@pytest.mark.parametrize(("value", "expected"), [
    (3, 3), (3.0, 3), ("42", 42), ("-2", -2), (None, 9)])
def test_integers_as_protobuf_json_writes_them(value: Any, expected: int) -> None:
    assert Fields({"n": value}, "/p").integer("n", 9) == expected


@pytest.mark.parametrize("value", [1.5, True, "1e3", "x", [1], {}])
def test_what_is_not_an_integer(value: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"^Invalid request to /p: body.n: Input should "
                                                r"be a valid integer$"):
        Fields({"n": value}, "/p").integer("n", 0)


def test_texts_empty_and_unset() -> None:
    body = Fields({"a": "", "b": None, "c": "x"}, "/p")
    assert body.optional_text("a") is None and body.optional_text("a", keep_empty=True) == ""
    assert body.optional_text("b") is None and body.text("b", "d") == "d"
    assert body.choice("view", ViewType, ViewType.ALL) is ViewType.ALL
    with pytest.raises(InvalidInputError, match=r"body.b: Field required"):
        body.text("b")


def test_nested_fields_are_named_by_their_path() -> None:
    body = Fields({"datasets": [{"dataset": {"name": "d", "digest": ["x"]}}]}, "/p")
    dataset = body.objects("datasets")[0].object("dataset")
    assert dataset.text("name") == "d"
    with pytest.raises(InvalidInputError, match=r"body.datasets.0.dataset.digest: Input should "
                                                r"be a valid string"):
        dataset.text("digest")


def test_an_empty_body_is_an_empty_object() -> None:
    assert decode_object(b"", "/p") == {} and decode_object(b"  \n", "/p") == {}
