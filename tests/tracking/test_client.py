"""`TrackingClient` on an explicit store, on SQLite and PostgreSQL; system tags from git."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.metadata import open_tracking_store
from slipstream.tracking.client import TrackingClient
from slipstream.tracking.system_tags import git_commit
from tests.metadata.conftest import BACKENDS, postgres_schema, sqlite_url


@pytest.fixture(params=BACKENDS)
def tracking_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TrackingClient]:
    if request.param == "sqlite":
        client = TrackingClient(open_tracking_store(sqlite_url(tmp_path), str(tmp_path / "a")))
        yield client
        client.close()
        return
    with postgres_schema() as url:
        client = TrackingClient(open_tracking_store(url, str(tmp_path / "a")))
        yield client
        client.close()


def test_smoke_log_end_and_search(tracking_client: TrackingClient, tmp_path: Path) -> None:
    client = tracking_client
    experiment_id = client.create_experiment("smoke")
    ids = []
    for c in (1.0, 2.0):
        run_id = client.create_run(experiment_id, run_name=f"c{c}").info.run_id
        client.log_params(run_id, {"C": c, "penalty": "l2"})
        for step in range(1500):
            client.log_metric(run_id, "loss", 1.0 / (step + 1), step=step)
        client.log_metrics(run_id, {"acc": c / 2})
        client.set_tags(run_id, {"team": "core"})
        client.log_text(run_id, "hello", "notes.txt")
        with pytest.raises(InvalidInputError, match="Changing param values"):
            client.log_param(run_id, "C", c + 1)
        client.end_run(run_id, "FINISHED" if c == 1.0 else "FAILED")
        ids.append(run_id)
    frame = client.search_runs([experiment_id], "params.penalty = 'l2'",
                               order_by=["metrics.acc DESC"])
    assert list(frame["run_id"]) == ids[::-1]
    assert list(frame["status"]) == ["FAILED", "FINISHED"]
    assert list(frame["metrics.acc"]) == [1.0, 0.5]
    assert len(client.get_metric_history(ids[0], "loss")) == 1500
    run = client.get_run(ids[0])
    assert run.data.params == {"C": "1.0", "penalty": "l2"}
    assert (Path(run.info.artifact_uri) / "notes.txt").read_text() == "hello"


def test_git_commit_is_read_from_the_checkout(tmp_path: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    git = tmp_path / "repo" / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(sha + "\n")
    folder = tmp_path / "repo" / "src" / "pkg"
    folder.mkdir(parents=True)
    assert git_commit(folder) == sha
    new = tmp_path / "main.lock"  # a new commit, written as git does: renamed into place
    new.write_text(sha[::-1] + "\n")
    new.replace(git / "refs" / "heads" / "main")
    assert git_commit(folder) == sha[::-1]
    (git / "refs" / "heads" / "main").unlink()
    (git / "packed-refs").write_text(f"# pack-refs\n{sha} refs/heads/main\n")
    assert git_commit(folder) == sha
    (git / "HEAD").write_text(sha[::-1] + "\n")  # detached
    assert git_commit(folder) == sha[::-1]
    assert git_commit(tmp_path) is None


def test_system_tags_name_the_script_and_its_commit(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from slipstream.tracking.system_tags import system_tags

    git = tmp_path / ".git"
    git.mkdir()
    (git / "HEAD").write_text("f" * 40 + "\n")
    script = tmp_path / "train.py"
    monkeypatch.setattr("sys.argv", [str(script)])
    tags = system_tags()
    assert tags["mlflow.source.name"] == str(script)
    assert tags["mlflow.source.type"] == "LOCAL"
    assert tags["mlflow.source.git.commit"] == "f" * 40
    assert tags["mlflow.user"]
