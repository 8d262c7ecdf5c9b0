"""A predict call's output cut back into one piece per request of a batch, and each piece in the
JSON forms the protocols answer with: a `predictions` value (MLflow, KServe v1) or v2 output
tensors ({name, shape, datatype, data})."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

_V2_DATATYPES = {"b": "BOOL", "f2": "FP16", "f4": "FP32", "f8": "FP64", "i1": "INT8",
                 "i2": "INT16", "i4": "INT32", "i8": "INT64", "u1": "UINT8", "u2": "UINT16",
                 "u4": "UINT32", "u8": "UINT64"}
V2_NUMPY = {"BOOL": np.bool_, "FP16": np.float16, "FP32": np.float32, "FP64": np.float64,
            "INT8": np.int8, "INT16": np.int16, "INT32": np.int32, "INT64": np.int64,
            "UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32, "UINT64": np.uint64,
            "BYTES": np.object_}


class OutputMismatch(Exception):
    """The model's output does not have one row per input row, so a batch cannot be split."""


def split(output: Any, counts: Sequence[int]) -> list[Any]:
    """`output` of a predict call over len(counts) requests (counts[i] rows each) as one piece
    per request; raises OutputMismatch when the output's length is not the rows' total."""
    if len(counts) == 1:
        return [output]
    if isinstance(output, dict):
        parts = {k: split(v, counts) for k, v in output.items()}
        return [{k: v[i] for k, v in parts.items()} for i in range(len(counts))]
    try:
        length = len(output)
    except TypeError:
        raise OutputMismatch(f"a {type(output).__name__} output has no rows") from None
    if length != sum(counts):
        raise OutputMismatch(f"the model returned {length} rows for {sum(counts)} input rows")
    pieces, start = [], 0
    rowwise = output.iloc if hasattr(output, "iloc") else output
    for count in counts:
        pieces.append(rowwise[start:start + count])
        start += count
    return pieces


def predictions(piece: Any) -> Any:
    """A piece as MLflow's scoring server answers it: arrays and Series as lists, DataFrames as
    records, dicts of arrays as dicts of lists."""
    if isinstance(piece, np.ndarray):
        return piece.tolist()
    if isinstance(piece, dict):
        return {str(k): predictions(v) for k, v in piece.items()}
    if hasattr(piece, "to_dict") and hasattr(piece, "columns"):
        return _records(piece)
    if hasattr(piece, "tolist"):
        return piece.tolist()
    if isinstance(piece, list | tuple):
        return [predictions(v) if isinstance(v, np.ndarray) else _scalar(v) for v in piece]
    return _scalar(piece)


def v2_outputs(piece: Any, names: Sequence[str] = ()) -> list[dict[str, Any]]:
    """A piece as v2 output tensors: one per DataFrame column or dict key, else one named after
    the signature's output (or "predict")."""
    if isinstance(piece, dict):
        return [_tensor(str(k), v) for k, v in piece.items()]
    if hasattr(piece, "columns") and hasattr(piece, "iloc"):
        return [_tensor(str(c), piece[c].to_numpy()) for c in piece.columns]
    name = names[0] if len(names) == 1 and names[0] else "predict"
    return [_tensor(name, piece)]


def _tensor(name: str, value: Any) -> dict[str, Any]:
    arr = value.to_numpy() if hasattr(value, "to_numpy") else np.asarray(value)
    flat = arr.ravel().tolist()
    data = [_scalar(v) for v in flat] if arr.dtype.kind in "OUSM" else flat
    return {"name": name, "shape": list(arr.shape), "datatype": v2_datatype(arr.dtype),
            "data": data}


def v2_datatype(dtype: np.dtype) -> str:
    """The v2 datatype of a numpy dtype (BYTES for strings, objects, dates)."""
    if dtype.kind == "b":
        return "BOOL"
    return _V2_DATATYPES.get(f"{dtype.kind}{dtype.itemsize}", "BYTES")


def _records(frame: Any) -> list[dict[str, Any]]:
    cols = [str(c) for c in frame.columns]
    return [dict(zip(cols, (_scalar(v) for v in row), strict=True))
            for row in frame.itertuples(index=False, name=None)]


def _scalar(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
