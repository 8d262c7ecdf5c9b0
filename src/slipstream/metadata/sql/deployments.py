"""Deployments in SQL (SQLAlchemy Core on a connection the store opened and commits): the
deployment rows and their targets, the event trail, prediction logs and per-minute version
statistics.

A change reads the deployment with `SELECT … FOR UPDATE` (PostgreSQL locks the row until
commit; SQLite's writes hold the database lock from BEGIN IMMEDIATE), then updates it only if
its revision is still the one read, and records the event under a (deployment, revision) unique
key: concurrent changes each bump the revision exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import InvalidInputError, NotFoundError, did_you_mean
from slipstream.entities.deployments import (
    CANARY,
    PRIMARY,
    Deployment,
    DeploymentEvent,
    DeploymentEventKind,
    DeploymentTarget,
    PredictionRecord,
    VersionStats,
)
from slipstream.metadata.deployments import (
    AlreadyDeployedError,
    RevisionConflictError,
    Transition,
    check_expected_revision,
    status_of,
)
from slipstream.metadata.sql import tables
from slipstream.metadata.sql.tracking_experiments import insert_dialect

_D = tables.deployments.c
_T = tables.deployment_targets.c
_E = tables.deployment_events.c
_P = tables.deployment_predictions.c
_S = tables.deployment_version_stats.c
#: Statistics are kept per minute.
BUCKET_MS = 60_000
_LABEL_ORDER = {PRIMARY: 0, CANARY: 1}


# -- deployments ------------------------------------------------------------------------------

def create(conn: Connection, name: str, targets: tuple[DeploymentTarget, ...],
           description: str, user_id: str, now: int) -> None:
    if _exists(conn, name):
        raise AlreadyDeployedError(f"Deployment {name!r} already exists: change it with "
                                   "set_traffic / promote / rollback, or delete it first.")
    conn.execute(tables.deployments.insert().values(
        name=name, description=description or "", created_by=user_id or "",
        status=status_of(targets), revision=1, creation_timestamp=now,
        last_updated_timestamp=now))
    _write_targets(conn, name, targets)
    _record(conn, name, 1, DeploymentEventKind.CREATED, user_id, now, (), targets)


def load(conn: Connection, name: str, *, for_update: bool = False) -> Deployment:
    """One deployment; NotFoundError naming it and the ones that exist."""
    query = sa.select(tables.deployments).where(_D.name == name)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFoundError(f"No deployment named {name!r}."
                            f"{did_you_mean(name, names(conn))}")
    return _deployment(row, _targets(conn, [name]).get(name, ()))


def load_all(conn: Connection) -> list[Deployment]:
    rows = conn.execute(sa.select(tables.deployments).order_by(_D.name)).all()
    targets = _targets(conn, [r.name for r in rows])
    return [_deployment(r, targets.get(r.name, ())) for r in rows]


def names(conn: Connection) -> list[str]:
    return list(conn.execute(sa.select(_D.name).order_by(_D.name)).scalars())


def change(conn: Connection, name: str, user_id: str, now: int, expected_revision: int | None,
           compute: Callable[[Connection, Deployment], Transition]) -> bool:
    """Apply the transition `compute` returns for the current deployment: new targets, the
    revision bumped by one, the event recorded. False (nothing written) when the targets would
    stay as they are."""
    current = load(conn, name, for_update=True)
    check_expected_revision(current, expected_revision)
    kind, targets = compute(conn, current)
    if targets == current.targets:
        return False
    revision = current.revision + 1
    bumped = conn.execute(tables.deployments.update()
                          .where(_D.name == name, _D.revision == current.revision)
                          .values(revision=revision, status=status_of(targets),
                                  last_updated_timestamp=now))
    if bumped.rowcount != 1:
        raise RevisionConflictError(f"Deployment {name!r} changed while this change was being "
                                    "made; read it again and retry.")
    conn.execute(tables.deployment_targets.delete().where(_T.deployment == name))
    _write_targets(conn, name, targets)
    _record(conn, name, revision, kind, user_id, now, current.targets, targets)
    return True


def delete(conn: Connection, name: str) -> None:
    load(conn, name, for_update=True)
    for table, column in ((tables.deployment_predictions, _P.deployment),
                          (tables.deployment_version_stats, _S.deployment),
                          (tables.deployment_events, _E.deployment),
                          (tables.deployment_targets, _T.deployment)):
        conn.execute(table.delete().where(column == name))
    conn.execute(tables.deployments.delete().where(_D.name == name))


def history(conn: Connection, name: str) -> list[DeploymentEvent]:
    query = sa.select(tables.deployment_events).where(_E.deployment == name).order_by(
        _E.revision)
    return [DeploymentEvent(r.deployment, int(r.revision), r.kind, r.user_id, r.timestamp,
                            _decode_targets(r.before), _decode_targets(r.after))
            for r in conn.execute(query)]


# -- predictions and statistics ---------------------------------------------------------------

def prediction_rows(records: Sequence[PredictionRecord]) -> list[dict[str, Any]]:
    """Rows for `insert_predictions`, payloads encoded (InvalidInputError if not JSON)."""
    return [{"deployment": r.deployment, "label": r.label, "model_version": r.model_version,
             "request_id": r.request_id, "timestamp_ms": r.timestamp_ms,
             "inputs": _payload(r.inputs, r, "inputs"),
             "outputs": _payload(r.outputs, r, "outputs"),
             "latency_ms": float(r.latency_ms), "status": r.status} for r in records]


def insert_predictions(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(tables.deployment_predictions.insert(), list(rows))


def add_stats(conn: Connection, stats: Sequence[VersionStats]) -> None:
    """Add each report to its minute's totals (reports for one key merged first)."""
    merged: dict[tuple[str, str, str, int], VersionStats] = {}
    for s in stats:
        key = (s.deployment, s.label, s.model_version, s.since_ms - s.since_ms % BUCKET_MS)
        merged[key] = merge_stats(merged[key], s) if key in merged else s
    table = tables.deployment_version_stats
    for (_, _, _, bucket), s in merged.items():
        stmt = insert_dialect(conn)(table).values(
            deployment=s.deployment, label=s.label, model_version=s.model_version,
            bucket_ms=bucket, requests=s.requests, errors=s.errors,
            latency_ms_sum=float(s.latency_ms_sum), latency_ms_max=float(s.latency_ms_max),
            since_ms=s.since_ms, until_ms=s.until_ms)
        new = stmt.excluded
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["deployment", "label", "model_version", "bucket_ms"],
            set_={"requests": table.c.requests + new.requests,
                  "errors": table.c.errors + new.errors,
                  "latency_ms_sum": table.c.latency_ms_sum + new.latency_ms_sum,
                  "latency_ms_max": sa.case((new.latency_ms_max > table.c.latency_ms_max,
                                             new.latency_ms_max),
                                            else_=table.c.latency_ms_max),
                  "since_ms": sa.case((new.since_ms < table.c.since_ms, new.since_ms),
                                      else_=table.c.since_ms),
                  "until_ms": sa.case((new.until_ms > table.c.until_ms, new.until_ms),
                                      else_=table.c.until_ms)}))


def merge_stats(a: VersionStats, b: VersionStats) -> VersionStats:
    """Totals of two reports for one route and version."""
    return VersionStats(a.deployment, a.label, a.model_version, a.requests + b.requests,
                        a.errors + b.errors, a.latency_ms_sum + b.latency_ms_sum,
                        max(a.latency_ms_max, b.latency_ms_max), min(a.since_ms, b.since_ms),
                        max(a.until_ms, b.until_ms))


def search_predictions(conn: Connection, name: str, since_ms: int | None,
                       until_ms: int | None, label: str | None,
                       limit: int) -> list[PredictionRecord]:
    query = sa.select(tables.deployment_predictions).where(_P.deployment == name)
    if since_ms is not None:
        query = query.where(_P.timestamp_ms >= since_ms)
    if until_ms is not None:
        query = query.where(_P.timestamp_ms < until_ms)
    if label is not None:
        query = query.where(_P.label == label)
    query = query.order_by(_P.timestamp_ms.desc(), _P.prediction_id.desc()).limit(limit)
    return [PredictionRecord(r.deployment, r.label, r.model_version, r.request_id,
                             int(r.timestamp_ms), json.loads(r.inputs), json.loads(r.outputs),
                             float(r.latency_ms), int(r.status))
            for r in conn.execute(query)]


def version_stats(conn: Connection, name: str, since_ms: int | None) -> list[VersionStats]:
    query = (sa.select(_S.label, _S.model_version, sa.func.sum(_S.requests),
                       sa.func.sum(_S.errors), sa.func.sum(_S.latency_ms_sum),
                       sa.func.max(_S.latency_ms_max), sa.func.min(_S.since_ms),
                       sa.func.max(_S.until_ms))
             .where(_S.deployment == name).group_by(_S.label, _S.model_version))
    if since_ms is not None:
        query = query.where(_S.bucket_ms >= since_ms - since_ms % BUCKET_MS)
    found = [VersionStats(name, label, version, int(requests), int(errors), float(total),
                          float(peak), int(since), int(until))
             for label, version, requests, errors, total, peak, since, until
             in conn.execute(query)]
    return sorted(found, key=lambda s: (_LABEL_ORDER.get(s.label, 2), s.label,
                                        s.model_version))


# -- helpers ----------------------------------------------------------------------------------

def _exists(conn: Connection, name: str) -> bool:
    return conn.execute(sa.select(sa.literal(1)).where(_D.name == name)).first() is not None


def _deployment(row: Any, targets: tuple[DeploymentTarget, ...]) -> Deployment:
    return Deployment(row.name, targets, int(row.revision), row.status,
                      int(row.creation_timestamp), int(row.last_updated_timestamp),
                      row.description, row.created_by)


def _targets(conn: Connection, names: Sequence[str]) -> dict[str, tuple[DeploymentTarget, ...]]:
    found: dict[str, list[DeploymentTarget]] = {}
    if not names:
        return {}
    query = (sa.select(_T.deployment, _T.label, _T.model_uri, _T.traffic_percent)
             .where(_T.deployment.in_(list(names))).order_by(_T.deployment, _T.position))
    for deployment, label, uri, percent in conn.execute(query):
        found.setdefault(deployment, []).append(DeploymentTarget(label, uri, float(percent)))
    return {name: tuple(targets) for name, targets in found.items()}


def _write_targets(conn: Connection, name: str, targets: Sequence[DeploymentTarget]) -> None:
    conn.execute(tables.deployment_targets.insert(), [
        {"deployment": name, "label": t.label, "position": n, "model_uri": t.model_uri,
         "traffic_percent": t.traffic_percent} for n, t in enumerate(targets)])


def _record(conn: Connection, name: str, revision: int, kind: DeploymentEventKind,
            user_id: str, now: int, before: Sequence[DeploymentTarget],
            after: Sequence[DeploymentTarget]) -> None:
    conn.execute(tables.deployment_events.insert().values(
        deployment=name, revision=revision, kind=kind.value, user_id=user_id or "",
        timestamp=now, before=_encode_targets(before), after=_encode_targets(after)))


def _encode_targets(targets: Sequence[DeploymentTarget]) -> str:
    return json.dumps([[t.label, t.model_uri, t.traffic_percent] for t in targets],
                      separators=(",", ":"))


def _decode_targets(text: str) -> tuple[DeploymentTarget, ...]:
    return tuple(DeploymentTarget(label, uri, float(percent))
                 for label, uri, percent in json.loads(text))


def _payload(value: Any, record: PredictionRecord, field: str) -> str:
    try:
        return json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"Prediction record {record.request_id!r:.80} of deployment "
                                f"{record.deployment!r}: its {field} are not JSON ({exc}); "
                                "send lists, numbers, strings and dicts.") from None
