"""Log-batch bodies (`POST /api/v1/runs/{id}/log-batch` and MLflow's `runs/log-batch`),
decoded without pydantic.

It is the logging hot path: a request carries up to 1,000 metrics, and validating them item by
item through pydantic models, then converting the models to entities, took more of the server's
time than writing them. The native shape is exactly the route's model (`RunBatch`), which still
documents it (`batch_openapi`); MLflow's is its protobuf message, read as the other MLflow bodies
are (`mlflow_body`). A field of the wrong JSON type is refused here, naming it as FastAPI would
(`body.metrics.3.value: ...`); names, lengths and batch limits are checked by the store, as on
every write.

The native shape is strict (unknown fields are refused, a value is a number or "NaN" /
"Infinity" / "-Infinity"); MLflow's is as lenient as its server: unknown fields are ignored,
numbers may come as strings (protobuf's JSON mapping), and empty optional strings mean none.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

from slipstream._core.errors import InvalidInputError
from slipstream.entities import Metric, Param, RunTag
from slipstream.metadata.rest.codec import float_from_json
from slipstream.server.routes.mlflow_body import BadField as _Bad
from slipstream.server.routes.mlflow_body import integer as _integer
from slipstream.server.routes.mlflow_body import number as _mlflow_number

if TYPE_CHECKING:
    from pydantic import BaseModel

_TOP = frozenset({"metrics", "params", "tags"})
_METRIC = frozenset({"key", "value", "timestamp", "step", "model_id", "dataset_name",
                     "dataset_digest"})
_PAIR = frozenset({"key", "value"})
_OPTIONAL_TEXT = ("model_id", "dataset_name", "dataset_digest")


class Batch(NamedTuple):
    metrics: list[Metric]
    params: list[Param]
    tags: list[RunTag]
    body: dict[str, Any]  # the whole decoded body (MLflow's carries run_id / run_uuid)


def decode_batch(raw: bytes, path: str, *, mlflow: bool = False) -> Batch:
    """The metrics, params and tags of a log-batch body (MLflow's shape when `mlflow`);
    InvalidInputError naming the bad field."""
    try:
        data = json.loads(raw)
        if type(data) is not dict:
            raise _Bad("body", "Input should be a JSON object")
        if not mlflow:
            _no_extra(data, _TOP, "body")
        metrics = [_metric(i, item, mlflow) for i, item in enumerate(_items(data, "metrics"))]
        params = [Param(*_pair(f"body.params.{i}", item, mlflow))
                  for i, item in enumerate(_items(data, "params"))]
        tags = [RunTag(*_pair(f"body.tags.{i}", item, mlflow))
                for i, item in enumerate(_items(data, "tags"))]
    except ValueError as exc:  # json.JSONDecodeError
        raise InvalidInputError(f"Invalid request to {path}: body: JSON decode error: {exc}"
                                ) from None
    except _Bad as exc:
        where, why = exc.args
        raise InvalidInputError(f"Invalid request to {path}: {where}: {why}") from None
    return Batch(metrics, params, tags, data)


def _items(data: dict[str, Any], field: str) -> list[Any]:
    found = data.get(field, [])
    if type(found) is not list:
        raise _Bad(f"body.{field}", "Input should be a valid list")
    return found


def _metric(i: int, item: Any, mlflow: bool) -> Metric:
    if type(item) is not dict:
        raise _Bad(f"body.metrics.{i}", "Input should be an object")
    if not mlflow and not item.keys() <= _METRIC:
        _no_extra(item, _METRIC, f"body.metrics.{i}")
    try:
        key, value, stamp = item["key"], item["value"], item["timestamp"]
    except KeyError as exc:
        raise _Bad(f"body.metrics.{i}.{exc.args[0]}", "Field required") from None
    step = item.get("step", 0)
    if type(key) is not str:
        raise _Bad(f"body.metrics.{i}.key", "Input should be a valid string")
    if type(value) is not float:
        value = _float(f"body.metrics.{i}.value", value, mlflow)
    if type(stamp) is not int:
        stamp = _integer(f"body.metrics.{i}.timestamp", stamp)
    if type(step) is not int:
        step = _integer(f"body.metrics.{i}.step", step)
    extra = [item.get(name) for name in _OPTIONAL_TEXT]
    for name, text in zip(_OPTIONAL_TEXT, extra, strict=True):
        if text is not None and type(text) is not str:
            raise _Bad(f"body.metrics.{i}.{name}", "Input should be a valid string")
    if mlflow:
        extra = [text or None for text in extra]
    return Metric(key, value, stamp, step, *extra)


def _float(where: str, value: Any, mlflow: bool) -> float:
    """A metric value: a number or "NaN" / "Infinity" / "-Infinity"; for MLflow also a number
    written as a string, as its server reads protobuf JSON."""
    if mlflow:
        return _mlflow_number(where, value)
    try:
        return float_from_json(value)
    except ValueError as exc:
        raise _Bad(where, str(exc)) from None


def _pair(where: str, item: Any, mlflow: bool) -> tuple[str, str]:
    if type(item) is not dict:
        raise _Bad(where, "Input should be an object")
    if not mlflow:
        _no_extra(item, _PAIR, where)
    if "key" not in item:
        raise _Bad(f"{where}.key", "Field required")
    key, value = item["key"], item.get("value", "")
    for name, text in (("key", key), ("value", value)):
        if type(text) is not str:
            raise _Bad(f"{where}.{name}", "Input should be a valid string")
    return key, value


def _no_extra(item: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    extra = sorted(item.keys() - allowed)
    if extra:
        raise _Bad(f"{where}.{extra[0]}", "Extra inputs are not permitted")


def _inline(schema: Any, definitions: dict[str, Any]) -> Any:
    """`schema` with its `#/$defs/...` references replaced by the definitions themselves."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inline(v, definitions) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, definitions) for v in schema]
    return schema


def batch_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """A log-batch route's `openapi_extra`: its request body is `model`, inlined."""
    schema = model.model_json_schema()
    body = _inline(schema, schema.get("$defs", {}))
    return {"requestBody": {"required": True,
                            "content": {"application/json": {"schema": body}}}}
