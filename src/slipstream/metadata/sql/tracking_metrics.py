"""The tracking hot path, `log_batch`, through the driver with SQL compiled ahead of time
(`_compiled.LOG_BATCH`), plus metric history (SQLAlchemy Core).

One transaction: check the run is active, insert metric points (an identical point is kept
once), fold each key's newest point into `latest_metrics` (keys in sorted order, so concurrent
writers on PostgreSQL lock rows in one order and cannot deadlock), insert params and then
compare what is stored with what was given (a different first value rolls everything back),
upsert tags and mirror mlflow.runName / mlflow.parentRunId into the run's columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import PARENT_RUN_TAG, RUN_NAME_TAG, Metric, Param, RunTag
from slipstream.metadata.sql import _compiled
from slipstream.metadata.sql.dbapi import Database
from slipstream.metadata.validation import stored_value

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def log_batch(db: Database, conn: Any, run_id: str, metrics: Sequence[Metric],
              params: Sequence[Param], tags: Sequence[RunTag]) -> None:
    """Write one validated batch on `conn` (the caller holds the transaction)."""
    sql = _compiled.LOG_BATCH[db.dialect]
    rows = db.execute(conn, sql["run"][0], (run_id,))
    if not rows:
        raise NotFoundError(f"Run with id={run_id} not found")
    if rows[0][0] != "active":
        raise InvalidInputError(f"The run {run_id} must be in the 'active' state. Current state "
                                f"is {rows[0][0]}.")
    if metrics:
        points = []
        latest: dict[str, tuple[int, int, float, bool]] = {}
        for m in metrics:
            value, is_nan = stored_value(m.value)
            points.append((run_id, m.key, int(m.step), int(m.timestamp), value, is_nan))
            rank = (int(m.step), int(m.timestamp), value)
            old = latest.get(m.key)
            if old is None or rank > old[:3]:
                latest[m.key] = (*rank, is_nan)
        db.executemany(conn, sql["metric"][0], points)
        db.executemany(conn, sql["latest"][0], [
            (run_id, key, value, is_nan, stamp, step)
            for key, (step, stamp, value, is_nan) in sorted(latest.items())])
        linked = [m for m in metrics if m.model_id]
        if linked:
            _link_to_models(db, conn, sql, run_id, linked)
    if params:
        db.executemany(conn, sql["param"][0], [(run_id, p.key, p.value) for p in params])
        stored = dict(db.execute(conn, sql["param_values"][0], (run_id,)))
        for p in params:
            if stored.get(p.key) != p.value:
                raise InvalidInputError(
                    f"Changing param values is not allowed. Param with key={p.key!r} was "
                    f"already logged with value={stored.get(p.key)!r:.300} for run "
                    f"ID={run_id!r}. Attempted logging new value {p.value!r:.300}.")
    if tags:
        db.executemany(conn, sql["tag"][0], [(run_id, t.key, t.value) for t in tags])
        final = {t.key: t.value for t in tags}
        if RUN_NAME_TAG in final:
            db.execute(conn, sql["run_name"][0], (final[RUN_NAME_TAG], run_id))
        if PARENT_RUN_TAG in final:
            db.execute(conn, sql["run_parent"][0], (final[PARENT_RUN_TAG], run_id))


def _link_to_models(db: Database, conn: Any, sql: dict[str, tuple[str, tuple[str, ...]]],
                    run_id: str, metrics: Sequence[Metric]) -> None:
    """Also record points logged with a model_id under that logged model (which must exist)."""
    for model_id in sorted({m.model_id for m in metrics if m.model_id}):
        if not db.execute(conn, sql["model"][0], (model_id,)):
            raise NotFoundError(f"Logged model with ID '{model_id}' not found.")
    statement, names = sql["model_metric"]
    rows = []
    for m in metrics:
        value, is_nan = stored_value(m.value)
        row = {"model_id": m.model_id, "key": m.key, "step": int(m.step),
               "timestamp": int(m.timestamp), "run_id": run_id, "value": value,
               "is_nan": is_nan, "dataset_name": m.dataset_name,
               "dataset_digest": m.dataset_digest}
        rows.append(tuple(row[n] for n in names))
    db.executemany(conn, statement, rows)


def metric_history(conn: Connection, run_id: str, key: str, offset: int,
                   limit: int | None) -> list[Metric]:
    """Points of one metric by step, timestamp, value; `limit` None: all from `offset`."""
    import sqlalchemy as sa

    from slipstream.metadata.sql.tables import metrics as m

    query = (sa.select(m.c.key, m.c.value, m.c.is_nan, m.c.timestamp, m.c.step)
             .where(m.c.run_id == run_id, m.c.key == key)
             .order_by(m.c.step, m.c.timestamp, m.c.value).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return [metric_from_row(*row) for row in conn.execute(query)]


def metric_from_row(key: str, value: float, is_nan: bool, timestamp: int, step: int) -> Metric:
    """A stored point back as a Metric (NaN restored)."""
    return Metric(key, float("nan") if is_nan else float(value), int(timestamp), int(step))
