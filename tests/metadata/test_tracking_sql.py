"""Tracking on SQL: run search, the migration from a 0001-only store, concurrent writers."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.entities import Metric, Param, RunTag
from slipstream.metadata import TrackingStore, open_execution_store, open_tracking_store
from slipstream.metadata.sql import migrate, tables
from slipstream.metadata.sql.engine import create_store_engine

from .conftest import postgres_schema, sqlite_url

# -- search ---------------------------------------------------------------------------------


@pytest.fixture
def searchable(tracking_store: TrackingStore) -> tuple[TrackingStore, str, list[str]]:
    eid = tracking_store.create_experiment("search")
    ids = []
    for i in range(6):
        run = tracking_store.create_run(eid, "me", 1000 + i, f"run-{i}")
        rid = run.info.run_id
        metrics = [Metric("acc", i / 10, 1, 0)]
        if i != 5:
            metrics.append(Metric("loss", float(10 - i), 1, 0))
        tracking_store.log_batch(rid, metrics=metrics, params=[Param("C", str(i % 3))],
                                 tags=[RunTag("group", "even" if i % 2 == 0 else "odd")])
        ids.append(rid)
    return tracking_store, eid, ids


def _names(runs: list[Any]) -> list[str]:
    return [r.info.run_name for r in runs]


@pytest.mark.parametrize(("filter_string", "expected"), [
    ("", ["run-5", "run-4", "run-3", "run-2", "run-1", "run-0"]),
    ("metrics.acc > 0.25", ["run-5", "run-4", "run-3"]),
    ("metrics.acc >= 0.3 and metrics.loss <= 7", ["run-4", "run-3"]),
    ("metrics.acc = 0.2", ["run-2"]),
    ("metrics.acc != 0.2 AND metrics.acc <= 0.1", ["run-1", "run-0"]),
    ("params.C = '1'", ["run-4", "run-1"]),
    ("params.C != '1' and tags.group = 'odd'", ["run-5", "run-3"]),
    ("params.C IN ('0', '2')", ["run-5", "run-3", "run-2", "run-0"]),
    ("tags.`group` LIKE 'ev%'", ["run-4", "run-2", "run-0"]),
    ("tags.group ILIKE 'EV%'", ["run-4", "run-2", "run-0"]),
    ("attributes.run_name = 'run-3'", ["run-3"]),
    ("attributes.status = 'RUNNING' and attributes.start_time >= 1004", ["run-5", "run-4"]),
    ("attributes.run_name LIKE 'run-%' and params.C = \"2\"", ["run-5", "run-2"]),
    ("metrics.loss IS NULL", ["run-5"]),
    ("metrics.loss IS NOT NULL and params.C = '0'", ["run-3", "run-0"]),
    ("tags.nope IS NULL and run_name = 'run-1'", ["run-1"]),
    ("attributes.created >= 1005", ["run-5"]),
    ("params.C NOT IN ('0', '1')", ["run-5", "run-2"]),
])
def test_search_filters(searchable: tuple[TrackingStore, str, list[str]], filter_string: str,
                        expected: list[str]) -> None:
    store, eid, _ = searchable
    runs, token = store.search_runs([eid], filter_string)
    assert _names(runs) == expected and token is None


def test_compiler_takes_the_shared_parsers_ast(
        searchable: tuple[TrackingStore, str, list[str]]) -> None:
    """The store parses with slipstream.protocol.search: compiling its AST directly gives the
    same runs as compiling the filter and order-by strings."""
    import sqlalchemy as sa

    from slipstream.metadata.sql import run_search
    from slipstream.metadata.sql.tables import runs
    from slipstream.protocol.search import parse_filter, parse_order_by

    store, _, _ = searchable
    if not hasattr(store, "_engine"):
        pytest.skip("compiles SQL itself: the SQL store only, not through the server")
    engine = store._engine  # type: ignore[attr-defined]
    filters = ["metrics.acc >= 0.3 and metrics.loss <= 7", "params.C IN ('0', '2')",
               "tags.group LIKE 'ev%'", "status = 'RUNNING' and start_time > 1002",
               "metrics.loss IS NULL"]
    orders = ["metrics.loss ASC", "params.C DESC", "attributes.start_time"]
    with engine.connect() as conn:
        def ids(conditions: list[object], order: list[object]) -> list[str]:
            query = sa.select(runs.c.run_id).where(*conditions).order_by(*order)
            return list(conn.execute(query).scalars())

        for text in filters:
            ours = ids(run_search.compile_filter(text), run_search.compile_order([]))
            shared = ids(run_search.compile_comparisons(parse_filter(text)),
                         run_search.compile_order([]))
            assert ours == shared and ours, text
        for text in orders:
            ours = ids([], run_search.compile_order([text]))
            shared = ids([], run_search.compile_order_bys([parse_order_by(text)]))
            assert ours == shared, text


@pytest.mark.parametrize(("entity", "key", "op", "value", "named"), [
    ("dataset", "name", "IS NULL", None, "datasets.name IS NULL"),
    ("metric", "acc", "LIKE", "1%", "metrics.acc LIKE"),
    ("attribute", "status", ">", "A", "attributes.status >"),
    ("param", "C", "IN", "x", "params.C IN"),
    ("metric", "acc", ">", "0.5", "metrics.acc >"),
])
def test_uncompilable_clauses_are_refused_by_name(entity: str, key: str, op: str, value: Any,
                                                  named: str) -> None:
    """A clause the compiler has no SQL for (built by hand or accepted by a newer parser) is
    an InvalidInputError naming it, never silently dropped."""
    import re

    from slipstream.metadata.sql import run_search
    from slipstream.protocol.search import Comparison, Entity, Op

    comparison = Comparison(Entity(entity), key, Op(op), value)
    with pytest.raises(InvalidInputError, match=re.escape(named)):
        run_search.compile_comparisons([comparison])


def test_search_refuses_unorderable_terms(tracking_store: TrackingStore) -> None:
    from slipstream.metadata.sql import run_search
    from slipstream.protocol.search import Entity, OrderBy

    with pytest.raises(InvalidInputError, match="datasets"):
        tracking_store.search_runs(["0"], order_by=["datasets.name"])
    with pytest.raises(InvalidInputError, match=r"datasets\.name"):
        run_search.compile_order_bys([OrderBy(Entity.DATASET, "name")])


def test_search_by_dataset(tracking_store: TrackingStore) -> None:
    from slipstream.entities import Dataset, DatasetInput

    used = tracking_store.create_run("0", "me", 1, "used").info.run_id
    tracking_store.create_run("0", "me", 2, "unused")
    tracking_store.log_inputs(used, [DatasetInput(Dataset("iris", "d1", "local", "{}"),
                                                  {"mlflow.data.context": "training"})])
    runs, _ = tracking_store.search_runs(["0"], "datasets.name = 'iris'")
    assert _names(runs) == ["used"]
    runs, _ = tracking_store.search_runs(["0"], "datasets.context = 'training'")
    assert _names(runs) == ["used"]
    runs, _ = tracking_store.search_runs(["0"], "datasets.context IN ('eval', 'test')")
    assert runs == []


def test_search_order_and_pages(searchable: tuple[TrackingStore, str, list[str]]) -> None:
    store, eid, _ = searchable
    by_acc, _ = store.search_runs([eid], order_by=["metrics.acc DESC"])
    assert _names(by_acc) == [f"run-{i}" for i in (5, 4, 3, 2, 1, 0)]
    by_loss, _ = store.search_runs([eid], order_by=["metrics.loss ASC"])
    assert _names(by_loss) == [f"run-{i}" for i in (4, 3, 2, 1, 0, 5)]  # missing value last
    by_param, _ = store.search_runs([eid], order_by=["params.C", "attributes.start_time ASC"])
    assert _names(by_param) == [f"run-{i}" for i in (0, 3, 1, 4, 2, 5)]
    seen, token = [], None
    while True:
        page, token = store.search_runs([eid], order_by=["metrics.acc ASC"], max_results=4,
                                        page_token=token)
        seen += _names(page)
        if token is None:
            break
    assert seen == [f"run-{i}" for i in range(6)]


@pytest.mark.parametrize("bad", ["metrics.acc >", "acc > 1", "foo.acc > 1", "params.C = 1",
                                 "metrics.acc = 'x'", "params.C > '1'", "tags.t = 'open",
                                 "attributes.nope = 'x'"])
def test_malformed_filters(searchable: tuple[TrackingStore, str, list[str]], bad: str) -> None:
    store, eid, _ = searchable
    with pytest.raises(InvalidInputError):
        store.search_runs([eid], bad)


def test_search_rejects_bad_paging(searchable: tuple[TrackingStore, str, list[str]]) -> None:
    store, eid, _ = searchable
    with pytest.raises(InvalidInputError):
        store.search_runs([eid], max_results=0)
    with pytest.raises(InvalidInputError):
        store.search_runs([eid], page_token="not-a-token")
    with pytest.raises(InvalidInputError):
        store.search_runs([eid], order_by=["metrics.acc SIDEWAYS"])


# -- migration ------------------------------------------------------------------------------

def test_migration_from_0001_keeps_executions(store_url: str, tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    engine = create_store_engine(store_url)
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(tables.executions.insert().values(
            id="old", workflow_name="wf", workflow_version="v1", status="SUCCEEDED",
            inputs="{}", created_at=1.0, executor="inline", host="h", pid=1, source_ref=""))
    assert migrate.current_revision(engine) == "0001"
    engine.dispose()
    store = open_tracking_store(store_url, str(tmp_path / "a"))
    try:
        assert store.get_experiment("0").name == "Default"
        rid = store.create_run("0", "me", 1, "r", execution_id="old").info.run_id
        store.log_metric(rid, "m", 1.0, 1)
        assert [r.info.run_id for r in store.list_runs_for_execution("old")] == [rid]
    finally:
        store.close()
    executions = open_execution_store(store_url)
    try:
        assert executions.get_execution("old").workflow_name == "wf"
    finally:
        executions.close()


# -- concurrency ----------------------------------------------------------------------------

_PER_PROCESS = 5000


def _log_many(url: str, n: int, barrier: Any, results: Any) -> None:
    try:
        barrier.wait(timeout=60)
        store = open_tracking_store(url, "/tmp/unused-artifacts")
        rid = store.create_run("0", f"proc{n}", 1, f"proc{n}").info.run_id
        for start in range(0, _PER_PROCESS - 100, 50):  # many short transactions...
            store.log_batch(rid, metrics=[Metric("m", float(i), i, i)
                                          for i in range(start, start + 50)])
        for i in range(_PER_PROCESS - 100, _PER_PROCESS):  # ...and single calls
            store.log_metric(rid, "m", float(i), i, step=i)
        store.close()
        results.put((n, rid))
    except BaseException as exc:
        results.put((n, f"{type(exc).__name__}: {exc}"))


def _log_concurrently(url: str, processes: int = 4) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    procs = [ctx.Process(target=_log_many, args=(url, n, barrier, results))
             for n in range(processes)]
    for p in procs:
        p.start()
    outcomes = dict(results.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert all(len(v) == 32 for v in outcomes.values()), outcomes
    store = open_tracking_store(url, "/tmp/unused-artifacts")
    try:
        for rid in outcomes.values():
            history, _ = store.get_metric_history(rid, "m")
            assert [m.step for m in history] == list(range(_PER_PROCESS))
            assert store.get_run(rid).data.metrics == (
                Metric("m", float(_PER_PROCESS - 1), _PER_PROCESS - 1, _PER_PROCESS - 1),)
    finally:
        store.close()


@pytest.mark.slow
def test_processes_log_concurrently_to_new_sqlite(tmp_path: Path) -> None:
    _log_concurrently(sqlite_url(tmp_path))


@pytest.mark.slow
@pytest.mark.postgres
def test_processes_log_concurrently_to_postgres() -> None:
    with postgres_schema() as url:
        _log_concurrently(url)


# -- MLflow details -------------------------------------------------------------------------

def test_like_is_case_sensitive(tracking_store: TrackingStore) -> None:
    for name in ("Alpha", "alpha", "al*ha"):
        tracking_store.create_run("0", "me", 1, name)

    def names(f: str) -> list[str]:
        return sorted(_names(tracking_store.search_runs(["0"], f)[0]))
    assert names("attributes.run_name LIKE 'al%'") == ["al*ha", "alpha"]
    assert names("attributes.run_name LIKE 'A%'") == ["Alpha"]
    assert names("attributes.run_name ILIKE 'a%'") == ["Alpha", "al*ha", "alpha"]
    assert names("attributes.run_name LIKE 'al*%'") == ["al*ha"]
    assert names("attributes.run_name LIKE '_lpha'") == ["Alpha", "alpha"]


def test_nan_sorts_after_numbers_and_missing_last(tracking_store: TrackingStore) -> None:
    values = {"one": 1.0, "nan": float("nan"), "inf": float("inf"), "none": None}
    for name, value in values.items():
        rid = tracking_store.create_run("0", "me", 1, name).info.run_id
        if value is not None:
            tracking_store.log_metric(rid, "m", value, 1)
    for direction, numbers in (("ASC", ["one", "inf"]), ("DESC", ["inf", "one"])):
        runs, _ = tracking_store.search_runs(["0"], order_by=[f"metrics.m {direction}"])
        assert _names(runs) == [*numbers, "nan", "none"]
    assert sorted(_names(tracking_store.search_runs(["0"], "metrics.m > 0")[0])) == ["inf", "one"]


def test_deleting_an_experiment_deletes_its_runs(tracking_store: TrackingStore) -> None:
    eid = tracking_store.create_experiment("gone", artifact_location="s3://bucket/gone")
    assert tracking_store.get_experiment(eid).artifact_location == "s3://bucket/gone"
    rid = tracking_store.create_run(eid, "me", 1, "r").info.run_id
    tracking_store.delete_experiment(eid)
    assert tracking_store.get_run(rid).info.lifecycle_stage == "deleted"
    tracking_store.restore_experiment(eid)
    assert tracking_store.get_run(rid).info.lifecycle_stage == "active"
    with pytest.raises(InvalidInputError, match="default"):
        tracking_store.delete_experiment("0")


def test_logging_does_not_import_sqlalchemy(store_url: str, tmp_path: Path) -> None:
    """A process that opens a store and logs to an existing run (the background flusher's
    work) runs only precompiled SQL through the driver."""
    import subprocess
    import sys
    import textwrap

    store = open_tracking_store(store_url, str(tmp_path))
    rid = store.create_run("0", "me", 1, "r").info.run_id
    store.close()
    code = textwrap.dedent(f"""
        import sys
        from slipstream.metadata.sql.tracking import SqlTrackingStore
        from slipstream.entities import Metric
        store = SqlTrackingStore({store_url!r}, "/tmp/a")
        store.log_batch({rid!r}, metrics=[Metric("m", 1.0, 1, 0)])
        store.close()
        assert "sqlalchemy" not in sys.modules, "sqlalchemy imported"
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


def test_locked_writes_are_retried_other_errors_are_not(monkeypatch: pytest.MonkeyPatch) -> None:
    from slipstream._core.errors import StoreUnavailableError
    from slipstream.metadata.sql import store

    monkeypatch.setattr(store.time, "sleep", lambda _: None)
    calls = []

    def locked_twice() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise StoreUnavailableError("Could not write to metadata store: database is locked")
        return "done"

    assert store.retry_locked(locked_twice) == "done" and len(calls) == 3

    def unreachable() -> None:
        calls.append(1)
        raise StoreUnavailableError("Could not write to metadata store: connection refused")

    calls.clear()
    with pytest.raises(StoreUnavailableError, match="refused"):
        store.retry_locked(unreachable)
    assert len(calls) == 1
