"""The workflow engine's path through the SQL store (open, record, cache lookup) runs on the
driver with SQL compiled ahead of time: no SQLAlchemy import, same schema, same behaviour."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.errors import InvalidInputError, StoreUnavailableError
from slipstream.entities import CacheEntry, ExecutionRecord, NodeExecutionRecord, Status
from slipstream.metadata import open_execution_store
from slipstream.metadata.sql import _compiled, compile_sql, dbapi, migrate
from slipstream.metadata.sql.dbapi import Database
from slipstream.metadata.sql.engine import create_store_engine
from slipstream.metadata.sql.executions import SqlExecutionStore
from slipstream.metadata.sql.urls import StoreTarget, mask_url, parse_url

from .conftest import postgres_schema, postgres_url_for_test


def _db(store: Any) -> Database:
    assert isinstance(store, SqlExecutionStore)
    return store._db


def _execution(id: str) -> ExecutionRecord:
    return ExecutionRecord(id=id, workflow_name="wf", workflow_version="v1",
                           status=Status.RUNNING, inputs={}, created_at=1.0)


def _cache(key: str) -> CacheEntry:
    return CacheEntry(key=key, task_name="m.t", cache_version="1", outputs={"o": 1},
                      created_at=1.0, execution_id="e1", node_id="n0")


# -- the generated SQL --------------------------------------------------------------------------

def test_compiled_sql_matches_the_tables() -> None:
    assert compile_sql.TARGET.read_text(encoding="utf-8") == compile_sql.render(), (
        "_compiled.py is stale: run python -m slipstream.metadata.sql.compile_sql")
    assert _compiled.HEAD_REVISION == migrate.HEAD_REVISION


def test_store_created_through_the_driver_matches_the_tables(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from slipstream.metadata.sql.tables import metadata

    open_execution_store(store_url).close()
    engine = create_store_engine(store_url)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    finally:
        engine.dispose()


# -- no SQLAlchemy on the hot path ---------------------------------------------------------------

_HOT_PATH = textwrap.dedent("""
    import sys
    from slipstream.entities import (CacheEntry, ExecutionRecord, NodeExecutionRecord, Status,
                                     WorkflowRecord)
    from slipstream.metadata import open_execution_store

    store = open_execution_store(sys.argv[1])
    store.record(
        workflows=[WorkflowRecord(name="wf", version="v1", spec={}, source_ref="",
                                  created_at=1.0)],
        executions=[ExecutionRecord(id="e1", workflow_name="wf", workflow_version="v1",
                                    status=Status.RUNNING, inputs={}, created_at=1.0)],
        nodes=[NodeExecutionRecord(execution_id="e1", node_id=f"n{i}", name="m.t", kind="task",
                                   status=Status.SUCCEEDED, started_at=float(i))
               for i in range(2)],
        cache_entries=[CacheEntry(key="k1", task_name="m.t", cache_version="1",
                                  outputs={"o": 1}, created_at=1.0, execution_id="e1",
                                  node_id="n0")],
    )
    found = store.get_cache_entries(["k1", "missing"])
    assert list(found) == ["k1"] and found["k1"].outputs == {"o": 1}, found
    loaded = sorted(m for m in ("sqlalchemy", "alembic") if m in sys.modules)
    assert loaded == [], f"the hot path imported {loaded}"
    assert [n.node_id for n in store.list_nodes("e1")] == ["n0", "n1"]
    assert "sqlalchemy" in sys.modules and "alembic" not in sys.modules
    store.close()
    print("ok")
""")


def test_hot_path_does_not_import_sqlalchemy(store_url: str) -> None:
    for _ in range(2):  # a new store, then an existing one at head
        done = subprocess.run([sys.executable, "-c", _HOT_PATH, store_url], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "ok"


_TRACKING_FIRST_CALLS = textwrap.dedent("""
    import sys
    from slipstream.entities import Metric
    from slipstream.metadata import open_tracking_store

    store = open_tracking_store(sys.argv[1], "/tmp/unused-artifacts")
    default = store.get_experiment("0")
    assert (default.name, default.lifecycle_stage) == ("Default", "active"), default
    assert store.get_experiment_by_name("Default") == default
    assert store.get_experiment_by_name("no such experiment") is None
    try:
        store.get_experiment("12345")
    except Exception as exc:
        assert type(exc).__name__ == "NotFoundError", exc
    else:
        raise AssertionError("an unknown experiment was found")
    loaded = sorted(m for m in ("sqlalchemy", "alembic") if m in sys.modules)
    assert loaded == [], f"reading experiments imported {loaded}"
    eid = store.create_experiment("tagged", tags={"team": "growth"})
    assert store.get_experiment_by_name("tagged").tags == {"team": "growth"}
    assert store.get_experiment(eid).experiment_id == eid
    store.close()
    print("ok")
""")


def test_first_calls_of_a_tracking_client_do_not_import_sqlalchemy(store_url: str) -> None:
    """A server answers a client's first calls (set_experiment) without loading SQLAlchemy."""
    done = subprocess.run([sys.executable, "-c", _TRACKING_FIRST_CALLS, store_url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# -- URLs -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "target"), [
    ("sqlite://", StoreTarget("sqlite", None)),
    ("sqlite:///:memory:", StoreTarget("sqlite", None)),
    ("sqlite:///rel/x.db", StoreTarget("sqlite", "rel/x.db")),
    ("sqlite:////abs/my%20x.db", StoreTarget("sqlite", "/abs/my x.db")),
    ("postgres://u@h/db", StoreTarget("postgresql", "postgresql://u@h/db")),
    ("postgresql+psycopg://u:p@h:5/db?options=-csearch_path%3Ds&connect_timeout=3",
     StoreTarget("postgresql", "postgresql://u:p@h:5/db?options=-csearch_path%3Ds"
                 "&connect_timeout=3", frozenset({"options", "connect_timeout"}))),
])
def test_parse_url(url: str, target: StoreTarget) -> None:
    assert parse_url(url) == target


def test_urls_the_driver_layer_refuses() -> None:
    with pytest.raises(InvalidInputError, match="Unsupported"):
        parse_url("mysql://u@h/db")
    with pytest.raises(StoreUnavailableError, match="'psycopg2' is not supported"):
        parse_url("postgresql+psycopg2://u:secret@h/db")
    with pytest.raises(StoreUnavailableError, match="no query parameters"):
        parse_url("sqlite:///x.db?timeout=3")


def test_mask_url() -> None:
    assert mask_url("postgresql://me:s3cret@h:5/db?x=1") == "postgresql://me:***@h:5/db?x=1"
    assert mask_url("postgresql://me@h/db") == "postgresql://me@h/db"
    assert mask_url("sqlite:////tmp/a:b@c.db") == "sqlite:////tmp/a:b@c.db"


# -- connections: forks, threads, dropped sessions ------------------------------------------------

def test_sqlite_pragmas_on_every_driver_connection(tmp_path: Path) -> None:
    store = open_execution_store(f"sqlite:///{tmp_path / 'new' / 's.db'}")
    try:
        db = _db(store)
        with db.connection() as a, db.connection() as b:
            assert a is not b
            for conn in (a, b):
                def pragma(name: str, conn: Any = conn) -> Any:
                    return db.execute(conn, f"PRAGMA {name}")[0][0]
                assert pragma("journal_mode") == "wal"
                assert pragma("synchronous") == 1  # NORMAL
                assert pragma("busy_timeout") == 30000
                assert pragma("foreign_keys") == 1
    finally:
        store.close()


def _driver_connection_in_child(store: Any, queue: Any) -> None:
    with _db(store).connection() as conn:
        queue.put(id(conn))


def test_forked_child_opens_its_own_driver_connections(store_url: str) -> None:
    store = open_execution_store(store_url)
    try:
        with _db(store).connection() as conn:
            parent_connection = id(conn)
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_driver_connection_in_child, args=(store, queue))
        child.start()
        child_connection = queue.get(timeout=60)
        child.join(timeout=30)
        assert child_connection != parent_connection
        with _db(store).connection() as conn:  # the parent keeps its own
            assert id(conn) == parent_connection
    finally:
        store.close()


def test_record_and_cache_lookups_from_concurrent_threads(store_url: str) -> None:
    store = open_execution_store(store_url)
    errors: list[BaseException] = []
    done = threading.Event()

    def recorder() -> None:
        try:
            for b in range(30):
                store.record(executions=[_execution(f"e{b}")], cache_entries=[_cache(f"k{b}")],
                             nodes=[NodeExecutionRecord(execution_id=f"e{b}", node_id="n0",
                                                        name="m.t", kind="task",
                                                        status=Status.SUCCEEDED)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    try:
        thread = threading.Thread(target=recorder)
        thread.start()
        while not done.is_set():
            found = store.get_cache_entries([f"k{b}" for b in range(30)])
            assert all(entry.key == key for key, entry in found.items())
        thread.join()
        assert errors == []
        assert len(store.get_cache_entries([f"k{b}" for b in range(30)])) == 30
    finally:
        store.close()


def test_failed_write_leaves_the_connection_usable(store_url: str) -> None:
    store = open_execution_store(store_url)
    try:
        bad = NodeExecutionRecord(execution_id="nope", node_id="n0", name="m.t", kind="task",
                                  status=Status.SUCCEEDED)
        for _ in range(3):
            with pytest.raises(Exception, match="rolled back"):
                store.record(cache_entries=[_cache("k")], nodes=[bad])
        assert store.get_cache_entries(["k"]) == {}
        store.record(cache_entries=[_cache("k")])
        assert list(store.get_cache_entries(["k"])) == ["k"]
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_session_dropped_while_idle_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    with postgres_schema() as url:
        store = open_execution_store(url)
        try:
            with _db(store).connection() as conn:
                backend = conn.info.backend_pid
            conninfo = parse_url(postgres_url_for_test()).database or ""
            with psycopg.connect(conninfo, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
            monkeypatch.setattr(dbapi, "_PING_AFTER_S", 0.0)
            store.record(cache_entries=[_cache("k")])
            assert list(store.get_cache_entries(["k"])) == ["k"]
        finally:
            store.close()


def test_older_schema_goes_through_alembic(store_url: str) -> None:
    """Tables without a revision are not a new store: alembic gets them (and here fails,
    the tables being there already), reported as one error naming the store."""
    open_execution_store(store_url).close()
    engine = create_store_engine(store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM alembic_version")
    engine.dispose()
    with pytest.raises(StoreUnavailableError, match="Cannot migrate metadata store"):
        open_execution_store(store_url)
