"""`slipstream db upgrade` of a store made by the first migration (0001), with rows written
through that schema's SQL, keeps every row: read back through the current store API."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from slipstream.entities import Attempt, ErrorInfo, Status
from slipstream.metadata import open_execution_store, open_tracking_store
from slipstream.metadata.sql import migrate
from slipstream.metadata.sql.engine import create_store_engine
from tests.cli.helpers import slipstream

ATTEMPTS = [{"number": 1, "started_at": 11.0, "ended_at": 11.5, "status": "FAILED",
             "worker": "host:1", "error": {"kind": "user", "type": "ValueError",
                                           "message": "bad", "traceback": "tb"}},
            {"number": 2, "started_at": 12.0, "ended_at": 12.5, "status": "SUCCEEDED",
             "worker": "host:1", "error": None}]
ROWS = {
    "workflows": [{"name": "wf", "version": "v1", "spec": json.dumps({"nodes": []}),
                   "source_ref": "flows.py:wf", "created_at": 1.0}],
    "executions": [
        {"id": "e1", "workflow_name": "wf", "workflow_version": "v1", "status": "SUCCEEDED",
         "inputs": json.dumps({"x": 3}), "outputs": json.dumps({"o0": 30}), "error": None,
         "created_at": 10.0, "started_at": 10.5, "ended_at": 13.0, "recovered_from": None,
         "executor": "process", "host": "old-host", "pid": 42, "source_ref": "flows.py:wf"},
        {"id": "e2", "workflow_name": "wf", "workflow_version": "v1", "status": "FAILED",
         "inputs": json.dumps({"x": 4}), "outputs": None,
         "error": json.dumps({"kind": "user", "type": "RuntimeError", "message": "boom",
                              "traceback": ""}),
         "created_at": 20.0, "started_at": 20.5, "ended_at": 21.0, "recovered_from": "e1",
         "executor": "inline", "host": "old-host", "pid": 43, "source_ref": "flows.py:wf"}],
    "node_executions": [
        {"execution_id": "e1", "node_id": "n0", "name": "double", "kind": "task",
         "status": "SUCCEEDED", "parent_id": None, "task_version": "t1", "started_at": 11.0,
         "ended_at": 12.5, "inputs": json.dumps({"x": 3}), "outputs": json.dumps({"o0": 30}),
         "error": None, "attempts": json.dumps(ATTEMPTS), "cache_status": "miss",
         "cache_key": "k1", "detail": json.dumps({"note": "kept"})},
        {"execution_id": "e1", "node_id": "n1[0]", "name": "square", "kind": "map_item",
         "status": "SUCCEEDED", "parent_id": "n1", "task_version": "t2", "started_at": None,
         "ended_at": None, "inputs": None, "outputs": None, "error": None, "attempts": "[]",
         "cache_status": "off", "cache_key": None, "detail": "{}"}],
    "cache_entries": [{"key": "k1", "task_name": "mod.double", "cache_version": "1",
                       "outputs": json.dumps({"o0": 30}), "created_at": 12.5,
                       "execution_id": "e1", "node_id": "n0"}],
}


def _store_at_0001(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    engine = create_store_engine(url)
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")
            for table, rows in ROWS.items():
                columns = list(rows[0])
                statement = sa.text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                                    f"({', '.join(':' + c for c in columns)})")
                conn.execute(statement, rows)
        assert migrate.current_revision(engine) == "0001"
    finally:
        engine.dispose()


def test_db_upgrade_from_0001_keeps_all_data(store_url: str, tmp_path: Path) -> None:
    _store_at_0001(store_url)
    home = tmp_path / "home"
    home.mkdir()
    upgraded = slipstream("--store", store_url, "db", "upgrade", home=home)
    assert upgraded.code == 0, upgraded.err
    assert f"from revision 0001 to {migrate.HEAD_REVISION}" in upgraded.out
    again = slipstream("--store", store_url, "db", "upgrade", home=home)
    assert again.code == 0 and "nothing to do" in again.out

    store = open_execution_store(store_url)
    try:
        workflow = store.get_workflow("wf", "v1")
        assert (workflow.spec, workflow.source_ref, workflow.created_at) == (
            {"nodes": []}, "flows.py:wf", 1.0)
        e1, e2 = store.get_execution("e1"), store.get_execution("e2")
        assert (e1.status, e1.inputs, e1.outputs, e1.executor, e1.host, e1.pid) == (
            Status.SUCCEEDED, {"x": 3}, {"o0": 30}, "process", "old-host", 42)
        assert (e1.created_at, e1.started_at, e1.ended_at) == (10.0, 10.5, 13.0)
        assert e2.error == ErrorInfo("user", "RuntimeError", "boom")
        assert e2.recovered_from == "e1" and e2.outputs is None
        assert [e.id for e in store.list_executions()] == ["e2", "e1"]
        n0, item = store.list_nodes("e1")
        assert (n0.node_id, n0.status, n0.inputs, n0.outputs, n0.cache_key, n0.detail) == (
            "n0", Status.SUCCEEDED, {"x": 3}, {"o0": 30}, "k1", {"note": "kept"})
        assert n0.attempts == tuple(Attempt.from_json(a) for a in ATTEMPTS)
        assert n0.attempts[0].error == ErrorInfo("user", "ValueError", "bad", "tb")
        assert (item.node_id, item.kind, item.parent_id, item.attempts) == (
            "n1[0]", "map_item", "n1", ())
        entry = store.get_cache_entry("k1")
        assert entry is not None
        assert (entry.task_name, entry.outputs, entry.execution_id, entry.node_id) == (
            "mod.double", {"o0": 30}, "e1", "n0")
    finally:
        store.close()
    tracking = open_tracking_store(store_url, str(tmp_path / "artifacts"))
    try:  # the tables later migrations added work on the upgraded store
        run = tracking.create_run("0", "me", 1, "r", execution_id="e1")
        assert [r.info.run_id for r in tracking.list_runs_for_execution("e1")] == [
            run.info.run_id]
    finally:
        tracking.close()
    checked = slipstream("--store", store_url, "db", "check", home=home)
    assert checked.code == 1  # map item n1[0]'s parent n1 was never written: found, not lost
    assert "dangling-reference: e1 node n1[0]: parent node n1 is not recorded" in checked.out
