"""The generic Python-function flavor: a `PythonModel` subclass (MLflow's shape:
`load_context(context)`, `predict(context, model_input)`) or any object with a
`predict(model_input)` method, cloudpickled into `python_model.pkl`. `mlflow.pyfunc.load_model`
reads it too (its loader module is this one). Unpickling runs code: load only your own folders."""

from __future__ import annotations

import abc
import contextlib
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cloudpickle

from slipstream._core.errors import InvalidInputError
from slipstream.models.flavors.base import Flavor, SavedFlavor

FLAVOR_NAME = "python_function"
MODEL_FILE = "python_model.pkl"
LOADER_MODULE = "slipstream.models.flavors.python_function"
_CONTEXT_ATTRIBUTE = "_slipstream_context"


@dataclass
class PythonModelContext:
    """What `PythonModel.load_context` and `predict` receive: the model folder's path and
    the artifacts dict (name -> local path)."""

    artifacts: dict[str, str] = field(default_factory=dict)
    model_config: dict[str, Any] = field(default_factory=dict)
    model_path: str | None = None


class PythonModel(abc.ABC):
    """Subclass and implement `predict(context, model_input)`; override `load_context` to set
    up state when the model is loaded."""

    def load_context(self, context: PythonModelContext) -> None:
        """Called once when the model is loaded (default: nothing)."""
        return None

    @abc.abstractmethod
    def predict(self, context: PythonModelContext, model_input: Any) -> Any:
        """The model's answer for `model_input` (a DataFrame, an array or a dict of arrays)."""


class PythonFunctionFlavor(Flavor):
    name = FLAVOR_NAME
    packages = ()

    def accepts(self, model: Any) -> bool:
        return isinstance(model, PythonModel) or callable(getattr(model, "predict", None))

    def save(self, model: Any, folder: Path) -> SavedFlavor:
        if not self.accepts(model):
            raise InvalidInputError(f"{type(model).__name__} has no predict method; the "
                                    "python_function flavor saves ss.models.PythonModel "
                                    "subclasses or objects with predict(model_input)")
        (folder / MODEL_FILE).write_bytes(cloudpickle.dumps(model))
        return SavedFlavor({}, {"loader_module": LOADER_MODULE, "python_model": MODEL_FILE,
                                "cloudpickle_version": cloudpickle.__version__})

    def load(self, folder: Path, conf: dict[str, Any]) -> Any:
        path = folder / str(conf.get("python_model", MODEL_FILE))
        if not path.is_file():
            raise InvalidInputError(f"The python_function model folder {str(folder)!r} has no "
                                    f"{path.name}")
        model = cloudpickle.loads(path.read_bytes())
        context = PythonModelContext(model_path=str(folder))
        load_context = getattr(model, "load_context", None)
        if callable(load_context):
            load_context(context)
        with contextlib.suppress(AttributeError):  # with __slots__: a fresh context later
            setattr(model, _CONTEXT_ATTRIBUTE, context)  # what predict passes back
        return model

    def predict(self, model: Any, data: Any) -> Any:
        if _takes_context(model):
            context = getattr(model, _CONTEXT_ATTRIBUTE, None) or PythonModelContext()
            return model.predict(context, data)
        return model.predict(data)


def _takes_context(model: Any) -> bool:
    if isinstance(model, PythonModel):
        return True
    try:
        params = list(inspect.signature(model.predict).parameters)
    except (TypeError, ValueError):
        return False
    return len(params) >= 2 and params[0] == "context"


class _MlflowAdapter:
    """What `mlflow.pyfunc.load_model` wraps: `predict(data, params=None)`."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return PythonFunctionFlavor().predict(self.model, data)


def _load_pyfunc(path: str, model_config: Any = None) -> _MlflowAdapter:
    """MLflow's loader-module hook (`mlflow.pyfunc.load_model` calls it with the folder)."""
    from slipstream.models.descriptor import read_descriptor

    conf = read_descriptor(path)["flavors"].get(FLAVOR_NAME, {})
    return _MlflowAdapter(PythonFunctionFlavor().load(Path(path), conf))
