"""Migration 0009 on SQLite and PostgreSQL: a store at 0008 upgrades keeping its data, and a
downgrade to 0008 drops only the monitor tables."""

from __future__ import annotations

import sqlalchemy as sa

from slipstream.entities.monitoring import Monitor
from slipstream.metadata.factory import open_monitor_store
from slipstream.metadata.sql import migrate
from slipstream.metadata.sql.engine import create_store_engine
from tests.metadata.alembic_steps import alembic_step as _alembic

MONITOR_TABLES = {"monitors", "drift_reports", "monitor_firings"}


def test_a_store_at_0008_upgrades_keeping_data(store_url: str) -> None:
    _alembic(store_url, "upgrade", "0008",
             "INSERT INTO deployments (name, description, created_by, status, revision, "
             "creation_timestamp, last_updated_timestamp) VALUES ('kept', '', '', 'LIVE', 1, "
             "1, 1)")
    store = open_monitor_store(store_url)
    try:
        store.create_monitor(Monitor("m", "deployment", "kept"))
        assert [m.name for m in store.list_monitors()] == ["m"]
    finally:
        store.close()  # type: ignore[attr-defined]
    engine = create_store_engine(store_url)
    try:
        assert migrate.current_revision(engine) == "0009" == migrate.HEAD_REVISION
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT name FROM deployments").scalar() == "kept"
    finally:
        engine.dispose()


def test_downgrade_to_0008_drops_only_the_monitor_tables(store_url: str) -> None:
    store = open_monitor_store(store_url)
    store.create_monitor(Monitor("m", "deployment", "d"))
    store.close()  # type: ignore[attr-defined]
    _alembic(store_url, "downgrade", "0008")
    engine = create_store_engine(store_url)
    try:
        names = set(sa.inspect(engine).get_table_names())
        assert not names & MONITOR_TABLES
        assert {"launch_plans", "deployments", "runs", "executions"} <= names
    finally:
        engine.dispose()
    _alembic(store_url, "upgrade", "head")
    store = open_monitor_store(store_url)
    try:
        assert store.list_monitors() == []
    finally:
        store.close()  # type: ignore[attr-defined]
