"""`SqlTrackingStore`: the tracking store on SQLite or PostgreSQL (same database and schema as
the execution store, so runs join node executions).

The hot path (`log_batch`, creating and ending a run, and `end_run`: a last batch and the end
in one transaction) runs SQL compiled ahead of time through the driver, one `BEGIN IMMEDIATE`
transaction per call (`tracking_metrics`, `tracking_lifecycle`); everything else is SQLAlchemy
Core, one transaction per call (`tracking_experiments`, `tracking_runs`, `run_search`). On SQLite every
write takes the write lock up front (`BEGIN IMMEDIATE`, waited for by busy_timeout), and as a
last resort a write that still reports "database is locked" is retried with backoff, so many
processes can log into one file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import (
    DEFAULT_EXPERIMENT_ID,
    DEFAULT_EXPERIMENT_NAME,
    DatasetInput,
    Experiment,
    LifecycleStage,
    Metric,
    Param,
    Run,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
)
from slipstream.metadata.sql import _compiled
from slipstream.metadata.sql import tracking_lifecycle as lifecycle
from slipstream.metadata.sql.dbapi import Database
from slipstream.metadata.sql.logged_model_store import SqlLoggedModels
from slipstream.metadata.sql.registry_store import SqlModelRegistry
from slipstream.metadata.sql.rows import numeric_id
from slipstream.metadata.sql.store import SqlStoreBase, retry_locked
from slipstream.metadata.sql.tracking_metrics import log_batch as _log_batch
from slipstream.metadata.tracking import SEARCH_MAX_RESULTS_THRESHOLD, TrackingStore
from slipstream.metadata.validation import (
    check_batch,
    check_dataset_input,
    check_experiment_name,
    check_run_id,
    enum_value,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

T = TypeVar("T")
_DEFAULT_EXISTS = f"SELECT 1 FROM experiments WHERE experiment_id = {int(DEFAULT_EXPERIMENT_ID)}"


class SqlTrackingStore(SqlStoreBase, SqlLoggedModels, SqlModelRegistry, TrackingStore):
    """Tracking store (and model registry) on a store URL; runs' and logged models' artifacts
    go under `artifact_root`."""

    def __init__(self, url: str, artifact_root: str) -> None:
        super().__init__(url)
        self.artifact_root = artifact_root.rstrip("/")
        try:
            self._ensure_default_experiment()
        except BaseException:
            self.close()
            raise

    # -- experiments ------------------------------------------------------------------------

    def create_experiment(self, name: str, artifact_location: str | None = None,
                          tags: Mapping[str, str] | None = None) -> str:
        from slipstream.metadata.sql import tracking_experiments as exps

        check_experiment_name(name)
        return self._write(lambda c: exps.create(c, name, artifact_location, dict(tags or {}),
                                                 self.artifact_root, _now()))

    def get_experiment(self, experiment_id: str) -> Experiment:
        found = self._read_experiment("experiment_by_id", numeric_id(experiment_id))
        if found is None:
            raise NotFoundError(f"No Experiment with id={experiment_id} exists")
        return found

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        return self._read_experiment("experiment_by_name", name)

    def search_experiments(self, view_type: ViewType = ViewType.ACTIVE_ONLY,
                           max_results: int = 1000, page_token: str | None = None, *,
                           filter_string: str = "", order_by: Sequence[str] = (),
                           ) -> tuple[list[Experiment], str | None]:
        from slipstream.metadata.sql import tracking_experiments as exps

        _check_max_results(max_results)
        with self._connect() as conn:
            return exps.search(conn, ViewType(view_type), max_results, page_token,
                               filter_string, tuple(order_by))

    def update_experiment(self, experiment_id: str, *, name: str | None = None,
                          lifecycle_stage: str | None = None) -> None:
        from slipstream.metadata.sql import tracking_experiments as exps

        if name is not None:
            check_experiment_name(name)
        self._write(lambda c: exps.update(c, experiment_id, name, lifecycle_stage, _now()))

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        from slipstream.metadata.sql import tracking_experiments as exps

        def write(conn: Connection) -> None:
            exps.require_active(conn, experiment_id)
            exps.set_tag(conn, experiment_id, key, value)

        self._write(write)

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        from slipstream.metadata.sql import tracking_experiments as exps

        def write(conn: Connection) -> None:
            exps.require_active(conn, experiment_id)
            exps.delete_tag(conn, experiment_id, key)

        self._write(write)

    # -- runs -------------------------------------------------------------------------------

    def create_run(self, experiment_id: str, user_id: str, start_time: int | None,
                   run_name: str | None, tags: Mapping[str, str] | None = None, *,
                   parent_run_id: str | None = None, execution_id: str | None = None,
                   node_id: str | None = None) -> Run:
        return self._write_driver(lambda db, conn: lifecycle.create(
            db, conn, experiment_id, user_id, start_time, run_name, dict(tags or {}),
            parent_run_id, execution_id, node_id, self.artifact_root))

    def update_run_info(self, run_id: str, status: RunStatus | str, end_time: int | None,
                        run_name: str | None = None) -> RunInfo:
        value = enum_value(RunStatus, status, "run status")
        if run_name:
            from slipstream.metadata.sql import tracking_runs as runs

            return self._write(lambda c: runs.update_info(c, run_id, value, end_time,
                                                          run_name))
        return self._write_driver(lambda db, conn: lifecycle.end(db, conn, run_id, value,
                                                                 end_time))

    def end_run(self, run_id: str, status: RunStatus | str, end_time: int | None,
                metrics: Sequence[Metric] = (), params: Sequence[Param] = (),
                tags: Sequence[RunTag] = ()) -> RunInfo:
        """`log_batch` and `update_run_info` in one transaction (all or nothing)."""
        check_run_id(run_id)
        check_batch(metrics, params, tags)
        value = enum_value(RunStatus, status, "run status")
        return self._write_driver(lambda db, conn: lifecycle.finish(
            db, conn, run_id, value, end_time, metrics, params, tags))

    def get_run(self, run_id: str) -> Run:
        from slipstream.metadata.sql import tracking_runs as runs

        with self._connect() as conn:
            found = runs.load(conn, [run_id])
        if not found:
            from slipstream._core.errors import NotFoundError

            raise NotFoundError(f"Run with id={run_id} not found")
        return found[0]

    def set_run_lifecycle(self, run_id: str, stage: str) -> None:
        from slipstream.metadata.sql import tracking_runs as runs

        self._write(lambda c: runs.set_stage(c, run_id, stage))

    def log_batch(self, run_id: str, metrics: Sequence[Metric] = (),
                  params: Sequence[Param] = (), tags: Sequence[RunTag] = ()) -> None:
        check_run_id(run_id)
        check_batch(metrics, params, tags)
        if not (metrics or params or tags):
            self.get_run(run_id)  # still: unknown ids are errors
            return
        self._write_driver(lambda db, conn: _log_batch(db, conn, run_id, metrics, params,
                                                       tags))

    def delete_tag(self, run_id: str, key: str) -> None:
        from slipstream.metadata.sql import tracking_runs as runs

        self._write(lambda c: runs.delete_tag(c, run_id, key))

    def log_inputs(self, run_id: str, datasets: Sequence[DatasetInput]) -> None:
        from slipstream.metadata.sql import tracking_runs as runs

        for item in datasets:
            check_dataset_input(item)
        self._write(lambda c: runs.log_inputs(c, run_id, datasets))

    def get_metric_history(self, run_id: str, key: str, max_results: int | None = None,
                           page_token: str | None = None) -> tuple[list[Metric], str | None]:
        from slipstream.metadata.sql import tracking_experiments as exps
        from slipstream.metadata.sql import tracking_runs as runs
        from slipstream.metadata.sql.tracking_metrics import metric_history

        if max_results is not None:
            _check_max_results(max_results, limit=None)
        offset = exps.decode_token(page_token)
        with self._connect() as conn:
            runs.stage_of(conn, run_id)
            limit = None if max_results is None else max_results + 1
            points = metric_history(conn, run_id, key, offset, limit)
        if max_results is not None and len(points) > max_results:
            return points[:max_results], exps.encode_token(offset + max_results)
        return points, None

    def search_runs(self, experiment_ids: Sequence[str], filter_string: str = "",
                    run_view_type: ViewType = ViewType.ACTIVE_ONLY, max_results: int = 1000,
                    order_by: Sequence[str] = (),
                    page_token: str | None = None) -> tuple[list[Run], str | None]:
        import sqlalchemy as sa

        from slipstream.metadata.sql import run_search, tables
        from slipstream.metadata.sql import tracking_experiments as exps
        from slipstream.metadata.sql import tracking_runs as runs

        _check_max_results(max_results)
        offset = exps.decode_token(page_token)
        ids = [numeric_id(e) for e in experiment_ids]
        r = tables.runs.c
        query = (sa.select(r.run_id)
                 .where(r.experiment_id.in_(ids),
                        r.lifecycle_stage.in_(ViewType(run_view_type).stages()),
                        *run_search.compile_filter(filter_string))
                 .order_by(*run_search.compile_order(tuple(order_by)))
                 .limit(max_results + 1).offset(offset))
        with self._connect() as conn:
            found = list(conn.execute(query).scalars())
            page = runs.load(conn, found[:max_results])
        following = exps.encode_token(offset + max_results) if len(found) > max_results \
            else None
        return page, following

    def list_runs_for_executions(self, execution_ids: Sequence[str]) -> list[Run]:
        from slipstream.metadata.sql import tracking_runs as runs

        if not execution_ids:
            return []
        with self._connect() as conn:
            return runs.load(conn, runs.ids_for_executions(conn, execution_ids))

    # -- helpers ----------------------------------------------------------------------------

    def _write_driver(self, work: Callable[[Database, Any], T]) -> T:
        """`work(db, conn)` in one driver transaction (SQLite: BEGIN IMMEDIATE), retried if
        still locked."""
        db = self._db

        def write() -> T:
            with self._translate_errors("write to", db.driver.unavailable_errors,
                                        db.driver.errors), \
                    db.connection() as conn, db.transaction(conn):
                return work(db, conn)

        return retry_locked(write)

    def _read_experiment(self, statement: str, key: int | str) -> Experiment | None:
        """One experiment by id or name through the driver: a client's first calls
        (set_experiment) answer without importing SQLAlchemy."""
        db = self._db
        sql = _compiled.LOG_BATCH[db.dialect]
        with self._translate_errors("read from", db.driver.unavailable_errors,
                                    db.driver.errors), db.connection() as conn:
            rows = db.execute(conn, sql[statement][0], (key,))
            if not rows:
                return None
            number, *fields = rows[0]
            tags = dict(db.execute(conn, sql["experiment_tags"][0], (number,)))
        return Experiment(str(number), *fields, tags=tags)

    def _ensure_default_experiment(self) -> None:
        """Experiment "0", "Default", as in every MLflow store (through the driver: opening a
        store to log to it does not import SQLAlchemy)."""
        db = self._db
        sql, names = _compiled.LOG_BATCH[db.dialect]["default_experiment"]
        now = _now()
        values = {"experiment_id": int(DEFAULT_EXPERIMENT_ID), "name": DEFAULT_EXPERIMENT_NAME,
                  "artifact_location": f"{self.artifact_root}/{DEFAULT_EXPERIMENT_ID}",
                  "lifecycle_stage": LifecycleStage.ACTIVE.value, "creation_time": now,
                  "last_update_time": now}

        def write() -> None:
            with self._translate_errors("write to", db.driver.unavailable_errors,
                                        db.driver.errors), db.connection() as conn:
                if db.execute(conn, _DEFAULT_EXISTS):
                    return  # the usual case: no write lock taken
                with db.transaction(conn):
                    db.execute(conn, sql, tuple(values[n] for n in names))

        retry_locked(write)


def _now() -> int:
    return int(time.time() * 1000)



def _check_max_results(max_results: int, limit: int | None = SEARCH_MAX_RESULTS_THRESHOLD) -> None:
    if not isinstance(max_results, int) or max_results < 1 or (
            limit is not None and max_results > limit):
        raise InvalidInputError(
            f"Invalid value {max_results!r} for parameter 'max_results': it must be a positive "
            f"integer{'' if limit is None else f' at most {limit}'}.")
