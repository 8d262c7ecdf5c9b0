"""`FsspecRepository`: an artifact folder at any fsspec URL (s3:// through s3fs, memory://, ...).

The S3 endpoint is found as for the content-addressed store (`_remote.s3_options`). A write goes
to a local temp file first and is uploaded when the block ends cleanly, so S3 (which publishes
an object only when its upload completes) never shows a partial file; other filesystems get a
hidden temp name and a rename. Listings bypass fsspec's listing cache, so files written by
another process show up.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, suppress
from typing import Any, BinaryIO, cast

from slipstream.artifacts._remote import (
    S3_PROTOCOLS,
    S3_PUT_KWARGS,
    open_filesystem,
    publish,
    uploads_are_atomic,
)
from slipstream.artifacts.run_files import (
    ArtifactRepository,
    FileInfo,
    check_path,
    is_folder_error,
    join_path,
    missing,
    staged_writer,
)


class FsspecRepository(ArtifactRepository):
    """Files under `uri` on an fsspec filesystem."""

    def __init__(self, uri: str, storage_options: dict[str, Any]) -> None:
        fs, root, protocol = open_filesystem(uri, storage_options)
        self.uri = uri.rstrip("/")
        self.fs = fs
        self.root = root
        self._atomic = uploads_are_atomic(protocol)
        self._put_kwargs = dict(S3_PUT_KWARGS) if protocol in S3_PROTOCOLS else {}

    def _full(self, path: str, *, allow_root: bool = True) -> tuple[str, str]:
        relative = check_path(path, allow_root=allow_root)
        return relative, f"{self.root}/{relative}" if relative else self.root

    def put(self, path: str, local_path: str | os.PathLike[str]) -> None:
        _, full = self._full(path, allow_root=False)
        source = os.fspath(local_path)
        publish(self.fs, full, lambda target: self.fs.put_file(source, target, **self._put_kwargs),
                atomic=self._atomic)
        self.fs.invalidate_cache(full.rsplit("/", 1)[0])

    def writer(self, path: str) -> AbstractContextManager[BinaryIO]:
        self._full(path, allow_root=False)
        return staged_writer(self, path)

    def list(self, path: str = "") -> list[FileInfo]:
        relative, full = self._full(path)
        self.fs.invalidate_cache(full)
        try:
            entries = self.fs.ls(full, detail=True)
        except (FileNotFoundError, NotADirectoryError):
            return []
        found: list[FileInfo] = []
        for entry in entries:
            name = str(entry["name"]).rstrip("/")
            if name == full:  # `full` is a file (or a folder marker object)
                if entry.get("type") != "directory":
                    return []
                continue
            base = name.rsplit("/", 1)[-1]
            if entry.get("type") == "directory":
                found.append(FileInfo(join_path(relative, base), True, None))
            else:
                found.append(FileInfo(join_path(relative, base), False, int(entry.get("size")
                                                                            or 0)))
        return sorted(found, key=lambda f: f.path)

    def open(self, path: str) -> BinaryIO:
        _, full = self._full(path, allow_root=False)
        try:
            info = self.fs.info(full)
        except FileNotFoundError:
            raise missing(path) from None
        if info.get("type") == "directory":
            raise is_folder_error(path)
        return cast(BinaryIO, self.fs.open(full, "rb"))

    def delete(self, path: str) -> None:
        _, full = self._full(path, allow_root=False)
        with suppress(FileNotFoundError):
            self.fs.rm(full, recursive=True)
        self.fs.invalidate_cache(full)
