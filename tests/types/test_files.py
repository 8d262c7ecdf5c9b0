"""File and Directory values through the in-memory blob store."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from slipstream._core.errors import ValueConversionError
from slipstream.types import ConversionContext, Directory, File, TypeEngine
from tests.types.conftest import MemoryBlobStore, Roundtrip


def test_file_object(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    file = File(path)
    assert file.path == str(path) and file.name == "data.csv" and os.fspath(file) == str(path)
    with file.open() as f:
        assert f.read() == b"a,b\n"
    with file.open("r") as f:
        assert f.read() == "a,b\n"


def test_file_roundtrip(roundtrip: Roundtrip, tmp_path: Path, scratch: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n1,2\n")
    digest = hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    back, literal = roundtrip(File(path), File)
    assert literal == {"$blob": digest, "fmt": "file", "size": 8, "name": "data.csv"}
    assert isinstance(back, File)
    assert back.path == str(scratch / digest / "data.csv")
    assert Path(back.path).read_bytes() == b"a,b\n1,2\n"


def test_file_already_materialised_is_not_downloaded(
        engine: TypeEngine, ctx: ConversionContext, store: MemoryBlobStore, tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"xyz")
    literal = engine.to_literal(File(path), File, ctx)
    engine.to_python(literal, File, ctx)
    engine.to_python(literal, File, ctx)
    assert store.reads == 1
    assert not [p for p in Path(ctx.scratch_dir).rglob("*.part")]


def test_missing_file_is_named(engine: TypeEngine, ctx: ConversionContext,
                               tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal(File(missing), File, ctx)
    assert str(caught.value) == f"File path {str(missing)!r} does not exist or is not a file"


def test_plain_path_is_not_a_file(engine: TypeEngine, ctx: ConversionContext) -> None:
    with pytest.raises(ValueConversionError) as caught:
        engine.to_literal("data.csv", File, ctx)
    assert str(caught.value) == "expected File (wrap a path as File(path)), got str: 'data.csv'"


def make_tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "b.txt").write_text("bee")
    (root / "a.txt").write_text("ay")
    (root / "sub" / "c.bin").write_bytes(b"\x00\x01")
    (root / "sub" / "deeper" / "d.txt").write_text("dee")


def test_directory_roundtrip(roundtrip: Roundtrip, tmp_path: Path, scratch: Path) -> None:
    source = tmp_path / "model"
    make_tree(source)
    assert Directory(source).files() == ["a.txt", "b.txt", "sub/c.bin", "sub/deeper/d.txt"]
    back, literal = roundtrip(Directory(source), Directory)
    entries = literal["$dir"]
    assert [rel for rel, _ in entries] == ["a.txt", "b.txt", "sub/c.bin", "sub/deeper/d.txt"]
    assert entries[0][1] == {"$blob": hashlib.sha256(b"ay").hexdigest(), "size": 2}
    assert isinstance(back, Directory) and Path(back.path).parent == scratch
    assert back.files() == Directory(source).files()
    for rel in back.files():
        assert (Path(back.path) / rel).read_bytes() == (source / rel).read_bytes()


def test_equal_directories_have_equal_literals(engine: TypeEngine, ctx: ConversionContext,
                                               tmp_path: Path) -> None:
    make_tree(tmp_path / "one")
    make_tree(tmp_path / "two")
    first = engine.to_literal(Directory(tmp_path / "one"), Directory, ctx)
    assert first == engine.to_literal(Directory(tmp_path / "two"), Directory, ctx)
    assert engine.hash_literal(first) == engine.hash_literal(
        engine.to_literal(Directory(tmp_path / "two"), Directory, ctx))


def test_missing_directory_is_named(engine: TypeEngine, ctx: ConversionContext,
                                    tmp_path: Path) -> None:
    with pytest.raises(ValueConversionError, match=r"Directory path .*gone.* does not exist"):
        engine.to_literal(Directory(tmp_path / "gone"), Directory, ctx)


def test_directory_manifest_cannot_escape_scratch(engine: TypeEngine,
                                                  ctx: ConversionContext) -> None:
    digest = ctx.blobs.put_bytes(b"evil")
    literal = {"$dir": [["../escape.txt", {"$blob": digest, "size": 4}]]}
    with pytest.raises(ValueConversionError, match=r"^literal is not a stored Directory"):
        engine.to_python(literal, Directory, ctx)


def test_files_inside_containers(roundtrip: Roundtrip, tmp_path: Path) -> None:
    paths = []
    for name in ("one.txt", "two.txt"):
        (tmp_path / name).write_text(name)
        paths.append(File(tmp_path / name))
    back, _ = roundtrip(paths, list[File])
    assert [Path(f.path).read_text() for f in back] == ["one.txt", "two.txt"]
