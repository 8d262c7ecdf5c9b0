"""The study store's per-trial statements, compiled ahead of time (`compile_sql` ->
`_compiled.TRIALS`) and run by `SqlStudyStore` through the driver.

A new trial's number comes from bumping the study's `next_trial` (`UPDATE … RETURNING`): on
PostgreSQL that locks the study row until the statement's transaction ends, and SQLite's writes
hold the database lock from BEGIN IMMEDIATE, so concurrent tuners never get the same number.
State changes are conditional on `state = 'RUNNING'`, so a trial finishes exactly once.

On PostgreSQL a trial's start and its finish are each ONE statement (the number bump and the
insert; the update and the read of its intermediate values: data-modifying CTEs), run alone in
autocommit mode: one round trip each. SQLite, in process, runs two statements in one
transaction (it has no data-modifying CTEs).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from slipstream.metadata.sql import tables  # through tables: the schema keeps its table order

_S = tables.studies.c
_T = tables.trials.c
_I = tables.trial_intermediate_values.c
_RUNNING = sa.literal_column("'RUNNING'")
_EMPTY = sa.literal_column("''")
_ONE = sa.literal_column("1")


def trial_statements(dialect: str) -> dict[str, Any]:
    """By name: PostgreSQL's `start` and `finish` (one statement each), SQLite's
    `next_number` + `insert` and `finish` + `values`; both dialects' `restart` +
    `clear_values` (re-start a RUNNING trial, clearing its values) and `report` (upsert one
    intermediate value while RUNNING; PostgreSQL locks the trial row)."""
    trial = (_T.study_id == sa.bindparam("study_id"), _T.number == sa.bindparam("number"))
    values = (_I.study_id == sa.bindparam("study_id"), _I.number == sa.bindparam("number"))
    finish = tables.trials.update().where(*trial, _T.state == _RUNNING).values(
        state=sa.bindparam("state"), ended_at=sa.bindparam("ended_at"),
        value=sa.bindparam("value"), metrics=sa.bindparam("metrics"),
        error=sa.bindparam("error"),
        node_id=sa.func.coalesce(sa.bindparam("node_id", type_=sa.Text), _T.node_id),
        run_id=sa.func.coalesce(sa.bindparam("run_id", type_=sa.String), _T.run_id),
    ).returning(_T.params, _T.started_at, _T.node_id, _T.run_id)
    statements: dict[str, Any] = {
        "restart": tables.trials.update().where(*trial, _T.state == _RUNNING).values(
            started_at=sa.bindparam("started_at"),
            node_id=sa.func.coalesce(sa.func.nullif(sa.bindparam("node_id"), _EMPTY),
                                     _T.node_id),
            run_id=sa.func.coalesce(sa.func.nullif(sa.bindparam("run_id"), _EMPTY),
                                    _T.run_id),
        ).returning(_T.params, _T.node_id, _T.run_id),
        "clear_values": tables.trial_intermediate_values.delete().where(*values),
        "report": _report(dialect, trial),
    }
    if dialect == "postgresql":
        statements["start"] = _start_in_one()
        done = finish.cte("done")
        steps = sa.select(sa.func.array_agg(postgresql.aggregate_order_by(_I.step, _I.step)))
        points = sa.select(sa.func.array_agg(postgresql.aggregate_order_by(_I.value,
                                                                           _I.step)))
        statements["finish"] = sa.select(
            done.c.params, done.c.started_at, done.c.node_id, done.c.run_id,
            steps.where(*values).scalar_subquery(), points.where(*values).scalar_subquery())
    else:
        statements["next_number"] = (tables.studies.update()
                                     .where(_S.study_id == sa.bindparam("study_id"))
                                     .values(next_trial=_S.next_trial + _ONE)
                                     .returning(_S.next_trial))
        statements["insert"] = tables.trials.insert()
        statements["finish"] = finish
        statements["values"] = sa.select(_I.step, _I.value).where(*values).order_by(_I.step)
    return statements


def _start_in_one() -> sa.Insert:
    """Take the next number and insert the RUNNING trial under it, returning the number."""
    taken = (tables.studies.update().where(_S.study_id == sa.bindparam("study_id"))
             .values(next_trial=_S.next_trial + _ONE)
             .returning((_S.next_trial - _ONE).label("number")).cte("taken"))
    row = sa.select(sa.bindparam("study_id", type_=sa.String), taken.c.number, _RUNNING,
                    sa.bindparam("params", type_=sa.Text), sa.null(),
                    sa.literal_column("'{}'"), sa.bindparam("node_id", type_=sa.Text),
                    sa.bindparam("run_id", type_=sa.String), _EMPTY,
                    sa.bindparam("started_at", type_=sa.Double), sa.null())
    columns = ["study_id", "number", "state", "params", "value", "metrics", "node_id",
               "run_id", "error", "started_at", "ended_at"]
    return tables.trials.insert().from_select(columns, row).returning(_T.number)


def _report(dialect: str, trial: tuple[Any, ...]) -> sa.Insert:
    source = (sa.select(_T.study_id, _T.number, sa.bindparam("step", type_=sa.BigInteger),
                        sa.bindparam("value", type_=sa.Double))
              .where(*trial, _T.state == _RUNNING))
    if dialect == "postgresql":
        source = source.with_for_update()
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(tables.trial_intermediate_values).from_select(
        ["study_id", "number", "step", "value"], source)
    return stmt.on_conflict_do_update(index_elements=["study_id", "number", "step"],
                                      set_={"value": stmt.excluded.value}).returning(_I.step)
