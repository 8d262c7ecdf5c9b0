"""The tracking store contract (MLflow's semantics) on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import (
    Dataset,
    DatasetInput,
    Metric,
    Param,
    RunStatus,
    RunTag,
    ViewType,
)
from slipstream.metadata import AlreadyExistsError, TrackingStore


def _run(store: TrackingStore, experiment: str = "0", name: str = "r", **kw: object) -> str:
    return store.create_run(experiment, "me", 1000, name, **kw).info.run_id  # type: ignore[arg-type]


# -- experiments ----------------------------------------------------------------------------

def test_default_experiment_exists(tracking_store: TrackingStore) -> None:
    default = tracking_store.get_experiment("0")
    assert default.name == "Default" and default.lifecycle_stage == "active"
    assert default.artifact_location.endswith("/artifacts/0")
    assert tracking_store.get_experiment_by_name("Default") == default


def test_experiment_lifecycle(tracking_store: TrackingStore) -> None:
    eid = tracking_store.create_experiment("churn", tags={"team": "a"})
    exp = tracking_store.get_experiment(eid)
    assert exp.name == "churn" and exp.tags == {"team": "a"} and eid != "0"
    assert exp.artifact_location.endswith(f"/artifacts/{eid}")
    assert isinstance(exp.creation_time, int)
    with pytest.raises(AlreadyExistsError):
        tracking_store.create_experiment("churn")
    tracking_store.set_experiment_tag(eid, "team", "b")
    tracking_store.rename_experiment(eid, "churn2")
    assert tracking_store.get_experiment_by_name("churn") is None
    assert tracking_store.get_experiment_by_name("churn2").tags == {"team": "b"}  # type: ignore[union-attr]
    tracking_store.delete_experiment(eid)
    assert tracking_store.get_experiment(eid).lifecycle_stage == "deleted"
    with pytest.raises(InvalidInputError, match="active"):
        _run(tracking_store, eid)
    active, _ = tracking_store.search_experiments()
    assert [e.experiment_id for e in active] == ["0"]
    deleted, _ = tracking_store.search_experiments(ViewType.DELETED_ONLY)
    assert [e.experiment_id for e in deleted] == [eid]
    tracking_store.restore_experiment(eid)
    assert tracking_store.get_experiment(eid).lifecycle_stage == "active"


def test_unknown_experiment(tracking_store: TrackingStore) -> None:
    for bad in ("999", "abc"):
        with pytest.raises(NotFoundError):
            tracking_store.get_experiment(bad)


def test_search_experiments_pages(tracking_store: TrackingStore) -> None:
    for i in range(5):
        tracking_store.create_experiment(f"e{i}")
    seen, token = [], None
    while True:
        page, token = tracking_store.search_experiments(max_results=2, page_token=token)
        seen += [e.name for e in page]
        if token is None:
            break
    assert sorted(seen) == sorted(["Default", *(f"e{i}" for i in range(5))])
    with pytest.raises(InvalidInputError):
        tracking_store.search_experiments(max_results=0)


# -- runs -----------------------------------------------------------------------------------

def test_create_and_get_run(tracking_store: TrackingStore) -> None:
    run = tracking_store.create_run("0", "me", 1234, "lr", {"k": "v"}, execution_id="ex1",
                                    node_id="n0")
    info = run.info
    assert len(info.run_id) == 32 and info.run_uuid == info.run_id
    assert (info.status, info.start_time, info.end_time, info.run_name) == ("RUNNING", 1234,
                                                                            None, "lr")
    assert info.artifact_uri.endswith(f"/artifacts/0/{info.run_id}/artifacts")
    assert run.data.tags == {"k": "v", "mlflow.runName": "lr"}
    assert (info.execution_id, info.node_id) == ("ex1", "n0")
    assert tracking_store.get_run(info.run_id) == run


def test_runs_keep_artifacts_under_their_experiments_location(tracking_store: TrackingStore,
                                                              tmp_path: object) -> None:
    location = f"{tmp_path}/elsewhere"
    experiment = tracking_store.get_experiment(
        tracking_store.create_experiment("custom-location", artifact_location=location))
    run = tracking_store.create_run(experiment.experiment_id, "me", 1, "r").info
    assert experiment.artifact_location.rstrip("/").endswith("/elsewhere")
    assert run.artifact_uri == f"{experiment.artifact_location.rstrip('/')}/{run.run_id}/artifacts"


def test_unnamed_run_gets_a_name(tracking_store: TrackingStore) -> None:
    run = tracking_store.create_run("0", "me", 1, None)
    assert run.info.run_name and run.data.tags["mlflow.runName"] == run.info.run_name


def test_nested_run_keeps_tag_and_column(tracking_store: TrackingStore) -> None:
    parent = _run(tracking_store)
    child = tracking_store.create_run("0", "me", 2, "c", parent_run_id=parent)
    assert child.info.parent_run_id == parent
    assert child.data.tags["mlflow.parentRunId"] == parent
    by_tag = tracking_store.create_run("0", "me", 3, "d", {"mlflow.parentRunId": parent})
    assert by_tag.info.parent_run_id == parent


def test_update_run_info(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    info = tracking_store.update_run_info(rid, RunStatus.FINISHED, 5000, run_name="renamed")
    assert (info.status, info.end_time, info.run_name) == ("FINISHED", 5000, "renamed")
    assert tracking_store.get_run(rid).data.tags["mlflow.runName"] == "renamed"
    with pytest.raises(InvalidInputError, match="status"):
        tracking_store.update_run_info(rid, "DONE", 1)
    tracking_store.log_metric(rid, "after", 1.0, 1)  # a finished run still accepts logging


def test_end_run_writes_a_last_batch_and_the_end_all_or_nothing(
        tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    tracking_store.log_param(rid, "C", "1")
    info = tracking_store.end_run(rid, RunStatus.FINISHED, 5000, [Metric("acc", 0.5, 9, 2)],
                                  [Param("C", "1"), Param("k", "3")], [RunTag("t", "v")])
    assert (info.run_id, info.status, info.end_time, info.run_name) == (rid, "FINISHED", 5000,
                                                                         "r")
    run = tracking_store.get_run(rid)
    assert run.info == info
    assert (run.data.params, run.data.metric_values) == ({"C": "1", "k": "3"}, {"acc": 0.5})
    assert run.data.tags["t"] == "v"
    other = _run(tracking_store)
    tracking_store.log_param(other, "C", "1")
    with pytest.raises(InvalidInputError, match="Changing param values"):
        tracking_store.end_run(other, RunStatus.FAILED, 6000, [Metric("acc", 0.1, 9, 0)],
                               [Param("C", "2")])
    refused = tracking_store.get_run(other)
    assert (refused.info.status, refused.info.end_time) == ("RUNNING", None)
    assert refused.data.metric_values == {}
    tracking_store.delete_run(other)
    with pytest.raises(InvalidInputError, match="'active' state"):
        tracking_store.end_run(other, RunStatus.FINISHED, 7000)
    with pytest.raises(NotFoundError):
        tracking_store.end_run("0" * 32, RunStatus.FINISHED, 7000)
    with pytest.raises(NotFoundError):
        tracking_store.update_run_info("0" * 32, RunStatus.FINISHED, 7000)


def test_unknown_run(tracking_store: TrackingStore) -> None:
    missing = "0" * 32
    with pytest.raises(NotFoundError):
        tracking_store.get_run(missing)
    with pytest.raises(NotFoundError):
        tracking_store.log_metric(missing, "m", 1.0, 1)
    with pytest.raises(NotFoundError):
        tracking_store.get_metric_history(missing, "m")
    with pytest.raises(NotFoundError):
        tracking_store.delete_run(missing)
    with pytest.raises(NotFoundError):
        tracking_store.log_param("no-such-run", "p", "v")
    with pytest.raises(InvalidInputError, match="Invalid run ID"):
        tracking_store.log_param("../etc", "p", "v")


def test_delete_and_restore_run(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    tracking_store.delete_run(rid)
    assert tracking_store.get_run(rid).info.lifecycle_stage == "deleted"
    with pytest.raises(InvalidInputError, match="active"):
        tracking_store.log_param(rid, "p", "1")
    assert tracking_store.search_runs(["0"])[0] == []
    assert len(tracking_store.search_runs(["0"], run_view_type=ViewType.ALL)[0]) == 1
    tracking_store.restore_run(rid)
    tracking_store.log_param(rid, "p", "1")


# -- logging --------------------------------------------------------------------------------

def test_log_batch_and_latest_metrics(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    tracking_store.log_batch(rid, metrics=[Metric("loss", 3.0, 10, 0), Metric("loss", 1.0, 5, 2),
                                           Metric("loss", 2.0, 20, 1)],
                             params=[Param("C", "1.0")], tags=[RunTag("t", "a")])
    tracking_store.log_metric(rid, "loss", 9.0, 1, step=1)  # older step: not the latest
    run = tracking_store.get_run(rid)
    assert run.data.metrics == (Metric("loss", 1.0, 5, 2),)
    assert run.data.params == {"C": "1.0"}
    history, token = tracking_store.get_metric_history(rid, "loss")
    assert [(m.step, m.timestamp, m.value) for m in history] == [
        (0, 10, 3.0), (1, 1, 9.0), (1, 20, 2.0), (2, 5, 1.0)]
    assert token is None


def test_same_step_later_timestamp_wins(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    tracking_store.log_metric(rid, "m", 1.0, 10, step=3)
    tracking_store.log_metric(rid, "m", 2.0, 11, step=3)
    tracking_store.log_metric(rid, "m", 5.0, 9, step=3)
    assert tracking_store.get_run(rid).data.metrics == (Metric("m", 2.0, 11, 3),)


def test_nan_and_infinities_round_trip(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    values = [float("nan"), float("inf"), float("-inf"), 0.0, -1.5e300]
    tracking_store.log_batch(rid, metrics=[Metric("v", v, i, i) for i, v in enumerate(values)])
    history, _ = tracking_store.get_metric_history(rid, "v")
    got = [m.value for m in history]
    assert math.isnan(got[0]) and got[1:] == values[1:]
    tracking_store.log_metric(rid, "n", float("nan"), 1)
    (latest,) = [m for m in tracking_store.get_run(rid).data.metrics if m.key == "n"]
    assert math.isnan(latest.value)


def test_param_relogged_with_other_value_is_refused(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    tracking_store.log_param(rid, "C", "1.0")
    tracking_store.log_param(rid, "C", "1.0")
    with pytest.raises(InvalidInputError, match="Changing param values"):
        tracking_store.log_batch(rid, metrics=[Metric("m", 1.0, 1, 0)],
                                 params=[Param("C", "2.0")], tags=[RunTag("t", "x")])
    run = tracking_store.get_run(rid)  # nothing of the failed batch was written
    assert run.data.params == {"C": "1.0"} and run.data.metrics == ()
    assert "t" not in run.data.tags
    with pytest.raises(InvalidInputError, match="Duplicate"):
        tracking_store.log_batch(rid, params=[Param("D", "1"), Param("D", "2")])


@pytest.mark.parametrize("name", ["", ".", "/", "..", "//", "a//b", "a/./b", "/a", "a/", "\\",
                                  "../x", "x" * 251])
def test_bad_names_are_refused(tracking_store: TrackingStore, name: str) -> None:
    rid = _run(tracking_store)
    for call in (lambda: tracking_store.log_metric(rid, name, 1.0, 1),
                 lambda: tracking_store.log_param(rid, name, "v"),
                 lambda: tracking_store.set_tag(rid, name, "v")):
        with pytest.raises(InvalidInputError):
            call()


def test_good_names_and_limits(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    for name in ["a", "Ab-5_", "a/b/c", "a.b.c", ".a", "b.", "a b/c d", "x:y", "k" * 250]:
        tracking_store.log_metric(rid, name, 1.0, 1)
    tracking_store.log_param(rid, "long", "v" * 6000)
    tracking_store.set_tag(rid, "long", "v" * 8000)
    with pytest.raises(InvalidInputError, match="6000"):
        tracking_store.log_param(rid, "longer", "v" * 6001)
    with pytest.raises(InvalidInputError, match="8000"):
        tracking_store.set_tag(rid, "longer", "v" * 8001)
    with pytest.raises(InvalidInputError, match="valid double"):
        tracking_store.log_metric(rid, "m", "1.0", 1)  # type: ignore[arg-type]


def test_batch_limits(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    tracking_store.log_batch(rid, metrics=[Metric("m", float(i), i, i) for i in range(1000)])
    with pytest.raises(InvalidInputError, match="1000 metrics"):
        tracking_store.log_batch(rid, metrics=[Metric("m", 1.0, i, i) for i in range(1001)])
    with pytest.raises(InvalidInputError, match="100 params"):
        tracking_store.log_batch(rid, params=[Param(f"p{i}", "v") for i in range(101)])
    with pytest.raises(InvalidInputError, match="100 tags"):
        tracking_store.log_batch(rid, tags=[RunTag(f"t{i}", "v") for i in range(101)])


def test_tags_overwrite_and_delete(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    tracking_store.set_tag(rid, "t", "1")
    tracking_store.set_tag(rid, "t", "2")
    assert tracking_store.get_run(rid).data.tags["t"] == "2"
    tracking_store.set_tag(rid, "mlflow.runName", "new-name")
    assert tracking_store.get_run(rid).info.run_name == "new-name"
    tracking_store.delete_tag(rid, "t")
    assert "t" not in tracking_store.get_run(rid).data.tags
    with pytest.raises(NotFoundError):
        tracking_store.delete_tag(rid, "t")


def test_metric_history_pages(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    tracking_store.log_batch(rid, metrics=[Metric("m", float(i), i, i) for i in range(7)])
    seen, token = [], None
    while True:
        page, token = tracking_store.get_metric_history(rid, "m", max_results=3,
                                                        page_token=token)
        seen += [m.step for m in page]
        if token is None:
            break
    assert seen == list(range(7))


def test_log_inputs(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    data = Dataset("iris", "abc123", "local", '{"uri": "/d"}', '{"cols": []}', "{}")
    tracking_store.log_inputs(rid, [DatasetInput(data, {"mlflow.data.context": "training"})])
    tracking_store.log_inputs(rid, [DatasetInput(data, {"mlflow.data.context": "training"})])
    (got,) = tracking_store.get_run(rid).inputs
    assert got.dataset == data and got.tags == {"mlflow.data.context": "training"}


def test_runs_for_execution(tracking_store: TrackingStore) -> None:
    a = tracking_store.create_run("0", "me", 1, "a", execution_id="ex", node_id="n0")
    b = tracking_store.create_run("0", "me", 2, "b", execution_id="ex", node_id="n1")
    _run(tracking_store)
    runs = tracking_store.list_runs_for_execution("ex")
    assert [(r.info.run_id, r.info.node_id) for r in runs] == [(a.info.run_id, "n0"),
                                                              (b.info.run_id, "n1")]
    assert tracking_store.list_runs_for_executions([]) == []


def test_dataset_limits(tracking_store: TrackingStore) -> None:
    rid = _run(tracking_store)
    for bad in (Dataset("d", "x" * 37, "local", "{}"), Dataset("", "abc", "local", "{}"),
                Dataset("d", "abc", "local", "{}", profile="p" * 16385)):
        with pytest.raises(InvalidInputError):
            tracking_store.log_inputs(rid, [DatasetInput(bad)])
    with pytest.raises(InvalidInputError):
        tracking_store.log_inputs(rid, [DatasetInput(Dataset("d", "a", "local", "{}"),
                                                     {"k": "v" * 501})])
    assert tracking_store.get_run(rid).inputs == ()


def test_experiment_created_concurrently_once(tracking_store: TrackingStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def create(_: int) -> str:
        try:
            return tracking_store.create_experiment("race")
        except AlreadyExistsError:
            return "taken"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(create, range(8)))
    assert outcomes.count("taken") == 7
