"""Models in workflows: a task logs and registers a model from its node's run, downstream tasks
receive the estimator and a torch module as typed values, and the registered version's lineage
names the execution and node that trained it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import slipstream as ss
from tests.execution.helpers import run
from tests.models.flows import trained


def test_train_log_register_in_a_task_and_use_downstream(client: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    (score, torch_score, registered_score), execution = run(client, trained.pipeline, rows=200)
    assert execution.status == "SUCCEEDED"
    assert score > 0.9 and torch_score > 0.8
    assert registered_score == score  # the registered model is the one the task returned
    version = ss.models.get_model_version("churn", 1)
    assert version.execution_id == execution.id
    assert version.workflow_version == execution.workflow_version
    assert [d.name for d in version.datasets] == ["churn-train"]
    run_record = ss.get_run(version.run_id)
    assert run_record.info.execution_id == execution.id
    assert [o.model_id for o in run_record.outputs] == [version.model_id]
    assert ss.models.load_pyfunc("models:/churn/1").metadata["slipstream"]["datasets"][0][
        "name"] == "churn-train"


def test_log_model_in_a_process_pool_task(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    version, execution = run(client, trained.register_only, executor="process:2", rows=50)
    assert version == 1 and execution.status == "SUCCEEDED"
    registered = ss.models.get_model_version("pooled", 1)
    assert (registered.execution_id, registered.node_id) == (execution.id, "n0")
    frame = pd.DataFrame({"a": [1.0], "b": [0.0]})
    assert ss.models.load_model("models:/pooled/1").predict(frame).tolist() == [1]


def test_a_pyfunc_model_passes_between_tasks_as_its_folder(
        client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    from slipstream._core.errors import SlipstreamWarning

    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SlipstreamWarning)  # no pickle fallback
        predicted, execution = run(client, trained.handoff, rows=50)
    assert predicted == 1 and execution.status == "SUCCEEDED"
