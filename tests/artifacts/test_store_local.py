"""Local-folder specifics: the no-fsspec fast path, root handling, crash safety, memory use."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest

from slipstream._core.errors import InvalidInputError, StoreUnavailableError
from slipstream.artifacts import ArtifactStore, open_artifact_store
from tests.artifacts.helpers import OBJECT_NAME, stored_paths

MB = 1024 * 1024


def test_import_and_local_use_do_not_load_fsspec(tmp_path: Path) -> None:
    code = f"""
        import sys
        import slipstream.artifacts as a
        s = a.open_artifact_store({str(tmp_path / "store")!r})
        d = s.put_bytes(b"x")
        assert s.get_bytes(d) == b"x"
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in
                       ("fsspec", "s3fs", "botocore", "boto3", "aiobotocore"))
        print(heavy)
    """
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_root_forms(tmp_path: Path) -> None:
    plain = ArtifactStore(str(tmp_path / "a"))
    assert plain.is_local
    digest = plain.put_bytes(b"same")
    via_url = open_artifact_store((tmp_path / "a").as_uri())
    via_pathlike = ArtifactStore(tmp_path / "a")
    assert via_url.is_local and via_url.get_bytes(digest) == b"same"
    assert via_pathlike.get_bytes(digest) == b"same"
    assert plain.uri(digest) == (tmp_path / "a" / "cas" / digest[:2] / digest[2:]).as_uri()
    relative = tmp_path / "rel"
    relative.mkdir()
    cwd = os.getcwd()
    try:
        os.chdir(relative)
        store = ArtifactStore("store")
    finally:
        os.chdir(cwd)
    assert store.get_bytes(store.put_bytes(b"r")) == b"r"  # absolute once opened
    assert (relative / "store" / "cas").is_dir()


def test_file_url_with_remote_host_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match="host 'fileserver'"):
        ArtifactStore("file://fileserver/share/artifacts")


@pytest.mark.parametrize("root", ["", "   "])
def test_empty_root_is_rejected(root: str) -> None:
    with pytest.raises(InvalidInputError, match="non-empty"):
        ArtifactStore(root)


def test_root_under_proc_is_unavailable() -> None:
    root = "/proc/slipstream-no-such-dir/artifacts"
    with pytest.raises(StoreUnavailableError) as info:
        ArtifactStore(root)
    message = str(info.value)
    assert root in message and "cannot create folder" in message
    assert "SLIPSTREAM_ARTIFACT_URI" in message


def test_root_that_is_a_file_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreUnavailableError, match="cannot create folder"):
        ArtifactStore(str(tmp_path / "file"))


def test_objects_respect_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = ArtifactStore(str(tmp_path))
        digest = store.put_bytes(b"perm")
    finally:
        os.umask(old)
    mode = os.stat(tmp_path / "cas" / digest[:2] / digest[2:]).st_mode & 0o777
    assert mode == 0o644


def test_put_file_streams_without_loading_the_file(tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    with open(src, "wb") as f:
        for _ in range(20):
            f.write(os.urandom(MB))
    store = ArtifactStore(str(tmp_path / "store"))
    tracemalloc.start()
    try:
        digest = store.put_file(str(src))
        store.get_file(digest, str(tmp_path / "back.bin"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MB, f"peak {peak / MB:.1f} MB for a 20 MB file"
    assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()


_SLOW_WRITER = """
import hashlib, sys, time
import slipstream.artifacts._local as local
from slipstream.artifacts import ArtifactStore

class SlowSha:  # slows the copy loop so the parent can kill it mid-write
    def __init__(self):
        self._h = hashlib.sha256()
    def update(self, b):
        time.sleep(0.02)
        self._h.update(b)
    def hexdigest(self):
        return self._h.hexdigest()

local.hashlib = type("H", (), {"sha256": SlowSha})
store = ArtifactStore(sys.argv[1])
print("ready", flush=True)
store.put_file(sys.argv[2])
print("done", flush=True)
"""


def test_killed_writer_never_leaves_a_partial_object(tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(40 * MB))
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    root = tmp_path / "store"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(root), str(src)], stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        deadline = time.monotonic() + 30
        partial = 0
        while time.monotonic() < deadline and partial < 4 * MB:
            temps = [p for p in (root / "cas").iterdir() if p.is_file()]
            partial = max((p.stat().st_size for p in temps), default=0)
            time.sleep(0.005)
        assert partial >= 4 * MB, "writer never started writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    store = ArtifactStore(str(root))
    assert not store.exists(digest)
    paths = stored_paths(store)
    assert [p for p in paths if OBJECT_NAME.fullmatch(p)] == []
    assert all(Path(p).name.startswith(".") and p.endswith(".tmp") for p in paths)
    # The next put of the same content completes normally.
    assert store.put_file(str(src)) == digest
    assert store.size(digest) == 40 * MB


def test_fsync_is_opt_in_and_both_modes_store_the_same(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    fast = ArtifactStore(tmp_path / "fast")
    durable = ArtifactStore(tmp_path / "durable", fsync=True)
    digest = fast.put_bytes(b"payload")
    assert synced == []
    assert durable.put_bytes(b"payload") == digest
    assert len(synced) == 1
    source = tmp_path / "f.bin"
    source.write_bytes(b"x" * 100_000)
    assert durable.put_file(str(source)) == fast.put_file(str(source))
    assert len(synced) == 2
    assert fast.get_bytes(digest) == durable.get_bytes(digest) == b"payload"
