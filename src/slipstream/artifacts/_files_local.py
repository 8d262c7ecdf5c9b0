"""`LocalRepository`: an artifact folder on this machine, with plain os calls.

Every path is resolved (symlinks followed) and must stay inside the resolved root: a symlink in
the folder cannot be used to read or write outside it. Writes go to a hidden temp file beside
the target and are renamed into place; listings skip those temp files.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from slipstream._core.errors import InvalidInputError
from slipstream.artifacts.run_files import (
    ArtifactRepository,
    FileInfo,
    atomic_local_file,
    check_path,
    is_folder_error,
    join_path,
    missing,
)

# `temp_name`'s pattern: .<name>.<16 hex>.tmp
_TEMP = re.compile(r"^\..+\.[0-9a-f]{16}\.tmp$")


class LocalRepository(ArtifactRepository):
    """Files under one local folder (created on first write)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().absolute()
        self.uri = str(self.root)

    def resolve(self, path: str, *, allow_root: bool = True) -> Path:
        """The checked local path of `path`; InvalidInputError if it (through a symlink) leads
        outside the root."""
        relative = check_path(path, allow_root=allow_root)
        root = self.root.resolve()
        target = (root / relative).resolve() if relative else root
        if target != root and root not in target.parents:
            raise InvalidInputError(
                f"Invalid artifact path {path!r}: it leads outside the artifact root through a "
                "symbolic link")
        return target

    @contextmanager
    def writer(self, path: str) -> Iterator[BinaryIO]:
        target = self.resolve(path, allow_root=False)
        if target.is_dir():
            raise is_folder_error(path)
        with atomic_local_file(target) as out:
            yield out

    def put(self, path: str, local_path: str | os.PathLike[str]) -> None:
        target = self.resolve(path, allow_root=False)
        if target.is_dir():
            raise is_folder_error(path)
        with atomic_local_file(target) as out, open(local_path, "rb") as source:
            shutil.copyfileobj(source, out, 1024 * 1024)

    def list(self, path: str = "") -> list[FileInfo]:
        folder = self.resolve(path)
        relative = check_path(path, allow_root=True)
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
        found: list[FileInfo] = []
        for entry in entries:
            if _TEMP.match(entry.name):
                continue
            if entry.is_dir():
                found.append(FileInfo(join_path(relative, entry.name), True, None))
            else:
                try:
                    size = entry.stat().st_size
                except FileNotFoundError:  # a dangling link or a file removed meanwhile
                    continue
                found.append(FileInfo(join_path(relative, entry.name), False, size))
        return sorted(found, key=lambda f: f.path)

    def open(self, path: str) -> BinaryIO:
        return open(self.local_file(path), "rb")

    def local_file(self, path: str) -> Path:
        """The checked local path of file `path`; NotFoundError / InvalidInputError (folder)."""
        target = self.resolve(path, allow_root=False)
        if target.is_dir():
            raise is_folder_error(path)
        if not target.is_file():
            raise missing(path)
        return target

    def local_path(self, path: str) -> Path | None:
        return self.local_file(path)

    def delete(self, path: str) -> None:
        target = self.resolve(path, allow_root=False)
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
