"""Where the data a monitor compares comes from, each as a DataFrame and a description.

    read_data(source)                a DataFrame, a dict of columns, a file (parquet, csv, json,
                                     jsonl), a folder of them, a glob, or a list of those; any
                                     fsspec URL (s3://…) as well as local paths
    dataset_frame(dataset)           a tracked Dataset's rows, from its source URI (a path or
                                     fsspec URL, or runs:/RUN_ID/PATH: the run's artifact)
    training_reference(uri, ...)     the data set a model was trained on, from lineage:
                                     models:/NAME/N | models:/NAME@ALIAS | models:/NAME/latest
                                     (the version's training datasets) or runs:/RUN_ID (the
                                     run's training inputs)
    deployment_frame(store, name)    the requests a serving deployment sampled: one row per
                                     request row, its inputs' columns, and its predictions as
                                     `prediction` (or `prediction.<name>` columns)
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities.deployments import PredictionRecord
from slipstream.entities.tracking import Dataset
from slipstream.metadata.deployments import DeploymentStore
from slipstream.metadata.tracking import TrackingStore
from slipstream.monitor.stats import as_frame
from slipstream.registry.client import RegistryClient
from slipstream.registry.lineage import training_datasets

_READERS = {".parquet": pd.read_parquet, ".pq": pd.read_parquet, ".csv": pd.read_csv,
            ".json": pd.read_json, ".jsonl": lambda p: pd.read_json(p, lines=True)}
_MODEL_URI = re.compile(r"^models:/+([^/@]+)(?:/([^/@]+)|@([^/@]+))/*$")
_RUN_URI = re.compile(r"^runs:/+([^/]+)")
PREDICTION = "prediction"


def read_data(source: Any, what: str = "current") -> tuple[pd.DataFrame, str]:
    """`source` as a non-empty DataFrame, and how to describe it in a report."""
    if isinstance(source, pd.DataFrame | dict):
        return as_frame(source, what), f"a DataFrame of {len(source)} rows" \
            if isinstance(source, pd.DataFrame) else "a dict of columns"
    paths = [source] if isinstance(source, str | Path) else source
    if not isinstance(paths, Sequence) or not paths or \
            not all(isinstance(p, str | Path) for p in paths):
        raise InvalidInputError(f"the {what} data must be a DataFrame, a dict of columns, or "
                                f"file paths (a file, folder or glob), not {source!r:.100}")
    files = [f for p in paths for f in _files(str(p), what)]
    frames = [_read_file(f, what) for f in files]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    label = ", ".join(str(p) for p in paths)
    return as_frame(frame, what), f"{label} ({len(files)} file{'s' * (len(files) != 1)})"


def dataset_frame(dataset: Dataset, what: str = "reference",
                  tracking: TrackingStore | None = None) -> pd.DataFrame:
    """The rows of a tracked data set, read from the URI its source names (a runs:/ URI
    through `tracking`, the run's artifacts)."""
    try:
        source = json.loads(dataset.source) if dataset.source else {}
    except ValueError:
        source = {"uri": dataset.source}
    uri = source.get("uri") or source.get("url") or source.get("path") \
        if isinstance(source, dict) else None
    if not uri:
        raise InvalidInputError(
            f"data set {dataset.name!r} (digest {dataset.digest}) was logged without a source "
            f"URI (source type {dataset.source_type!r}), so its rows cannot be read: log it "
            "with log_input(..., source='path/or/url'), or give the monitor a reference path")
    if str(uri).startswith("runs:/"):
        return _run_artifact(str(uri), tracking, what)
    return read_data(uri, what)[0]


def training_reference(model_uri: str, registry: RegistryClient) -> tuple[pd.DataFrame, str]:
    """The training data of the model `model_uri` names, from lineage (see the module doc)."""
    datasets: tuple[Dataset, ...]
    run = _RUN_URI.match(model_uri)
    by_name = _MODEL_URI.match(model_uri)
    if by_name is not None:
        name, number, alias = by_name.groups()
        version = registry.resolve_version(name, number if number is not None else f"@{alias}")
        datasets, owner = version.datasets, f"model {name} version {version.version}"
    elif run is not None:
        if registry.tracking is None:
            raise InvalidInputError(f"{model_uri}: finding a run's training data needs the "
                                    "tracking store")
        datasets = training_datasets(registry.tracking.get_run(run.group(1)).inputs)
        owner = f"run {run.group(1)}"
    else:
        raise InvalidInputError(f"reference {model_uri!r} is not a model URI: give "
                                "models:/NAME/VERSION, models:/NAME@ALIAS or runs:/RUN_ID")
    if not datasets:
        raise NotFoundError(f"{owner} has no training data set in its lineage: log it in the "
                            "training run with log_input(df, context='training', source=...)")
    problems = []
    for dataset in datasets:
        try:
            rows = dataset_frame(dataset, tracking=registry.tracking)
            return rows, f"{dataset.name} ({dataset.digest}), training data of {owner}"
        except InvalidInputError as exc:
            problems.append(str(exc))
    raise InvalidInputError(f"no training data set of {owner} can be read: "
                            + "; ".join(problems))


def deployment_reference(name: str, deployments: DeploymentStore,
                         registry: RegistryClient) -> tuple[pd.DataFrame, str]:
    """The training data of the model version a deployment's primary route serves, cut to
    the columns of that model's input signature when it names them (requests never carry the
    label, nor other columns the training set kept beside the features)."""
    uri = deployments.get_deployment(name).primary.model_uri
    rows, description = training_reference(uri, registry)
    features = signature_columns(uri, registry)
    if features and set(features) <= set(rows.columns) and len(features) < len(rows.columns):
        dropped = [c for c in rows.columns if c not in features]
        rows = rows[features]
        description += f" (the model's {len(features)} input columns; not {dropped[:5]})"
    return rows, description


def signature_columns(model_uri: str, registry: RegistryClient) -> list[str] | None:
    """The column names of the model's input signature: None without one, for tensors, or
    when the model folder cannot be read (the monitor then compares every column)."""
    from slipstream.models.descriptor import read_descriptor
    from slipstream.models.signature import ModelSignature
    from slipstream.models.uris import download_model, resolve_model_uri

    try:
        descriptor = read_descriptor(download_model(
            resolve_model_uri(model_uri, registry=registry), server_side=True))
    except (InvalidInputError, NotFoundError, OSError):
        return None
    if not isinstance(descriptor.get("signature"), dict):
        return None
    schema = ModelSignature.from_dict(descriptor["signature"]).inputs
    if schema.is_tensor or not schema.has_names():
        return None
    return [str(name) for name in schema.names()]


def deployment_frame(deployments: DeploymentStore, name: str, *, since_ms: int | None = None,
                     until_ms: int | None = None, limit: int = 10_000,
                     label: str | None = None) -> tuple[pd.DataFrame, str]:
    """The requests deployment `name` sampled (successful ones), as rows (module doc)."""
    records = deployments.search_predictions(name, since_ms=since_ms, until_ms=until_ms,
                                             label=label, limit=limit)
    frames = [f for f in (_record_frame(r) for r in records if r.status < 400) if f is not None]
    if not frames:
        raise InvalidInputError(f"deployment {name!r} logged no sampled requests in this "
                                "window: serve it with a sample rate > 0, or widen the window")
    frame = pd.concat(frames, ignore_index=True)
    return frame, f"deployment {name}: {len(frame)} rows from {len(frames)} sampled requests"


def predictions_frame(records: Sequence[PredictionRecord]) -> pd.DataFrame:
    """Sampled requests as rows (for callers holding records already)."""
    frames = [f for f in (_record_frame(r) for r in records) if f is not None]
    if not frames:
        raise InvalidInputError("no sampled request has inputs")
    return pd.concat(frames, ignore_index=True)


def _record_frame(record: PredictionRecord) -> pd.DataFrame | None:
    """One request's inputs ({name: list, one entry per row; a 2-D tensor becomes
    `<name>_0`, `<name>_1`...}) with its predictions, or None without inputs."""
    if not isinstance(record.inputs, dict) or not record.inputs:
        return None
    columns: dict[str, Any] = {}
    for key, values in record.inputs.items():
        array = np.asarray(values, dtype=object if _has_text(values) else None)
        if array.ndim == 2:
            columns.update({f"{key}_{i}": array[:, i] for i in range(array.shape[1])})
        else:
            columns[str(key)] = array.reshape(len(array), -1)[:, 0] if array.ndim > 2 else array
    rows = len(next(iter(columns.values())))
    if any(len(v) != rows for v in columns.values()):
        return None
    columns.update(_prediction_columns(record.outputs, rows))
    return pd.DataFrame(columns)


def _prediction_columns(outputs: Any, rows: int) -> dict[str, Any]:
    if isinstance(outputs, dict):
        return {f"{PREDICTION}.{k}": v for k, v in outputs.items()
                if isinstance(v, list) and len(v) == rows}
    if isinstance(outputs, list) and len(outputs) == rows:
        if outputs and all(isinstance(o, dict) for o in outputs):  # DataFrame records
            return {f"{PREDICTION}.{k}": [o.get(k) for o in outputs] for k in outputs[0]}
        if all(not isinstance(o, list | dict) for o in outputs):
            return {PREDICTION: outputs}
    return {}


def _has_text(values: Any) -> bool:
    return isinstance(values, list) and any(isinstance(v, str) for v in values[:50])


def _run_artifact(uri: str, tracking: TrackingStore | None, what: str) -> pd.DataFrame:
    """The rows of artifact PATH of run RUN_ID (runs:/RUN_ID/PATH), read from a local copy."""
    import tempfile

    from slipstream.tracking.artifacts import RunArtifacts

    run_id, _, path = uri.removeprefix("runs:/").lstrip("/").partition("/")
    if tracking is None or not run_id or not path:
        raise InvalidInputError(f"the {what} data {uri!r}: a run's artifact is read as "
                                "runs:/RUN_ID/PATH through the tracking store")
    with tempfile.TemporaryDirectory(prefix="slipstream-monitor-") as folder:
        local = RunArtifacts(tracking).download_artifacts(run_id, path, folder)
        return read_data(local, what)[0]


def _files(path: str, what: str) -> list[str]:
    import fsspec

    fs, root = fsspec.core.url_to_fs(path)
    protocol = fs.protocol[0] if isinstance(fs.protocol, tuple | list) else fs.protocol
    if any(c in root for c in "*?["):
        found = sorted(fs.glob(root))
    elif fs.isdir(root):
        found = sorted(f for f in fs.find(root) if Path(f).suffix.lower() in _READERS)
    elif fs.exists(root):
        found = [root]
    else:
        raise InvalidInputError(f"the {what} data {path!r} does not exist")
    found = [f for f in found if not fs.isdir(f)]
    if not found:
        raise InvalidInputError(f"the {what} data {path!r} matches no file")
    return [f if protocol in ("file", "local") else f"{protocol}://{f}" for f in found]


def _read_file(path: str, what: str) -> pd.DataFrame:
    reader = _READERS.get(Path(path).suffix.lower())
    if reader is None:
        raise InvalidInputError(f"the {what} file {path!r} is not parquet, csv, json or jsonl")
    try:
        return reader(path)  # type: ignore[operator,no-any-return]
    except (OSError, ValueError, ImportError) as exc:
        raise InvalidInputError(f"could not read the {what} file {path!r}: {exc}") from exc
