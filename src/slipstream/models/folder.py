"""A model folder on the local disk: write one (`save_model`) and read it back (`load_native`,
`load_pyfunc_folder`). Layout, as MLflow's:

    MLmodel                  descriptor: flavors with the python_function loader, signature,
                             saved_input_example_info, model_uuid, model_id, run_id,
                             utc_time_created, python_version, and under `slipstream` the
                             flavor and the datasets the model was trained on (name, digest,
                             source)
    <the flavor's files>     model.pkl, data/model.pth, python_model.pkl
    requirements.txt         the flavor's packages, numpy and cloudpickle, pinned
    python_env.yaml          the Python version and build tools
    input_example.json       the input example, when one was given

Everything is checked before the first byte is written, and a failed save removes the folder.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream.models.descriptor import read_descriptor, write_descriptor
from slipstream.models.environment import requirements, write_environment
from slipstream.models.flavors import Flavor, flavor_for, flavor_named, flavor_of_descriptor
from slipstream.models.pyfunc import PyFuncModel
from slipstream.models.signature import ModelSignature, infer_schema, infer_signature

INPUT_EXAMPLE_FILE = "input_example.json"
SLIPSTREAM_KEY = "slipstream"
PYFUNC = "python_function"


def choose_flavor(model: Any, flavor: str | Flavor | None) -> Flavor:
    """`flavor` by name (or as given), else the first flavor that accepts the model."""
    if flavor is None:
        return flavor_for(model)
    return flavor if isinstance(flavor, Flavor) else flavor_named(flavor)


def save_model(model: Any, path: str | Path, *, flavor: str | Flavor | None = None,
               signature: ModelSignature | None = None, input_example: Any = None,
               pip_requirements: Sequence[str] | None = None, run_id: str | None = None,
               model_id: str | None = None, artifact_path: str | None = None,
               datasets: Sequence[dict[str, str]] = ()) -> Path:
    """Write `model` as a model folder at `path` (absent or empty); returns the path. Without
    a signature, one is inferred from `input_example` (outputs from predicting on it)."""
    chosen = choose_flavor(model, flavor)
    if signature is not None and not isinstance(signature, ModelSignature):
        raise InvalidInputError(f"signature must be a ModelSignature (see "
                                f"ss.models.infer_signature), not {type(signature).__name__}")
    example = _example_payload(input_example) if input_example is not None else None
    if signature is None and input_example is not None:
        signature = _signature_from_example(chosen, model, input_example)
    lines = requirements(chosen.packages, pip_requirements)
    folder = Path(path)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidInputError(f"Cannot save a model into {str(folder)!r}: it exists and is "
                                "not an empty folder")
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        saved = chosen.save(model, folder)
        pyfunc = {**saved.pyfunc, "env": write_environment(folder, lines),
                  "python_version": platform.python_version()}
        flavors = {PYFUNC: {**pyfunc, **saved.conf}} if chosen.name == PYFUNC else {
            PYFUNC: pyfunc, chosen.name: saved.conf}
        descriptor: dict[str, Any] = {"artifact_path": artifact_path or folder.name,
                                      "flavors": flavors}
        if model_id is not None:
            descriptor["model_id"] = model_id
        descriptor["model_uuid"] = uuid.uuid4().hex
        descriptor["run_id"] = run_id
        if example is not None:
            info, payload = example
            (folder / INPUT_EXAMPLE_FILE).write_text(json.dumps(payload), encoding="utf-8")
            descriptor["saved_input_example_info"] = info
        if signature is not None:
            descriptor["signature"] = signature.to_dict()
        descriptor["utc_time_created"] = datetime.fromtimestamp(time.time(), UTC).strftime(
            "%Y-%m-%d %H:%M:%S.%f")
        descriptor[SLIPSTREAM_KEY] = {"flavor": chosen.name, "datasets": list(datasets)}
        write_descriptor(folder, descriptor)
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for child in folder.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return folder


def load_native(path: str | Path) -> Any:
    """The native model object saved in the local folder `path`."""
    folder = Path(path)
    descriptor = read_descriptor(folder)
    flavor = flavor_of_descriptor(descriptor["flavors"])
    return flavor.load(folder, descriptor["flavors"][flavor.name] or {})


def load_pyfunc_folder(path: str | Path) -> PyFuncModel:
    """The model in the local folder `path` behind `PyFuncModel.predict`."""
    folder = Path(path)
    descriptor = read_descriptor(folder)
    flavors = descriptor["flavors"]
    flavor = flavor_of_descriptor(flavors)
    raw = flavor.load(folder, flavors[flavor.name] or {})
    predict = flavor.predict
    method = (flavors.get(PYFUNC) or {}).get("predict_fn", "predict")
    if flavor.name == "sklearn" and method != "predict":
        def predict(model: Any, data: Any) -> Any:
            return getattr(model, method)(data)
    signature = descriptor.get("signature")
    return PyFuncModel(raw, predict, flavor=flavor.name,
                       signature=ModelSignature.from_dict(signature) if signature else None,
                       metadata=descriptor, path=str(folder))


def load_input_example(path: str | Path) -> Any:
    """The input example saved with the model (a DataFrame, array or dict of arrays), or None."""
    folder = Path(path)
    info = read_descriptor(folder).get("saved_input_example_info")
    if not info:
        return None
    payload = json.loads((folder / str(info.get("artifact_path", INPUT_EXAMPLE_FILE)))
                         .read_text(encoding="utf-8"))
    if info.get("type") == "dataframe":
        import pandas as pd

        return pd.DataFrame(payload["data"], columns=payload["columns"])
    import numpy as np

    inputs = payload["inputs"]
    if isinstance(inputs, dict):
        return {k: np.asarray(v) for k, v in inputs.items()}
    return np.asarray(inputs)


def _signature_from_example(flavor: Flavor, model: Any, example: Any) -> ModelSignature:
    signature = infer_signature(example)
    probe = PyFuncModel(model, flavor.predict, flavor=flavor.name, signature=signature)
    try:
        output = probe.predict(example)
    except Exception:  # a model that cannot predict on its example still saves
        return signature
    try:
        return ModelSignature(signature.inputs, infer_schema(output, "model output"))
    except InvalidInputError:
        return signature


def _example_payload(example: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """MLflow's encodings: a DataFrame (or row dicts) in split orientation, arrays (or a dict
    of arrays) as tf-serving `inputs`."""
    import sys

    import numpy as np

    pd = sys.modules.get("pandas")
    if isinstance(example, list | tuple) and example and all(isinstance(r, dict) for r in example):
        import pandas as pd

        example = pd.DataFrame(list(example))
    if isinstance(example, dict) and all(np.ndim(v) == 0 for v in example.values()):
        import pandas as pd

        example = pd.DataFrame([example])
    if pd is not None and isinstance(example, pd.DataFrame):
        split = json.loads(example.to_json(orient="split", index=False, date_format="iso"))
        return ({"artifact_path": INPUT_EXAMPLE_FILE, "type": "dataframe",
                 "pandas_orient": "split"}, {"columns": split["columns"], "data": split["data"]})
    info = {"artifact_path": INPUT_EXAMPLE_FILE, "type": "ndarray", "format": "tf-serving"}
    try:
        if isinstance(example, dict):
            return info, {"inputs": {str(k): _listed(v) for k, v in example.items()}}
        return info, {"inputs": _listed(example)}
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"Cannot save the input example ({type(example).__name__}) as "
                                f"JSON: {exc}") from None


def _listed(value: Any) -> Any:
    import numpy as np

    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.kind == "O":
        raise TypeError("it holds Python objects")
    if array.dtype.kind == "S":
        return [v.decode("utf-8", "replace") for v in array.ravel()]
    return array.tolist()
