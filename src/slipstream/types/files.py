"""`File` and `Directory`: local paths whose contents travel through the blob store.

    File        {"$blob": sha256, "fmt": "file", "size": n, "name": "data.csv"}
    Directory   {"$dir": [["relative/path", {"$blob": sha256, "size": n}], ...]}  sorted by path

On the way back a File lands in `<scratch>/<sha256>/<name>` and a Directory in
`<scratch>/<sha256 of its manifest>/`; files already there are not downloaded again.
Empty sub-folders are not kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from slipstream._core.errors import ValueConversionError
from slipstream.types.context import ConversionContext
from slipstream.types.messages import bad_literal, mismatch, unparsable
from slipstream.types.transformer import TypeTransformer

if TYPE_CHECKING:
    from slipstream.types.engine import TypeEngine


class _LocalPath:
    """A local path carried by value: equal when the paths are equal."""

    __slots__ = ("_path",)

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)

    @property
    def path(self) -> str:
        return self._path

    def __fspath__(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._path!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._path == self._path  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._path))


class File(_LocalPath):
    """A local file passed between tasks by content."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return os.path.basename(self._path)

    def open(self, mode: str = "rb", **kwargs: Any) -> IO[Any]:
        """`open()` the file (binary read by default)."""
        return open(self._path, mode, **kwargs)


class Directory(_LocalPath):
    """A local folder passed between tasks by content (its regular files, recursively)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return os.path.basename(os.path.normpath(self._path))

    def files(self) -> list[str]:
        """Relative paths ("a/b.txt", "/" separated) of every file inside, sorted."""
        return sorted(rel for rel, _ in self._walk())

    def _walk(self) -> Iterator[tuple[str, str]]:
        for folder, _, names in os.walk(self._path):
            for name in names:
                full = os.path.join(folder, name)
                if os.path.isfile(full):
                    rel = os.path.relpath(full, self._path).replace(os.sep, "/")
                    yield rel, full


def _download(ctx: ConversionContext, digest: str, dest: str) -> None:
    """Fetch a blob to `dest` unless it is there; a temporary name keeps readers from seeing
    half-written files."""
    if os.path.exists(dest):
        return
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    partial = f"{dest}.{os.urandom(8).hex()}.part"
    try:
        ctx.blobs.get_file(digest, partial)
        os.replace(partial, dest)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _safe_relative(rel: Any) -> str:
    """A stored relative path, refused if it could escape the destination folder."""
    if type(rel) is not str or not rel or rel.startswith("/") or "\\" in rel:
        raise bad_literal("Directory", rel)
    if any(part in ("", ".", "..") for part in rel.split("/")):
        raise bad_literal("Directory", rel)
    return rel


class FileTransformer(TypeTransformer[File]):
    name = "file"

    def matches(self, tp: Any) -> bool:
        return isinstance(tp, type) and issubclass(tp, File)

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not isinstance(value, File):
            raise mismatch("File (wrap a path as File(path))", value)
        if not os.path.isfile(value.path):
            raise ValueConversionError(f"File path {value.path!r} does not exist or is not a file")
        digest = ctx.blobs.put_file(value.path)
        size = os.path.getsize(value.path)
        return {"$blob": digest, "fmt": "file", "size": size, "name": value.name}

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any, ctx: ConversionContext) -> File:
        if type(literal) is not dict or literal.get("fmt") != "file" or "$blob" not in literal:
            raise bad_literal("File", literal)
        name = os.path.basename(str(literal.get("name") or "")) or "file"
        if name in (".", ".."):
            name = "file"
        dest = os.path.join(ctx.scratch_dir, literal["$blob"], name)
        _download(ctx, literal["$blob"], dest)
        return File(dest)

    def from_string(self, engine: TypeEngine, text: str, tp: Any,
                    ctx: ConversionContext) -> File:
        if not os.path.isfile(text):
            raise unparsable("File", text, "no such file")
        return File(text)


class DirectoryTransformer(TypeTransformer[Directory]):
    name = "directory"

    def matches(self, tp: Any) -> bool:
        return isinstance(tp, type) and issubclass(tp, Directory)

    def to_literal(self, engine: TypeEngine, value: Any, tp: Any, ctx: ConversionContext) -> Any:
        if not isinstance(value, Directory):
            raise mismatch("Directory (wrap a path as Directory(path))", value)
        if not os.path.isdir(value.path):
            raise ValueConversionError(
                f"Directory path {value.path!r} does not exist or is not a folder")
        entries = [
            [rel, {"$blob": ctx.blobs.put_file(full), "size": os.path.getsize(full)}]
            for rel, full in sorted(value._walk())
        ]
        return {"$dir": entries}

    def to_python(self, engine: TypeEngine, literal: Any, tp: Any,
                  ctx: ConversionContext) -> Directory:
        if type(literal) is not dict or type(literal.get("$dir")) is not list:
            raise bad_literal("Directory", literal)
        manifest = json.dumps(literal["$dir"], sort_keys=True, separators=(",", ":"))
        root = os.path.join(ctx.scratch_dir, hashlib.sha256(manifest.encode()).hexdigest())
        os.makedirs(root, exist_ok=True)
        for rel, ref in literal["$dir"]:
            _download(ctx, ref["$blob"], os.path.join(root, *_safe_relative(rel).split("/")))
        return Directory(root)

    def from_string(self, engine: TypeEngine, text: str, tp: Any,
                    ctx: ConversionContext) -> Directory:
        if not os.path.isdir(text):
            raise unparsable("Directory", text, "no such folder")
        return Directory(text)
