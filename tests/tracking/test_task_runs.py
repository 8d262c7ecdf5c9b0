"""Runs logged from inside workflow tasks are linked to their node execution."""

from __future__ import annotations

from typing import Any

import pytest

import slipstream as ss
from slipstream._core.errors import ExecutionFailedError
from slipstream.tracking.fluent import default_tracking_client
from tests.execution.helpers import run
from tests.tracking.flows import logged


def test_task_logs_go_to_a_run_linked_to_the_node(client: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # The fluent API's default client reads the same settings as the execution client.
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    logged.seen.clear()
    output, execution = run(client, logged.fit, epochs=4)
    assert output == 0.5
    (train_ctx,) = logged.seen
    assert train_ctx.node_id == "n0"
    # the engine ended the implicit run when the task ended (not at process exit)

    store = default_tracking_client().store
    assert store.url == client.store.url
    runs = {r.info.run_name: r for r in store.list_runs_for_execution(execution.id)}
    assert set(runs) == {"train", "evaluate"}
    train, evaluate = runs["train"], runs["evaluate"]
    assert train.info.execution_id == execution.id and train.info.node_id == "n0"
    assert evaluate.info.execution_id == execution.id and evaluate.info.node_id == "n1"
    assert train.info.status == "FINISHED" and evaluate.info.status == "FINISHED"
    assert train.data.params == {"epochs": "4"}
    assert len(ss.get_metric_history(train.info.run_id, "loss")) == 4
    assert evaluate.data.metric_values == {"acc": 0.5}
    assert train.data.tags["slipstream.node_id"] == "n0"
    assert ss.active_run() is None  # nothing leaks out of the tasks


@pytest.mark.parametrize("backend", ["local"])
def test_implicit_runs_in_pool_workers_end_with_their_task(
        client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    _, execution = run(client, logged.fit, executor="process:2", epochs=5)
    store = default_tracking_client().store
    deadline = time.monotonic() + 30
    while True:
        runs = {r.info.run_name: r for r in store.list_runs_for_execution(execution.id)}
        if runs.get("train") and runs["train"].info.status == "FINISHED":
            break
        assert time.monotonic() < deadline, f"train's run never ended: {runs}"
        time.sleep(0.1)
    assert runs["train"].info.node_id == "n0"
    assert len(ss.get_metric_history(runs["train"].info.run_id, "loss")) == 5
    assert runs["evaluate"].info.status == "FINISHED"


def test_a_failing_task_ends_its_implicit_run_failed(client: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    with pytest.raises(ExecutionFailedError, match="loss diverged") as failed:
        client.execute(logged.fit_and_fail, {"epochs": 1})
    runs = default_tracking_client().store.list_runs_for_execution(failed.value.execution_id)
    assert [(r.info.run_name, r.info.status) for r in runs] == [("diverge", "FAILED")]
    assert len(ss.get_metric_history(runs[0].info.run_id, "loss")) == 1
