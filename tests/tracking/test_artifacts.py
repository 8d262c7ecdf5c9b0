"""Run artifacts through TrackingClient, the fluent API and tasks, on SQLite + a local folder
and on PostgreSQL + S3 (moto): log, list, download, and the path checks."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import slipstream as ss
from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.artifacts.run_files import FileInfo
from slipstream.metadata import open_tracking_store
from slipstream.tracking.client import TrackingClient
from slipstream.tracking.fluent import default_tracking_client
from tests.execution.helpers import run
from tests.tracking.flows import with_artifacts


@pytest.fixture
def tracking(store_urls: tuple[str, str]) -> Iterator[TrackingClient]:
    client = TrackingClient(open_tracking_store(*store_urls))
    yield client
    client.close()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_log_list_download(tracking: TrackingClient, tmp_path: Path) -> None:
    picture = tmp_path / "confusion.png"
    picture.write_bytes(os.urandom(4000))
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.csv").write_text("a\n1\n")
    (folder / "sub" / "b.bin").write_bytes(os.urandom(100))
    experiment_id = tracking.create_experiment("artifacts")
    run_id = tracking.create_run(experiment_id).info.run_id
    assert tracking.get_run(run_id).info.artifact_uri.endswith(
        f"/{experiment_id}/{run_id}/artifacts")

    tracking.log_artifact(run_id, picture)
    tracking.log_artifact(run_id, picture, "plots/")
    tracking.log_artifacts(run_id, folder, "data")
    tracking.log_text(run_id, "naïve", "notes/n.txt")
    tracking.log_dict(run_id, {"p": 0.9}, "report.json")
    tracking.log_dict(run_id, {"layers": [1, 2]}, "config.yml")

    assert tracking.list_artifacts(run_id) == [
        FileInfo("config.yml", False, len(yaml.safe_dump({"layers": [1, 2]}))),
        FileInfo("confusion.png", False, 4000), FileInfo("data", True, None),
        FileInfo("notes", True, None), FileInfo("plots", True, None),
        FileInfo("report.json", False, len(json.dumps({"p": 0.9}, indent=2)))]
    assert tracking.list_artifacts(run_id, "data") == [FileInfo("data/a.csv", False, 4),
                                                       FileInfo("data/sub", True, None)]
    assert tracking.list_artifacts(run_id, "data/a.csv") == []

    one = tracking.download_artifacts(run_id, "plots/confusion.png", tmp_path / "one")
    assert Path(one).read_bytes() == picture.read_bytes()
    assert _tree(Path(tracking.download_artifacts(run_id, "data", tmp_path / "two"))) == (
        _tree(folder))
    everything = Path(tracking.download_artifacts(run_id))  # into a new temporary folder
    assert (everything / "notes" / "n.txt").read_text(encoding="utf-8") == "naïve"
    assert json.loads((everything / "report.json").read_text()) == {"p": 0.9}
    assert set(_tree(everything)) == {"config.yml", "confusion.png", "data/a.csv",
                                      "data/sub/b.bin", "notes/n.txt",
                                      "plots/confusion.png", "report.json"}


def test_bad_paths_and_missing_files(tracking: TrackingClient, tmp_path: Path) -> None:
    run_id = tracking.create_run("0").info.run_id
    (tmp_path / "f.txt").write_text("f")
    for bad in ("../escape.txt", "a/../../escape.txt", "/abs.txt", "a\\b.txt", ""):
        with pytest.raises(InvalidInputError, match="Invalid artifact path"):
            tracking.log_text(run_id, "x", bad)
    with pytest.raises(InvalidInputError, match="Invalid artifact path"):
        tracking.log_artifact(run_id, tmp_path / "f.txt", "../up")
    with pytest.raises(InvalidInputError, match="Invalid artifact path"):
        tracking.list_artifacts(run_id, "../..")
    with pytest.raises(InvalidInputError, match="Invalid artifact path"):
        tracking.download_artifacts(run_id, "../other-run", tmp_path / "d")
    with pytest.raises(InvalidInputError, match="not a file"):
        tracking.log_artifact(run_id, tmp_path)
    with pytest.raises(InvalidInputError, match="not a folder"):
        tracking.log_artifacts(run_id, tmp_path / "f.txt")
    with pytest.raises(NotFoundError, match=r"nothing\.txt"):
        tracking.download_artifacts(run_id, "nothing.txt", tmp_path / "d")
    assert tracking.list_artifacts(run_id) == []
    assert not (tmp_path / "d").exists() or not any((tmp_path / "d").iterdir())
    with pytest.raises(NotFoundError):
        tracking.list_artifacts("no-such-run")


def test_fluent_list_and_download(tmp_path: Path) -> None:
    with ss.start_run() as active:
        ss.log_text("hello", "greetings/hello.txt")
        assert [f.path for f in ss.list_artifacts()] == ["greetings"]
        copied = ss.download_artifacts(path="greetings", dst_path=tmp_path)
        assert (Path(copied) / "hello.txt").read_text() == "hello"
    assert ss.list_artifacts(active.info.run_id, "greetings") == [
        FileInfo("greetings/hello.txt", False, 5)]
    assert Path(ss.download_artifacts(active.info.run_id, "greetings/hello.txt")).read_text() == (
        "hello")
    with pytest.raises(InvalidInputError, match="pass run_id"):
        ss.list_artifacts()


def test_tasks_log_artifacts_to_their_runs(client: Any, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    output, execution = run(client, with_artifacts.documented, n=7)
    assert output == 7
    tracking = default_tracking_client()
    runs = {r.info.run_name: r.info.run_id
            for r in tracking.store.list_runs_for_execution(execution.id)}
    assert set(runs) == {"report", "plot"}
    report = Path(tracking.download_artifacts(runs["report"], "report", tmp_path / "r"))
    assert json.loads((report / "summary.json").read_text()) == {"n": 7}
    assert (report / "xs.txt").read_text() == "x" * 7
    assert tracking.list_artifacts(runs["plot"], "figures") == [
        FileInfo("figures/curve.png", False, 7)]
    assert tracking.artifacts.repository(runs["plot"]).read("figures/curve.png") == bytes(
        range(7))
