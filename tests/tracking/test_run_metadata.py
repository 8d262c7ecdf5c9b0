"""Run metadata on SQLite and PostgreSQL: statuses with end times, nested runs, and the system
tags of a script run in a real git checkout (a subprocess, as a user runs it)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import slipstream as ss
from slipstream._core.errors import InvalidInputError


def test_statuses_and_end_times(fluent_store: str) -> None:
    with ss.start_run(run_name="ok") as finished:
        pass
    with pytest.raises(RuntimeError), ss.start_run(run_name="boom") as failed:
        raise RuntimeError("boom")
    killed = ss.start_run(run_name="stopped")
    assert ss.get_run(killed.run_id).info.end_time is None  # running: no end time yet
    assert ss.get_run(killed.run_id).info.status == "RUNNING"
    ss.end_run("KILLED")
    for active, status in ((finished, "FINISHED"), (failed, "FAILED"), (killed, "KILLED")):
        info = ss.get_run(active.run_id).info
        assert info.status == status, active
        assert info.start_time is not None and info.end_time is not None
        assert info.start_time <= info.end_time
    frame = ss.search_runs(filter_string="attributes.status = 'KILLED'")
    assert list(frame["run_id"]) == [killed.run_id]


def test_nested_runs_record_their_parent(fluent_store: str) -> None:
    with ss.start_run(run_name="parent") as parent:
        with pytest.raises(InvalidInputError, match=r"already active.*nested=True"):
            ss.start_run(run_name="not nested")
        with ss.start_run(run_name="child", nested=True) as child:
            pass
    stored = ss.get_run(child.run_id)
    assert stored.info.parent_run_id == parent.run_id
    assert stored.data.tags["mlflow.parentRunId"] == parent.run_id
    assert ss.get_run(parent.run_id).info.parent_run_id is None
    assert "mlflow.parentRunId" not in ss.get_run(parent.run_id).data.tags
    names = sorted(ss.search_runs()["tags.mlflow.runName"])
    assert names == ["child", "parent"]  # the refused start left no run behind


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env)
    return done.stdout.strip()


def test_a_script_in_a_git_checkout_tags_its_source_and_commit(tmp_path: Path) -> None:
    repo = tmp_path / "project"
    (repo / "jobs").mkdir(parents=True)
    script = repo / "jobs" / "train.py"
    script.write_text(textwrap.dedent("""
        import slipstream as ss
        with ss.start_run(run_name="from-script") as run:
            ss.log_metric("m", 1.0)
        print(run.run_id)
    """))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    _git(repo, "pack-refs", "--all")  # the commit is read from packed-refs then
    commit = _git(repo, "rev-parse", "HEAD")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, str(script)], check=True, capture_output=True,
                          text=True, cwd=elsewhere, timeout=120, env=dict(os.environ))
    run = ss.get_run(done.stdout.strip().splitlines()[-1])
    tags = run.data.tags
    assert tags["mlflow.source.name"] == str(script)
    assert tags["mlflow.source.type"] == "LOCAL"
    assert tags["mlflow.source.git.commit"] == commit
    assert tags["mlflow.user"]
    assert run.info.user_id == tags["mlflow.user"]
    assert run.info.status == "FINISHED" and run.data.metric_values == {"m": 1.0}

    outside = tmp_path / "loose.py"  # not in a checkout: no commit tag
    outside.write_text(script.read_text())
    done = subprocess.run([sys.executable, str(outside)], check=True, capture_output=True,
                          text=True, cwd=elsewhere, timeout=120)
    tags = ss.get_run(done.stdout.strip().splitlines()[-1]).data.tags
    assert tags["mlflow.source.name"] == str(outside)
    assert "mlflow.source.git.commit" not in tags
