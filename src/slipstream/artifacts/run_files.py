"""Artifact repositories: a folder of named files at a URI (a run's or a logged model's artifacts,
or the server's whole artifact root behind its proxy).

    ArtifactRepository        put / put_bytes / writer, list, open / read, download, delete
    ├── LocalRepository       a local folder (plain os calls; the fast path)
    ├── FsspecRepository      any fsspec URL: s3:// (s3fs), memory://, ...
    └── HttpRepository        mlflow-artifacts:/<path> through a tracking server's artifact proxy

`open_repository(uri, tracking_server_url=...)` picks one from the URI. Paths inside a repository
are relative, '/'-separated, and checked by `check_path`: no '..', no absolute paths, no
backslashes (also once percent-decoded). A file appears under its name only when complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.artifacts._backend import temp_name, unlink_quietly

MLFLOW_ARTIFACTS_SCHEME = "mlflow-artifacts"
#: Bytes copied at a time when streaming a file.
CHUNK_SIZE = 1024 * 1024
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


@dataclass(frozen=True)
class FileInfo:
    """One entry of a listing: its path from the repository root, and its size if a file."""

    path: str
    is_dir: bool
    file_size: int | None = None


def check_path(path: str, *, allow_root: bool = False) -> str:
    """`path` normalised ('a//b/./c' -> 'a/b/c'); InvalidInputError naming it if it is absolute,
    climbs out with '..', holds a backslash or a NUL (also after percent-decoding, which catches
    '%2e%2e' and '%252e%252e'), or is empty when `allow_root` is false."""
    decoded = path
    for _ in range(3):  # '%252e%252e' decodes twice into '..'
        step = unquote(decoded)
        if step == decoded:
            break
        decoded = step
    for candidate in {path, decoded}:
        parts = candidate.split("/")
        if (candidate.startswith("/") or "\\" in candidate or "\x00" in candidate
                or ".." in parts or (os.name == "nt" and candidate[1:2] == ":")):
            raise InvalidInputError(
                f"Invalid artifact path {path!r}: use a relative path inside the artifact root, "
                "with '/' separators and without '..'")
    normal = "/".join(p for p in path.split("/") if p not in ("", "."))
    if not normal and not allow_root:
        raise InvalidInputError(f"Invalid artifact path {path!r}: it names no file")
    return normal


def join_path(*parts: str | None) -> str:
    """The non-empty parts joined with '/' (no checking)."""
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


class ArtifactRepository(ABC):
    """A folder of named files at `uri`. Paths are relative to it (see `check_path`)."""

    uri: str

    @abstractmethod
    def writer(self, path: str) -> AbstractContextManager[BinaryIO]:
        """A binary file to write `path` through; the file appears (replacing any old one) only
        when the block exits without an error, and nothing is left behind otherwise."""

    @abstractmethod
    def list(self, path: str = "") -> list[FileInfo]:
        """The direct children of folder `path`, sorted by path; [] when `path` is a file or
        does not exist."""

    @abstractmethod
    def open(self, path: str) -> BinaryIO:
        """The file `path` for reading; NotFoundError when missing, InvalidInputError when it
        is a folder."""

    @abstractmethod
    def delete(self, path: str) -> None:
        """Remove a file or a whole folder (nothing happens when it does not exist)."""

    def put(self, path: str, local_path: str | os.PathLike[str]) -> None:
        """Upload the local file as `path`."""
        with open(local_path, "rb") as source, self.writer(path) as out:
            shutil.copyfileobj(source, out, CHUNK_SIZE)

    def put_bytes(self, path: str, data: bytes) -> None:
        with self.writer(path) as out:
            out.write(data)

    def read(self, path: str) -> bytes:
        with self.open(path) as f:
            return f.read()

    def local_path(self, path: str) -> Path | None:
        """The file's path on this machine when the repository is a local folder, else None."""
        return None

    def download(self, path: str, dest_dir: str | os.PathLike[str]) -> str:
        """Copy file or folder `path` (recursively) to `<dest_dir>/<path>`; returns that local
        path. NotFoundError when nothing is at `path`."""
        path = check_path(path, allow_root=True)
        target = Path(dest_dir).absolute() / path if path else Path(dest_dir).absolute()
        entries = self.list(path)
        if entries or not path:
            target.mkdir(parents=True, exist_ok=True)
            for entry in entries:
                self.download(entry.path, dest_dir)
            return str(target)
        with self.open(path) as source, atomic_local_file(target) as out:
            shutil.copyfileobj(source, out, CHUNK_SIZE)
        return str(target)


def open_repository(uri: str, *, tracking_server_url: str | None = None,
                    storage_options: dict[str, Any] | None = None) -> ArtifactRepository:
    """The repository for `uri`: a folder path or file:// URL, any fsspec URL (s3://...), or
    mlflow-artifacts:/... resolved against `tracking_server_url` (http(s)://host:port)."""
    scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
    if scheme == MLFLOW_ARTIFACTS_SCHEME:
        if not tracking_server_url:
            raise InvalidInputError(
                f"Artifact URI {uri!r} is served by a tracking server, but no server URL is "
                "known: use a client whose store is the server (http://host:port)")
        from slipstream.artifacts._files_http import HttpRepository

        return HttpRepository(uri, tracking_server_url)
    local = local_folder(uri)
    if local is not None:
        from slipstream.artifacts._files_local import LocalRepository

        return LocalRepository(local)
    from slipstream.artifacts._files_fsspec import FsspecRepository

    return FsspecRepository(uri, storage_options or {})


def local_folder(uri: str) -> Path | None:
    """The local folder a path or file:// URI names, or None for other URLs."""
    if uri.startswith("file://"):
        return Path(unquote(uri[len("file://"):]))
    if "://" not in uri and not uri.startswith(f"{MLFLOW_ARTIFACTS_SCHEME}:"):
        return Path(uri)
    return None


@contextmanager
def atomic_local_file(target: Path) -> Iterator[BinaryIO]:
    """A binary file that becomes `target` (mode 0666 minus the umask) only when its block
    exits cleanly; the hidden temp file beside it is removed otherwise."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(str(target.parent), target.name)
    try:
        with os.fdopen(os.open(tmp, _CREATE_FLAGS, 0o666), "wb") as out:
            yield out
        os.replace(tmp, target)
    except BaseException:
        unlink_quietly(tmp)
        raise


@contextmanager
def staged_writer(repository: ArtifactRepository, path: str) -> Iterator[BinaryIO]:
    """A local temp file that `repository.put`s as `path` when the block exits cleanly (for
    remote repositories, whose uploads then are single, complete transfers)."""
    with tempfile.TemporaryDirectory(prefix="slipstream-upload-") as tmp:
        local = os.path.join(tmp, "file")
        with open(local, "wb") as out:
            yield out
        repository.put(path, local)


def missing(path: str) -> NotFoundError:
    return NotFoundError(f"Artifact {path!r} does not exist")


def is_folder_error(path: str) -> InvalidInputError:
    return InvalidInputError(f"Artifact path {path!r} is a folder, not a file")
