"""`check_store` / `slipstream db check`: each problem kind found, a dead runner repaired,
live and remote runners left alone; on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.ids import hostname, now
from slipstream._core.settings import Settings
from slipstream.entities import (
    Attempt,
    ExecutionRecord,
    NodeExecutionRecord,
    Status,
    WorkflowRecord,
)
from slipstream.execution.api import Client
from slipstream.execution.integrity import check_store
from slipstream.execution.liveness import runner_state
from tests.cli.helpers import slipstream
from tests.reliability.flows import crashable, expected


@pytest.fixture
def client(store_url: str, tmp_path: Path) -> Any:
    made = Client(Settings.load(home=tmp_path / "home", store_url=store_url))
    yield made
    made.close()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _execution(client: Any, status: Status = Status.RUNNING, **changes: Any) -> ExecutionRecord:
    fields: dict[str, Any] = {"id": os.urandom(8).hex(), "created_at": now(),
                              "host": hostname(), "pid": _dead_pid(), **changes}
    record = ExecutionRecord(workflow_name="wf", workflow_version="v1", status=status,
                             inputs={}, **fields)
    client.store.record(workflows=[WorkflowRecord("wf", "v1", {}, "", now())],
                        executions=[record])
    return record


def _node(record: ExecutionRecord, node_id: str, status: Status, **changes: Any
          ) -> NodeExecutionRecord:
    return NodeExecutionRecord(execution_id=record.id, node_id=node_id, name="t", kind="task",
                               status=status, **changes)


def test_a_clean_run_passes_and_a_lost_output_is_found(client: Any, tmp_path: Path) -> None:
    result = client.execute(crashable, {"n": 4, "folder": str(tmp_path)})
    assert result.execution.outputs == {"o0": expected(4)}
    report = check_store(client.store, client.artifacts)
    assert report.problems == [] and report.ok
    assert report.executions == 1 and report.nodes == 13 and report.blobs >= 1

    [note] = [n for n in client.store.list_nodes(result.execution.id) if n.name == "describe"]
    digest = note.outputs["$literals"]["$blob"]
    cas = Path(client.settings.artifact_uri) / "cas" / digest[:2] / digest[2:]
    cas.unlink()  # the artifact bytes of a SUCCEEDED node are gone
    problems = check_store(client.store, client.artifacts).problems
    assert [(p.kind, p.node_id) for p in problems] == [("missing-output", note.node_id)]
    assert digest in problems[0].message


def test_a_dead_runner_is_found_and_repaired(client: Any) -> None:
    record = _execution(client)
    started = Attempt(1, now(), worker="w1")
    finished = Attempt(1, now(), now(), Status.SUCCEEDED, worker="w1")
    client.store.record(nodes=[
        _node(record, "n0", Status.SUCCEEDED, attempts=(finished,)),
        _node(record, "n1", Status.RUNNING, attempts=(started,)),
        _node(record, "n2", Status.QUEUED)])
    problems = check_store(client.store, client.artifacts).problems
    assert [(p.kind, p.node_id, p.repaired) for p in problems] == [
        ("dead-runner", None, False), ("orphaned-node", "n1", False),
        ("orphaned-node", "n2", False)]
    assert f"pid {record.pid}" in problems[0].message

    repaired = check_store(client.store, client.artifacts, repair=True)
    assert repaired.ok and all(p.repaired for p in repaired.problems)
    assert check_store(client.store, client.artifacts).problems == []
    assert client.store.get_execution(record.id).status is Status.ABORTED
    nodes = {n.node_id: n for n in client.store.list_nodes(record.id)}
    assert nodes["n0"].status is Status.SUCCEEDED  # what finished is kept
    for node_id in ("n1", "n2"):
        assert nodes[node_id].status is Status.FAILED
        assert nodes[node_id].error is not None and nodes[node_id].error.type == "RunnerLost"
    assert nodes["n1"].attempts[0].status is Status.FAILED
    assert nodes["n1"].attempts[0].ended_at is not None


def test_live_remote_and_reused_pids(client: Any) -> None:
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as live:
        try:
            alive = _execution(client, pid=live.pid)
            assert runner_state(alive) == "alive"
            # the same pid, recorded by an execution created well before that process started
            reused = _execution(client, pid=live.pid, created_at=now() - 3600)
            assert runner_state(reused) == "dead"
            remote = _execution(client, host="another-host")
            assert runner_state(remote) == "unknown"
            problems = check_store(client.store, client.artifacts).problems
            assert [(p.kind, p.execution_id) for p in problems] == [("dead-runner", reused.id)]
        finally:
            live.kill()


def test_dangling_references_and_stuck_attempts(client: Any) -> None:
    record = _execution(client, Status.FAILED, recovered_from="0123456789abcdef")
    stuck = Attempt(1, now(), worker="w1")
    client.store.record(executions=[ExecutionRecord(
        id="feedfacefeedface", workflow_name="gone", workflow_version="v9",
        status=Status.FAILED, inputs={}, created_at=now())], nodes=[
        _node(record, "n1[0]", Status.SUCCEEDED, parent_id="n1"),
        _node(record, "n2", Status.FAILED, attempts=(stuck,)),
        _node(record, "n3", Status.SUCCEEDED, cache_key="ab" * 32, cache_status="miss")])
    found = {(p.kind, p.execution_id, p.node_id) for p in
             check_store(client.store, client.artifacts).problems}
    assert found == {
        ("dangling-reference", record.id, None),  # recovers an unknown execution
        ("dangling-reference", record.id, "n1[0]"),  # parent n1 not recorded
        ("orphaned-node", record.id, "n2"),  # FAILED with an attempt still RUNNING
        ("dangling-reference", record.id, "n3"),  # a cache miss without its cache entry
        ("dangling-reference", "feedfacefeedface", None),  # workflow version not recorded
    }


def test_db_check_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    client = Client(Settings.load(home=home))
    try:
        record = _execution(client)
    finally:
        client.close()
    found = slipstream("db", "check", home=home)
    assert found.code == 1
    assert f"dead-runner: {record.id}: RUNNING but its runner (pid {record.pid}" in found.out
    assert "1 problems, 0 repaired" in found.out
    repaired = slipstream("db", "check", "--repair", home=home)
    assert repaired.code == 0 and "1 problems, 1 repaired" in repaired.out
    again = slipstream("db", "check", home=home)
    assert again.code == 0 and "0 problems" in again.out
