"""Runs in SQL (SQLAlchemy Core on a connection the store opened and commits): renaming,
deleting, loading many at once with their params, tags, latest metrics and inputs; and the
statements of a run's start and end, which the store runs through the driver
(`tracking_lifecycle`)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import (
    PARENT_RUN_TAG,
    RUN_NAME_TAG,
    Dataset,
    DatasetInput,
    LifecycleStage,
    Metric,
    Run,
    RunData,
    RunInfo,
)
from slipstream.metadata.sql import tables
from slipstream.metadata.sql.run_search import DATASET_CONTEXT_TAG
from slipstream.metadata.sql.tracking_experiments import (
    insert_dialect,
)
from slipstream.metadata.sql.tracking_metrics import metric_from_row

_R = tables.runs.c
_SELECT_RUN = sa.select(tables.runs).where(_R.run_id == sa.bindparam("rid"))
_CHUNK = 500
#: A run's info columns, in `RunInfo`'s field order.
INFO_COLUMNS = ("run_id", "experiment_id", "name", "user_id", "status", "start_time",
                "end_time", "artifact_uri", "lifecycle_stage", "parent_run_id", "execution_id",
                "node_id")


def load_info(conn: Connection, run_id: str) -> RunInfo | None:
    """A run's info alone (one query; `load` also reads params, tags, metrics, inputs)."""
    r = conn.execute(_SELECT_RUN, {"rid": run_id}).first()
    if r is None:
        return None
    return RunInfo(r.run_id, str(r.experiment_id), r.name, r.user_id, r.status, r.start_time,
                   r.end_time, r.artifact_uri, r.lifecycle_stage, r.parent_run_id,
                   r.execution_id, r.node_id)


def stage_of(conn: Connection, run_id: str) -> str:
    stage = conn.execute(sa.select(_R.lifecycle_stage).where(_R.run_id == run_id)).scalar()
    if stage is None:
        raise NotFoundError(f"Run with id={run_id} not found")
    return str(stage)


def require_active_run(conn: Connection, run_id: str) -> None:
    stage = stage_of(conn, run_id)
    if stage != LifecycleStage.ACTIVE.value:
        raise InvalidInputError(f"The run {run_id} must be in the 'active' state. Current "
                                f"state is {stage}.")


def update_info(conn: Connection, run_id: str, status: str, end_time: int | None,
                run_name: str) -> RunInfo:
    """Set an active run's status, end time and name (mirrored in tag mlflow.runName); its
    info as it now is. (Without a new name the store ends a run through the driver:
    `tracking_lifecycle.end`.)"""
    info = load_info(conn, run_id)
    if info is None:
        raise NotFoundError(f"Run with id={run_id} not found")
    if info.lifecycle_stage != LifecycleStage.ACTIVE.value:
        raise InvalidInputError(f"The run {run_id} must be in the 'active' state. Current "
                                f"state is {info.lifecycle_stage}.")
    insert = insert_dialect(conn)
    stmt = insert(tables.tags).values(run_id=run_id, key=RUN_NAME_TAG, value=run_name)
    conn.execute(stmt.on_conflict_do_update(index_elements=["run_id", "key"],
                                            set_={"value": stmt.excluded.value}))
    conn.execute(tables.runs.update().where(_R.run_id == run_id).values(
        status=status, end_time=end_time, name=run_name))
    return dataclasses.replace(info, status=status, end_time=end_time, run_name=run_name)


def set_stage(conn: Connection, run_id: str, stage: str) -> None:
    stage_of(conn, run_id)
    conn.execute(tables.runs.update().where(_R.run_id == run_id)
                 .values(lifecycle_stage=LifecycleStage(stage).value))


def delete_tag(conn: Connection, run_id: str, key: str) -> None:
    require_active_run(conn, run_id)
    t = tables.tags.c
    deleted = conn.execute(tables.tags.delete().where(t.run_id == run_id, t.key == key))
    if deleted.rowcount == 0:
        raise NotFoundError(f"No tag with name: {key} in run with id {run_id}")
    if key == PARENT_RUN_TAG:
        conn.execute(tables.runs.update().where(_R.run_id == run_id).values(parent_run_id=None))


def log_inputs(conn: Connection, run_id: str, datasets: Sequence[DatasetInput]) -> None:
    require_active_run(conn, run_id)
    experiment_id = conn.execute(sa.select(_R.experiment_id).where(_R.run_id == run_id)).scalar()
    insert = insert_dialect(conn)
    for item in datasets:
        d = item.dataset
        conn.execute(insert(tables.datasets).values(
            experiment_id=experiment_id, name=d.name, digest=d.digest,
            source_type=d.source_type, source=d.source, schema=d.schema, profile=d.profile,
        ).on_conflict_do_nothing())
        conn.execute(insert(tables.inputs).values(
            run_id=run_id, name=d.name, digest=d.digest,
            tags=json.dumps(dict(item.tags), sort_keys=True),
            context=item.tags.get(DATASET_CONTEXT_TAG),
        ).on_conflict_do_nothing())


def load(conn: Connection, run_ids: Sequence[str]) -> list[Run]:
    """The runs with these ids that exist, in the order given."""
    found: dict[str, Run] = {}
    for start in range(0, len(run_ids), _CHUNK):
        found.update(_load_chunk(conn, list(run_ids[start:start + _CHUNK])))
    return [found[r] for r in run_ids if r in found]


def ids_for_executions(conn: Connection, execution_ids: Sequence[str]) -> list[str]:
    query = (sa.select(_R.run_id).where(_R.execution_id.in_(list(execution_ids)))
             .order_by(_R.start_time, _R.run_id))
    return list(conn.execute(query).scalars())


def _load_chunk(conn: Connection, ids: list[str]) -> dict[str, Run]:
    # Results are fetched whole (`.all()`): iterating a result fetches row by row through
    # SQLAlchemy, which took half the time of a search.
    params: dict[str, dict[str, str]] = {}
    tags: dict[str, dict[str, str]] = {}
    for table, into in ((tables.params, params), (tables.tags, tags)):
        c = table.c
        for run_id, key, value in conn.execute(
                sa.select(c.run_id, c.key, c.value).where(c.run_id.in_(ids))).all():
            into.setdefault(run_id, {})[key] = value
    metrics: dict[str, list[Metric]] = {}
    lm = tables.latest_metrics.c
    for run_id, *point in conn.execute(
            sa.select(lm.run_id, lm.key, lm.value, lm.is_nan, lm.timestamp, lm.step)
            .where(lm.run_id.in_(ids)).order_by(lm.key)).all():
        metrics.setdefault(run_id, []).append(metric_from_row(*point))
    inputs: dict[str, list[DatasetInput]] = {}
    i, d = tables.inputs.c, tables.datasets.c
    joined = tables.inputs.join(tables.runs, i.run_id == _R.run_id).join(
        tables.datasets, sa.and_(d.experiment_id == _R.experiment_id, d.name == i.name,
                                 d.digest == i.digest))
    for row in conn.execute(sa.select(i.run_id, i.tags, d.name, d.digest, d.source_type,
                                      d.source, d.schema, d.profile).select_from(joined)
                            .where(i.run_id.in_(ids)).order_by(d.name, d.digest)).all():
        dataset = Dataset(row.name, row.digest, row.source_type, row.source, row.schema,
                          row.profile)
        inputs.setdefault(row.run_id, []).append(DatasetInput(dataset, json.loads(row.tags)))
    from slipstream.metadata.sql.logged_models import run_links

    outputs, model_inputs = run_links(conn, ids)
    out = {}
    for r in conn.execute(sa.select(tables.runs).where(_R.run_id.in_(ids))).all():
        info = RunInfo(r.run_id, str(r.experiment_id), r.name, r.user_id, r.status,
                       r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage,
                       r.parent_run_id, r.execution_id, r.node_id)
        data = RunData(tuple(metrics.get(r.run_id, ())), params.get(r.run_id, {}),
                       tags.get(r.run_id, {}))
        out[r.run_id] = Run(info, data, tuple(inputs.get(r.run_id, ())),
                            tuple(outputs.get(r.run_id, ())),
                            tuple(model_inputs.get(r.run_id, ())))
    return out


def run_statements() -> dict[str, Any]:
    """A run's start and end as the driver runs them (`compile_sql` -> `_compiled.RUNS`):
    `experiment` (stage and artifact location), `insert` (every column), `tag`, and `end`
    (status and end time of an active run, returning its info columns)."""
    e = tables.experiments.c
    info = [_R[name] for name in INFO_COLUMNS]
    return {
        "experiment": sa.select(e.lifecycle_stage, e.artifact_location).where(
            e.experiment_id == sa.bindparam("experiment_id")),
        "insert": tables.runs.insert(),
        "tag": tables.tags.insert(),
        "end": tables.runs.update().where(
            _R.run_id == sa.bindparam("rid"),
            _R.lifecycle_stage == sa.literal_column("'active'")).values(
            status=sa.bindparam("new_status"), end_time=sa.bindparam("new_end"))
        .returning(*info),
    }
