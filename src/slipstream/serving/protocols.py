"""Request bodies of the three protocols decoded into `Inputs` against a model's input schema:
Open Inference Protocol v2 (`inputs` tensors), KServe v1 (`instances`) and MLflow's
/invocations (`dataframe_split`, `dataframe_records`, `instances`, `inputs`, or CSV). Each
decoder returns the inputs and the JSON-able part of the body (for sampled prediction logs)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from slipstream.serving.inputs import InputError, Inputs, columns, rows, tensors
from slipstream.serving.outputs import V2_NUMPY

MLFLOW_FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")


class UnsupportedMediaType(InputError):
    """A body in a content type the route does not read (415)."""


def parse_json(body: bytes) -> Any:
    """The body as JSON; a 400 naming the position when it is not JSON."""
    if not body:
        raise InputError("the request has no body; expected a JSON object")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"the body is not valid JSON: {exc}") from None


def _object(parsed: Any, what: str) -> dict[str, Any]:
    if not isinstance(parsed, dict):
        raise InputError(f"{what} must be a JSON object, got {type(parsed).__name__}")
    return parsed


# ------------------------------------------------------------------------------------ v2


def decode_v2(parsed: Any, schema: Any) -> tuple[Inputs, Any]:
    """An inference request {"inputs": [{name, shape, datatype, data}], "id"?, "parameters"?}."""
    request = _object(parsed, "an inference request")
    given = request.get("inputs")
    if not isinstance(given, list) or not given:
        raise InputError("'inputs' must be a non-empty list of tensors {name, shape, datatype, "
                         "data}")
    arrays: dict[str, np.ndarray] = {}
    for i, item in enumerate(given):
        name, arr = _v2_tensor(i, item)
        if name in arrays:
            raise InputError(f"input {name!r} is given twice")
        arrays[name] = arr
    if schema is not None and not schema.is_tensor:
        return _v2_columns(arrays, schema), given
    if schema is None and len(arrays) > 1 and all(a.ndim == 1 for a in arrays.values()):
        return columns(arrays, None), given
    if schema is None and len(arrays) == 1:
        return tensors(next(iter(arrays.values())), None), given
    return tensors(arrays, schema), given


def _v2_tensor(i: int, item: Any) -> tuple[str, np.ndarray]:
    if not isinstance(item, dict):
        raise InputError(f"inputs[{i}] must be an object {{name, shape, datatype, data}}")
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"inputs[{i}] needs a 'name' (a non-empty string)")
    shape = item.get("shape")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool)
                                              and d >= 0 for d in shape):
        raise InputError(f"input {name!r}: 'shape' must be a list of non-negative integers, "
                         f"got {shape!r}")
    datatype = item.get("datatype")
    dtype = V2_NUMPY.get(datatype) if isinstance(datatype, str) else None
    if dtype is None:
        raise InputError(f"input {name!r}: unknown datatype {datatype!r}; expected one of "
                         f"{sorted(V2_NUMPY)}")
    if "data" not in item:
        raise InputError(f"input {name!r} has no 'data'")
    data = item["data"]
    try:
        arr = np.asarray(data, dtype=dtype)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"input {name!r}: data does not fit datatype {datatype}: "
                         f"{str(exc).splitlines()[0]}") from None
    if dtype is np.object_ and arr.size and not all(isinstance(v, str | bytes)
                                                    for v in arr.ravel()):
        raise InputError(f"input {name!r}: BYTES data must be strings")
    size = math.prod(shape)
    if arr.size != size:
        raise InputError(f"input {name!r}: shape {shape} holds {size} values but data has "
                         f"{arr.size}")
    return name, arr.reshape(shape)


def _v2_columns(arrays: dict[str, np.ndarray], schema: Any) -> Inputs:
    names = [spec.name for spec in schema.inputs]
    if len(arrays) == 1:
        (label, arr), = arrays.items()
        if label not in names and arr.ndim == 2 and arr.shape[1] == len(names):
            return columns({n: arr[:, j] for j, n in enumerate(names)}, schema)
    flat: dict[str, np.ndarray] = {}
    for label, arr in arrays.items():
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise InputError(f"input {label!r} has shape {list(arr.shape)}; a column takes "
                             f"shape [n] or [n, 1] (or send one [n, {len(names)}] tensor)")
        flat[label] = arr
    return columns(flat, schema)


# ------------------------------------------------------------------------------ v1, MLflow


def decode_v1(parsed: Any, schema: Any) -> tuple[Inputs, Any]:
    """A KServe v1 predict request {"instances": [...]} (rows, records or tensors)."""
    request = _object(parsed, "a v1 predict request")
    if "instances" not in request:
        hint = " (KServe v1 takes 'instances')" if "inputs" in request else ""
        raise InputError(f"the request needs 'instances'{hint}")
    instances = request["instances"]
    return _instances(instances, schema, "instances"), instances


def decode_mlflow(body: bytes, content_type: str, schema: Any) -> tuple[Inputs, Any]:
    """An /invocations body: JSON with exactly one of MLFLOW_FORMATS (and optional 'params'),
    or text/csv with a header row."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "text/csv":
        return _csv(body, schema), None
    if media not in ("application/json", ""):
        raise UnsupportedMediaType(f"content type {content_type!r} is not supported; send "
                                   "application/json or text/csv")
    request = _object(parse_json(body), "the body")
    found = [key for key in MLFLOW_FORMATS if key in request]
    if len(found) != 1 or len(request) != 1 + ("params" in request):
        raise InputError(f"the body must hold exactly one of {list(MLFLOW_FORMATS)} "
                         f"(and optionally 'params'); got {sorted(request)}")
    if request.get("params"):
        raise InputError("'params' are not supported by this model server")
    key = found[0]
    value = request[key]
    if key == "dataframe_split":
        split = _object(value, "'dataframe_split'")
        if "data" not in split:
            raise InputError("'dataframe_split' needs 'data' (a list of rows)")
        names = split.get("columns")
        if names is not None and (not isinstance(names, list)
                                  or not all(isinstance(n, str) for n in names)):
            raise InputError("'dataframe_split.columns' must be a list of column names")
        return rows(split["data"], names, schema), value
    if key == "dataframe_records":
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            raise InputError("'dataframe_records' must be a list of objects (one per row)")
        return rows(value, None, schema), value
    return _instances(value, schema, key), value


def _instances(value: Any, schema: Any, key: str) -> Inputs:
    if isinstance(value, Mapping):
        if schema is not None and schema.is_tensor:
            return tensors(value, schema)
        return columns(value, schema)
    if not isinstance(value, list) or not value:
        raise InputError(f"'{key}' must be a non-empty list (of rows, records or values) or "
                         "an object of named inputs")
    if all(isinstance(row, dict) for row in value):
        return rows(value, None, schema)
    if schema is not None and not schema.is_tensor:
        if len(schema.inputs) == 1 and not any(isinstance(v, list) for v in value):
            return columns({schema.inputs[0].name: value}, schema)
        return rows(value, None, schema)
    return tensors(value, schema)


def _csv(body: bytes, schema: Any) -> Inputs:
    import io

    import pandas as pd

    try:
        frame = pd.read_csv(io.BytesIO(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"the body is not readable CSV: {str(exc).splitlines()[0]}") from None
    return columns({str(c): frame[c].to_numpy() for c in frame.columns}, schema,
                   from_text=True)
