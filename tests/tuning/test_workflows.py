"""Tuning inside workflows: ss.tune in a task (the task's run is the study's parent run, the
trials its children) and ss.suggest driving a @dynamic fan-out."""

from __future__ import annotations

import pytest

import slipstream as ss
from slipstream.entities import Status
from tests.tuning import flows
from tests.tuning.helpers import runs_of


def test_tune_inside_a_task() -> None:
    from slipstream.execution.api import default_client
    from slipstream.tuning.api import study_store

    client = default_client()
    result = client.execute(flows.tuning_flow, {"trials": 5})
    study_id = client.outputs(flows.tuning_flow, result)
    study = study_store().get_study(study_id)
    assert study.status == "COMPLETED"
    node_runs = client.store.list_nodes(result.execution.id)
    assert [n.status for n in node_runs] == [Status.SUCCEEDED]
    from slipstream.tracking.fluent import default_tracking_client

    tracking = default_tracking_client().store
    (task_run,) = tracking.list_runs_for_execution(result.execution.id)
    assert task_run.info.node_id == node_runs[0].node_id
    assert study.parent_run_id == task_run.info.run_id
    trials = study_store().list_trials(study_id)
    assert len(trials) == 5
    handle = ss.resume_study(study_id)  # completed: nothing to run
    runs = runs_of(handle)
    assert sorted(runs) == sorted(t.run_id for t in trials)
    assert all(r.info.parent_run_id == task_run.info.run_id for r in runs.values())
    assert ss.get_run(task_run.info.run_id).info.status == "FINISHED"


def test_suggest_drives_a_dynamic_fan_out() -> None:
    expected = [flows.train.fn(**p) for p in ss.suggest(flows.SPACE, 6, seed=4)]
    from slipstream.execution.api import default_client

    client = default_client()
    result = client.execute(flows.suggested_flow, {"n": 6})
    assert client.outputs(flows.suggested_flow, result) == pytest.approx(expected)
    trains = [n for n in client.store.list_nodes(result.execution.id) if n.name == "train"]
    assert len(trains) == 6 and all(n.status is Status.SUCCEEDED for n in trains)
