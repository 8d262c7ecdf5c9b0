"""The log-batch hot path decodes its body by hand; the documented model (`RunBatch`) must
accept and refuse exactly the same bodies, with the same values and the same field named."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from pydantic import ValidationError

from slipstream._core.errors import InvalidInputError
from slipstream.entities import Metric, Param, RunTag
from slipstream.server.routes.batch_body import batch_openapi, decode_batch
from slipstream.server.routes.native.schemas import RunBatch

_GOOD: list[dict[str, Any]] = [
    {},
    {"metrics": []},
    {"metrics": [{"key": "loss", "value": 0.5, "timestamp": 10}]},
    {"metrics": [{"key": "loss", "value": 3, "timestamp": 10, "step": 7}]},
    {"metrics": [{"key": "m", "value": v, "timestamp": 1} for v in ("NaN", "Infinity",
                                                                      "-Infinity")]},
    {"metrics": [{"key": "m", "value": 1.5, "timestamp": 2.0, "step": 3.0, "model_id": "m-1",
                  "dataset_name": "train", "dataset_digest": "abc"}]},
    {"metrics": [{"key": "m", "value": 1.5, "timestamp": 2, "model_id": None}]},
    {"metrics": [{"key": "m", "value": 1.5, "timestamp": "1700000000000", "step": "-2"}]},
    {"params": [{"key": "C", "value": "1.0"}, {"key": "empty"}], "tags": [{"key": "t",
                                                                          "value": "x"}]},
]

_BAD: list[tuple[Any, str]] = [
    ([], "body"),
    ({"metric": []}, "body.metric"),
    ({"metrics": {}}, "body.metrics"),
    ({"metrics": [1]}, "body.metrics.0"),
    ({"metrics": [{"key": "m", "value": "abc", "timestamp": 1}]}, "body.metrics.0.value"),
    ({"metrics": [{"key": "m", "value": True, "timestamp": 1}]}, "body.metrics.0.value"),
    ({"metrics": [{"key": "m", "value": None, "timestamp": 1}]}, "body.metrics.0.value"),
    ({"metrics": [{"key": "m", "value": 1.0}]}, "body.metrics.0.timestamp"),
    ({"metrics": [{"value": 1.0, "timestamp": 1}]}, "body.metrics.0.key"),
    ({"metrics": [{"key": 3, "value": 1.0, "timestamp": 1}]}, "body.metrics.0.key"),
    ({"metrics": [{"key": "m", "value": 1.0, "timestamp": 1.5}]}, "body.metrics.0.timestamp"),
    ({"metrics": [{"key": "m", "value": 1.0, "timestamp": 1, "step": "2x"}]},
     "body.metrics.0.step"),
    ({"metrics": [{"key": "m", "value": 1.0, "timestamp": 1, "model_id": 5}]},
     "body.metrics.0.model_id"),
    ({"metrics": [{"key": "m", "value": 1.0, "timestamp": 1, "colour": "red"}]},
     "body.metrics.0.colour"),
    ({"params": [{"key": "C", "value": 1.0}]}, "body.params.0.value"),
    ({"tags": [{"value": "x"}]}, "body.tags.0.key"),
    ({"tags": [{"key": "t", "value": "x", "other": 1}]}, "body.tags.0.other"),
]


def _model_entities(body: Any) -> tuple[list[Metric], list[Param], list[RunTag]]:
    model = RunBatch.model_validate(body)
    return ([Metric(m.key, m.value, m.timestamp, m.step, m.model_id, m.dataset_name,
                    m.dataset_digest) for m in model.metrics],
            [Param(p.key, p.value) for p in model.params],
            [RunTag(t.key, t.value) for t in model.tags])


def _same(a: list[Metric], b: list[Metric]) -> bool:
    def norm(m: Metric) -> tuple[Any, ...]:
        return (m.key, "nan" if math.isnan(m.value) else m.value, m.timestamp, m.step,
                m.model_id, m.dataset_name, m.dataset_digest)
    return [norm(m) for m in a] == [norm(m) for m in b]


@pytest.mark.parametrize("body", _GOOD)
def test_good_bodies_decode_as_the_model_reads_them(body: dict[str, Any]) -> None:
    metrics, params, tags, _ = decode_batch(json.dumps(body).encode(), "/p")
    expected = _model_entities(body)
    assert _same(metrics, expected[0])
    assert (params, tags) == (expected[1], expected[2])
    assert all(type(m.value) is float and type(m.step) is int and type(m.timestamp) is int
               for m in metrics)


@pytest.mark.parametrize(("body", "where"), _BAD)
def test_bad_bodies_are_refused_by_both_naming_the_same_field(body: Any, where: str) -> None:
    with pytest.raises(ValidationError) as by_model:
        RunBatch.model_validate(body)
    located = {"body." + ".".join(str(p) for p in e["loc"]) if e["loc"] else "body"
               for e in by_model.value.errors()}
    with pytest.raises(InvalidInputError) as by_decoder:
        decode_batch(json.dumps(body).encode(), "/api/v1/runs/r/log-batch")
    message = str(by_decoder.value)
    assert message.startswith(f"Invalid request to /api/v1/runs/r/log-batch: {where}: "), message
    assert any(where == loc or loc.startswith(where + ".") or where.startswith(loc)
               for loc in located), (where, located)


def test_malformed_json_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match=r"body: JSON decode error"):
        decode_batch(b'{"metrics": [', "/p")


def test_the_route_documents_its_body_as_the_model() -> None:
    body = batch_openapi(RunBatch)["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"metrics", "params", "tags"}
    point = body["properties"]["metrics"]["items"]
    assert {"key", "value", "timestamp"} <= set(point["required"])
    assert "$ref" not in json.dumps(body)


# -- MLflow's shape: as lenient as its server ---------------------------------------------------

_MLFLOW_GOOD: list[tuple[dict[str, Any], list[Metric], list[Param], list[RunTag]]] = [
    ({"run_id": "r1", "run_uuid": "r1", "metrics": [
        {"key": "loss", "value": 0.5, "timestamp": 10, "step": 1}]},
     [Metric("loss", 0.5, 10, 1)], [], []),
    ({"run_id": "r1", "metrics": [{"key": "m", "value": v, "timestamp": "1700000000000",
                                   "step": "3"} for v in ("NaN", "Infinity", "-Infinity", "1.5")]},
     [Metric("m", v, 1_700_000_000_000, 3) for v in (math.nan, math.inf, -math.inf, 1.5)], [],
     []),
    ({"run_id": "r1", "metrics": [{"key": "m", "value": 2, "timestamp": 1, "run_id": "r1",
                                   "model_id": "", "dataset_name": "", "dataset_digest": ""}]},
     [Metric("m", 2.0, 1, 0)], [], []),
    ({"run_id": "r1", "params": [{"key": "C", "value": "1"}], "tags": [{"key": "t"}],
      "unknown": {"ignored": True}},
     [], [Param("C", "1")], [RunTag("t", "")]),
]


@pytest.mark.parametrize(("body", "metrics", "params", "tags"), _MLFLOW_GOOD)
def test_mlflow_bodies_decode_as_its_server_reads_them(
        body: dict[str, Any], metrics: list[Metric], params: list[Param],
        tags: list[RunTag]) -> None:
    """Unknown fields ignored, numbers as strings, empty optional strings as none."""
    batch = decode_batch(json.dumps(body).encode(), "/p", mlflow=True)
    assert _same(batch.metrics, metrics)
    assert all(type(m.value) is float and type(m.step) is int and type(m.timestamp) is int
               for m in batch.metrics)
    assert (batch.params, batch.tags) == (params, tags)
    assert batch.body["run_id"] == "r1"


@pytest.mark.parametrize(("body", "where"), [
    ({"run_id": "r", "metrics": [{"key": "m", "value": "abc", "timestamp": 1}]},
     "body.metrics.0.value"),
    ({"run_id": "r", "metrics": [{"key": "m", "value": 1.0}]}, "body.metrics.0.timestamp"),
    ({"run_id": "r", "params": [{"key": "C", "value": 1}]}, "body.params.0.value"),
    ({"run_id": "r", "tags": [{"key": ["t"]}]}, "body.tags.0.key"),
    ({"run_id": "r", "metrics": [{"key": "m", "value": 1.0, "timestamp": True}]},
     "body.metrics.0.timestamp"),
])
def test_mlflow_bodies_still_refuse_wrong_types(body: dict[str, Any], where: str) -> None:
    with pytest.raises(InvalidInputError, match=rf": {where}: "):
        decode_batch(json.dumps(body).encode(), "/p", mlflow=True)
