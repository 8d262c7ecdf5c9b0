"""The byte-level seam under `ArtifactStore`: one ABC, a local and an fsspec implementation.

A backend stores objects by an already validated sha256 hex digest; the store above validates
digests, computes hashes for `put_bytes`, and turns `FileNotFoundError` into `NotFoundError`.
Every write a backend makes is atomic: an object is either absent or complete under its name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from abc import ABC, abstractmethod
from typing import BinaryIO

CHUNK_SIZE = 1024 * 1024
"""Bytes read at a time when hashing or copying files."""


class Backend(ABC):
    """Objects addressed by sha256 hex digest under one root."""

    @abstractmethod
    def exists(self, digest: str) -> bool:
        """Whether the object is stored."""

    @abstractmethod
    def size(self, digest: str) -> int:
        """Size in bytes; raises FileNotFoundError when missing."""

    @abstractmethod
    def read(self, digest: str) -> bytes:
        """The whole object; raises FileNotFoundError when missing."""

    @abstractmethod
    def open(self, digest: str) -> BinaryIO:
        """A readable binary file object; raises FileNotFoundError when missing."""

    @abstractmethod
    def write_bytes(self, digest: str, data: bytes) -> None:
        """Store `data` under `digest` atomically, unless a complete copy is already there."""

    @abstractmethod
    def write_file(self, path: str) -> str:
        """Hash the file at `path` in chunks, store it atomically unless present; return digest."""

    @abstractmethod
    def download(self, digest: str, tmp_dest: str) -> None:
        """Copy the object to `tmp_dest` (the caller renames it into place)."""

    @abstractmethod
    def uri(self, digest: str) -> str:
        """The full URL of the object."""


def hash_file(path: str) -> str:
    """sha256 hex digest of the file at `path`, read in `CHUNK_SIZE` pieces."""
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            sha.update(chunk)
    return sha.hexdigest()


def temp_name(folder: str, stem: str) -> str:
    """A fresh hidden temp path in `folder`; never matches an object name (64-2 hex chars)."""
    return os.path.join(folder, f".{stem}.{secrets.token_hex(8)}.tmp")


def download_atomically(backend: Backend, digest: str, dest: str) -> None:
    """Download to a temp file beside `dest`, then `os.replace` it; create parent folders."""
    dest = os.path.abspath(os.path.expanduser(dest))
    folder = os.path.dirname(dest)
    os.makedirs(folder, exist_ok=True)
    tmp = temp_name(folder, os.path.basename(dest))
    try:
        backend.download(digest, tmp)
        os.replace(tmp, dest)
    except BaseException:
        unlink_quietly(tmp)
        raise


def unlink_quietly(path: str) -> None:
    """Remove `path` if it exists."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
