"""A run's start and end through the driver, with SQL compiled ahead of time
(`_compiled.RUNS`): no SQLAlchemy statement is built or run per call.

`create` checks the experiment is active and inserts the RUNNING run, its tags and (a tuning
trial's run, written with its trial) its first params; `end` sets
an active run's status and end time in one statement that returns the run's info (a second
read only to say why nothing was updated). `finish` is `log_batch` and `end` in one
transaction, which the tracking client's `end_run` uses for what it still has queued.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream._core.ids import new_run_id
from slipstream.entities import (
    PARENT_RUN_TAG,
    RUN_NAME_TAG,
    LifecycleStage,
    Metric,
    Param,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    RunTag,
)
from slipstream.metadata.sql import _compiled
from slipstream.metadata.sql.dbapi import Database
from slipstream.metadata.sql.rows import numeric_id
from slipstream.metadata.sql.tracking_metrics import log_batch
from slipstream.metadata.validation import check_tag

_ACTIVE = LifecycleStage.ACTIVE.value
_ADJECTIVES = ("bold", "calm", "brave", "bright", "clever", "gentle", "quick", "silent", "swift")
_NOUNS = ("otter", "falcon", "heron", "lynx", "panda", "raven", "trout", "wolf", "finch")


def create(db: Database, conn: Any, experiment_id: str, user_id: str, start_time: int | None,
           run_name: str | None, tags: Mapping[str, str], parent_run_id: str | None,
           execution_id: str | None, node_id: str | None, artifact_root: str, *,
           params: Sequence[Param] = ()) -> Run:
    """Insert a RUNNING run with its tags and `params` (validated, distinct keys) on `conn`
    (the caller holds the transaction); the run as stored (a new run has no metrics or inputs
    to read back)."""
    sql = _compiled.RUNS[db.dialect]
    number = numeric_id(experiment_id)
    rows = db.execute(conn, sql["experiment"][0], (number,))
    if not rows:
        raise NotFoundError(f"No Experiment with id={experiment_id} exists")
    stage, location = rows[0]
    if stage != _ACTIVE:
        raise InvalidInputError(
            f"The experiment {experiment_id} must be in the 'active' state. Current state is "
            f"{stage}.")
    location = (location or f"{artifact_root}/{number}").rstrip("/")
    all_tags = dict(tags)
    tagged_name = all_tags.get(RUN_NAME_TAG)
    if run_name and tagged_name and tagged_name != run_name:
        raise InvalidInputError(
            f"Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
            f"different values (run_name={run_name!r}, mlflow.runName={tagged_name!r}).")
    name = run_name or tagged_name or generated_name()
    all_tags[RUN_NAME_TAG] = name
    parent = parent_run_id or all_tags.get(PARENT_RUN_TAG)
    if parent:
        all_tags[PARENT_RUN_TAG] = parent
    for key, value in all_tags.items():
        check_tag(RunTag(key, value))
    run_id = new_run_id()
    # the insert binds every column in RunInfo's field order (tracking_runs.INFO_COLUMNS)
    row = (run_id, number, name, user_id or "", RunStatus.RUNNING.value, start_time, None,
           f"{location}/{run_id}/artifacts", _ACTIVE, parent, execution_id, node_id)
    db.execute(conn, sql["insert"][0], row)
    db.executemany(conn, sql["tag"][0], [(run_id, k, v) for k, v in all_tags.items()])
    if params:
        db.executemany(conn, _compiled.LOG_BATCH[db.dialect]["param"][0],
                       [(run_id, p.key, p.value) for p in params])
    return Run(RunInfo(row[0], str(number), *row[2:]),
               RunData((), {p.key: p.value for p in params}, all_tags))


def end(db: Database, conn: Any, run_id: str, status: str, end_time: int | None) -> RunInfo:
    """Set an active run's status and end time; its info as it now is. NotFoundError for an
    unknown run, InvalidInputError for a deleted one."""
    sql = _compiled.RUNS[db.dialect]
    rows = db.execute(conn, sql["end"][0], (status, end_time, run_id))
    if not rows:
        stage = db.execute(conn, _compiled.LOG_BATCH[db.dialect]["run"][0], (run_id,))
        if not stage:
            raise NotFoundError(f"Run with id={run_id} not found")
        raise InvalidInputError(f"The run {run_id} must be in the 'active' state. Current "
                                f"state is {stage[0][0]}.")
    r = rows[0]
    return RunInfo(r[0], str(r[1]), *r[2:])


def finish(db: Database, conn: Any, run_id: str, status: str, end_time: int | None,
           metrics: Sequence[Metric], params: Sequence[Param],
           tags: Sequence[RunTag]) -> RunInfo:
    """Write one validated batch and end the run, on `conn` in the caller's transaction."""
    if metrics or params or tags:
        log_batch(db, conn, run_id, metrics, params, tags)
    return end(db, conn, run_id, status, end_time)



def generated_name() -> str:
    """A readable name for an unnamed run, like MLflow's ("swift-otter-512")."""
    return (f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-"
            f"{secrets.randbelow(1000)}")

