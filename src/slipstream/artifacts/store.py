"""`ArtifactStore`: bytes stored by sha256 content hash under one root URL.

Layout: `<root>/cas/<first 2 hex>/<remaining 62 hex>`. The root is a local folder (a plain path
or `file://` URL, served with os/pathlib directly) or any fsspec URL such as `s3://bucket/prefix`
(fsspec and its drivers are imported only then). Puts are idempotent and atomic; a root that
cannot be created or reached raises `StoreUnavailableError` at construction.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from slipstream._core.errors import InvalidInputError, NotFoundError, StoreUnavailableError
from slipstream.artifacts._backend import Backend, download_atomically
from slipstream.artifacts._local import LocalBackend

_DIGEST = re.compile(r"[0-9a-f]{64}")
_LOCAL_SCHEMES = frozenset({"file", "local"})


class ArtifactStore:
    """A content-addressed blob store over a local folder or an fsspec URL.

    `storage_options` go to the fsspec filesystem (ignored for local roots); for S3 the
    endpoint may also come from `SLIPSTREAM_S3_ENDPOINT_URL` (see `artifacts._remote`).
    `fsync=True` makes local writes durable across power loss (see `artifacts._local`).
    """

    def __init__(
        self, root_uri: str | os.PathLike[str], storage_options: dict[str, Any] | None = None,
        *, fsync: bool = False,
    ) -> None:
        if not isinstance(root_uri, str | os.PathLike) or not str(root_uri).strip():
            raise InvalidInputError(
                f"Artifact store root must be a non-empty path or URL, got {root_uri!r}"
            )
        self.root_uri = str(root_uri)
        local = local_path(self.root_uri)
        self._backend: Backend
        if local is not None:
            self._backend = _open_local(self.root_uri, local, fsync)
        else:
            from slipstream.artifacts._remote import FsspecBackend

            self._backend = FsspecBackend(self.root_uri, dict(storage_options or {}))

    def __repr__(self) -> str:
        return f"ArtifactStore({self.root_uri!r})"

    @property
    def is_local(self) -> bool:
        """Whether the root is a local folder served without fsspec."""
        return isinstance(self._backend, LocalBackend)

    def put_bytes(self, data: bytes) -> str:
        """Store `data`; return its sha256 hex digest. Does not rewrite an existing object."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InvalidInputError(f"put_bytes expects bytes, got {type(data).__name__}")
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        self._backend.write_bytes(digest, data)
        return digest

    def get_bytes(self, digest: str) -> bytes:
        """The bytes stored under `digest`; `NotFoundError` when missing."""
        self._check(digest)
        try:
            return self._backend.read(digest)
        except FileNotFoundError:
            raise self._missing(digest) from None

    def put_file(self, path: str) -> str:
        """Store the file at `path`, hashing it in chunks (never whole in memory); return digest."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise InvalidInputError(f"put_file: {path!r} is not an existing file")
        return self._backend.write_file(path)

    def get_file(self, digest: str, dest: str) -> None:
        """Download the object to `dest` atomically, creating parent folders."""
        self._check(digest)
        try:
            download_atomically(self._backend, digest, os.fspath(dest))
        except FileNotFoundError:
            if not self._backend.exists(digest):
                raise self._missing(digest) from None
            raise

    def exists(self, digest: str) -> bool:
        """Whether an object is stored under `digest`."""
        self._check(digest)
        return self._backend.exists(digest)

    def open(self, digest: str) -> BinaryIO:
        """A readable binary file object for the object; close it (or use `with`)."""
        self._check(digest)
        try:
            return self._backend.open(digest)
        except FileNotFoundError:
            raise self._missing(digest) from None

    def size(self, digest: str) -> int:
        """The object's size in bytes."""
        self._check(digest)
        try:
            return self._backend.size(digest)
        except FileNotFoundError:
            raise self._missing(digest) from None

    def uri(self, digest: str) -> str:
        """The full URL of the object (`file:///...`, `s3://bucket/...`); it need not exist."""
        self._check(digest)
        return self._backend.uri(digest)

    def _check(self, digest: str) -> None:
        validate_digest(digest)

    def _missing(self, digest: str) -> NotFoundError:
        return NotFoundError(
            f"No artifact {digest} in artifact store {self.root_uri!r}. Check that the value was "
            "written to this store (SLIPSTREAM_ARTIFACT_URI) and has not been deleted."
        )


def validate_digest(digest: object) -> None:
    """Raise `InvalidInputError` unless `digest` is 64 lowercase hex characters."""
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        shown = digest if not isinstance(digest, str) or len(digest) < 100 else digest[:97] + "..."
        raise InvalidInputError(
            f"Invalid artifact digest {shown!r}: expected a sha256 hex digest "
            "(64 lowercase hex characters)"
        )


def local_path(root_uri: str) -> Path | None:
    """The folder for a local root (plain path, `file://` or `local://` URL), else None."""
    if "::" in root_uri:  # fsspec chained URL, e.g. simplecache::s3://...
        return None
    if "://" not in root_uri:
        return Path(root_uri).expanduser().absolute()
    parts = urlsplit(root_uri)
    if parts.scheme.lower() not in _LOCAL_SCHEMES:
        return None
    if parts.netloc not in ("", "localhost"):
        raise InvalidInputError(
            f"Artifact store {root_uri!r}: file URLs must name a local path "
            f"(file:///abs/path), not host {parts.netloc!r}"
        )
    return Path(unquote(parts.path)).expanduser().absolute()


def _open_local(root_uri: str, folder: Path, fsync: bool) -> Backend:
    cas = folder / "cas"
    try:
        cas.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailableError(
            f"Artifact store {root_uri!r}: cannot create folder {str(cas)!r} "
            f"({exc.strerror or exc}). Choose a writable location via SLIPSTREAM_ARTIFACT_URI "
            "or SLIPSTREAM_HOME."
        ) from None
    return LocalBackend(cas, fsync)
