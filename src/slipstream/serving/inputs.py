"""Request inputs checked against a model's input schema and held as numpy arrays, in one of
two shapes every protocol decodes to:

* columns: name -> 1-D array of n rows (a column-based signature, or a table with none);
* tensors: name -> array whose first axis holds the n rows ("" names a lone unnamed tensor).

`Inputs` of the same layout concatenate along the row axis (a micro-batch) and turn into what
`PyFuncModel.predict` takes: a DataFrame for columns, a numpy array (or a dict of them) for
tensors. A value that does not fit the schema raises `InputError` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from slipstream._core.errors import InvalidInputError, did_you_mean

#: MLflow's column types -> (numpy dtype, the inferred numpy kinds accepted for it).
COLUMN_TYPES: dict[str, tuple[Any, str]] = {
    "double": (np.float64, "fiu"), "float": (np.float32, "fiu"), "long": (np.int64, "iu"),
    "integer": (np.int32, "iu"), "boolean": (np.bool_, "b"), "string": (np.object_, "UO"),
    "binary": (np.object_, "SUO"), "datetime": ("datetime64[ns]", "MUO"),
}


class InputError(InvalidInputError):
    """A request's inputs do not fit the model: answered with a 4xx naming the field."""


class Inputs:
    """Validated inputs of one request (or of a merged batch): `n` rows. `matrix`, when set, is
    the 2-D array whose columns are the `names` columns (numeric, of one dtype); `arrays` is
    then made from it when first read."""

    __slots__ = ("_arrays", "_layout", "_names", "matrix", "n", "tensors")

    def __init__(self, tensors: bool, arrays: dict[str, np.ndarray] | None, n: int,
                 matrix: np.ndarray | None = None, names: tuple[str, ...] = (),
                 layout: tuple[Any, ...] | None = None) -> None:
        self.tensors, self.n, self.matrix = tensors, n, matrix
        self._arrays, self._names, self._layout = arrays, names, layout

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """Input name -> array of n rows (for columns, 1-D)."""
        if self._arrays is None:
            assert self.matrix is not None
            self._arrays = dict(zip(self._names, self.matrix.T, strict=True))
        return self._arrays

    @property
    def layout(self) -> tuple[Any, ...]:
        """Inputs merge only with inputs of the same layout (names, dtypes, trailing shapes)."""
        if self._layout is None:
            self._layout = (self.tensors, *((k, a.dtype.str, a.shape[1:])
                                            for k, a in self.arrays.items()))
        return self._layout


# ----------------------------------------------------------------------------------- columns


def columns(data: Mapping[str, Any], schema: Any, *, from_text: bool = False) -> Inputs:
    """Column name -> values (lists or arrays, equal lengths) checked against a column-based
    `schema` (None: taken as given). `from_text`: values may be strings to parse (CSV)."""
    if schema is not None and schema.is_tensor:
        return _columns_as_tensor(data, schema)
    arrays: dict[str, np.ndarray] = {}
    if schema is None:
        for name, values in data.items():
            arrays[str(name)] = _plain_column(str(name), values)
    else:
        specs = {spec.name: spec for spec in schema.inputs}
        for name in data:
            if name not in specs:
                raise InputError(f"unknown column {name!r}; the model's signature has columns "
                                 f"{list(specs)}.{did_you_mean(str(name), specs)}")
        for name, spec in specs.items():
            if name in data:
                arrays[name] = _typed_column(name, data[name], spec.type, from_text)
            elif spec.required:
                raise InputError(f"missing column {name!r}: the model's signature requires "
                                 f"{[s.name for s in schema.inputs if s.required]}")
    return Inputs(False, arrays, _common_rows(arrays))


def rows(values: Sequence[Any], names: Sequence[str] | None, schema: Any) -> Inputs:
    """Rows (lists of values in column order, or dicts) as columns; `names` defaults to the
    schema's column order."""
    plan = _matrix_plan(schema) if schema is not None else None
    if (plan is not None and type(values) is list and values and type(values[0]) is list
            and (names is None or tuple(names) == plan[0])):
        fast = _numeric_matrix(values, plan)
        if fast is not None:
            return fast
    if not isinstance(values, list | tuple):
        raise InputError(f"expected a list of rows, got {type(values).__name__}")
    if values and isinstance(values[0], Mapping) and all(isinstance(row, Mapping)
                                                         for row in values):
        keys: dict[str, None] = {}
        for row in values:
            keys.update(dict.fromkeys(row))
        return columns({k: [row.get(k) for row in values] for k in keys}, schema)
    if names is None:
        if schema is None or schema.is_tensor:
            raise InputError("rows without column names need a model whose signature names "
                             "its columns; send them with 'columns' or as records")
        names = [spec.name for spec in schema.inputs]
    width = len(names)
    if values and isinstance(values[0], list | tuple) and len(values[0]) == width:
        try:  # all numbers, all rows of one width: one array, columns as its views
            matrix = np.asarray(values)
        except ValueError:
            matrix = None
        if matrix is not None and matrix.ndim == 2 and matrix.dtype.kind in "fiub":
            return columns({name: matrix[:, j] for j, name in enumerate(names)}, schema)
    for i, row in enumerate(values):
        if not isinstance(row, list | tuple) or len(row) != width:
            got = len(row) if isinstance(row, list | tuple) else type(row).__name__
            raise InputError(f"row {i} has {got} values; expected {width} (columns "
                             f"{list(names)})")
    transposed = list(zip(*values, strict=True)) if values else [() for _ in names]
    return columns(dict(zip(names, transposed, strict=True)), schema)


def _numeric_matrix(values: list[Any], plan: _Plan) -> Inputs | None:
    """Rows of numbers for a signature of required numeric columns of one type, in its order:
    one array, cast once (None when they are not that; `columns` then checks each column)."""
    try:
        matrix = np.asarray(values)
    except ValueError:
        return None
    if matrix.ndim != 2 or matrix.shape[1] != len(plan[0]) or matrix.dtype.kind not in plan[2]:
        return None
    matrix = matrix.astype(plan[1], copy=False)
    return Inputs(False, None, len(matrix), matrix, plan[0], plan[3])


_NUMERIC = ("double", "float", "long", "integer")


_Plan = tuple[tuple[str, ...], Any, str, tuple[Any, ...]]
_PLANS: dict[int, tuple[Any, _Plan | None]] = {}  # id(schema) -> (schema, its plan)


def _matrix_plan(schema: Any) -> _Plan | None:
    """(column names, dtype, accepted numpy kinds, layout) when `schema` is required numeric
    columns of one type, else None; cached by the schema object's identity (a served model's
    schema is the same object on every request; hashing one hashes every spec)."""
    hit = _PLANS.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    plan = None
    specs = schema.inputs
    type_name = specs[0].type
    if not schema.is_tensor and type_name in _NUMERIC and all(
            s.type == type_name and s.required and s.name is not None for s in specs):
        dtype, kinds = COLUMN_TYPES[type_name]
        names = tuple(str(s.name) for s in specs)
        plan = (names, dtype, kinds, (False, *((n, np.dtype(dtype).str, ()) for n in names)))
    if len(_PLANS) > 64:
        _PLANS.clear()
    _PLANS[id(schema)] = (schema, plan)
    return plan


def _typed_column(name: str, values: Any, type_name: str, from_text: bool) -> np.ndarray:
    dtype, kinds = COLUMN_TYPES.get(type_name, (None, ""))
    if dtype is None:
        return _plain_column(name, values)
    try:
        arr = values if isinstance(values, np.ndarray) else np.asarray(values)
    except ValueError as exc:
        raise InputError(f"column {name!r}: {exc}") from None
    if arr.ndim != 1:
        raise InputError(f"column {name!r} must hold one value per row; got shape "
                         f"{list(arr.shape)}")
    kind = arr.dtype.kind
    if kind == "O" and dtype in (np.float64, np.float32) and all(
            v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in arr):
        return np.array([math.nan if v is None else v for v in arr], dtype=dtype)
    if kind == "U" and from_text and type_name not in ("string", "binary"):
        return _parse_text(name, arr, type_name, dtype)
    if kind not in kinds or (kind == "O" and type_name == "string"
                             and not all(isinstance(v, str) for v in arr)):
        raise InputError(f"column {name!r} expects {type_name}; got {_kind_name(arr)} values")
    if dtype is np.object_:
        return arr.astype(object, copy=False)
    try:
        return arr.astype(dtype, copy=False)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"column {name!r} expects {type_name}: {exc}") from None


def _parse_text(name: str, arr: np.ndarray, type_name: str, dtype: Any) -> np.ndarray:
    try:
        if type_name == "boolean":
            lowered = np.char.lower(arr)
            if not np.isin(lowered, ["true", "false", "1", "0"]).all():
                raise ValueError("expected true/false")
            return np.isin(lowered, ["true", "1"])
        return arr.astype(dtype)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InputError(f"column {name!r} expects {type_name}: {exc}") from None


def _plain_column(name: str, values: Any) -> np.ndarray:
    try:
        arr = values if isinstance(values, np.ndarray) else np.asarray(values)
    except ValueError as exc:
        raise InputError(f"column {name!r}: {exc}") from None
    if arr.ndim != 1:
        raise InputError(f"column {name!r} must hold one value per row; got shape "
                         f"{list(arr.shape)}")
    return arr


def _columns_as_tensor(data: Mapping[str, Any], schema: Any) -> Inputs:
    specs = schema.inputs
    if len(specs) == 1 and (specs[0].name is None or len(data) != 1):
        raise InputError(f"this model takes one tensor (signature {_spec_text(specs[0])}), "
                         "not named columns; send 'instances' or 'inputs'")
    return tensors({str(k): v for k, v in data.items()}, schema)


# ----------------------------------------------------------------------------------- tensors


def tensors(data: Mapping[str, Any] | Any, schema: Any) -> Inputs:
    """Tensors (one array-like, or name -> array-like) checked against a tensor `schema`
    (None: taken as given). The first axis is the row axis."""
    given = dict(data) if isinstance(data, Mapping) else {"": data}
    arrays: dict[str, np.ndarray] = {}
    if schema is None or not schema.is_tensor:
        if schema is not None:  # a column-based model sent one matrix: rows in column order
            if "" in given and len(given) == 1:
                return rows(_as_list(given[""]), None, schema)
            return columns(given, schema)
        for name, value in given.items():
            arrays[name] = _array(name, value, None)
    else:
        specs = list(schema.inputs)
        if len(specs) == 1 and len(given) == 1:
            spec = specs[0]
            arrays[spec.name or ""] = _tensor(spec, next(iter(given.values())))
        else:
            named = {spec.name: spec for spec in specs}
            for name in given:
                if name not in named:
                    raise InputError(f"unknown input {name!r}; the model takes "
                                     f"{list(named)}.{did_you_mean(name, [str(n) for n in named])}")
            for name, spec in named.items():
                if name not in given:
                    raise InputError(f"missing input {name!r}; the model takes {list(named)}")
                arrays[name] = _tensor(spec, given[name])
    for name, arr in arrays.items():
        if arr.ndim == 0:
            raise InputError(f"input {name or 'tensor'!r} is a scalar; expected a batch of rows")
    return Inputs(True, arrays, _common_rows(arrays))


def _tensor(spec: Any, value: Any) -> np.ndarray:
    label = spec.name or "tensor"
    arr = _array(label, value, None)
    want = np.dtype(spec.dtype)
    if arr.dtype != want:
        if not _castable(arr, want):
            raise InputError(f"input {label!r} expects {want.name}; got {_kind_name(arr)} values")
        arr = arr.astype(want)
    shape = tuple(spec.shape)
    if len(shape) != arr.ndim or any(s not in (-1, a) for s, a in zip(shape, arr.shape,
                                                                         strict=False)):
        raise InputError(f"input {label!r} has shape {list(arr.shape)}; the signature expects "
                         f"{list(shape)} (-1: any size)")
    return arr


def _castable(arr: np.ndarray, want: np.dtype) -> bool:
    have = arr.dtype.kind
    if want.kind == "f":
        return have in "fiu"
    if want.kind in "iu":
        return have in "iu" or (have == "f" and bool(np.all(np.mod(arr, 1) == 0)))
    if want.kind == "b":
        return have == "b"
    if want.kind in "OUS":
        return have in "OUS"
    return np.can_cast(arr.dtype, want, "same_kind")


def _array(name: str, value: Any, dtype: Any) -> np.ndarray:
    try:
        return value if isinstance(value, np.ndarray) else np.asarray(value, dtype=dtype)
    except (ValueError, TypeError) as exc:
        raise InputError(f"input {name or 'tensor'!r} is not a regular array: "
                         f"{str(exc).splitlines()[0]}") from None


def _as_list(value: Any) -> list[Any]:
    return value.tolist() if isinstance(value, np.ndarray) else list(value)


# ---------------------------------------------------------------------------------- batching


def concat(items: Sequence[Inputs]) -> Inputs:
    """One `Inputs` holding the rows of `items` (all of one layout) in order."""
    if len(items) == 1:
        return items[0]
    first = items[0]
    if all(item.matrix is not None for item in items):
        matrix = np.concatenate([item.matrix for item in items])  # type: ignore[misc]
        return Inputs(False, None, len(matrix), matrix, first._names or tuple(first.arrays),
                      first.layout)
    arrays = {name: np.concatenate([item.arrays[name] for item in items])
              for name in first.arrays}
    return Inputs(first.tensors, arrays, sum(item.n for item in items))


def model_input(inputs: Inputs) -> Any:
    """What `predict` gets: a DataFrame for columns, an array (or dict of arrays) for tensors."""
    if inputs.tensors:
        if len(inputs.arrays) == 1 and "" in inputs.arrays:
            return inputs.arrays[""]
        if len(inputs.arrays) == 1:
            return next(iter(inputs.arrays.values()))
        return dict(inputs.arrays)
    import pandas as pd

    return pd.DataFrame(inputs.arrays, copy=False)


def _common_rows(arrays: Mapping[str, np.ndarray]) -> int:
    counts = {name: len(arr) for name, arr in arrays.items()}
    if not counts:
        raise InputError("the request holds no inputs")
    if len(set(counts.values())) != 1:
        raise InputError(f"inputs have different numbers of rows: {counts}")
    return next(iter(counts.values()))


def _kind_name(arr: np.ndarray) -> str:
    return {"f": "floating-point", "i": "integer", "u": "unsigned integer", "b": "boolean",
            "U": "string", "S": "bytes", "M": "datetime"}.get(arr.dtype.kind, "mixed or object")


def _spec_text(spec: Any) -> str:
    return f"{spec.dtype}{list(spec.shape)}"


def describe(schema: Any, unnamed: str = "input") -> list[dict[str, Any]]:
    """The schema's specs as v2 metadata tensors ({name, datatype, shape}); `unnamed` names a
    lone unnamed one."""
    from slipstream.serving.outputs import v2_datatype

    if schema is None:
        return []
    out = []
    for spec in schema.inputs:
        if schema.is_tensor:
            out.append({"name": spec.name or unnamed, "datatype": v2_datatype(np.dtype(spec.dtype)),
                        "shape": list(spec.shape)})
        else:
            dtype = COLUMN_TYPES.get(spec.type, (np.object_, ""))[0]
            out.append({"name": spec.name or unnamed, "datatype": v2_datatype(np.dtype(dtype)),
                        "shape": [-1]})
    return out
