"""Models: packaging (flavors, signatures, the model folder), `log_model` / `load_model`, and the
registry's Python API (`ss.models.register_model`, aliases). Imports are lazy.

    ss.models.log_model(model, name="model", input_example=..., registered_model_name=...)
    ss.models.load_model("models:/churn@champion")     # the native object
    ss.models.load_pyfunc("runs:/RUN_ID/model")        # PyFuncModel: .predict(data)
    ss.models.register_model(uri, "churn"); ss.models.set_alias("churn", "champion", 3)

    signature.py     ColSpec, TensorSpec, Schema, ModelSignature, infer_signature
    pyfunc.py        PyFuncModel: one predict over every flavor
    flavors/         sklearn, pytorch, python_function (PythonModel)
    folder.py        a model folder on disk: save_model, load_native, load_pyfunc_folder
    descriptor.py    the MLmodel file; environment.py: requirements.txt, python_env.yaml
    uris.py          runs:/, models:/, m-<id>, artifact URLs -> the folder; download_model
    stores.py        the default registry client; api.py: the calls above
    autolog/         ss.autolog() / ss.sklearn.autolog(): fits log params, metrics, model folders
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "log_model": "slipstream.models.api",
    "load_model": "slipstream.models.api",
    "load_pyfunc": "slipstream.models.api",
    "register_model": "slipstream.models.api",
    "set_alias": "slipstream.models.api",
    "delete_alias": "slipstream.models.api",
    "get_model_version": "slipstream.models.api",
    "search_model_versions": "slipstream.models.api",
    "resolve": "slipstream.models.api",
    "ModelInfo": "slipstream.models.api",
    "save_model": "slipstream.models.folder",
    "load_input_example": "slipstream.models.folder",
    "PyFuncModel": "slipstream.models.pyfunc",
    "PythonModel": "slipstream.models.flavors.python_function",
    "PythonModelContext": "slipstream.models.flavors.python_function",
    "ColSpec": "slipstream.models.signature",
    "TensorSpec": "slipstream.models.signature",
    "Schema": "slipstream.models.signature",
    "ModelSignature": "slipstream.models.signature",
    "infer_signature": "slipstream.models.signature",
    "resolve_model_uri": "slipstream.models.uris",
    "ResolvedModel": "slipstream.models.uris",
}

__all__ = [
    "ColSpec",
    "ModelInfo",
    "ModelSignature",
    "PyFuncModel",
    "PythonModel",
    "PythonModelContext",
    "ResolvedModel",
    "Schema",
    "TensorSpec",
    "delete_alias",
    "get_model_version",
    "infer_signature",
    "load_input_example",
    "load_model",
    "load_pyfunc",
    "log_model",
    "register_model",
    "resolve",
    "resolve_model_uri",
    "save_model",
    "search_model_versions",
    "set_alias",
]

if TYPE_CHECKING:
    from slipstream.models.api import (
        ModelInfo,
        delete_alias,
        get_model_version,
        load_model,
        load_pyfunc,
        log_model,
        register_model,
        resolve,
        search_model_versions,
        set_alias,
    )
    from slipstream.models.flavors.python_function import PythonModel, PythonModelContext
    from slipstream.models.folder import load_input_example, save_model
    from slipstream.models.pyfunc import PyFuncModel
    from slipstream.models.signature import (
        ColSpec,
        ModelSignature,
        Schema,
        TensorSpec,
        infer_signature,
    )
    from slipstream.models.uris import ResolvedModel, resolve_model_uri


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'slipstream.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
