"""`SqlMonitorStore`: the monitor store on SQLite or PostgreSQL (the tracking store's database,
beside the runs the reports chart in), in SQLAlchemy Core; each call one short transaction.

`claim_firing` is one conditional UPDATE of the monitor's `last_fired_at` (only when the
cool-down has passed) and the firing's INSERT in the same transaction: on PostgreSQL a second
claimer blocks on the row lock and then re-checks the condition against the first one's
committed time, so it matches nothing; on SQLite the write transactions are serial (BEGIN
IMMEDIATE). Either way one claim wins per cool-down.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import InvalidInputError, NotFoundError, did_you_mean
from slipstream._core.ids import new_id
from slipstream.entities.monitoring import DriftReport, Monitor, TriggerFiring
from slipstream.metadata.monitors import (
    MonitorExistsError,
    MonitorStore,
    check_limit,
    check_monitor,
    check_monitor_name,
    report_from_dict,
    report_to_dict,
)
from slipstream.metadata.sql import tables
from slipstream.metadata.sql.store import SqlStoreBase
from slipstream.metadata.sql.tracking_experiments import insert_dialect

_M = tables.monitors.c
_R = tables.drift_reports.c
_F = tables.monitor_firings.c


class SqlMonitorStore(SqlStoreBase, MonitorStore):
    """Monitor store on a store URL: sqlite:///path.db or postgresql://user@host/db."""

    # -- monitors ------------------------------------------------------------------------------

    def create_monitor(self, monitor: Monitor) -> Monitor:
        check_monitor(monitor)
        values = {"name": monitor.name, "target_kind": str(monitor.target_kind),
                  "target": monitor.target, "reference": monitor.reference,
                  "thresholds": _dumps("thresholds", monitor.thresholds),
                  "options": _dumps("options", monitor.options), "plan": monitor.plan,
                  "plan_inputs": _dumps("plan_inputs", monitor.plan_inputs),
                  "cooldown_seconds": float(monitor.cooldown_seconds),
                  "created_at": float(monitor.created_at), "run_id": monitor.run_id,
                  "last_fired_at": monitor.last_fired_at}

        def work(conn: Connection) -> None:
            stmt = insert_dialect(conn)(tables.monitors).values(**values)
            if conn.execute(stmt.on_conflict_do_nothing().returning(_M.name)).first() is None:
                raise MonitorExistsError(f"A monitor named {monitor.name!r} exists already: "
                                         "delete it or choose another name.")

        self._write(work)
        return monitor

    def get_monitor(self, name: str) -> Monitor:
        check_monitor_name(name)
        with self._connect() as conn:
            return _load_monitor(conn, name)

    def list_monitors(self) -> list[Monitor]:
        with self._connect() as conn:
            return [_monitor(r) for r in conn.execute(sa.select(tables.monitors)
                                                      .order_by(_M.name))]

    def set_monitor_run(self, name: str, run_id: str) -> Monitor:
        check_monitor_name(name)
        if not isinstance(run_id, str) or len(run_id) > 64:
            raise InvalidInputError(f"run id {run_id!r:.80} must be a string of at most 64 "
                                    "characters")

        def work(conn: Connection) -> Monitor:
            row = conn.execute(tables.monitors.update().where(_M.name == name)
                               .values(run_id=run_id).returning(*tables.monitors.c)).first()
            if row is None:
                raise _no_monitor(conn, name)
            return _monitor(row)

        return self._write(work)

    def delete_monitor(self, name: str) -> None:
        check_monitor_name(name)

        def work(conn: Connection) -> None:
            if conn.execute(tables.monitors.delete().where(_M.name == name)).rowcount == 0:
                raise _no_monitor(conn, name)
            conn.execute(tables.drift_reports.delete().where(_R.monitor == name))
            conn.execute(tables.monitor_firings.delete().where(_F.monitor == name))

        self._write(work)

    # -- reports -------------------------------------------------------------------------------

    def add_report(self, report: DriftReport) -> DriftReport:
        if not isinstance(report, DriftReport):
            raise InvalidInputError(f"Expected a DriftReport, got {report!r:.100}.")
        if report.monitor:
            check_monitor_name(report.monitor)
        if not isinstance(report.report_id, str) or not 1 <= len(report.report_id) <= 64:
            raise InvalidInputError(f"report id {report.report_id!r:.80} must be 1-64 characters")
        data = report_to_dict(report)
        body = _dumps("the report", {k: data[k] for k in ("features", "quality", "thresholds")})

        def work(conn: Connection) -> None:
            if report.monitor:
                _load_monitor(conn, report.monitor)
            conn.execute(tables.drift_reports.insert().values(
                report_id=report.report_id, monitor=report.monitor,
                created_at=float(report.created_at), drifted=bool(report.drifted),
                data_drifted=bool(report.data_drifted),
                drifted_share=float(report.drifted_share), reference=report.reference,
                current=report.current, reference_size=int(report.reference_size),
                current_size=int(report.current_size), body=body, run_id=report.run_id))

        self._write(work)
        return report

    def get_report(self, report_id: str) -> DriftReport:
        if not isinstance(report_id, str) or not report_id:
            raise InvalidInputError(f"report id {report_id!r:.80} must be a non-empty string")
        with self._connect() as conn:
            row = conn.execute(sa.select(tables.drift_reports)
                               .where(_R.report_id == report_id)).first()
        if row is None:
            raise NotFoundError(f"No drift report with id {report_id!r}.")
        return _report(row)

    def list_reports(self, monitor: str | None = None, *, drifted: bool | None = None,
                     limit: int = 100) -> list[DriftReport]:
        check_limit(limit)
        query = sa.select(tables.drift_reports)
        with self._connect() as conn:
            if monitor is not None:
                check_monitor_name(monitor)
                _load_monitor(conn, monitor)
                query = query.where(_R.monitor == monitor)
            if drifted is not None:
                query = query.where(_R.drifted == bool(drifted))
            rows = conn.execute(query.order_by(_R.created_at.desc(), _R.report_id.desc())
                                .limit(limit)).all()
        return [_report(r) for r in rows]

    # -- firings -------------------------------------------------------------------------------

    def claim_firing(self, monitor: str, report_id: str, *, now: float) -> TriggerFiring | None:
        check_monitor_name(monitor)
        now = float(now)

        def work(conn: Connection) -> TriggerFiring | None:
            found = _load_monitor(conn, monitor)
            due = sa.or_(_M.last_fired_at.is_(None),
                         _M.last_fired_at <= sa.literal(now) - _M.cooldown_seconds)
            claimed = conn.execute(tables.monitors.update()
                                   .where(_M.name == monitor, due).values(last_fired_at=now))
            if claimed.rowcount != 1:
                return None
            firing = TriggerFiring(new_id(), monitor, report_id, found.plan, now)
            conn.execute(tables.monitor_firings.insert().values(
                firing_id=firing.firing_id, monitor=monitor, report_id=report_id,
                plan=found.plan, fired_at=now, execution_id="", error=""))
            return firing

        return self._write(work)

    def finish_firing(self, firing_id: str, *, execution_id: str = "",
                      error: str = "") -> TriggerFiring:
        if len(execution_id) > 64:
            raise InvalidInputError(f"execution id {execution_id!r:.80} is longer than 64")

        def work(conn: Connection) -> TriggerFiring:
            row = conn.execute(tables.monitor_firings.update()
                               .where(_F.firing_id == firing_id)
                               .values(execution_id=execution_id, error=error)
                               .returning(*tables.monitor_firings.c)).first()
            if row is None:
                raise NotFoundError(f"No trigger firing with id {firing_id!r}.")
            return _firing(row)

        return self._write(work)

    def list_firings(self, monitor: str, *, limit: int = 100) -> list[TriggerFiring]:
        check_monitor_name(monitor)
        check_limit(limit)
        with self._connect() as conn:
            _load_monitor(conn, monitor)
            rows = conn.execute(sa.select(tables.monitor_firings)
                                .where(_F.monitor == monitor)
                                .order_by(_F.fired_at.desc()).limit(limit)).all()
        return [_firing(r) for r in rows]


def _load_monitor(conn: Connection, name: str) -> Monitor:
    row = conn.execute(sa.select(tables.monitors).where(_M.name == name)).first()
    if row is None:
        raise _no_monitor(conn, name)
    return _monitor(row)


def _no_monitor(conn: Connection, name: str) -> NotFoundError:
    names = conn.execute(sa.select(_M.name)).scalars().all()
    return NotFoundError(f"No monitor named {name!r}.{did_you_mean(name, names)}")


def _monitor(row: Any) -> Monitor:
    return Monitor(name=row.name, target_kind=row.target_kind, target=row.target,
                   reference=row.reference, thresholds=json.loads(row.thresholds),
                   options=json.loads(row.options), plan=row.plan,
                   plan_inputs=json.loads(row.plan_inputs),
                   cooldown_seconds=row.cooldown_seconds, created_at=row.created_at,
                   run_id=row.run_id, last_fired_at=row.last_fired_at)


def _report(row: Any) -> DriftReport:
    body = json.loads(row.body)
    return report_from_dict({
        "report_id": row.report_id, "monitor": row.monitor, "created_at": row.created_at,
        "reference": row.reference, "current": row.current,
        "reference_size": row.reference_size, "current_size": row.current_size,
        "drifted_share": row.drifted_share, "data_drifted": bool(row.data_drifted),
        "drifted": bool(row.drifted), "run_id": row.run_id, **body})


def _firing(row: Any) -> TriggerFiring:
    return TriggerFiring(row.firing_id, row.monitor, row.report_id, row.plan, row.fired_at,
                         row.execution_id, row.error)


def _dumps(what: str, value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} cannot be stored as JSON: {exc}") from None
