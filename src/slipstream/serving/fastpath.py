"""The numpy path for scikit-learn models with a column signature: when every column has one
numeric type and the estimator was fitted on the signature's columns in the same order (or on
unnamed columns), one 2-D array in that order gives exactly the predictions a DataFrame would,
at a fraction of the cost (no DataFrame to build, none for sklearn to check). Anything else
goes through `PyFuncModel.predict` on a DataFrame."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from slipstream.serving.inputs import COLUMN_TYPES, Inputs, model_input

_NUMERIC = ("double", "float", "long", "integer")


def predictor(model: Any) -> Callable[[Inputs], Any]:
    """predict(inputs) for `model` (a PyFuncModel): the numpy path when it applies."""
    fast = _sklearn_matrix(model)
    if fast is not None:
        return fast

    def predict(inputs: Inputs) -> Any:
        return model.predict(model_input(inputs))

    return predict


def _sklearn_matrix(model: Any) -> Callable[[Inputs], Any] | None:
    signature = getattr(model, "signature", None)
    schema = getattr(signature, "inputs", None)
    raw = getattr(model, "raw", None)
    if (getattr(model, "flavor", None) != "sklearn" or schema is None or schema.is_tensor
            or not callable(getattr(raw, "predict", None))):
        return None
    specs = list(schema.inputs)
    types = {spec.type for spec in specs}
    if len(types) != 1 or next(iter(types)) not in _NUMERIC or not all(s.required for s in specs):
        return None
    names = [spec.name for spec in specs]
    fitted = getattr(raw, "feature_names_in_", None)
    if fitted is not None and [str(n) for n in fitted] != names:
        return None
    if getattr(raw, "n_features_in_", len(names)) != len(names):
        return None
    dtype = COLUMN_TYPES[next(iter(types))][0]
    from slipstream.models.pyfunc import as_output

    estimator_predict = raw.predict

    def predict(inputs: Inputs) -> Any:
        matrix = inputs.matrix  # columns in the signature's order, which is `names`
        if matrix is None or matrix.dtype != dtype:
            arrays = inputs.arrays
            matrix = np.empty((inputs.n, len(names)), dtype=dtype)
            for j, name in enumerate(names):
                matrix[:, j] = arrays[name]
        if fitted is None:
            return as_output(estimator_predict(matrix))
        with warnings.catch_warnings():  # "X does not have valid feature names": it does
            warnings.simplefilter("ignore", UserWarning)
            return as_output(estimator_predict(matrix))

    return predict
