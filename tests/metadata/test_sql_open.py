"""Opening a SQL store: URLs, errors, pragmas, migrations, the fast path, concurrent creation."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from slipstream._core.errors import InvalidInputError, StoreUnavailableError
from slipstream.entities import ExecutionRecord, Status
from slipstream.metadata import open_execution_store
from slipstream.metadata.sql import migrate
from slipstream.metadata.sql.engine import create_store_engine, mask_url, normalise_url
from slipstream.metadata.sql.executions import SqlExecutionStore

from .conftest import postgres_schema


def _engine(store: Any) -> sa.Engine:
    assert isinstance(store, SqlExecutionStore)
    return store._engine


# -- URLs and errors ------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "driver"), [
    ("postgresql://u@h/db", "postgresql+psycopg"),
    ("postgres://u@h/db", "postgresql+psycopg"),
    ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2"),
    ("sqlite:///x.db", "sqlite"),
])
def test_url_normalisation(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


def test_mask_url_hides_password() -> None:
    assert mask_url("postgresql://me:s3cret@h:5/db") == "postgresql://me:***@h:5/db"


def test_unreachable_postgres_is_one_clear_error() -> None:
    with pytest.raises(StoreUnavailableError) as info:
        open_execution_store("postgresql://postgres:s3cret@127.0.0.1:1/test")
    message = str(info.value)
    assert "postgresql://postgres:***@127.0.0.1:1/test" in message
    assert "s3cret" not in message and "Traceback" not in message
    assert "refused" in message.lower() or "connect" in message.lower()
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("path", ["/proc/x.db", "/proc/no/such/folder/x.db"])
def test_unopenable_sqlite_is_one_clear_error(path: str) -> None:
    with pytest.raises(StoreUnavailableError, match=f"sqlite:///{path}") as info:
        open_execution_store(f"sqlite:///{path}")
    assert info.value.__cause__ is None


def test_unsupported_scheme() -> None:
    with pytest.raises(InvalidInputError, match="Unsupported"):
        open_execution_store("mysql://u@h/db")
    with pytest.raises(InvalidInputError, match="Unsupported"):
        create_store_engine("mysql://u@h/db")


@pytest.mark.parametrize(("opener", "what"), [
    ("open_deployment_store", "Deployments"), ("open_study_store", "Tuning studies"),
    ("open_schedule_store", "Launch plans"), ("open_monitor_store", "Drift monitors"),
])
def test_sql_only_stores_refuse_a_server_url(opener: str, what: str) -> None:
    from slipstream.metadata import factory

    with pytest.raises(InvalidInputError, match=f"{what} are kept in a SQL store, not through "
                                                "a server .'http://h:5000'."):
        getattr(factory, opener)("http://h:5000")
    with pytest.raises(InvalidInputError, match="Unsupported metadata store URL 'ftp://x'"):
        getattr(factory, opener)("ftp://x")


def test_sqlite_pragmas_on_every_connection(tmp_path: Path) -> None:
    store = open_execution_store(f"sqlite:///{tmp_path / 'new' / 'dir' / 's.db'}")
    try:
        engine = _engine(store)
        with engine.connect() as a, engine.connect() as b:
            for conn in (a, b):
                pragma = conn.exec_driver_sql
                assert pragma("PRAGMA journal_mode").scalar() == "wal"
                assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
                assert pragma("PRAGMA busy_timeout").scalar() == 30000
                assert pragma("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()


def test_in_memory_sqlite() -> None:
    store = open_execution_store("sqlite://")
    try:
        store.record(executions=[_execution("mem1")])
        assert store.get_execution("mem1").id == "mem1"
    finally:
        store.close()


def test_reopen_keeps_data(store_url: str) -> None:
    first = open_execution_store(store_url)
    first.record(executions=[_execution("keep")])
    first.close()
    second = open_execution_store(store_url)
    try:
        assert second.get_execution("keep").id == "keep"
    finally:
        second.close()


# -- migrations -----------------------------------------------------------------------------

def test_head_revision_matches_versions_folder() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    assert script.get_current_head() == migrate.HEAD_REVISION
    assert migrate.revisions_in_folder()[-1] == migrate.HEAD_REVISION
    assert sorted(r.revision for r in script.walk_revisions()) == migrate.revisions_in_folder()


@pytest.mark.parametrize("path", ["alembic_upgrade", "create_at_head"])
def test_both_schema_paths_match_the_tables(store_url: str, path: str) -> None:
    """A new database is created from the table definitions (no alembic import); an older one
    is upgraded by the migrations. Both must give exactly the head schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from slipstream.metadata.sql.tables import metadata

    engine = create_store_engine(store_url)
    try:
        getattr(migrate, f"_{path}".replace("_alembic_upgrade", "_upgrade"))(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    finally:
        engine.dispose()


def test_newer_schema_is_refused(store_url: str) -> None:
    open_execution_store(store_url).close()
    engine = create_store_engine(store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(StoreUnavailableError, match="'9999', newer than"):
        open_execution_store(store_url)


_PROBE = textwrap.dedent("""
    import sys
    from slipstream.metadata import open_execution_store
    assert "sqlalchemy" not in sys.modules, "import slipstream.metadata loaded SQLAlchemy"
    import slipstream.metadata.sql.executions
    assert "alembic" not in sys.modules, "importing the SQL store loaded alembic"
    open_execution_store(sys.argv[1]).close()
    print("alembic" in sys.modules)
""")


def _probe(url: str) -> bool:
    done = subprocess.run([sys.executable, "-c", _PROBE, url], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip() == "True"


def test_opening_a_store_does_not_import_alembic(store_url: str) -> None:
    assert _probe(store_url) is False  # new store: created at head from the table definitions
    assert _probe(store_url) is False  # at head: one SELECT
    engine = create_store_engine(store_url)
    try:
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    finally:
        engine.dispose()


# -- concurrent creation ----------------------------------------------------------------------

def _open_and_record(url: str, n: int, barrier: Any, results: Any) -> None:
    try:
        barrier.wait(timeout=60)
        store = open_execution_store(url)
        store.record(executions=[_execution(f"proc{n}")])
        store.close()
        results.put((n, "ok"))
    except BaseException as exc:
        results.put((n, f"{type(exc).__name__}: {exc}"))


def _open_concurrently(url: str, processes: int = 4) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    procs = [ctx.Process(target=_open_and_record, args=(url, n, barrier, results))
             for n in range(processes)]
    for p in procs:
        p.start()
    outcomes = dict(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert outcomes == dict.fromkeys(range(processes), "ok")
    store = open_execution_store(url)
    try:
        ids = {e.id for e in store.list_executions()}
        assert ids == {f"proc{n}" for n in range(processes)}
    finally:
        store.close()


@pytest.mark.slow
def test_concurrent_fresh_sqlite(tmp_path: Path) -> None:
    for attempt in range(3):  # a few rounds make a lost race likely to show
        _open_concurrently(f"sqlite:///{tmp_path / str(attempt) / 'fresh.db'}")


@pytest.mark.slow
@pytest.mark.postgres
def test_concurrent_fresh_postgres() -> None:
    with postgres_schema() as url:
        _open_concurrently(url)


def _execution(id: str) -> ExecutionRecord:
    return ExecutionRecord(id=id, workflow_name="wf", workflow_version="v1",
                           status=Status.QUEUED, inputs={}, created_at=1.0)


def _connection_id_in_child(store: Any, queue: Any) -> None:
    with _engine(store).connect() as conn:
        queue.put(id(conn.connection.dbapi_connection))


def test_forked_child_opens_its_own_connections(store_url: str) -> None:
    store = open_execution_store(store_url)
    try:
        with _engine(store).connect() as conn:
            parent_connection = id(conn.connection.dbapi_connection)
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_connection_id_in_child, args=(store, queue))
        child.start()
        child_connection = queue.get(timeout=60)
        child.join(timeout=30)
        assert child_connection != parent_connection
    finally:
        store.close()


def test_record_100_nodes_is_fast_on_sqlite(tmp_path: Path) -> None:
    import time

    from slipstream.entities import Attempt, NodeExecutionRecord

    store = open_execution_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        store.record(executions=[_execution("perf")])
        nodes = [NodeExecutionRecord(
            execution_id="perf", node_id=f"n{i}", name="mod.task", kind="task",
            status=Status.SUCCEEDED, started_at=1.0 + i, ended_at=2.0 + i,
            inputs={"a": i, "b": "x" * 40}, outputs={"o": [1, 2]},
            attempts=(Attempt(1, 1.0, 2.0, Status.SUCCEEDED),), detail={"k": 1},
        ) for i in range(100)]
        timings = []
        for _ in range(30):
            start = time.perf_counter()
            store.record(nodes=nodes)
            timings.append(time.perf_counter() - start)
        timings.sort()
        assert timings[len(timings) // 2] < 0.010, f"median {timings[15] * 1000:.1f} ms"
    finally:
        store.close()
