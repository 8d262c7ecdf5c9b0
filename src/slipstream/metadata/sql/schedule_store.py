"""`SqlScheduleStore`: the schedule store on SQLite or PostgreSQL (the execution store's
database, beside the workflows and executions its plans launch).

Each call is one short transaction (SQLAlchemy Core; launch plans are few and cold, nothing
here is on a hot path). Input is checked and encoded before a transaction opens, so bad input
writes nothing. `claim_ticks` is the one contended write: a compare-and-set of the plan's
`last_tick` (on PostgreSQL the UPDATE locks the row, and a second claimer re-checks its WHERE
after the first commits and matches nothing; SQLite's BEGIN IMMEDIATE serialises writers) and
the ticks' rows inserted ON CONFLICT DO NOTHING in the same transaction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import InvalidInputError, NotFoundError, did_you_mean
from slipstream.metadata.schedules import (
    Launch,
    LaunchKind,
    LaunchPlanRecord,
    LaunchStatus,
    Notify,
    PlanExistsError,
    PlanState,
    Schedule,
    ScheduleStore,
    check_catch_up,
    check_launch_status,
    check_notify,
    check_plan_name,
    check_state,
    finite,
)
from slipstream.metadata.sql import tables  # through tables: the schema keeps its table order
from slipstream.metadata.sql.store import SqlStoreBase
from slipstream.metadata.sql.tracking_experiments import insert_dialect

_P = tables.launch_plans.c
_L = tables.launch_plan_ticks.c
#: Settings a `create_plan(replace=True)` replaces (state, last tick and created_at are kept).
_SETTINGS = ("workflow_name", "workflow_version", "source_ref", "fixed_inputs",
             "default_inputs", "schedule", "catch_up", "notify", "executor", "description",
             "updated_at")


class SqlScheduleStore(SqlStoreBase, ScheduleStore):
    """Schedule store on a store URL: sqlite:///path.db or postgresql://user@host/db."""

    # -- plans --------------------------------------------------------------------------------

    def create_plan(self, plan: LaunchPlanRecord, *, replace: bool = False) -> LaunchPlanRecord:
        row = _plan_row(_check_plan(plan))

        def create(conn: Connection) -> None:
            exists = conn.execute(sa.select(_P.name).where(_P.name == plan.name)).first()
            if exists is None:
                conn.execute(sa.insert(tables.launch_plans).values(**row))
            elif replace:  # a plan that had no schedule starts counting ticks now
                conn.execute(sa.update(tables.launch_plans).where(_P.name == plan.name)
                             .values(**{k: row[k] for k in _SETTINGS},
                                     last_tick=sa.func.coalesce(_P.last_tick, row["last_tick"])))
            else:
                raise PlanExistsError(f"launch plan {plan.name!r} exists already")

        self._write(create)
        return self.get_plan(plan.name)

    def get_plan(self, name: str) -> LaunchPlanRecord:
        check_plan_name(name)
        with self._connect() as conn:
            return _load_plan(conn, name)

    def list_plans(self, *, state: str | None = None) -> list[LaunchPlanRecord]:
        query = sa.select(tables.launch_plans).order_by(_P.name)
        if state is not None:
            query = query.where(_P.state == check_state(state))
        with self._connect() as conn:
            return [_plan(row) for row in conn.execute(query)]

    def set_state(self, name: str, state: str, *, at: float) -> LaunchPlanRecord:
        check_plan_name(name)
        check_state(state)
        _check_time("at", at)

        def change(conn: Connection) -> None:
            old = _load_plan(conn, name)
            values: dict[str, Any] = {"state": state, "updated_at": at}
            if state == PlanState.ACTIVE and old.state == PlanState.PAUSED:
                values["last_tick"] = max(at, old.last_tick or at)
            conn.execute(sa.update(tables.launch_plans).where(_P.name == name).values(**values))

        self._write(change)
        return self.get_plan(name)

    def delete_plan(self, name: str) -> None:
        check_plan_name(name)

        def delete(conn: Connection) -> None:
            _load_plan(conn, name)
            conn.execute(sa.delete(tables.launch_plan_ticks).where(_L.plan_name == name))
            conn.execute(sa.delete(tables.launch_plans).where(_P.name == name))

        self._write(delete)

    # -- launches -----------------------------------------------------------------------------

    def claim_ticks(self, name: str, ticks: Sequence[float], *, expected_last_tick: float | None,
                    last_tick: float, claimed_by: str, claimed_at: float) -> list[Launch]:
        check_plan_name(name)
        for label, value in (("last_tick", last_tick), ("claimed_at", claimed_at),
                             *(("tick", t) for t in ticks)):
            _check_time(label, value)
        if expected_last_tick is not None:
            _check_time("expected_last_tick", expected_last_tick)
        _check_text("claimed_by", claimed_by)
        launches = [Launch(name, LaunchKind.SCHEDULE, float(t), claimed_at, claimed_by,
                           reason="schedule") for t in sorted(set(ticks))]

        def claim(conn: Connection) -> list[Launch]:
            moved = conn.execute(
                sa.update(tables.launch_plans)
                .where(_P.name == name, _P.state == PlanState.ACTIVE.value,
                       _P.last_tick.is_(None) if expected_last_tick is None
                       else _P.last_tick == expected_last_tick)
                .values(last_tick=last_tick))
            if moved.rowcount != 1:
                return []
            insert = insert_dialect(conn)
            claimed = []
            for launch in launches:
                if _inserted(conn, insert, _launch_row(launch)):
                    claimed.append(launch)
            return claimed

        return self._write(claim)

    def add_launch(self, name: str, *, at: float, claimed_by: str, reason: str = "",
                   inputs: Mapping[str, Any] | None = None) -> Launch:
        check_plan_name(name)
        _check_time("at", at)
        _check_text("claimed_by", claimed_by)
        _check_text("reason", reason)
        launch = Launch(name, LaunchKind.MANUAL, float(at), float(at), claimed_by, reason=reason,
                        inputs=dict(inputs or {}))
        row = _launch_row(launch)

        def add(conn: Connection) -> Launch:
            _load_plan(conn, name)
            insert = insert_dialect(conn)
            key = float(at)
            # two launches asked for at the same instant each get their own row
            while not _inserted(conn, insert, {**row, "tick_at": key}):
                key = math.nextafter(key, math.inf)
            return replace(launch, tick_at=key)

        return self._write(add)

    def update_launch(self, launch: Launch, *, status: str, execution_id: str | None = None,
                      error: str | None = None, ended_at: float | None = None) -> Launch:
        check_launch_status(status)
        values: dict[str, Any] = {"status": status}
        if execution_id is not None:
            _check_text("execution_id", execution_id, 64)
            values["execution_id"] = execution_id
        if error is not None:
            _check_text("error", error, 100_000)
            values["error"] = error
        if ended_at is not None:
            _check_time("ended_at", ended_at)
            values["ended_at"] = ended_at
        key = (_L.plan_name == launch.plan_name, _L.kind == launch.kind,
               _L.tick_at == launch.tick_at)

        def update(conn: Connection) -> Launch:
            done = conn.execute(sa.update(tables.launch_plan_ticks).where(*key).values(**values))
            if done.rowcount != 1:
                raise NotFoundError(f"launch plan {launch.plan_name!r} has no {launch.kind} "
                                    f"launch at {launch.tick_at}")
            return _launch(conn.execute(sa.select(tables.launch_plan_ticks).where(*key)).one())

        return self._write(update)

    def list_launches(self, name: str, *, limit: int = 50) -> list[Launch]:
        check_plan_name(name)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 10_000:
            raise InvalidInputError(f"limit must be an integer 1-10000, not {limit!r}")
        with self._connect() as conn:
            _load_plan(conn, name)
            rows = conn.execute(sa.select(tables.launch_plan_ticks)
                                .where(_L.plan_name == name)
                                .order_by(_L.claimed_at.desc(), _L.tick_at.desc()).limit(limit))
            return [_launch(row) for row in rows]


# -- rows ---------------------------------------------------------------------------------------

def _check_plan(plan: LaunchPlanRecord) -> LaunchPlanRecord:
    if not isinstance(plan, LaunchPlanRecord):
        raise InvalidInputError(f"Expected a LaunchPlanRecord, got {plan!r:.100}.")
    check_plan_name(plan.name)
    for label in ("workflow_name", "workflow_version", "source_ref", "executor", "description"):
        _check_text(label, getattr(plan, label))
    if not plan.workflow_name or not plan.workflow_version:
        raise InvalidInputError("a launch plan needs a workflow name and version")
    check_catch_up(plan.catch_up)
    check_state(plan.state)
    if plan.schedule is not None and not isinstance(plan.schedule, Schedule):
        raise InvalidInputError(f"schedule must be a Schedule, not {plan.schedule!r:.100}")
    if plan.notify is not None:
        check_notify(plan.notify)
    for label in ("created_at", "updated_at"):
        _check_time(label, getattr(plan, label))
    if plan.last_tick is not None:
        _check_time("last_tick", plan.last_tick)
    return plan


def _plan_row(plan: LaunchPlanRecord) -> dict[str, Any]:
    return {
        "name": plan.name, "workflow_name": plan.workflow_name,
        "workflow_version": plan.workflow_version, "source_ref": plan.source_ref,
        "fixed_inputs": _json("fixed inputs", plan.fixed_inputs),
        "default_inputs": _json("default inputs", plan.default_inputs),
        "schedule": _json("schedule", plan.schedule.to_json()) if plan.schedule else "",
        "catch_up": plan.catch_up, "state": plan.state, "last_tick": plan.last_tick,
        "notify": _json("notify", plan.notify.to_json()) if plan.notify else "",
        "executor": plan.executor, "description": plan.description,
        "created_at": plan.created_at, "updated_at": plan.updated_at,
    }


def _plan(row: Any) -> LaunchPlanRecord:
    return LaunchPlanRecord(
        name=row.name, workflow_name=row.workflow_name, workflow_version=row.workflow_version,
        source_ref=row.source_ref, fixed_inputs=json.loads(row.fixed_inputs),
        default_inputs=json.loads(row.default_inputs),
        schedule=Schedule.from_json(json.loads(row.schedule)) if row.schedule else None,
        catch_up=row.catch_up, state=row.state, last_tick=row.last_tick,
        notify=Notify.from_json(json.loads(row.notify)) if row.notify else None,
        executor=row.executor, description=row.description, created_at=row.created_at,
        updated_at=row.updated_at)


def _load_plan(conn: Connection, name: str) -> LaunchPlanRecord:
    row = conn.execute(sa.select(tables.launch_plans).where(_P.name == name)).first()
    if row is None:
        names = [r[0] for r in conn.execute(sa.select(_P.name))]
        raise NotFoundError(f"no launch plan named {name!r}.{did_you_mean(name, names)}")
    return _plan(row)


def _launch_row(launch: Launch) -> dict[str, Any]:
    return {"plan_name": launch.plan_name, "kind": launch.kind, "tick_at": launch.tick_at,
            "claimed_at": launch.claimed_at, "claimed_by": launch.claimed_by,
            "reason": launch.reason, "inputs": _json("launch inputs", launch.inputs),
            "status": launch.status, "execution_id": launch.execution_id,
            "error": launch.error, "ended_at": launch.ended_at}


def _inserted(conn: Connection, insert: Any, row: dict[str, Any]) -> bool:
    """Insert a launch row unless its key is taken; whether it was inserted (RETURNING: the
    rowcount of an INSERT ... ON CONFLICT is not reported by every driver)."""
    stmt = (insert(tables.launch_plan_ticks).values(**row).on_conflict_do_nothing()
            .returning(_L.tick_at))
    return conn.execute(stmt).first() is not None


def _launch(row: Any) -> Launch:
    return Launch(plan_name=row.plan_name, kind=row.kind, tick_at=row.tick_at,
                  claimed_at=row.claimed_at, claimed_by=row.claimed_by, reason=row.reason,
                  inputs=json.loads(row.inputs), status=LaunchStatus(row.status),
                  execution_id=row.execution_id, error=row.error, ended_at=row.ended_at)


def _json(label: str, value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{label} cannot be stored as JSON: {exc}") from None


def _check_time(label: str, value: Any) -> None:
    if not finite(value) or value < 0:
        raise InvalidInputError(f"{label} must be epoch seconds (a finite number >= 0), not "
                                f"{value!r:.80}")


def _check_text(label: str, value: Any, limit: int = 10_000) -> None:
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInputError(f"{label} must be a string of at most {limit} characters, not "
                                f"{value!r:.80}")
