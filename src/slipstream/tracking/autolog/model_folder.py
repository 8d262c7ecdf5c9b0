"""A fitted scikit-learn estimator as a plain folder, laid out as MLflow's sklearn flavor:

    MLmodel            YAML descriptor: flavors (sklearn, python_function), versions, run id
    model.pkl          the estimator, cloudpickled (MLflow's default serialisation format)
    requirements.txt   scikit-learn and cloudpickle, pinned to the versions that wrote it
    input_example.json the first rows of the training data (only when asked for)

`mlflow.sklearn.load_model(<folder>)` loads it too. The trust model is pickle's: load only
folders from your own stores. (The models issue turns this into `log_model`.)
"""

from __future__ import annotations

import json
import platform
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cloudpickle

from slipstream._core.errors import InvalidInputError

MODEL_FILE = "model.pkl"
DESCRIPTOR_FILE = "MLmodel"
INPUT_EXAMPLE_FILE = "input_example.json"
INPUT_EXAMPLE_ROWS = 5


def save_sklearn_model(estimator: Any, folder: str | Path, *, run_id: str | None = None,
                       artifact_path: str = "model", input_example: Any = None) -> Path:
    """Write `estimator` into `folder` (created; must be empty or absent); returns it."""
    import sklearn

    path = Path(folder)
    if path.exists() and any(path.iterdir()):
        raise InvalidInputError(f"save_sklearn_model: {str(path)!r} is not empty")
    path.mkdir(parents=True, exist_ok=True)
    (path / MODEL_FILE).write_bytes(cloudpickle.dumps(estimator))
    python_version = platform.python_version()
    descriptor: dict[str, Any] = {
        "artifact_path": artifact_path,
        "flavors": {
            "python_function": {
                "loader_module": "mlflow.sklearn",
                "model_path": MODEL_FILE,
                "predict_fn": "predict",
                "python_version": python_version,
            },
            "sklearn": {
                "code": None,
                "pickled_model": MODEL_FILE,
                "serialization_format": "cloudpickle",
                "sklearn_version": sklearn.__version__,
            },
        },
        "model_uuid": uuid.uuid4().hex,
        "run_id": run_id,
        "utc_time_created": datetime.fromtimestamp(time.time(), UTC)
        .strftime("%Y-%m-%d %H:%M:%S.%f"),
    }
    if input_example is not None:
        kind, payload = _example_payload(input_example)
        (path / INPUT_EXAMPLE_FILE).write_text(json.dumps(payload), encoding="utf-8")
        descriptor["saved_input_example_info"] = {"artifact_path": INPUT_EXAMPLE_FILE,
                                                  "type": kind}
    (path / DESCRIPTOR_FILE).write_text(to_yaml(descriptor), encoding="utf-8")
    (path / "requirements.txt").write_text(
        f"scikit-learn=={sklearn.__version__}\ncloudpickle=={cloudpickle.__version__}\n",
        encoding="utf-8")
    return path


def load_sklearn_model(folder: str | Path) -> Any:
    """The estimator saved in `folder` by `save_sklearn_model`."""
    path = Path(folder)
    descriptor = path / DESCRIPTOR_FILE
    if not descriptor.is_file():
        raise InvalidInputError(f"load_sklearn_model: {str(path)!r} has no {DESCRIPTOR_FILE} "
                                "file; it is not a saved model folder")
    pickled = path / MODEL_FILE
    return cloudpickle.loads(pickled.read_bytes())


def to_yaml(value: Any, indent: int = 0) -> str:
    """A small YAML writer for nested dicts of scalars (scalars are written as JSON, which is
    valid YAML), so writing a descriptor needs no YAML library."""
    lines: list[str] = []
    pad = "  " * indent
    for key, item in value.items():
        if isinstance(item, dict):
            lines.append(f"{pad}{key}:")
            lines.append(to_yaml(item, indent + 1).rstrip("\n"))
        else:
            lines.append(f"{pad}{key}: {_scalar(item)}")
    return "\n".join(lines) + "\n"


def _scalar(item: Any) -> str:
    if item is None:
        return "null"
    if isinstance(item, bool | int | float):
        return json.dumps(item)
    return json.dumps(str(item))


def _example_payload(rows: Any) -> tuple[str, dict[str, Any]]:
    """MLflow's input example encodings: a DataFrame as split orientation, arrays as inputs."""
    head = rows[:INPUT_EXAMPLE_ROWS] if not hasattr(rows, "iloc") else rows.iloc[
        :INPUT_EXAMPLE_ROWS]
    if hasattr(head, "to_dict") and hasattr(head, "columns"):
        split = json.loads(head.to_json(orient="split", index=False))
        return "dataframe", {"columns": split["columns"], "data": split["data"]}
    import numpy as np

    return "ndarray", {"inputs": np.asarray(head).tolist()}
