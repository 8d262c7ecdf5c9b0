"""The study store on SQLite and PostgreSQL: studies created, read by id and by name, listed,
updated and deleted (with their trials); trials numbered by the store, reported, finished
exactly once, re-started while RUNNING; bad input refused with nothing written; two processes
starting 200 trials on one study get 200 distinct numbers; the per-trial calls never import
SQLAlchemy; a tracked trial and its run written together, both or neither; a store at 0006
upgraded keeping its data, and downgraded back."""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities.studies import Study, StudyStatus, Trial, TrialState
from slipstream.metadata.factory import open_study_store
from slipstream.metadata.studies import StudyExistsError, StudyStore
from tests.metadata.alembic_steps import alembic_step as _alembic

SPACE = {
    "lr": {"name": "FloatDistribution",
           "attributes": {"low": 1e-5, "high": 0.1, "log": True, "step": None}},
    "depth": {"name": "IntDistribution",
              "attributes": {"low": 1, "high": 8, "log": False, "step": 1}},
}


@pytest.fixture
def store(store_url: str) -> Iterator[StudyStore]:
    opened = open_study_store(store_url)
    yield opened
    opened.close()  # type: ignore[attr-defined]


def _study(study_id: str = "s1", name: str = "churn tuning", **changes: Any) -> Study:
    made = Study(study_id, name, "val_loss", "minimize", SPACE, "tpe", "median", 20, 2, 3,
                 StudyStatus.RUNNING, 1000.0 + len(study_id), task_name="train",
                 task_ref="flows/train.py:train", seed=7, execution_id="e1",
                 parent_run_id="r0", experiment_id="1", settings={"executor": "process"})
    return replace(made, **changes)


def _table_counts(store_url: str) -> dict[str, int]:
    from slipstream.metadata.sql.engine import create_store_engine

    engine = create_store_engine(store_url)
    try:
        with engine.connect() as conn:
            return {t: int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar() or 0)
                    for t in ("studies", "trials", "trial_intermediate_values")}
    finally:
        engine.dispose()


# -- studies ----------------------------------------------------------------------------------

def test_create_get_list_round_trip(store: StudyStore) -> None:
    first = store.create_study(_study())
    second = store.create_study(_study("s22", "other", direction="maximize", seed=None,
                                       settings={}))
    assert store.get_study("s1") == first
    assert store.get_study("churn tuning") == first
    assert store.get_study("other") == second
    assert store.list_studies() == [second, first]  # newest first
    got = store.get_study("s1")
    assert got.space == SPACE and got.settings == {"executor": "process"} and got.seed == 7
    assert isinstance(got.status, StudyStatus) and got.ended_at is None


def test_get_by_id_wins_over_a_name(store: StudyStore) -> None:
    by_name = store.create_study(_study("a1", "b2"))
    by_id = store.create_study(_study("b2", "other"))
    assert store.get_study("b2") == by_id
    assert store.get_study("a1") == by_name


def test_names_are_unique(store: StudyStore) -> None:
    store.create_study(_study())
    with pytest.raises(StudyExistsError, match="churn tuning"):
        store.create_study(_study("s2"))
    with pytest.raises(StudyExistsError, match="s1"):
        store.create_study(_study("s1", "fresh"))
    assert [s.study_id for s in store.list_studies()] == ["s1"]


@pytest.mark.parametrize("changes", [
    {"name": " leading space"}, {"name": ""}, {"name": "x" * 257}, {"name": "a/b"},
    {"study_id": ""}, {"study_id": "x" * 65}, {"direction": "up"}, {"status": "DONE"},
    {"objective": ""}, {"space": {}}, {"space": {"x": object()}}, {"space": {"x": math.nan}},
    {"max_trials": 0}, {"parallel_trials": True}, {"max_failed_trials": -1},
    {"created_at": math.inf}, {"seed": 1.5}, {"settings": {"a": {1, 2}}},
    {"execution_id": "e" * 65},
])
def test_bad_studies_write_nothing(store: StudyStore, store_url: str,
                                   changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        store.create_study(_study(**changes))
    assert store.list_studies() == []
    assert _table_counts(store_url)["studies"] == 0


def test_update_study(store: StudyStore) -> None:
    store.create_study(_study())
    done = store.update_study("s1", status="COMPLETED", ended_at=2000.0)
    assert (done.status, done.ended_at) == ("COMPLETED", 2000.0)
    moved = store.update_study("s1", execution_id="e2", parent_run_id="r9",
                               settings={"executor": "ray"})
    assert (moved.execution_id, moved.parent_run_id, moved.settings) == (
        "e2", "r9", {"executor": "ray"})
    assert moved.status == "COMPLETED" and moved.ended_at == 2000.0
    resumed = store.update_study("s1", status="RUNNING")
    assert resumed.status == "RUNNING" and resumed.ended_at is None
    assert store.get_study("s1") == resumed
    assert store.update_study("s1") == resumed  # nothing to change
    for bad in ({"status": "DONE"}, {"ended_at": math.nan}, {"settings": {"x": math.inf}},
                {"execution_id": 5}):
        with pytest.raises(InvalidInputError):
            store.update_study("s1", **bad)
    assert store.get_study("s1") == resumed
    with pytest.raises(NotFoundError, match="s2"):
        store.update_study("s2", status="FAILED")


def test_delete_removes_the_study_and_its_trials(store: StudyStore, store_url: str) -> None:
    store.create_study(_study())
    store.create_study(_study("s2", "kept"))
    for study_id in ("s1", "s2"):
        trial = store.start_trial(study_id, {"lr": 0.01, "depth": 3}, started_at=1.0)
        store.report_intermediate(study_id, trial.number, 0, 0.5)
    store.delete_study("s1")
    assert [s.study_id for s in store.list_studies()] == ["s2"]
    assert _table_counts(store_url) == {"studies": 1, "trials": 1,
                                        "trial_intermediate_values": 1}
    with pytest.raises(NotFoundError):
        store.get_study("s1")
    with pytest.raises(NotFoundError):
        store.list_trials("s1")
    with pytest.raises(NotFoundError):
        store.delete_study("s1")
    store.create_study(_study())  # the id and name are free again, with no trials
    assert store.list_trials("s1") == []
    assert store.start_trial("s1", {"lr": 0.1}, started_at=2.0).number == 0


# -- trials -----------------------------------------------------------------------------------

def test_a_study_of_trials(store: StudyStore) -> None:
    store.create_study(_study())
    started = [store.start_trial("s1", {"lr": 0.01 * n, "depth": n}, started_at=10.0 + n,
                                 node_id=f"n{n}", run_id=f"r{n}") for n in range(4)]
    assert [t.number for t in started] == [0, 1, 2, 3]
    assert started[2] == Trial("s1", 2, "RUNNING", {"lr": 0.02, "depth": 2}, 12.0,
                               node_id="n2", run_id="r2")
    for step, value in ((0, 0.9), (1, 0.7), (2, 0.8)):
        store.report_intermediate("s1", 0, step, value)
    store.report_intermediate("s1", 0, 2, 0.6)  # a step again replaces its value
    store.report_intermediate("s1", 1, 0, 0.95)
    done = store.finish_trial("s1", 0, "COMPLETE", ended_at=20.0, value=0.6,
                              metrics={"val_loss": 0.6, "acc": 0.8})
    assert done == Trial("s1", 0, "COMPLETE", {"lr": 0.0, "depth": 0}, 10.0, 20.0, 0.6,
                         {"val_loss": 0.6, "acc": 0.8}, ((0, 0.9), (1, 0.7), (2, 0.6)),
                         "n0", "r0", "")
    assert store.get_trial("s1", 0) == done
    pruned = store.finish_trial("s1", 1, "PRUNED", ended_at=21.0, value=0.95)
    assert pruned.value is None and pruned.intermediate == ((0, 0.95),)  # value: COMPLETE only
    failed = store.finish_trial("s1", 2, "FAIL", ended_at=22.0, error="ValueError: boom",
                                node_id="n2b", run_id="r2b")
    assert (failed.error, failed.node_id, failed.run_id) == ("ValueError: boom", "n2b", "r2b")
    every = store.list_trials("s1")
    assert every == [done, pruned, failed, store.get_trial("s1", 3)]
    assert [type(t.state) for t in every] == [TrialState] * 4
    assert store.list_trials("s1", states=["COMPLETE", "PRUNED"]) == [done, pruned]
    assert store.list_trials("s1", states=["RUNNING"]) == [started[3]]
    assert store.list_trials("s1", states=[]) == []
    light = store.list_trials("s1", intermediate=False)
    assert [t.intermediate for t in light] == [()] * 4
    assert [replace(t, intermediate=()) for t in every] == light


def test_a_trial_finishes_exactly_once(store: StudyStore) -> None:
    store.create_study(_study())
    store.start_trial("s1", {"lr": 0.1}, started_at=1.0)
    store.report_intermediate("s1", 0, 0, 0.5)
    done = store.finish_trial("s1", 0, "COMPLETE", ended_at=2.0, value=0.5)
    for state, value in (("COMPLETE", 0.1), ("FAIL", None), ("PRUNED", None)):
        with pytest.raises(InvalidInputError, match="COMPLETE, not RUNNING"):
            store.finish_trial("s1", 0, state, ended_at=3.0, value=value)
    with pytest.raises(InvalidInputError, match="not RUNNING"):
        store.report_intermediate("s1", 0, 1, 0.4)
    with pytest.raises(InvalidInputError, match="not RUNNING"):
        store.start_trial("s1", {}, started_at=4.0, number=0)
    assert store.get_trial("s1", 0) == done


def test_restarting_a_running_trial(store: StudyStore) -> None:
    store.create_study(_study())
    store.start_trial("s1", {"lr": 0.1, "depth": 2}, started_at=1.0, node_id="n0", run_id="r0")
    store.start_trial("s1", {"lr": 0.2}, started_at=1.5)
    for step in range(3):
        store.report_intermediate("s1", 0, step, 1.0 - step / 10)
        store.report_intermediate("s1", 1, step, 2.0)
    again = store.start_trial("s1", {"ignored": True}, started_at=5.0, number=0,
                              node_id="n0b", run_id="")
    assert again == Trial("s1", 0, "RUNNING", {"lr": 0.1, "depth": 2}, 5.0, node_id="n0b",
                          run_id="r0")
    assert store.get_trial("s1", 0) == again  # intermediate values cleared
    assert store.get_trial("s1", 1).intermediate == ((0, 2.0), (1, 2.0), (2, 2.0))
    store.report_intermediate("s1", 0, 0, 0.3)
    assert store.finish_trial("s1", 0, "COMPLETE", ended_at=6.0, value=0.3).intermediate == (
        (0, 0.3),)
    assert store.start_trial("s1", {"lr": 0.3}, started_at=7.0).number == 2  # none reused
    with pytest.raises(NotFoundError, match="no trial 9"):
        store.start_trial("s1", {}, started_at=8.0, number=9)


@pytest.mark.parametrize("call", [
    lambda s: s.start_trial("s1", {"x": object()}, started_at=1.0),
    lambda s: s.start_trial("s1", {"x": math.nan}, started_at=1.0),
    lambda s: s.start_trial("s1", {1: 2}, started_at=1.0),
    lambda s: s.start_trial("s1", [("x", 1)], started_at=1.0),
    lambda s: s.start_trial("s1", {"x": 1}, started_at=math.inf),
    lambda s: s.start_trial("s1", {"x": 1}, started_at="now"),
    lambda s: s.start_trial("s1", {"x": 1}, started_at=1.0, number=-1),
    lambda s: s.start_trial("s1", {"x": 1}, started_at=1.0, run_id=7),
    lambda s: s.finish_trial("s1", 0, "COMPLETE", ended_at=2.0),
    lambda s: s.finish_trial("s1", 0, "COMPLETE", ended_at=2.0, value=math.nan),
    lambda s: s.finish_trial("s1", 0, "RUNNING", ended_at=2.0),
    lambda s: s.finish_trial("s1", 0, "DONE", ended_at=2.0),
    lambda s: s.finish_trial("s1", 0, "PRUNED", ended_at=2.0, metrics={"a": math.inf}),
    lambda s: s.finish_trial("s1", 0, "PRUNED", ended_at=math.nan),
    lambda s: s.finish_trial("s1", True, "PRUNED", ended_at=2.0),
    lambda s: s.report_intermediate("s1", 0, -1, 0.5),
    lambda s: s.report_intermediate("s1", 0, 1.5, 0.5),
    lambda s: s.report_intermediate("s1", 0, 1, math.nan),
    lambda s: s.list_trials("s1", states=["DONE"]),
])
def test_bad_trial_input_writes_nothing(store: StudyStore, store_url: str, call: Any) -> None:
    store.create_study(_study())
    store.start_trial("s1", {"lr": 0.1}, started_at=1.0)
    before = store.list_trials("s1")
    with pytest.raises(InvalidInputError):
        call(store)
    assert store.list_trials("s1") == before
    assert _table_counts(store_url) == {"studies": 1, "trials": 1,
                                        "trial_intermediate_values": 0}
    assert store.start_trial("s1", {"lr": 0.2}, started_at=2.0).number == 1


def test_unknown_studies_and_trials(store: StudyStore) -> None:
    store.create_study(_study())
    calls = [
        lambda: store.get_study("churn tunin"),
        lambda: store.start_trial("nope", {"lr": 0.1}, started_at=1.0),
        lambda: store.start_trial("nope", {}, started_at=1.0, number=0),
        lambda: store.report_intermediate("nope", 0, 0, 1.0),
        lambda: store.report_intermediate("s1", 0, 0, 1.0),
        lambda: store.finish_trial("s1", 0, "FAIL", ended_at=1.0),
        lambda: store.finish_trial("nope", 0, "FAIL", ended_at=1.0),
        lambda: store.get_trial("s1", 0),
        lambda: store.get_trial("nope", 0),
        lambda: store.list_trials("nope"),
        lambda: store.delete_study("churn tuning"),  # by id only
    ]
    for call in calls:
        with pytest.raises(NotFoundError):
            call()
    with pytest.raises(NotFoundError, match="Did you mean 'churn tuning'"):
        store.get_study("churn tunin")
    assert store.list_trials("s1") == []


def _start_trials(store_url: str, worker: str, count: int) -> None:
    opened = open_study_store(store_url)
    try:
        for _ in range(count):
            opened.start_trial("race", {"worker": worker}, started_at=time.time(),
                               node_id=worker)
    finally:
        opened.close()  # type: ignore[attr-defined]


def test_two_processes_get_distinct_numbers(store: StudyStore, store_url: str) -> None:
    store.create_study(_study("race", "race"))
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_start_trials, args=(store_url, f"w{n}", 100))
               for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    trials = store.list_trials("race", intermediate=False)
    assert [t.number for t in trials] == list(range(200))
    assert sorted(t.node_id for t in trials) == ["w0"] * 100 + ["w1"] * 100
    by_worker = {w: [t.number for t in trials if t.node_id == w] for w in ("w0", "w1")}
    assert not set(by_worker["w0"]) & set(by_worker["w1"])
    assert store.start_trial("race", {}, started_at=1.0).number == 200


_HOT_PATH = """
import sys, time
from slipstream.metadata.factory import open_study_store
store = open_study_store(sys.argv[1])
before = "sqlalchemy" in sys.modules
for _ in range(3):
    trial = store.start_trial("s1", {"lr": 0.1}, started_at=time.time())
    store.report_intermediate("s1", trial.number, 0, 0.5)
    store.finish_trial("s1", trial.number, "COMPLETE", ended_at=time.time(), value=0.5)
print(before, "sqlalchemy" in sys.modules)
"""


def test_trials_start_and_finish_without_sqlalchemy(store: StudyStore, store_url: str) -> None:
    """A tuner's per-trial calls go through the driver: a process that only runs trials never
    imports SQLAlchemy (its reads do)."""
    import subprocess
    import sys

    store.create_study(_study())
    done = subprocess.run([sys.executable, "-c", _HOT_PATH, store_url], capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False", "False"], done.stderr
    assert len(store.list_trials("s1", states=["COMPLETE"])) == 3


# -- tracked trials: a trial and its run in one transaction ------------------------------------

def _tracked(store_url: str, tmp_path: Any) -> tuple[Any, Any]:
    """(the tracking store on the study store's database, a TrialRun for trial 0)."""
    from slipstream.entities import Param
    from slipstream.metadata.factory import open_tracking_store
    from slipstream.metadata.studies import TrialRun

    tracking = open_tracking_store(store_url, str(tmp_path / "artifacts"))
    run = TrialRun("0", str(tmp_path / "artifacts"), "trial-0", "ada", 5000,
                   {"slipstream.trial_number": "0"}, [Param("lr", "0.01"), Param("depth", "3")],
                   execution_id="e1", node_id="trial-0")
    return tracking, run


def test_a_tracked_trial_and_its_run(store: StudyStore, store_url: str, tmp_path: Any) -> None:
    from slipstream.entities import Metric, RunTag
    from slipstream.metadata.studies import TrackedTrialStore, TrialRunEnd

    assert isinstance(store, TrackedTrialStore)
    tracking, spec = _tracked(store_url, tmp_path)
    store.create_study(_study(experiment_id="0"))
    trial, run = store.start_tracked_trial("s1", {"lr": 0.01, "depth": 3}, spec,
                                           started_at=5.0, node_id="trial-0")
    assert (trial.number, trial.state, trial.run_id) == (0, "RUNNING", run.info.run_id)
    stored = tracking.get_run(run.info.run_id)
    assert stored.info.status == "RUNNING" and stored.info.run_name == "trial-0"
    assert (stored.info.execution_id, stored.info.node_id) == ("e1", "trial-0")
    assert stored.data.params == {"lr": "0.01", "depth": "3"} == run.data.params
    assert stored.data.tags["slipstream.trial_number"] == "0"
    assert stored.info.artifact_uri == run.info.artifact_uri

    end = TrialRunEnd(run.info.run_id, "FINISHED", 6000, [Metric("val_loss", 0.5, 6000, 2)],
                      [RunTag("state", "COMPLETE")])
    done = store.finish_tracked_trial("s1", 0, "COMPLETE", end, ended_at=6.0, value=0.5,
                                      metrics={"val_loss": 0.5}, node_id="trial-0")
    assert (done.state, done.value, done.run_id) == ("COMPLETE", 0.5, run.info.run_id)
    ended = tracking.get_run(run.info.run_id)
    assert (ended.info.status, ended.info.end_time) == ("FINISHED", 6000)
    assert ended.data.metric_values == {"val_loss": 0.5}
    assert ended.data.tags["state"] == "COMPLETE"
    with pytest.raises(InvalidInputError, match="COMPLETE, not RUNNING"):  # both or neither
        store.finish_tracked_trial("s1", 0, "FAIL", replace(end, status="FAILED", end_time=7000),
                                   ended_at=7.0)
    assert tracking.get_run(run.info.run_id).info.end_time == 6000
    tracking.close()  # type: ignore[attr-defined]


def test_a_tracked_trial_that_cannot_start_writes_nothing(store: StudyStore, store_url: str,
                                                          tmp_path: Any) -> None:
    from slipstream.entities import Param

    tracking, spec = _tracked(store_url, tmp_path)
    store.create_study(_study(experiment_id="0"))
    with pytest.raises(NotFoundError, match="Experiment with id=999"):
        store.start_tracked_trial("s1", {"lr": 0.01}, replace(spec, experiment_id="999"),
                                  started_at=5.0)
    with pytest.raises(InvalidInputError, match="param"):
        store.start_tracked_trial("s1", {"lr": 0.01}, replace(spec, params=[Param("", "x")]),
                                  started_at=5.0)
    with pytest.raises(NotFoundError):
        store.start_tracked_trial("nope", {"lr": 0.01}, spec, started_at=5.0)
    assert _table_counts(store_url)["trials"] == 0
    assert tracking.search_runs(["0"])[0] == []
    tracking.close()  # type: ignore[attr-defined]


def test_open_study_store_refuses_a_server_url() -> None:
    with pytest.raises(InvalidInputError, match="SQL store"):
        open_study_store("http://127.0.0.1:5000")
    with pytest.raises(InvalidInputError, match="Unsupported"):
        open_study_store("mysql://u@h/db")


# -- migrations -------------------------------------------------------------------------------

def test_store_at_0006_upgrades_keeping_data(store_url: str) -> None:
    _alembic(store_url, "upgrade", "0006",
             "INSERT INTO deployments (name, description, created_by, status, revision, "
             "creation_timestamp, last_updated_timestamp) VALUES ('kept', '', '', 'LIVE', 1, "
             "1, 1)")
    opened = open_study_store(store_url)
    try:
        assert opened.list_studies() == []
        opened.create_study(_study())
        assert opened.start_trial("s1", {"lr": 0.1}, started_at=1.0).number == 0
    finally:
        opened.close()  # type: ignore[attr-defined]
    from slipstream.metadata.sql import migrate
    from slipstream.metadata.sql.engine import create_store_engine

    engine = create_store_engine(store_url)
    try:
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION  # later ones too
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT name FROM deployments").scalar() == "kept"
    finally:
        engine.dispose()


def test_downgrade_to_0006_drops_only_the_study_tables(store_url: str) -> None:
    import sqlalchemy as sa

    from slipstream.metadata.sql.engine import create_store_engine

    opened = open_study_store(store_url)
    opened.create_study(_study())
    opened.start_trial("s1", {"lr": 0.1}, started_at=1.0)
    opened.report_intermediate("s1", 0, 0, 0.5)
    opened.close()  # type: ignore[attr-defined]
    _alembic(store_url, "downgrade", "0006")
    engine = create_store_engine(store_url)
    try:
        names = set(sa.inspect(engine).get_table_names())
        assert not names & {"studies", "trials", "trial_intermediate_values"}
        assert {"deployments", "runs", "executions"} <= names
    finally:
        engine.dispose()
