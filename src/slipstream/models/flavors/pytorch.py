"""The PyTorch flavor: a whole `nn.Module` saved with `torch.save` (cloudpickle as the pickle
module, so classes defined in `__main__` or a notebook travel by value), in MLflow's layout
(`data/model.pth`, `data/pickle_module_info.txt`), so `mlflow.pytorch.load_model` reads it too.
Loaded on the CPU in eval mode; predictions run under `torch.no_grad()` on float32 tensors
made from the input (a DataFrame's values, an array, or a dict of arrays passed as keyword
arguments). Unpickling runs code: load only folders from your own stores."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream.models.flavors.base import Flavor, SavedFlavor

DATA_FOLDER = "data"
MODEL_FILE = "model.pth"
PICKLE_INFO_FILE = "pickle_module_info.txt"
#: What MLflow's loader imports to unpickle (it is cloudpickle under another name).
MLFLOW_PICKLE_MODULE = "mlflow.pytorch.pickle_module"


class PyTorchFlavor(Flavor):
    name = "pytorch"
    packages = ("torch",)

    def accepts(self, model: Any) -> bool:
        if "torch" not in sys.modules:
            return False
        import torch

        return isinstance(model, torch.nn.Module)

    def save(self, model: Any, folder: Path) -> SavedFlavor:
        import cloudpickle
        import torch

        if not isinstance(model, torch.nn.Module):
            raise InvalidInputError(f"The pytorch flavor saves torch.nn.Module objects, not "
                                    f"{type(model).__name__}")
        data = folder / DATA_FOLDER
        data.mkdir()
        torch.save(model, data / MODEL_FILE, pickle_module=cloudpickle)
        (data / PICKLE_INFO_FILE).write_text(MLFLOW_PICKLE_MODULE, encoding="utf-8")
        conf = {"code": None, "model_data": DATA_FOLDER,
                "pytorch_version": torch.__version__.split("+")[0]}
        pyfunc = {"loader_module": "mlflow.pytorch", "data": DATA_FOLDER,
                  "pickle_module_name": MLFLOW_PICKLE_MODULE}
        return SavedFlavor(conf, pyfunc)

    def load(self, folder: Path, conf: dict[str, Any]) -> Any:
        import torch

        path = folder / str(conf.get("model_data", DATA_FOLDER)) / MODEL_FILE
        if not path.is_file():
            raise InvalidInputError(f"The pytorch model folder {str(folder)!r} has no "
                                    f"{DATA_FOLDER}/{MODEL_FILE}")
        model = torch.load(path, map_location="cpu", weights_only=False)
        if isinstance(model, torch.nn.Module):
            model.eval()
        return model

    def predict(self, model: Any, data: Any) -> Any:
        import torch

        with torch.no_grad():
            if isinstance(data, dict):
                return model(**{str(k): _tensor(v) for k, v in data.items()})
            return model(_tensor(data))


def _tensor(value: Any) -> Any:
    import numpy as np
    import torch

    if isinstance(value, torch.Tensor):
        return value.to(dtype=torch.float32, device="cpu")
    if hasattr(value, "to_numpy"):  # a DataFrame or Series
        value = value.to_numpy()
    return torch.from_numpy(np.ascontiguousarray(np.asarray(value, dtype=np.float32)))
