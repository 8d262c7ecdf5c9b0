"""`RunArtifacts`: a run's artifact files, through the repository its `artifact_uri` names.

A local folder, any fsspec URL (s3://...), or `mlflow-artifacts:/...` when the store is a tracking
server's REST store: such a URI resolves against the store's `tracking_server_url`, so files go
through the server's artifact proxy. Artifact paths are relative to the run's root and checked
(`artifacts.run_files.check_path`); a file appears under its name only once complete.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream.artifacts.run_files import (
    ArtifactRepository,
    FileInfo,
    check_path,
    join_path,
    open_repository,
)
from slipstream.metadata.tracking import TrackingStore

#: Runs whose repository is kept open (a run's artifact URI never changes).
_CACHED_RUNS = 64


class RunArtifacts:
    """Log, list and download the artifacts of runs in one `TrackingStore`."""

    def __init__(self, store: TrackingStore) -> None:
        self.store = store
        self._repositories: dict[str, ArtifactRepository] = {}
        self._lock = threading.Lock()

    def repository(self, run_id: str) -> ArtifactRepository:
        """The repository at the run's artifact URI; NotFoundError for an unknown run."""
        with self._lock:
            found = self._repositories.get(run_id)
        if found is not None:
            return found
        uri = self.store.get_run(run_id).info.artifact_uri
        opened = open_repository(uri, tracking_server_url=self.store.tracking_server_url)
        with self._lock:
            if len(self._repositories) >= _CACHED_RUNS:
                self._repositories.pop(next(iter(self._repositories)))
            self._repositories[run_id] = opened
        return opened

    def log_artifact(self, run_id: str, local_path: str | os.PathLike[str],
                     artifact_path: str | None = None) -> None:
        """Upload a file as `<artifact_path>/<file name>`."""
        source = Path(local_path)
        if not source.is_file():
            raise InvalidInputError(f"log_artifact: {str(source)!r} is not a file; use "
                                    "log_artifacts for a folder")
        target = _under(artifact_path, source.name)
        self.repository(run_id).put(target, source)

    def log_artifacts(self, run_id: str, local_dir: str | os.PathLike[str],
                      artifact_path: str | None = None) -> None:
        """Upload every file under a folder to `<artifact_path>/`, keeping relative paths."""
        root = Path(local_dir)
        if not root.is_dir():
            raise InvalidInputError(f"log_artifacts: {str(root)!r} is not a folder")
        files = sorted(p for p in root.rglob("*") if p.is_file())
        targets = [_under(artifact_path, f.relative_to(root).as_posix()) for f in files]
        repository = self.repository(run_id)
        for file, target in zip(files, targets, strict=True):
            repository.put(target, file)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        """Write `text` (UTF-8) as the artifact file `artifact_file`."""
        self.repository(run_id).put_bytes(check_path(artifact_file), text.encode("utf-8"))

    def log_dict(self, run_id: str, dictionary: Any, artifact_file: str) -> None:
        """Write a dict as JSON, or YAML for .yaml/.yml names, as the artifact `artifact_file`."""
        if artifact_file.endswith((".yaml", ".yml")):
            import yaml

            text = yaml.safe_dump(dictionary, default_flow_style=False)
        else:
            text = json.dumps(dictionary, indent=2)
        self.log_text(run_id, text, artifact_file)

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]:
        """The files and folders directly under `path` (the run's root by default), with
        paths from the run's root; [] for a file or a missing path."""
        return self.repository(run_id).list(check_path(path or "", allow_root=True))

    def download_artifacts(self, run_id: str, path: str = "",
                           dst_path: str | os.PathLike[str] | None = None) -> str:
        """Copy the file or folder `path` (the whole run by default) into `dst_path` (a new
        temporary folder by default); returns the local path of the copy."""
        relative = check_path(path or "", allow_root=True)
        destination = dst_path if dst_path is not None else tempfile.mkdtemp(
            prefix="slipstream-artifacts-")
        return self.repository(run_id).download(relative, destination)


def _under(artifact_path: str | None, name: str) -> str:
    """`<artifact_path>/<name>`, both checked."""
    return check_path(join_path(check_path(artifact_path or "", allow_root=True), name))
