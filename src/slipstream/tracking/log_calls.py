"""The fluent logging calls (`ss.log_metric`, `ss.log_params`, `ss.log_artifact`, ...): each logs
to the active run, else to the running task's implicit run, else to a new run, through that run's
client, which buffers metrics, params and tags and writes them in the background."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError
from slipstream.tracking.fluent import active_run, default_tracking_client, run_for_logging

if TYPE_CHECKING:
    from slipstream.artifacts.run_files import FileInfo
    from slipstream.tracking.client import TrackingClient


def log_metric(key: str, value: Any, step: int | None = None,
               timestamp: int | None = None) -> None:
    active = run_for_logging()
    active.client.log_metric(active.run_id, key, value, step, timestamp)


def log_metrics(metrics: Mapping[str, Any], step: int | None = None,
                timestamp: int | None = None) -> None:
    active = run_for_logging()
    active.client.log_metrics(active.run_id, metrics, step, timestamp)


def log_param(key: str, value: Any) -> str:
    active = run_for_logging()
    return active.client.log_param(active.run_id, key, value)


def log_params(params: Mapping[str, Any]) -> None:
    active = run_for_logging()
    active.client.log_params(active.run_id, params)


def set_tag(key: str, value: Any) -> None:
    active = run_for_logging()
    active.client.set_tag(active.run_id, key, value)


def set_tags(tags: Mapping[str, Any]) -> None:
    active = run_for_logging()
    active.client.set_tags(active.run_id, tags)


def delete_tag(key: str) -> None:
    active = run_for_logging()
    active.client.delete_tag(active.run_id, key)


def log_artifact(local_path: str | os.PathLike[str], artifact_path: str | None = None) -> None:
    active = run_for_logging()
    active.client.log_artifact(active.run_id, local_path, artifact_path)


def log_artifacts(local_dir: str | os.PathLike[str], artifact_path: str | None = None) -> None:
    active = run_for_logging()
    active.client.log_artifacts(active.run_id, local_dir, artifact_path)


def log_dict(dictionary: Any, artifact_file: str) -> None:
    active = run_for_logging()
    active.client.log_dict(active.run_id, dictionary, artifact_file)


def log_text(text: str, artifact_file: str) -> None:
    active = run_for_logging()
    active.client.log_text(active.run_id, text, artifact_file)


def log_input(dataset: Any, context: str | None = None, tags: Mapping[str, str] | None = None,
              *, name: str | None = None, source: str | None = None) -> None:
    """Record a dataset (Dataset, pandas DataFrame or numpy array) as an input of the run."""
    active = run_for_logging()
    active.client.log_input(active.run_id, dataset, context, tags, name=name, source=source)


def get_artifact_uri(artifact_path: str | None = None) -> str:
    active = run_for_logging()
    return active.client.artifact_uri(active.run_id, artifact_path)


def list_artifacts(run_id: str | None = None, path: str | None = None) -> list[FileInfo]:
    """The files and folders directly under `path` among a run's artifacts (default: the
    active run's, from its root)."""
    client, run = _run_to_read(run_id, "list_artifacts")
    return client.list_artifacts(run, path)


def download_artifacts(run_id: str | None = None, path: str = "",
                       dst_path: str | os.PathLike[str] | None = None) -> str:
    """Copy a run's artifact file or folder `path` (default: all of the active run's) into
    `dst_path` (default: a new temporary folder); returns the local path."""
    client, run = _run_to_read(run_id, "download_artifacts")
    return client.download_artifacts(run, path, dst_path)


def _run_to_read(run_id: str | None, call: str) -> tuple[TrackingClient, str]:
    active = active_run()
    if run_id is not None:
        return (active.client if active else default_tracking_client()), run_id
    if active is None:
        raise InvalidInputError(f"{call}: pass run_id, or call it inside a run")
    return active.client, active.run_id
