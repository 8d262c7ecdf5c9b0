"""Dataset references for `log_input`: a `Dataset` record (name, digest, source, schema, profile)
from a pandas DataFrame, a numpy array or a ready `Dataset`, shaped as MLflow's client sends them
(8-character md5 digests over at most the first 10,000 rows, `mlflow_colspec` / `mlflow_tensorspec`
schemas, a "code" source naming the script unless a source URI is given)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream.entities import Dataset
from slipstream.tracking.system_tags import SOURCE_NAME_TAG, source_name

#: The input tag MLflow keeps a dataset's role in ("training", "evaluation", ...).
CONTEXT_TAG = "mlflow.data.context"
_MAX_ROWS = 10_000


def to_dataset(data: Any, *, name: str | None = None, source: str | None = None) -> Dataset:
    """A `Dataset` describing `data` (a Dataset, pandas DataFrame or numpy array)."""
    if isinstance(data, Dataset):
        return data
    source_type, source_json = _source(source)
    kind = (type(data).__module__.split(".", 1)[0], type(data).__name__)
    if kind == ("pandas", "DataFrame"):
        return Dataset(name or "dataset", _frame_digest(data), source_type, source_json,
                       schema=json.dumps({"mlflow_colspec": [
                           {"type": _column_type(str(dtype)), "name": str(column),
                            "required": True} for column, dtype in data.dtypes.items()]}),
                       profile=json.dumps({"num_rows": len(data),
                                           "num_elements": int(data.size)}))
    if kind == ("numpy", "ndarray"):
        shape = [-1, *data.shape[1:]]
        spec = [{"type": "tensor", "tensor-spec": {"dtype": str(data.dtype), "shape": shape}}]
        return Dataset(name or "dataset", _array_digest(data), source_type, source_json,
                       schema=json.dumps({"mlflow_tensorspec": {"features": json.dumps(spec),
                                                                "targets": None}}),
                       profile=json.dumps({"features_shape": list(data.shape),
                                           "features_size": int(data.size),
                                           "features_nbytes": int(data.nbytes)}))
    raise InvalidInputError(
        f"log_input: cannot describe a {type(data).__name__} as a dataset; pass a pandas "
        "DataFrame, a numpy array or a slipstream.entities.Dataset")


def _source(uri: str | None) -> tuple[str, str]:
    if uri is None:
        return "code", json.dumps({"tags": {SOURCE_NAME_TAG: source_name()}})
    scheme = uri.split("://", 1)[0] if "://" in uri else "local"
    return scheme, json.dumps({"uri": uri})


def _frame_digest(frame: Any) -> str:
    import pandas as pd

    head = frame.head(_MAX_ROWS)
    digest = hashlib.md5(usedforsecurity=False)
    digest.update(pd.util.hash_pandas_object(head, index=False).to_numpy().tobytes())
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(str(len(frame)).encode())
    return digest.hexdigest()[:8]


def _array_digest(array: Any) -> str:
    import numpy as np

    digest = hashlib.md5(usedforsecurity=False)
    digest.update(np.ascontiguousarray(array[:_MAX_ROWS]).tobytes())
    digest.update(f"{array.dtype}{array.shape}".encode())
    return digest.hexdigest()[:8]


def _column_type(dtype: str) -> str:
    if dtype.startswith(("int", "uint", "Int", "UInt")):
        return "long"
    if dtype.startswith(("float", "Float")):
        return "double"
    if dtype in ("bool", "boolean"):
        return "boolean"
    if dtype.startswith("datetime"):
        return "datetime"
    return "string"
