"""Recovery: re-run only what did not finish, after a failure and after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.errors import ExecutionFailedError, InvalidInputError
from slipstream._core.settings import Settings
from slipstream.entities import Status
from slipstream.execution.api import Client
from tests.execution.flows import count, recovery
from tests.execution.helpers import nodes_by_id

REPO = Path(__file__).resolve().parents[2]


def test_recover_after_a_failure_reuses_finished_nodes(client_factory: Any, executor: str,
                                                       scratch: str) -> None:
    client = client_factory(executor)
    (Path(scratch) / "broken").touch()
    with pytest.raises(ExecutionFailedError) as info:
        client.execute(recovery.switchable, {"x": 1, "log_dir": scratch})
    failed_id = info.value.execution_id
    assert info.value.node_id == "n2"
    old_nodes = nodes_by_id(client, failed_id)
    assert {n: r.status for n, r in old_nodes.items()} == {
        "n0": Status.SUCCEEDED, "n1": Status.SUCCEEDED, "n2": Status.FAILED}

    (Path(scratch) / "broken").unlink()  # flip the switch
    result = client_factory(executor).recover(failed_id)  # a fresh client, as the CLI would be
    assert client.outputs(recovery.switchable, result) == 31  # ((1 + 1 + 1) * 10) + 1
    new = client.store.get_execution(result.execution.id)
    assert new.id != failed_id
    assert new.status is Status.SUCCEEDED and new.recovered_from == failed_id
    assert new.inputs == client.store.get_execution(failed_id).inputs
    assert new.workflow_version == recovery.switchable.version

    nodes = nodes_by_id(client, new.id)
    for node_id in ("n0", "n1"):
        assert nodes[node_id].cache_status == "recovered"
        assert nodes[node_id].status is Status.SUCCEEDED
        assert nodes[node_id].attempts == ()
        assert nodes[node_id].outputs == old_nodes[node_id].outputs
        assert nodes[node_id].detail.get("recovered_from") == failed_id
    for node_id in ("n2", "n3"):
        assert nodes[node_id].cache_status == "off" and len(nodes[node_id].attempts) == 1
    assert (count(scratch, "step1"), count(scratch, "step2"), count(scratch, "gate"),
            count(scratch, "step4")) == (1, 1, 2, 1)
    # the failed execution keeps its record; a succeeded one cannot be recovered
    assert client.store.get_execution(failed_id).status is Status.FAILED
    with pytest.raises(InvalidInputError, match="nothing to recover"):
        client.recover(new.id)


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_recover_after_sigkill_reruns_only_unfinished_nodes(scratch: str,
                                                            isolated_home: Path) -> None:
    code = ("from tests.execution.flows.recovery import killable; "
            f"killable(x=1, log_dir={scratch!r})")
    env = {**os.environ, "SLIPSTREAM_HOME": str(isolated_home),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    client = Client(Settings.load())
    try:
        marker = Path(scratch) / "marker"
        _wait_for(lambda: marker.exists() or proc.poll() is not None, 60, "the marker file")
        assert proc.poll() is None, proc.communicate()[0].decode()

        def first_two_durable() -> bool:
            executions = client.store.list_executions()
            if not executions:
                return False
            nodes = nodes_by_id(client, executions[0].id)
            return all(n in nodes and nodes[n].status is Status.SUCCEEDED for n in ("n0", "n1"))

        _wait_for(first_two_durable, 10, "n0 and n1 to be recorded SUCCEEDED")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)  # reap it, so its pid is really gone
        assert proc.returncode == -signal.SIGKILL

        [killed] = client.store.list_executions()
        assert killed.status is Status.RUNNING and killed.pid == proc.pid
        (Path(scratch) / "release").touch()
        result = client.recover(killed.id)

        assert client.outputs(recovery.killable, result) == 31
        old = client.store.get_execution(killed.id)
        assert old.status is Status.ABORTED
        assert old.error is not None and "stopped without finishing" in old.error.message
        old_nodes = nodes_by_id(client, killed.id)
        assert old_nodes["n2"].status is Status.FAILED  # was RUNNING when killed
        assert old_nodes["n2"].error is not None and old_nodes["n2"].error.type == "RunnerLost"
        assert all(a.status is Status.FAILED for a in old_nodes["n2"].attempts)
        new = client.store.get_execution(result.execution.id)
        assert new.status is Status.SUCCEEDED and new.recovered_from == killed.id
        nodes = nodes_by_id(client, new.id)
        assert [nodes[n].cache_status for n in ("n0", "n1", "n2", "n3")] == \
            ["recovered", "recovered", "off", "off"]
        assert all(nodes[n].status is Status.SUCCEEDED for n in nodes)
        # step1/step2 ran once (before the kill); the hung node ran twice; step4 once
        assert (count(scratch, "step1"), count(scratch, "step2"), count(scratch, "hang"),
                count(scratch, "step4")) == (1, 1, 2, 1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        client.close()
