"""`PyFuncModel`: any loaded model behind one `predict(data)`, whatever its flavor.

`data` is a pandas DataFrame, a numpy array, or a dict of arrays (also a list of row dicts).
With a column-based signature, arrays and dicts become a DataFrame with the signature's column
names (in its order; a missing required column is an error naming it); with a tensor signature
a DataFrame becomes its numpy values. The flavor's own predict function then runs, and its
result comes back as a numpy array, or a DataFrame when the model returned a table.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from slipstream._core.errors import InvalidInputError
from slipstream.models.signature import ColSpec, ModelSignature

#: A flavor's predict: (native model, converted input) -> whatever the model returns.
PredictFn = Callable[[Any, Any], Any]


class PyFuncModel:
    """A loaded model: `.predict(data)`, its `.signature`, `.flavor` name, the native object
    as `.raw` and the parsed `MLmodel` descriptor as `.metadata`."""

    def __init__(self, raw: Any, predict_fn: PredictFn, *, flavor: str,
                 signature: ModelSignature | None = None,
                 metadata: Mapping[str, Any] | None = None, path: str | None = None) -> None:
        self.raw = raw
        self.flavor = flavor
        self.signature = signature
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.path = path
        self._predict = predict_fn

    @property
    def model_uuid(self) -> str | None:
        value = self.metadata.get("model_uuid")
        return str(value) if value is not None else None

    def predict(self, data: Any) -> Any:
        """The model's predictions for `data` (see the module docstring for the conversions)."""
        return as_output(self._predict(self.raw, self.prepare(data)))

    def prepare(self, data: Any) -> Any:
        """`data` converted the way `predict` passes it to the model."""
        if isinstance(data, list | tuple) and data and all(isinstance(r, Mapping) for r in data):
            import pandas as pd

            data = pd.DataFrame(list(data))
        inputs = self.signature.inputs if self.signature is not None else None
        if inputs is None:
            return _plain(data)
        if inputs.is_tensor:
            return _as_tensors(data, inputs.names())
        return _as_frame(data, [s for s in inputs.inputs if isinstance(s, ColSpec)])

    def __slipstream_archive__(self) -> bytes:
        """The model folder, zipped (how workflow tasks pass a PyFuncModel on): the folder it
        was loaded from, or one saved now from `.raw` when it was built in memory."""
        import io
        import tempfile
        import zipfile
        from pathlib import Path

        from slipstream.models.folder import save_model

        with tempfile.TemporaryDirectory(prefix="slipstream-archive-") as tmp:
            folder = Path(self.path) if self.path else save_model(
                self.raw, Path(tmp) / "model", flavor=self.flavor, signature=self.signature)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                    archive.write(file, file.relative_to(folder).as_posix())
        return buffer.getvalue()

    @classmethod
    def __slipstream_unarchive__(cls, data: bytes) -> PyFuncModel:
        """A model from `__slipstream_archive__`'s bytes (unpacked into a temporary folder)."""
        import io
        import zipfile

        from slipstream.models.folder import load_pyfunc_folder
        from slipstream.models.uris import temporary_folder

        folder = temporary_folder()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.startswith("/") or ".." in name.split("/"):
                    raise InvalidInputError(f"A model archive holds an unsafe path {name!r}")
            archive.extractall(folder)
        return load_pyfunc_folder(folder)

    def __repr__(self) -> str:
        return f"<PyFuncModel flavor={self.flavor!r} raw={type(self.raw).__name__}>"


def _plain(data: Any) -> Any:
    """Without a signature: dicts of equal-length 1-D columns become a DataFrame."""
    if isinstance(data, Mapping):
        arrays = {str(k): np.asarray(v) for k, v in data.items()}
        if arrays and all(a.ndim == 1 for a in arrays.values()):
            import pandas as pd

            return pd.DataFrame(arrays)
        return arrays
    return data


def _as_tensors(data: Any, names: list[str | None]) -> Any:
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(data, pd.DataFrame):
        if len(names) == 1:
            return data.to_numpy()
        return {str(n): data[str(n)].to_numpy() for n in names if str(n) in data.columns}
    if isinstance(data, Mapping):
        arrays = {str(k): np.asarray(v) for k, v in data.items()}
        if len(names) == 1 and len(arrays) == 1:
            return next(iter(arrays.values()))
        return arrays
    return np.asarray(data) if isinstance(data, list | tuple) else data


def _as_frame(data: Any, specs: list[ColSpec]) -> Any:
    import pandas as pd

    names = [s.name for s in specs]
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, Mapping):
        frame = pd.DataFrame({str(k): np.atleast_1d(np.asarray(v)) for k, v in data.items()})
    else:
        array = np.asarray(data)
        if array.ndim == 1:
            array = array.reshape(1, -1) if len(specs) > 1 else array.reshape(-1, 1)
        if array.ndim != 2 or array.shape[1] != len(specs):
            raise InvalidInputError(f"The model takes {len(specs)} column(s) {names}; got an "
                                    f"array of shape {list(array.shape)}")
        if names[0] is None:
            return pd.DataFrame(array)
        return pd.DataFrame(array, columns=names)
    if names[0] is None:
        return frame
    missing = [s.name for s in specs if s.required and s.name not in frame.columns]
    if missing:
        raise InvalidInputError(f"Missing column(s) {missing}: the model's signature takes "
                                f"{names}, got {[str(c) for c in frame.columns]}")
    present = [n for n in names if n in frame.columns]
    return frame if list(frame.columns) == present else frame[present]


def as_output(result: Any) -> Any:
    """A model's result as a numpy array, or a DataFrame for tables (a dict of arrays stays)."""
    pd = sys.modules.get("pandas")
    if pd is not None:
        if isinstance(result, pd.DataFrame):
            return result
        if isinstance(result, pd.Series):
            return result.to_numpy()
    if isinstance(result, np.ndarray | Mapping):
        return result
    if hasattr(result, "detach") and hasattr(result, "cpu"):  # a torch tensor
        return result.detach().cpu().numpy()
    return np.asarray(result)
