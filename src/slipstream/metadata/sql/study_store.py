"""`SqlStudyStore`: the study store on SQLite or PostgreSQL (the tracking store's database, so
a study sits beside the runs and executions of its trials).

Each call is one short transaction; input is checked and encoded before any transaction
opens, so bad input writes nothing. The per-trial writes (`start_trial`, `report_intermediate`,
`finish_trial`) run SQL compiled ahead of time (`study_trials` -> `_compiled.TRIALS`) through
the driver (on PostgreSQL one statement each, one round trip), and return the Trial built from
what they wrote, without reading it back; the other calls use SQLAlchemy Core (`studies`).
`start_tracked_trial` / `finish_tracked_trial` add the trial's run (`tracking_lifecycle`, also
compiled ahead of time) to the same transaction: the tracking store's tables are in this
database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol, TypeVar

from slipstream._core.errors import InvalidInputError
from slipstream.entities import Run, RunStatus
from slipstream.entities.studies import Study, StudyStatus, Trial, TrialState
from slipstream.metadata.sql import _compiled
from slipstream.metadata.sql import tracking_lifecycle as lifecycle
from slipstream.metadata.sql.store import SqlStoreBase, retry_locked
from slipstream.metadata.studies import (
    StudyStore,
    TrackedTrialStore,
    TrialRun,
    TrialRunEnd,
    check_finish,
    check_intermediate,
    check_status,
    check_study,
)
from slipstream.metadata.validation import check_batch, check_run_id

_ID_LIMIT = 64
_RUNNING = TrialState.RUNNING.value
T = TypeVar("T")


class _Run(Protocol):
    def __call__(self, name: str, **params: Any) -> list[tuple[Any, ...]]: ...


class _Refused(Exception):
    """A trial write matched no row: the transaction rolls back, then `_refusal` says why."""

    def __init__(self, number: int | None, action: str) -> None:
        super().__init__(action)
        self.number, self.action = number, action


class SqlStudyStore(SqlStoreBase, StudyStore, TrackedTrialStore):
    """Study store on a store URL: sqlite:///path.db or postgresql://user@host/db."""

    # -- studies ------------------------------------------------------------------------------

    def create_study(self, study: Study) -> Study:
        from slipstream.metadata.sql import studies as sql

        if not isinstance(study, Study):
            raise InvalidInputError(f"Expected a Study, got {study!r:.100}.")
        check_study(study)
        space = _json("the search space", study.space)
        settings = _json("the study settings", study.settings)
        self._write(lambda c: sql.create_study(c, study, space, settings))
        return study

    def get_study(self, study_id_or_name: str) -> Study:
        from slipstream.metadata.sql import studies as sql

        _check_text("study id or name", study_id_or_name, 256)
        with self._connect() as conn:
            return sql.load_study(conn, study_id_or_name)

    def list_studies(self) -> list[Study]:
        from slipstream.metadata.sql import studies as sql

        with self._connect() as conn:
            return sql.load_studies(conn)

    def update_study(self, study_id: str, *, status: str | None = None,
                     ended_at: float | None = None, execution_id: str | None = None,
                     parent_run_id: str | None = None,
                     settings: Mapping[str, Any] | None = None) -> Study:
        from slipstream.metadata.sql import studies as sql

        _check_id(study_id)
        values: dict[str, Any] = {}
        if status is not None:
            values["status"] = check_status(status)
        if ended_at is not None:
            values["ended_at"] = _time("ended_at", ended_at)
        if status == StudyStatus.RUNNING:
            values["ended_at"] = None
        for column, given in (("execution_id", execution_id),
                              ("parent_run_id", parent_run_id)):
            if given is not None:
                values[column] = _check_id(given, column, empty=True)
        if settings is not None:
            if not isinstance(settings, Mapping):
                raise InvalidInputError(f"settings must be a mapping, not {settings!r:.80}")
            values["settings"] = _json("the study settings", dict(settings))
        return self._write(lambda c: sql.update_study(c, study_id, values))

    def delete_study(self, study_id: str) -> None:
        from slipstream.metadata.sql import studies as sql

        _check_id(study_id)
        self._write(lambda c: sql.delete_study(c, study_id))

    # -- trials -------------------------------------------------------------------------------

    def start_trial(self, study_id: str, params: Mapping[str, Any], *, started_at: float,
                    number: int | None = None, node_id: str = "", run_id: str = "") -> Trial:
        _check_id(study_id)
        started = _time("started_at", started_at)
        _check_text("node id", node_id, 10_000)
        _check_id(run_id, "run id", empty=True)
        if number is not None:
            _check_number(number)
            return self._trial_write(study_id,
                                     self._restart(study_id, number, started, node_id, run_id))
        given, encoded = _params(params)
        return self._trial_write(study_id,
                                 self._start(study_id, given, encoded, started, node_id, run_id),
                                 alone=self._one_statement)

    def start_tracked_trial(self, study_id: str, params: Mapping[str, Any], run: TrialRun, *,
                            started_at: float, number: int | None = None,
                            node_id: str = "") -> tuple[Trial, Run]:
        _check_id(study_id)
        started = _time("started_at", started_at)
        _check_text("node id", node_id, 10_000)
        if not isinstance(run, TrialRun):
            raise InvalidInputError(f"Expected a TrialRun, got {run!r:.100}.")
        check_batch((), run.params, ())
        if number is not None:
            _check_number(number)
        else:
            given, encoded = _params(params)
        created: list[Run] = []

        def start(step: _Run, db: Any, conn: Any) -> Trial:
            new = lifecycle.create(db, conn, run.experiment_id, run.user_id, run.start_time,
                                   run.run_name, dict(run.tags), run.parent_run_id,
                                   run.execution_id, run.node_id, run.artifact_root,
                                   params=run.params)
            created[:] = [new]
            run_id = new.info.run_id
            if number is not None:
                return self._restart(study_id, number, started, node_id, run_id)(step)
            return self._start(study_id, given, encoded, started, node_id, run_id)(step)

        trial = self._tracked_write(study_id, start)
        return trial, created[0]

    def report_intermediate(self, study_id: str, number: int, step: int, value: float) -> None:
        _check_id(study_id)
        _check_number(number)
        check_intermediate(step, value)
        if not self._trial_write(study_id, lambda run: run("report", study_id=study_id,
                                                           number=number, step=step,
                                                           value=float(value)),
                                 alone=self._one_statement):
            raise self._refusal(study_id, number, "given an intermediate value")

    def finish_trial(self, study_id: str, number: int, state: str, *, ended_at: float,
                     value: float | None = None, metrics: Mapping[str, float] | None = None,
                     error: str = "", node_id: str | None = None,
                     run_id: str | None = None) -> Trial:
        finish = self._finish(study_id, number, state, ended_at, value, metrics, error, node_id,
                              run_id)
        return self._trial_write(study_id, finish, alone=self._one_statement)

    def finish_tracked_trial(self, study_id: str, number: int, state: str, end: TrialRunEnd,
                             *, ended_at: float, value: float | None = None,
                             metrics: Mapping[str, float] | None = None, error: str = "",
                             node_id: str | None = None) -> Trial:
        if not isinstance(end, TrialRunEnd):
            raise InvalidInputError(f"Expected a TrialRunEnd, got {end!r:.100}.")
        check_run_id(end.run_id)
        check_batch(end.metrics, (), end.tags)
        status = RunStatus(end.status).value
        finish = self._finish(study_id, number, state, ended_at, value, metrics, error, node_id,
                              end.run_id)

        def write(step: _Run, db: Any, conn: Any) -> Trial:
            lifecycle.finish(db, conn, end.run_id, status, end.end_time, end.metrics, (),
                             end.tags)
            return finish(step)

        return self._tracked_write(study_id, write)

    def get_trial(self, study_id: str, number: int) -> Trial:
        from slipstream.metadata.sql import studies as sql

        _check_id(study_id)
        _check_number(number)
        with self._connect() as conn:
            return sql.load_trial(conn, study_id, number)

    def list_trials(self, study_id: str, *, states: Collection[str] | None = None,
                    intermediate: bool = True) -> list[Trial]:
        from slipstream.metadata.sql import studies as sql

        _check_id(study_id)
        wanted = None
        if states is not None:
            if isinstance(states, str):
                states = [states]
            wanted = set(states)
            for state in wanted:
                if state not in TrialState.__members__:
                    raise InvalidInputError(f"trial state {state!r} is not one of "
                                            f"{', '.join(TrialState)}")
        with self._connect() as conn:
            return sql.load_trials(conn, study_id, wanted, intermediate)


    # -- the per-trial writes: one driver transaction each ----------------------------------

    def _start(self, study_id: str, given: dict[str, Any], encoded: str, started: float,
               node_id: str, run_id: str) -> Callable[[_Run], Trial]:
        """The writes of a new trial (the next number), for `_trial_write`."""
        def start(run: _Run) -> Trial:
            if self._one_statement:
                numbered = run("start", study_id=study_id, params=encoded, node_id=node_id,
                               run_id=run_id, started_at=started)
                if not numbered:
                    raise _Refused(None, "started")
                new = int(numbered[0][0])
            else:
                taken = run("next_number", study_id=study_id)
                if not taken:
                    raise _Refused(None, "started")
                new = int(taken[0][0]) - 1
                run("insert", study_id=study_id, number=new, state=_RUNNING, params=encoded,
                    value=None, metrics="{}", node_id=node_id, run_id=run_id, error="",
                    started_at=started, ended_at=None)
            return Trial(study_id, new, TrialState.RUNNING, given, started, node_id=node_id,
                         run_id=run_id)

        return start

    def _restart(self, study_id: str, number: int, started: float, node_id: str,
                 run_id: str) -> Callable[[_Run], Trial]:
        """The writes re-starting RUNNING trial `number`, for `_trial_write`."""
        def restart(run: _Run) -> Trial:
            rows = run("restart", study_id=study_id, number=number, started_at=started,
                       node_id=node_id, run_id=run_id)
            if not rows:
                raise _Refused(number, "re-started")
            run("clear_values", study_id=study_id, number=number)
            params, node, run_of = rows[0]
            return Trial(study_id, number, TrialState.RUNNING, json.loads(params), started,
                         node_id=node, run_id=run_of)

        return restart

    def _finish(self, study_id: str, number: int, state: str, ended_at: float,
                value: float | None, metrics: Mapping[str, float] | None, error: str,
                node_id: str | None, run_id: str | None) -> Callable[[_Run], Trial]:
        """Check a trial's end (before any transaction) and return its writes."""
        _check_id(study_id)
        _check_number(number)
        check_finish(state, value, metrics)
        _check_text("error", error, 100_000)
        if node_id is not None:
            _check_text("node id", node_id, 10_000)
        if run_id is not None:
            _check_id(run_id, "run id", empty=True)
        measured = {k: float(v) for k, v in (metrics or {}).items()}
        ended = _time("ended_at", ended_at)
        kept = float(value) if state == TrialState.COMPLETE and value is not None else None
        encoded = _json("the trial's metrics", measured)

        def finish(run: _Run) -> Trial:
            rows = run("finish", study_id=study_id, number=number, state=str(state),
                       ended_at=ended, value=kept, metrics=encoded, error=error,
                       node_id=node_id, run_id=run_id)
            if not rows:
                raise _Refused(number, "finished")
            if self._one_statement:  # the values came along, as two arrays
                params, started, node, run_of = rows[0][:4]
                steps = list(zip(rows[0][4] or (), rows[0][5] or (), strict=True))
            else:
                params, started, node, run_of = rows[0]
                steps = run("values", study_id=study_id, number=number)
            return Trial(study_id, number, TrialState(state), json.loads(params),
                         float(started), ended, kept, measured,
                         tuple((int(s), float(v)) for s, v in steps), node, run_of, error)

        return finish

    @property
    def _one_statement(self) -> bool:
        """PostgreSQL starts and finishes a trial in one statement (`study_trials`)."""
        return self._db.dialect == "postgresql"

    def _trial_write(self, study_id: str, work: Callable[[_Run], T], *,
                     alone: bool = False) -> T:
        """`work` in one driver transaction (SQLite: BEGIN IMMEDIATE), retried while SQLite
        is locked; `work` runs the statements of `_compiled.TRIALS` by name. `alone`: work
        runs one statement, which is its own transaction (no BEGIN / COMMIT round trips)."""
        return self._tracked_write(study_id, lambda run, db, conn: work(run), alone=alone)

    def _tracked_write(self, study_id: str, work: Callable[[_Run, Any, Any], T], *,
                       alone: bool = False) -> T:
        """As `_trial_write`, `work` also getting the database and the connection (for the
        tracking statements of the same transaction)."""
        db = self._db
        statements = _compiled.TRIALS[db.dialect]

        def once() -> T:
            with self._translate_errors("write to", db.driver.unavailable_errors,
                                        db.driver.errors), db.connection() as conn:
                def run(name: str, **params: Any) -> list[tuple[Any, ...]]:
                    sql, names = statements[name]
                    return db.execute(conn, sql, tuple(params[n] for n in names))

                if alone:
                    return work(run, db, conn)
                with db.transaction(conn):
                    return work(run, db, conn)

        try:
            return retry_locked(once)
        except _Refused as refused:
            raise self._refusal(study_id, refused.number, refused.action) from None

    def _refusal(self, study_id: str, number: int | None, action: str) -> Exception:
        from slipstream.metadata.sql import studies as sql

        with self._connect() as conn:
            return sql.refusal(conn, study_id, number, action)


# -- checks -----------------------------------------------------------------------------------

def _params(params: Any) -> tuple[dict[str, Any], str]:
    """A new trial's params, and as JSON."""
    if not isinstance(params, Mapping) or not all(isinstance(k, str) and k for k in params):
        raise InvalidInputError(f"params must map parameter names to values, not "
                                f"{params!r:.100}")
    given = dict(params)
    return given, _json("the trial's params", given)


def _json(what: str, value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} cannot be stored as JSON ({exc}): use strings, finite "
                                "numbers, booleans, None, lists and dicts.") from None


def _check_id(value: Any, what: str = "study id", *, empty: bool = False) -> str:
    if not isinstance(value, str) or len(value) > _ID_LIMIT or (not value and not empty):
        raise InvalidInputError(f"Invalid {what} {value!r:.80}: a string of 1-{_ID_LIMIT} "
                                "characters.")
    return value


def _check_text(what: str, value: Any, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInputError(f"Invalid {what} {value!r:.60}: a string of at most {limit} "
                                "characters.")
    return value


def _check_number(number: Any) -> None:
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise InvalidInputError(f"A trial number is an integer >= 0, not {number!r:.40}.")


def _time(what: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"{what} must be epoch seconds (a finite number), not "
                                f"{value!r:.40}.")
    return float(value)
