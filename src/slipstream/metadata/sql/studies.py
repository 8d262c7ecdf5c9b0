"""Studies and trials in SQL (SQLAlchemy Core on a connection the store opened and commits).

The per-trial writes are compiled ahead of time (`study_trials`) and run by `SqlStudyStore`
through the driver; when one is refused (unknown study or trial, a trial no longer RUNNING),
`refusal` looks up why.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import InvalidInputError, NotFoundError, did_you_mean
from slipstream.entities.studies import Study, StudyStatus, Trial, TrialState
from slipstream.metadata.sql import tables  # through tables: the schema keeps its table order
from slipstream.metadata.sql.tracking_experiments import insert_dialect
from slipstream.metadata.studies import StudyExistsError

_S = tables.studies.c
_T = tables.trials.c
_I = tables.trial_intermediate_values.c
_RUNNING = TrialState.RUNNING.value
#: Study columns in `Study` field order (the table has `next_trial` besides).
_STUDY_COLUMNS = (_S.study_id, _S.name, _S.objective, _S.direction, _S.space, _S.algorithm,
                  _S.early_stopping, _S.max_trials, _S.parallel_trials, _S.max_failed_trials,
                  _S.status, _S.created_at, _S.task_name, _S.task_ref, _S.seed,
                  _S.execution_id, _S.parent_run_id, _S.experiment_id, _S.ended_at,
                  _S.settings)


# -- studies ----------------------------------------------------------------------------------

def create_study(conn: Connection, study: Study, space: str, settings: str) -> None:
    """Insert `study` (its space and settings already encoded); StudyExistsError if its name
    or id is taken."""
    stmt = insert_dialect(conn)(tables.studies).values(
        study_id=study.study_id, name=study.name, objective=study.objective,
        direction=study.direction, space=space, algorithm=study.algorithm,
        early_stopping=study.early_stopping, max_trials=study.max_trials,
        parallel_trials=study.parallel_trials, max_failed_trials=study.max_failed_trials,
        status=study.status, created_at=float(study.created_at),
        ended_at=_float_or_none(study.ended_at), task_name=study.task_name,
        task_ref=study.task_ref, seed=study.seed, execution_id=study.execution_id,
        parent_run_id=study.parent_run_id, experiment_id=study.experiment_id,
        settings=settings, next_trial=0)
    if conn.execute(stmt.on_conflict_do_nothing().returning(_S.study_id)).first() is not None:
        return
    taken = conn.execute(sa.select(_S.name).where(_S.name == study.name)).first()
    if taken is not None:
        raise StudyExistsError(f"A study named {study.name!r} exists already: resume it, "
                               "delete it, or choose another name.")
    raise StudyExistsError(f"A study with id {study.study_id!r} exists already.")


def load_study(conn: Connection, study_id_or_name: str) -> Study:
    """A study by id, or else by name; NotFoundError naming the studies that exist."""
    rows = conn.execute(sa.select(*_STUDY_COLUMNS).where(
        sa.or_(_S.study_id == study_id_or_name, _S.name == study_id_or_name))).all()
    if not rows:
        raise NotFoundError(f"No study with id or name {study_id_or_name!r}."
                            f"{did_you_mean(study_id_or_name, _names(conn))}")
    by_id = [r for r in rows if r.study_id == study_id_or_name]
    return _study((by_id or rows)[0])


def load_studies(conn: Connection) -> list[Study]:
    query = sa.select(*_STUDY_COLUMNS).order_by(_S.created_at.desc(), _S.study_id.desc())
    return [_study(r) for r in conn.execute(query)]


def update_study(conn: Connection, study_id: str, values: Mapping[str, Any]) -> Study:
    """Set `values` (column -> value) and return the study as it now is (one statement)."""
    if not values:
        return load_study_by_id(conn, study_id)
    row = conn.execute(tables.studies.update().where(_S.study_id == study_id)
                       .values(**values).returning(*_STUDY_COLUMNS)).first()
    if row is None:
        raise _no_study(conn, study_id)
    return _study(row)


def load_study_by_id(conn: Connection, study_id: str) -> Study:
    row = conn.execute(sa.select(*_STUDY_COLUMNS).where(_S.study_id == study_id)).first()
    if row is None:
        raise _no_study(conn, study_id)
    return _study(row)


def delete_study(conn: Connection, study_id: str) -> None:
    conn.execute(tables.trial_intermediate_values.delete().where(_I.study_id == study_id))
    conn.execute(tables.trials.delete().where(_T.study_id == study_id))
    deleted = conn.execute(tables.studies.delete().where(_S.study_id == study_id)
                           .returning(_S.study_id)).first()
    if deleted is None:
        raise _no_study(conn, study_id)


# -- trials -----------------------------------------------------------------------------------

def load_trial(conn: Connection, study_id: str, number: int) -> Trial:
    row = conn.execute(sa.select(tables.trials).where(
        _T.study_id == study_id, _T.number == number)).first()
    if row is None:
        raise _no_trial(conn, study_id, number)
    return _trial(row, _intermediate(conn, study_id, [number]).get(number, ()))


def load_trials(conn: Connection, study_id: str, states: Collection[str] | None,
                intermediate: bool) -> list[Trial]:
    """The trials in number order, and (one more query) their intermediate values."""
    query = sa.select(tables.trials).where(_T.study_id == study_id).order_by(_T.number)
    if states is not None:
        query = query.where(_T.state.in_(sorted(states)))
    rows = conn.execute(query).all()
    if not rows:
        load_study_by_id(conn, study_id)  # NotFoundError for an unknown study
        return []
    values: dict[int, tuple[tuple[int, float], ...]] = {}
    if intermediate:
        values = _intermediate(conn, study_id, None if states is None else
                               [r.number for r in rows])
    return [_trial(r, values.get(r.number, ())) for r in rows]


# -- helpers ----------------------------------------------------------------------------------

def _intermediate(conn: Connection, study_id: str,
                  numbers: Sequence[int] | None) -> dict[int, tuple[tuple[int, float], ...]]:
    query = (sa.select(_I.number, _I.step, _I.value).where(_I.study_id == study_id)
             .order_by(_I.number, _I.step))
    if numbers is not None:
        query = query.where(_I.number.in_(list(numbers)))
    found: dict[int, list[tuple[int, float]]] = {}
    for number, step, value in conn.execute(query):
        found.setdefault(int(number), []).append((int(step), float(value)))
    return {number: tuple(pairs) for number, pairs in found.items()}


def _study(row: Any) -> Study:
    return Study(row.study_id, row.name, row.objective, row.direction, json.loads(row.space),
                 row.algorithm, row.early_stopping, int(row.max_trials),
                 int(row.parallel_trials), int(row.max_failed_trials), StudyStatus(row.status),
                 float(row.created_at), row.task_name, row.task_ref,
                 None if row.seed is None else int(row.seed), row.execution_id,
                 row.parent_run_id, row.experiment_id, _float_or_none(row.ended_at),
                 json.loads(row.settings))


def _trial(row: Any, intermediate: tuple[tuple[int, float], ...]) -> Trial:
    return Trial(row.study_id, int(row.number), TrialState(row.state), json.loads(row.params),
                 float(row.started_at), _float_or_none(row.ended_at),
                 _float_or_none(row.value), json.loads(row.metrics), intermediate,
                 row.node_id, row.run_id, row.error)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _names(conn: Connection) -> list[str]:
    return list(conn.execute(sa.select(_S.name).order_by(_S.name)).scalars())


def _no_study(conn: Connection, study_id: str) -> NotFoundError:
    return NotFoundError(f"No study with id {study_id!r}.{did_you_mean(study_id, _ids(conn))}")


def _ids(conn: Connection) -> list[str]:
    return list(conn.execute(sa.select(_S.study_id).order_by(_S.study_id)).scalars())


def _no_trial(conn: Connection, study_id: str, number: int) -> NotFoundError:
    load_study_by_id(conn, study_id)
    count = conn.execute(sa.select(_S.next_trial).where(_S.study_id == study_id)).scalar()
    return NotFoundError(f"Study {study_id!r} has no trial {number} (its trials are numbered "
                         f"0 to {int(count or 0) - 1}).")


def refusal(conn: Connection, study_id: str, number: int | None, action: str) -> Exception:
    """Why trial `number` (a new trial: None) could not be `action`: NotFoundError for an
    unknown study or trial, else InvalidInputError naming the state it is in."""
    if number is None:
        return _no_study(conn, study_id)
    state = conn.execute(sa.select(_T.state).where(
        _T.study_id == study_id, _T.number == number)).scalar()
    if state is None:
        return _no_trial(conn, study_id, number)
    return InvalidInputError(f"Trial {number} of study {study_id!r} is {state}, not RUNNING: "
                             f"only a RUNNING trial can be {action}.")
