"""Model signatures: what a model takes and returns, in MLflow's MLmodel format.

    ColSpec(name, type, required)     one column of a table ("double", "long", "string", ...)
    TensorSpec(name, dtype, shape)    one numpy array; -1 in `shape` means any size
    Schema([...])                     all ColSpecs or all TensorSpecs
    ModelSignature(inputs, outputs)   the descriptor's `signature:` entry

`Schema.to_json()` is the JSON list MLflow writes (`[{"type": "double", "name": "x",
"required": true}]`, `[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]`),
so `mlflow.models.Model.load` reads our descriptors and we read theirs. `infer_signature`
derives one from example data as MLflow does: a DataFrame (or list of dicts, or dict of scalars)
gives columns; a numpy array (or dict of arrays) gives tensors whose first axis is any size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from slipstream._core.errors import InvalidInputError

#: MLflow's column types and the numpy dtype each one holds.
COLUMN_TYPES: dict[str, str] = {
    "double": "float64", "float": "float32", "long": "int64", "integer": "int32",
    "boolean": "bool", "string": "object", "binary": "object", "datetime": "datetime64[ns]",
}
_TENSOR = "tensor"


@dataclass(frozen=True, slots=True)
class ColSpec:
    """One column: its name (None for an unnamed column), MLflow type name, and whether a
    value must be present."""

    name: str | None
    type: str
    required: bool = True

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise InvalidInputError(f"Unknown column type {self.type!r} for column "
                                    f"{self.name!r}; use one of {sorted(COLUMN_TYPES)}")

    @property
    def numpy_dtype(self) -> np.dtype[Any]:
        return np.dtype(COLUMN_TYPES[self.type])

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.name is not None:
            out["name"] = self.name
        out["required"] = self.required
        return out


@dataclass(frozen=True, slots=True)
class TensorSpec:
    """One numpy array: its name (None for a lone unnamed input), numpy dtype name
    ("float64", "int64", "str", ...), and shape with -1 for any size."""

    name: str | None
    dtype: str
    shape: tuple[int, ...] = field(default=(-1,))

    def __post_init__(self) -> None:
        try:
            np.dtype(self.dtype)
        except TypeError:
            raise InvalidInputError(f"Unknown tensor dtype {self.dtype!r} for input "
                                    f"{self.name!r}; use a numpy dtype name such as 'float64'"
                                    ) from None
        shape = tuple(int(n) for n in self.shape)
        if any(n < -1 for n in shape):
            raise InvalidInputError(f"Invalid tensor shape {list(shape)} for input "
                                    f"{self.name!r}: sizes are >= 0, or -1 for any size")
        object.__setattr__(self, "shape", shape)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.name is not None:
            out["name"] = self.name
        out["type"] = _TENSOR
        out["tensor-spec"] = {"dtype": self.dtype, "shape": list(self.shape)}
        return out


Spec = ColSpec | TensorSpec


class Schema:
    """An ordered list of specs, all columns or all tensors, either all named or one unnamed
    (tensors) / all unnamed (columns)."""

    __slots__ = ("inputs",)

    def __init__(self, inputs: Sequence[Spec]) -> None:
        specs = list(inputs)
        if not specs:
            raise InvalidInputError("A schema needs at least one column or tensor spec")
        kinds = {type(s) for s in specs}
        if len(kinds) > 1 or not kinds <= {ColSpec, TensorSpec}:
            raise InvalidInputError("A schema holds either only ColSpecs or only TensorSpecs, "
                                    f"got {sorted(k.__name__ for k in kinds)}")
        named = [s.name is not None for s in specs]
        if any(named) and not all(named):
            raise InvalidInputError("Either every spec of a schema is named or none is: "
                                    f"{[s.name for s in specs]}")
        if isinstance(specs[0], TensorSpec) and len(specs) > 1 and not all(named):
            raise InvalidInputError("A schema of several tensors must name each one")
        names = [s.name for s in specs if s.name is not None]
        if len(set(names)) != len(names):
            raise InvalidInputError(f"Duplicate names in schema: {names}")
        self.inputs: list[Spec] = specs

    @property
    def is_tensor(self) -> bool:
        return isinstance(self.inputs[0], TensorSpec)

    def names(self) -> list[str | None]:
        """The specs' names in order (None for unnamed ones)."""
        return [s.name for s in self.inputs]

    def has_names(self) -> bool:
        return self.inputs[0].name is not None

    def to_dict(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.inputs]

    def to_json(self) -> str:
        """MLflow's encoding: a JSON list of spec objects."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str | Sequence[Mapping[str, Any]]) -> Schema:
        """Read MLflow's encoding (the JSON text or the parsed list)."""
        try:
            items = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"Invalid schema JSON: {exc}") from None
        if not isinstance(items, list):
            raise InvalidInputError(f"A schema is a JSON list of specs, got {items!r:.200}")
        return cls([_spec_from_dict(item) for item in items])

    def __iter__(self) -> Iterator[Spec]:
        return iter(self.inputs)

    def __len__(self) -> int:
        return len(self.inputs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schema) and self.inputs == other.inputs

    def __hash__(self) -> int:
        return hash(tuple(self.inputs))

    def __repr__(self) -> str:
        return f"Schema({self.inputs!r})"


@dataclass(frozen=True, slots=True)
class ModelSignature:
    """A model's input schema and (optionally) its output schema."""

    inputs: Schema
    outputs: Schema | None = None

    def to_dict(self) -> dict[str, Any]:
        """The descriptor's `signature:` mapping (schemas as JSON text, as MLflow writes)."""
        return {"inputs": self.inputs.to_json(),
                "outputs": self.outputs.to_json() if self.outputs is not None else None,
                "params": None}

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> ModelSignature:
        inputs = value.get("inputs")
        if inputs is None:
            raise InvalidInputError("A model signature needs inputs")
        outputs = value.get("outputs")
        return cls(Schema.from_json(inputs),
                   Schema.from_json(outputs) if outputs is not None else None)


def _spec_from_dict(item: Any) -> Spec:
    if not isinstance(item, Mapping) or "type" not in item:
        raise InvalidInputError(f"A schema spec is an object with a 'type', got {item!r:.200}")
    name = item.get("name")
    if item["type"] == _TENSOR:
        tensor = item.get("tensor-spec")
        if not isinstance(tensor, Mapping) or "dtype" not in tensor:
            raise InvalidInputError(f"Tensor spec without 'tensor-spec.dtype': {item!r:.200}")
        return TensorSpec(name, str(tensor["dtype"]), tuple(tensor.get("shape") or (-1,)))
    return ColSpec(name, str(item["type"]), bool(item.get("required", True)))


# -- inference --------------------------------------------------------------------------------

def infer_signature(model_input: Any, model_output: Any = None) -> ModelSignature:
    """The signature of example data: columns for a pandas DataFrame, a list of dicts or a
    dict of scalars; tensors for a numpy array or a dict of arrays (first axis: any size)."""
    outputs = infer_schema(model_output, "model output") if model_output is not None else None
    return ModelSignature(infer_schema(model_input, "model input"), outputs)


def infer_schema(data: Any, what: str = "data") -> Schema:
    """The schema of one example value (see `infer_signature`)."""
    import sys

    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(data, pd.DataFrame):
        if data.shape[1] == 0:
            raise InvalidInputError(f"Cannot infer a schema for {what}: the DataFrame has no "
                                    "columns")
        return Schema([_column_spec(str(name), data[name]) for name in data.columns])
    if pd is not None and isinstance(data, pd.Series):
        name = None if data.name is None else str(data.name)
        return Schema([_column_spec(name, data)])
    if isinstance(data, Mapping):
        if not data:
            raise InvalidInputError(f"Cannot infer a schema for {what}: the dict is empty")
        values = list(data.values())
        if all(_is_scalar(v) for v in values):
            return Schema([ColSpec(str(k), _scalar_type(str(k), v)) for k, v in data.items()])
        return Schema([_tensor_spec(str(k), v, what) for k, v in data.items()])
    if isinstance(data, list | tuple) and data and all(isinstance(r, Mapping) for r in data):
        import pandas as pd

        return infer_schema(pd.DataFrame(list(data)), what)
    if _is_scalar(data):
        return Schema([ColSpec(None, _scalar_type(what, data))])
    return Schema([_tensor_spec(None, data, what)])


def _tensor_spec(name: str | None, value: Any, what: str) -> TensorSpec:
    array = _as_array(value)
    label = what if name is None else f"{what} {name!r}"
    if array.ndim == 0:
        raise InvalidInputError(f"Cannot infer a tensor schema for {label}: it is a scalar; "
                                "pass an array whose first axis holds the rows")
    if array.dtype.kind == "O":
        raise InvalidInputError(f"Cannot infer a tensor schema for {label}: its array holds "
                                "Python objects; use a numeric or string array, or a DataFrame")
    return TensorSpec(name, _tensor_dtype(array.dtype), (-1, *array.shape[1:]))


def _as_array(value: Any) -> np.ndarray:
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(f"Cannot read {type(value).__name__} as an array: {exc}"
                                ) from None


def _tensor_dtype(dtype: np.dtype[Any]) -> str:
    if dtype.kind == "U":
        return "str"
    if dtype.kind == "S":
        return "bytes"
    return dtype.name


def _column_spec(name: str | None, column: Any) -> ColSpec:
    import pandas as pd

    required = not bool(column.isna().any())
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        return ColSpec(name, "string", required)
    if isinstance(dtype, pd.BooleanDtype):
        return ColSpec(name, "boolean", required)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return ColSpec(name, "datetime", required)
    numpy_dtype = getattr(dtype, "numpy_dtype", dtype)  # nullable Int64 -> int64
    if isinstance(numpy_dtype, np.dtype) and numpy_dtype.kind in "biuf":
        return ColSpec(name, _numeric_type(name, numpy_dtype), required)
    values = column.dropna()
    if len(values) == 0:
        raise InvalidInputError(f"Cannot infer the type of column {name!r}: it has no values")
    for kind, check in (("string", str), ("binary", bytes | bytearray)):
        if all(isinstance(v, check) for v in values):
            return ColSpec(name, kind, required)
    kinds = sorted({type(v).__name__ for v in values})
    raise InvalidInputError(f"Cannot infer the type of column {name!r}: it holds {kinds}; "
                            f"a column holds one of {sorted(COLUMN_TYPES)}")


def _numeric_type(name: str | None, dtype: np.dtype[Any]) -> str:
    if dtype.kind == "b":
        return "boolean"
    if dtype.kind == "f":
        return "float" if dtype.itemsize <= 4 else "double"
    if (dtype.kind == "i" and dtype.itemsize <= 4) or (dtype.kind == "u" and dtype.itemsize <= 2):
        return "integer"
    return "long"


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | bytes | bool | int | float | np.number | np.bool_
                      | np.datetime64)


def _scalar_type(name: str, value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "binary"
    if isinstance(value, bool | np.bool_):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, np.datetime64):
        return "datetime"
    if isinstance(value, np.number):
        return _numeric_type(name, value.dtype)
    raise InvalidInputError(f"Cannot infer the type of {name!r}: {type(value).__name__}")
