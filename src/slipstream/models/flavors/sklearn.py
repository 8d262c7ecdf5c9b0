"""The scikit-learn flavor, laid out as MLflow's: `model.pkl` (cloudpickle) with the `sklearn`
and `python_function` (loader `mlflow.sklearn`) descriptor entries, so `mlflow.sklearn.load_model`
and `mlflow.pyfunc.load_model` read what we write, and we read what they write (pickle,
cloudpickle, or skops, MLflow 3's default). Unpickling runs code: load only folders from your own stores."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

import cloudpickle

from slipstream._core.errors import InvalidInputError
from slipstream.models.flavors.base import Flavor, SavedFlavor

MODEL_FILE = "model.pkl"


class SklearnFlavor(Flavor):
    name = "sklearn"
    packages = ("scikit-learn",)

    def accepts(self, model: Any) -> bool:
        if "sklearn" not in sys.modules:
            return False
        from sklearn.base import BaseEstimator

        return isinstance(model, BaseEstimator)

    def save(self, model: Any, folder: Path) -> SavedFlavor:
        import sklearn

        (folder / MODEL_FILE).write_bytes(cloudpickle.dumps(model))
        conf = {"code": None, "pickled_model": MODEL_FILE,
                "serialization_format": "cloudpickle", "sklearn_version": sklearn.__version__}
        pyfunc = {"loader_module": "mlflow.sklearn", "model_path": MODEL_FILE,
                  "predict_fn": "predict"}
        return SavedFlavor(conf, pyfunc)

    def load(self, folder: Path, conf: dict[str, Any]) -> Any:
        path = folder / str(conf.get("pickled_model", MODEL_FILE))
        if not path.is_file():
            raise InvalidInputError(f"The sklearn model folder {str(folder)!r} has no "
                                    f"{path.name}")
        if conf.get("serialization_format") == "skops":  # MLflow 3's default
            return _load_skops(path, conf)
        data = path.read_bytes()
        if conf.get("serialization_format") == "cloudpickle":
            return cloudpickle.loads(data)
        return pickle.loads(data)

    def predict(self, model: Any, data: Any) -> Any:
        if not hasattr(model, "predict"):  # a transformer: saved and loaded, not predicted
            raise InvalidInputError(f"The sklearn model {type(model).__name__} has no predict "
                                    "method")
        return model.predict(data)


def _load_skops(path: Path, conf: dict[str, Any]) -> Any:
    """A skops file MLflow wrote; its types are trusted as a pickle's would be (the folder
    comes from your own store)."""
    try:
        import skops.io
    except ImportError:
        raise InvalidInputError(f"{path} is in skops format; loading it needs skops "
                                "(pip install skops)") from None
    trusted = conf.get("skops_trusted_types") or skops.io.get_untrusted_types(file=path)
    return skops.io.load(path, trusted=trusted)
