"""The fluent API end to end on the default (SQLite) store: the issue's block, statuses, nesting,
system tags, param conflicts, value checks and search_runs' frame."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import slipstream as ss
from slipstream._core.errors import InvalidInputError


def test_the_issue_block_works_and_is_queryable(tmp_path: Path) -> None:
    picture = tmp_path / "confusion.png"
    picture.write_bytes(b"\x89PNG fake")
    experiment = ss.set_experiment("churn")
    with ss.start_run(run_name="lr-baseline") as run:
        assert ss.active_run() is run
        ss.log_params({"C": 1.0, "penalty": "l2"})
        assert ss.log_param("k", 3) == "3"
        for step in range(100):
            ss.log_metric("loss", 1.0 / (step + 1), step=step)
        ss.log_metrics({"acc": 0.93, "f1": np.float32(0.5)})
        ss.set_tag("team", "core")
        ss.set_tags({"stage": "dev", "n": 2})
        ss.log_artifact(picture)
        ss.log_artifact(picture, artifact_path="plots")
        ss.log_dict({"precision": 0.9}, "report.json")
        ss.log_text("first try", "notes/notes.txt")
    assert ss.active_run() is None

    stored = ss.get_run(run.info.run_id)
    assert stored.info.status == "FINISHED" and stored.info.end_time is not None
    assert stored.info.experiment_id == experiment.experiment_id
    assert stored.info.run_name == "lr-baseline"
    assert stored.data.params == {"C": "1.0", "penalty": "l2", "k": "3"}
    assert stored.data.metric_values == {"loss": 0.01, "acc": 0.93, "f1": 0.5}
    tags = stored.data.tags
    assert (tags["team"], tags["stage"], tags["n"]) == ("core", "dev", "2")
    assert tags["mlflow.runName"] == "lr-baseline"
    assert tags["mlflow.source.type"] == "LOCAL" and tags["mlflow.user"]
    assert tags["mlflow.source.name"]
    assert len(ss.get_metric_history(run.info.run_id, "loss")) == 100

    root = Path(stored.info.artifact_uri)
    assert (root / "confusion.png").read_bytes() == b"\x89PNG fake"
    assert (root / "plots" / "confusion.png").is_file()
    assert json.loads((root / "report.json").read_text()) == {"precision": 0.9}
    assert (root / "notes" / "notes.txt").read_text() == "first try"

    found = ss.search_runs(experiment_names=["churn"],
                           filter_string="metrics.acc > 0.9 and params.C = '1.0'",
                           order_by=["metrics.acc DESC"])
    assert list(found["run_id"]) == [run.info.run_id]
    assert ss.get_experiment_by_name("churn") == ss.get_experiment(experiment.experiment_id)


def test_search_runs_frame_columns_and_order() -> None:
    ss.set_experiment("grid")
    ids = {}
    for c in (0.1, 1.0, 10.0):
        with ss.start_run(run_name=f"c={c}") as run:
            ss.log_param("C", c)
            ss.log_metric("acc", 1 - 1 / (c + 2))
            ss.set_tag("kind", "grid")
        ids[c] = run.info.run_id
    frame = ss.search_runs(order_by=["metrics.acc DESC"])
    assert list(frame.columns[:6]) == ["run_id", "experiment_id", "status", "artifact_uri",
                                       "start_time", "end_time"]
    assert {"metrics.acc", "params.C", "tags.kind", "tags.mlflow.runName"} <= set(frame.columns)
    assert list(frame["run_id"]) == [ids[10.0], ids[1.0], ids[0.1]]
    assert list(frame["params.C"]) == ["10.0", "1.0", "0.1"]
    assert str(frame["start_time"].dtype).startswith("datetime64[") and frame["start_time"].dt.tz
    assert list(ss.search_runs(filter_string="params.C = '1.0'")["run_id"]) == [ids[1.0]]
    runs = ss.search_runs(order_by=["params.C ASC"], output_format="list")
    assert [r.info.run_id for r in runs] == [ids[0.1], ids[1.0], ids[10.0]]
    empty = ss.search_runs(experiment_names=["grid"], filter_string="metrics.acc > 2")
    assert len(empty) == 0 and list(empty.columns[:2]) == ["run_id", "experiment_id"]


def test_exception_in_block_marks_failed_and_still_flushes() -> None:
    with pytest.raises(ZeroDivisionError), ss.start_run() as run:
        ss.log_metric("before", 1.0)
        ss.log_param("p", "x")
        _ = 1 / 0
    stored = ss.get_run(run.info.run_id)
    assert stored.info.status == "FAILED" and stored.info.end_time is not None
    assert stored.data.metric_values == {"before": 1.0} and stored.data.params == {"p": "x"}
    assert ss.active_run() is None


def test_keyboard_interrupt_marks_killed() -> None:
    with pytest.raises(KeyboardInterrupt), ss.start_run() as run:
        raise KeyboardInterrupt
    assert ss.get_run(run.info.run_id).info.status == "KILLED"


def test_end_run_with_status_and_implicit_start() -> None:
    ss.log_metric("x", 1.0)  # no active run: one is started, as in MLflow
    run = ss.active_run()
    assert run is not None
    ss.end_run(status="KILLED")
    assert ss.active_run() is None
    stored = ss.get_run(run.info.run_id)
    assert stored.info.status == "KILLED" and stored.data.metric_values == {"x": 1.0}
    ss.end_run()  # no active run: nothing to do
    with ss.start_run() as run:
        with pytest.raises(InvalidInputError, match="Unknown run status"):
            ss.end_run(status="DONE")
        assert ss.active_run() is run  # still active after the refused call
        ss.end_run("failed")
    assert ss.get_run(run.info.run_id).info.status == "FAILED"  # the block's exit kept it


def test_nested_runs() -> None:
    with ss.start_run(run_name="parent") as parent:
        with pytest.raises(InvalidInputError, match=r"already active.*nested=True"):
            ss.start_run()
        with ss.start_run(run_name="child", nested=True) as child:
            assert ss.active_run() is child
            ss.log_metric("inner", 1.0)
            with ss.start_run(nested=True) as grandchild:
                pass
        assert ss.active_run() is parent
        ss.log_metric("outer", 2.0)
    child_run = ss.get_run(child.info.run_id)
    assert child_run.info.parent_run_id == parent.info.run_id
    assert child_run.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert child_run.info.status == "FINISHED"
    assert child_run.data.metric_values == {"inner": 1.0}
    assert ss.get_run(grandchild.info.run_id).info.parent_run_id == child.info.run_id
    parent_run = ss.get_run(parent.info.run_id)
    assert parent_run.info.parent_run_id is None
    assert parent_run.data.metric_values == {"outer": 2.0}
    children = ss.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
    assert list(children["run_id"]) == [child.info.run_id]


def test_relogging_a_param_with_another_value_raises_at_the_call() -> None:
    with ss.start_run() as run:
        ss.log_param("C", 1.0)
        ss.log_param("C", "1.0")  # the same value again is fine
        with pytest.raises(InvalidInputError, match=r"Changing param values is not allowed.*'C'"):
            ss.log_param("C", 2.0)
        with pytest.raises(InvalidInputError, match="'C'"):
            ss.log_params({"other": 1, "C": 3})
        ss.log_param("other", 2)  # the refused batch logged nothing
    assert ss.get_run(run.info.run_id).data.params == {"C": "1.0", "other": "2"}


def test_conflict_with_another_process_is_reported_at_end_run() -> None:
    from slipstream.tracking.fluent import default_tracking_client

    run = ss.start_run()
    default_tracking_client().store.log_param(run.info.run_id, "C", "1")  # "another process"
    ss.log_param("C", "2")
    ss.log_metric("kept", 1.0)
    with pytest.raises(InvalidInputError, match="refused"):
        ss.end_run()
    stored = ss.get_run(run.info.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.data.params == {"C": "1"} and stored.data.metric_values == {"kept": 1.0}


def test_metric_values_are_checked_at_the_call() -> None:
    with ss.start_run() as run:
        with pytest.raises(InvalidInputError, match=r"'flag'.*bool"):
            ss.log_metric("flag", True)
        with pytest.raises(InvalidInputError, match="'name'"):
            ss.log_metric("name", "0.5")
        with pytest.raises(InvalidInputError, match="step"):
            ss.log_metric("x", 1.0, step=1.5)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            ss.log_metric("../escape", 1.0)
        ss.log_metric("nan", float("nan"))
        ss.log_metric("inf", float("inf"))
        ss.log_metric("npint", np.int64(3), step=np.int32(2))  # type: ignore[arg-type]
    values = ss.get_run(run.info.run_id).data.metric_values
    assert math.isnan(values["nan"]) and values["inf"] == math.inf and values["npint"] == 3.0
    assert set(values) == {"nan", "inf", "npint"}


def test_artifact_paths_stay_inside_the_run(tmp_path: Path) -> None:
    with ss.start_run():
        with pytest.raises(InvalidInputError, match="Invalid artifact path"):
            ss.log_text("x", "../outside.txt")
        with pytest.raises(InvalidInputError, match="not a file"):
            ss.log_artifact(tmp_path / "missing.png")


def test_set_experiment_twice_and_deleted() -> None:
    first = ss.set_experiment("again")
    assert ss.set_experiment("again").experiment_id == first.experiment_id
    assert ss.set_experiment(experiment_id=first.experiment_id).name == "again"
    from slipstream.tracking.fluent import default_tracking_client

    default_tracking_client().delete_experiment(first.experiment_id)
    with pytest.raises(InvalidInputError, match="deleted experiment"):
        ss.set_experiment("again")
    with pytest.raises(InvalidInputError, match="exactly one"):
        ss.set_experiment()
