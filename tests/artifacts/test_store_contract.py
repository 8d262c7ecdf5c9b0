"""The ArtifactStore contract, run on every backend: local folder, S3 (moto), fsspec memory."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.artifacts import ArtifactStore
from slipstream.artifacts._local import LocalBackend
from tests.artifacts.helpers import assert_only_complete_objects, stored_paths

MB = 1024 * 1024
MISSING = hashlib.sha256(b"never stored").hexdigest()


def _random_file(path: Path, size: int) -> str:
    """Write `size` random bytes to `path` in 1 MB pieces; return their sha256."""
    sha = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(size // MB):
            chunk = os.urandom(MB)
            sha.update(chunk)
            f.write(chunk)
        rest = os.urandom(size % MB)
        sha.update(rest)
        f.write(rest)
    return sha.hexdigest()


def test_put_get_bytes_round_trip(store: ArtifactStore) -> None:
    for data in (b"", b"hello", os.urandom(300_000)):
        digest = store.put_bytes(data)
        assert digest == hashlib.sha256(data).hexdigest()
        assert store.exists(digest)
        assert store.get_bytes(digest) == data
        assert store.size(digest) == len(data)
        with store.open(digest) as f:
            assert f.read() == data
    assert_only_complete_objects(store)


def test_layout_and_uri(store: ArtifactStore) -> None:
    digest = store.put_bytes(b"layout")
    assert stored_paths(store) == [f"cas/{digest[:2]}/{digest[2:]}"]
    uri = store.uri(digest)
    assert uri.endswith(f"/cas/{digest[:2]}/{digest[2:]}")
    scheme = store.root_uri.split("://")[0] if "://" in store.root_uri else "file"
    assert uri.startswith(f"{scheme}://")


def test_put_get_file_20mb_streamed(store: ArtifactStore, tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    expected = _random_file(src, 20 * MB + 123)
    digest = store.put_file(str(src))
    assert digest == expected
    assert store.size(digest) == 20 * MB + 123

    dest = tmp_path / "out" / "nested" / "copy.bin"
    store.get_file(digest, str(dest))
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == expected
    assert sorted(os.listdir(dest.parent)) == ["copy.bin"]  # no temp file left beside it
    assert_only_complete_objects(store)


def test_put_file_and_put_bytes_agree(store: ArtifactStore, tmp_path: Path) -> None:
    data = os.urandom(50_000)
    (tmp_path / "f").write_bytes(data)
    assert store.put_file(str(tmp_path / "f")) == store.put_bytes(data)
    assert len(stored_paths(store)) == 1


def test_get_file_overwrites_dest_atomically(store: ArtifactStore, tmp_path: Path) -> None:
    dest = tmp_path / "downloads" / "dest.bin"
    dest.parent.mkdir()
    dest.write_bytes(b"old content")
    digest = store.put_bytes(b"new content")
    store.get_file(digest, str(dest))
    assert dest.read_bytes() == b"new content"
    assert os.listdir(dest.parent) == ["dest.bin"]


def test_second_put_does_not_rewrite(
    store: ArtifactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = os.urandom(10_000)
    (tmp_path / "f").write_bytes(data)
    digest = store.put_bytes(data)

    writes: list[str] = []
    backend = store._backend
    if isinstance(backend, LocalBackend):
        before = os.stat(backend._path(digest))
        real_replace = os.replace
        monkeypatch.setattr(
            os, "replace", lambda a, b: (writes.append(str(b)), real_replace(a, b))[1]
        )
    else:
        fs = backend.fs  # type: ignore[attr-defined]
        for name in ("pipe_file", "put_file"):
            real = getattr(fs, name)
            monkeypatch.setattr(
                fs, name, lambda *a, _r=real, **k: (writes.append(str(a[1])), _r(*a, **k))[1]
            )

    assert store.put_bytes(data) == digest
    assert store.put_file(str(tmp_path / "f")) == digest
    assert writes == []
    if isinstance(backend, LocalBackend):
        after = os.stat(backend._path(digest))
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert_only_complete_objects(store)


def test_truncated_object_is_repaired_by_next_put(store: ArtifactStore) -> None:
    data = b"x" * 1000
    digest = store.put_bytes(data)
    backend = store._backend
    if isinstance(backend, LocalBackend):
        Path(backend._path(digest)).write_bytes(data[:10])
    else:
        backend.fs.pipe_file(backend._path(digest), data[:10])  # type: ignore[attr-defined]
    store.put_bytes(data)
    assert store.get_bytes(digest) == data


def test_missing_digest_raises_not_found(store: ArtifactStore, tmp_path: Path) -> None:
    assert not store.exists(MISSING)
    for call in (store.get_bytes, store.open, store.size):
        with pytest.raises(NotFoundError) as info:
            call(MISSING)
        assert MISSING in str(info.value) and store.root_uri in str(info.value)
    dest = tmp_path / "sub" / "never.bin"
    with pytest.raises(NotFoundError, match=MISSING):
        store.get_file(MISSING, str(dest))
    assert not dest.exists()
    assert [p for p in dest.parent.iterdir()] == []


BAD_DIGESTS = [
    "../../etc/passwd",
    MISSING.upper(),
    MISSING[:10],
    MISSING + "0",
    "/" + MISSING[1:],
    MISSING[:-1] + "g",
    "",
    None,
    123,
]


@pytest.mark.parametrize("bad", BAD_DIGESTS, ids=repr)
def test_bad_digest_raises_invalid_input(store: ArtifactStore, tmp_path: Path, bad: object) -> None:
    store.put_bytes(b"something")
    for call in (store.get_bytes, store.exists, store.open, store.size, store.uri):
        with pytest.raises(InvalidInputError, match="Invalid artifact digest"):
            call(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        store.get_file(bad, str(tmp_path / "x"))  # type: ignore[arg-type]
    assert not (tmp_path / "x").exists()


def test_bad_put_inputs(store: ArtifactStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="expects bytes"):
        store.put_bytes("text")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="not an existing file"):
        store.put_file(str(tmp_path / "nope"))
    with pytest.raises(InvalidInputError, match="not an existing file"):
        store.put_file(str(tmp_path))
    assert stored_paths(store) == []


def test_concurrent_puts_of_same_content(store: ArtifactStore, tmp_path: Path) -> None:
    data = os.urandom(5 * MB)
    src = tmp_path / "same.bin"
    src.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    barrier = threading.Barrier(4)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results.append(store.put_bytes(data) if i % 2 else store.put_file(str(src)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [expected] * 4
    assert store.get_bytes(expected) == data
    assert stored_paths(store) == [f"cas/{expected[:2]}/{expected[2:]}"]


def test_readers_only_ever_see_complete_objects(store: ArtifactStore, tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    digest = _random_file(src, 20 * MB)
    seen_sizes: set[int] = set()
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            if store.exists(digest):
                seen_sizes.add(store.size(digest))
            time.sleep(0.001)

    t = threading.Thread(target=reader)
    t.start()
    try:
        store.put_file(str(src))
    finally:
        done.set()
        t.join()
    assert seen_sizes <= {20 * MB}
    assert store.size(digest) == 20 * MB
    assert_only_complete_objects(store)


def test_failed_write_leaves_nothing(
    store: ArtifactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A put_file whose source read dies half-way stores nothing and leaves no temp file."""
    src = tmp_path / "f.bin"
    digest = _random_file(src, 3 * MB)
    real_open = open
    reads = {"n": 0}

    class Failing:
        def __init__(self, f: object) -> None:
            self._f = f

        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            self._f.close()  # type: ignore[attr-defined]

        def read(self, n: int = -1) -> bytes:
            reads["n"] += 1
            if reads["n"] == 2:
                raise OSError("disk went away")
            return self._f.read(n)  # type: ignore[attr-defined,no-any-return]

    def fake_open(path: object, mode: str = "r", *a: object, **k: object) -> object:
        f = real_open(path, mode, *a, **k)  # type: ignore[call-overload]
        return Failing(f) if str(path) == str(src) else f

    import slipstream.artifacts._backend as backend_mod
    import slipstream.artifacts._local as local_mod

    monkeypatch.setattr(local_mod, "open", fake_open, raising=False)
    monkeypatch.setattr(backend_mod, "open", fake_open, raising=False)
    with pytest.raises(OSError, match="disk went away"):
        store.put_file(str(src))
    monkeypatch.undo()
    assert not store.exists(digest)
    assert stored_paths(store) == []
