"""Artifact repositories (a folder of named files at a URI): one contract over a local folder,
S3 (moto) and fsspec's memory filesystem; path checks; symlinks on the local side."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.artifacts.run_files import (
    ArtifactRepository,
    FileInfo,
    check_path,
    open_repository,
)
from tests.s3_fixture import make_bucket


@pytest.fixture(params=["local", "s3", "memory"])
def repository(request: pytest.FixtureRequest, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[ArtifactRepository]:
    if request.param == "local":
        yield open_repository(str(tmp_path / "runs" / "r1" / "artifacts"))
    elif request.param == "s3":
        endpoint: str = request.getfixturevalue("s3_endpoint")
        bucket = f"files-{uuid.uuid4().hex[:12]}"
        make_bucket(endpoint, bucket)
        monkeypatch.setenv("SLIPSTREAM_S3_ENDPOINT_URL", endpoint)
        yield open_repository(f"s3://{bucket}/0/r1/artifacts")
    else:
        yield open_repository(f"memory://run-files/{uuid.uuid4().hex}/artifacts")


def test_put_list_read_download_delete(repository: ArtifactRepository, tmp_path: Path) -> None:
    image = os.urandom(3000)
    source = tmp_path / "confusion.png"
    source.write_bytes(image)
    repository.put("confusion.png", source)
    repository.put("plots/deep/a.png", source)
    repository.put_bytes("notes.txt", b"first")
    repository.put_bytes("notes.txt", b"second")  # replaces
    with repository.writer("plots/b.bin") as out:
        out.write(b"x" * 10)

    assert repository.list() == [FileInfo("confusion.png", False, 3000),
                                 FileInfo("notes.txt", False, 6),
                                 FileInfo("plots", True, None)]
    assert repository.list("plots") == [FileInfo("plots/b.bin", False, 10),
                                        FileInfo("plots/deep", True, None)]
    assert repository.list("plots/deep/a.png") == []  # a file lists as nothing
    assert repository.list("missing") == []
    assert repository.read("plots/deep/a.png") == image
    assert repository.read("notes.txt") == b"second"

    file_copy = repository.download("plots/deep/a.png", tmp_path / "one")
    assert Path(file_copy) == tmp_path / "one" / "plots" / "deep" / "a.png"
    assert Path(file_copy).read_bytes() == image
    folder_copy = Path(repository.download("plots", tmp_path / "folder"))
    assert sorted(p.relative_to(folder_copy).as_posix() for p in folder_copy.rglob("*")
                  if p.is_file()) == ["b.bin", "deep/a.png"]
    everything = Path(repository.download("", tmp_path / "all"))
    assert (everything / "confusion.png").read_bytes() == image

    with pytest.raises(NotFoundError, match=r"missing\.txt"):
        repository.read("missing.txt")
    with pytest.raises(NotFoundError):
        repository.download("missing.txt", tmp_path / "none")
    with pytest.raises(InvalidInputError, match="folder"):
        repository.open("plots")

    repository.delete("plots")
    repository.delete("plots")  # already gone: nothing happens
    assert [f.path for f in repository.list()] == ["confusion.png", "notes.txt"]


def test_a_failed_write_leaves_nothing(repository: ArtifactRepository) -> None:
    with pytest.raises(RuntimeError), repository.writer("half.bin") as out:
        out.write(b"partial")
        raise RuntimeError("writer died")
    assert repository.list() == []
    with pytest.raises(NotFoundError):
        repository.read("half.bin")


@pytest.mark.parametrize("bad", ["../x", "a/../../x", "/etc/passwd", "a\\b", "%2e%2e/x",
                                 "a/%252e%252e/x", "", "nul\x00byte"])
def test_bad_paths_are_refused_before_anything_is_written(bad: str, tmp_path: Path) -> None:
    repository = open_repository(str(tmp_path / "root"))
    with pytest.raises(InvalidInputError, match="Invalid artifact path"):
        repository.put_bytes(bad, b"x")
    assert not any(tmp_path.rglob("*x")) and not (tmp_path / "root").exists()


def test_paths_are_normalised() -> None:
    assert check_path("a//b/./c/") == "a/b/c"
    assert check_path("", allow_root=True) == ""
    assert check_path("my..file.txt") == "my..file.txt"  # '..' only as a whole part


def test_local_symlinks_cannot_leave_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    root = tmp_path / "root"
    root.mkdir()
    (root / "escape").symlink_to(outside, target_is_directory=True)
    (root / "secret-link").symlink_to(outside / "secret.txt")
    repository = open_repository(str(root))
    for path in ("escape/new.txt", "secret-link"):
        with pytest.raises(InvalidInputError, match="outside the artifact root"):
            repository.put_bytes(path, b"overwritten")
    with pytest.raises(InvalidInputError, match="outside the artifact root"):
        repository.read("escape/secret.txt")
    with pytest.raises(InvalidInputError, match="outside the artifact root"):
        repository.list("escape")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "secret"


def test_file_uri_is_a_local_folder(tmp_path: Path) -> None:
    repository = open_repository((tmp_path / "f").as_uri())
    repository.put_bytes("a.txt", b"a")
    assert (tmp_path / "f" / "a.txt").read_bytes() == b"a"
    assert repository.local_path("a.txt") == tmp_path / "f" / "a.txt"


def test_mlflow_artifacts_uri_needs_a_server_url() -> None:
    with pytest.raises(InvalidInputError, match="no server URL"):
        open_repository("mlflow-artifacts:/0/r/artifacts")
    with pytest.raises(InvalidInputError, match="http"):
        open_repository("mlflow-artifacts:/0/r/artifacts", tracking_server_url="sqlite:///x.db")
