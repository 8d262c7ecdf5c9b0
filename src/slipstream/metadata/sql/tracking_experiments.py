"""Experiments in SQL (SQLAlchemy Core on a connection the store opened and commits)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.entities import (
    DEFAULT_EXPERIMENT_ID,
    Experiment,
    LifecycleStage,
    ViewType,
)
from slipstream.metadata.sql.rows import numeric_id
from slipstream.metadata.sql.tables import experiment_tags, experiments, runs
from slipstream.metadata.tracking import AlreadyExistsError
from slipstream.metadata.validation import check_name

_E = experiments.c


def _target() -> Any:
    from slipstream.metadata.sql.keyed_search import Target
    from slipstream.protocol.search import EXPERIMENTS, Entity

    return Target(EXPERIMENTS, _E.experiment_id,
                  {"name": _E.name, "experiment_id": _E.experiment_id,
                   "creation_time": _E.creation_time, "last_update_time": _E.last_update_time},
                  {Entity.TAG: (experiment_tags, experiment_tags.c.experiment_id)})


def insert_dialect(conn: Connection) -> Any:
    """`insert` with ON CONFLICT support for the connection's dialect."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def experiment_location(experiment: Experiment, artifact_root: str) -> str:
    """Where an experiment's runs and models keep their artifacts: its artifact_location (as
    MLflow does), or `{artifact_root}/{experiment_id}` for one created without."""
    return (experiment.artifact_location or f"{artifact_root}/{experiment.experiment_id}").rstrip("/")


def create(conn: Connection, name: str, artifact_location: str | None,
           tags: Mapping[str, str], artifact_root: str, now: int) -> str:
    """Insert an experiment; a taken name (even by a concurrent creator: ON CONFLICT waits
    for it) is an AlreadyExistsError."""
    for key in tags:
        check_name("tag", key)
    insert = insert_dialect(conn)
    new_id = conn.execute(insert(experiments).values(
        name=name, artifact_location=artifact_location or "",
        lifecycle_stage=LifecycleStage.ACTIVE.value, creation_time=now, last_update_time=now,
    ).on_conflict_do_nothing(index_elements=["name"]).returning(_E.experiment_id)).scalar()
    if new_id is None:
        raise AlreadyExistsError(f"Experiment {name!r} already exists.")
    if not artifact_location:
        conn.execute(experiments.update().where(_E.experiment_id == new_id)
                     .values(artifact_location=f"{artifact_root}/{new_id}"))
    for key, value in tags.items():
        set_tag(conn, str(new_id), key, value)
    return str(new_id)


def get(conn: Connection, experiment_id: str) -> Experiment:
    found = _load(conn, _E.experiment_id == numeric_id(experiment_id))
    if not found:
        raise NotFoundError(f"No Experiment with id={experiment_id} exists")
    return found[0]


def get_by_name(conn: Connection, name: str) -> Experiment | None:
    found = _load(conn, _E.name == name)
    return found[0] if found else None


def search(conn: Connection, view_type: ViewType, max_results: int, page_token: str | None,
           filter_string: str = "", order_by: Sequence[str] = ()) -> tuple[list[Experiment],
                                                                          str | None]:
    """One page of experiments matching an MLflow filter (attributes name, creation_time,
    last_update_time; tags), ordered by `order_by` then newest first."""
    from slipstream.metadata.sql import keyed_search

    offset = decode_token(page_token)
    where = sa.and_(_E.lifecycle_stage.in_(ViewType(view_type).stages()),
                    *keyed_search.compile_filter(_target(), filter_string))
    found = _load(conn, where, limit=max_results + 1, offset=offset,
                  order=keyed_search.compile_order(_target(), order_by))
    following = encode_token(offset + max_results) if len(found) > max_results else None
    return found[:max_results], following


def update(conn: Connection, experiment_id: str, name: str | None, stage: str | None,
           now: int) -> None:
    current = get(conn, experiment_id)
    values: dict[str, Any] = {"last_update_time": now}
    if name is not None and name != current.name:
        if get_by_name(conn, name) is not None:
            raise AlreadyExistsError(f"Experiment {name!r} already exists.")
        values["name"] = name
    if stage is not None:
        if stage == LifecycleStage.DELETED.value and current.experiment_id == \
                DEFAULT_EXPERIMENT_ID:
            raise InvalidInputError("Cannot delete the default experiment '0'.")
        values["lifecycle_stage"] = LifecycleStage(stage).value
        # as MLflow: deleting an experiment deletes its runs, restoring it restores them
        conn.execute(runs.update().where(runs.c.experiment_id == numeric_id(experiment_id))
                     .values(lifecycle_stage=values["lifecycle_stage"]))
    conn.execute(experiments.update().where(_E.experiment_id == numeric_id(experiment_id))
                 .values(**values))


def set_tag(conn: Connection, experiment_id: str, key: str, value: str) -> None:
    check_name("tag", key)
    insert = insert_dialect(conn)
    stmt = insert(experiment_tags).values(experiment_id=numeric_id(experiment_id), key=key,
                                          value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["experiment_id", "key"],
                                            set_={"value": stmt.excluded.value}))


def delete_tag(conn: Connection, experiment_id: str, key: str) -> None:
    t = experiment_tags.c
    deleted = conn.execute(experiment_tags.delete().where(
        t.experiment_id == numeric_id(experiment_id), t.key == key))
    if deleted.rowcount == 0:
        raise NotFoundError(f"No tag with name: {key} in experiment with id {experiment_id}")


# Built once: building a statement per call costs several times what running it does.
_STAGE_AND_LOCATION = sa.select(_E.lifecycle_stage, _E.artifact_location).where(
    _E.experiment_id == sa.bindparam("eid"))


def active_location(conn: Connection, experiment_id: str, artifact_root: str) -> str:
    """`experiment_location` of an active experiment, in one query (`require_active` also
    reads its tags): what a new run needs."""
    row = conn.execute(_STAGE_AND_LOCATION, {"eid": numeric_id(experiment_id)}).first()
    if row is None:
        raise NotFoundError(f"No Experiment with id={experiment_id} exists")
    if row.lifecycle_stage != LifecycleStage.ACTIVE.value:
        raise InvalidInputError(
            f"The experiment {experiment_id} must be in the 'active' state. Current state is "
            f"{row.lifecycle_stage}.")
    return (row.artifact_location or f"{artifact_root}/{numeric_id(experiment_id)}").rstrip("/")


def require_active(conn: Connection, experiment_id: str) -> Experiment:
    experiment = get(conn, experiment_id)
    if experiment.lifecycle_stage != LifecycleStage.ACTIVE.value:
        raise InvalidInputError(
            f"The experiment {experiment_id} must be in the 'active' state. Current state is "
            f"{experiment.lifecycle_stage}.")
    return experiment


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_token(token: str | None) -> int:
    """The offset a page token stands for (0 without one); InvalidInputError if malformed."""
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInputError(f"Invalid page token {token!r:.100}.") from None
    if not isinstance(offset, int) or offset < 0:
        raise InvalidInputError(f"Invalid page token {token!r:.100}.")
    return offset


def _load(conn: Connection, where: Any, limit: int | None = None, offset: int = 0,
          order: Sequence[Any] = ()) -> list[Experiment]:
    query = (sa.select(experiments).where(where)
             .order_by(*order, _E.creation_time.desc(), _E.experiment_id.desc()).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    tags: dict[int, dict[str, str]] = {}
    if rows:
        t = experiment_tags.c
        for eid, key, value in conn.execute(sa.select(t.experiment_id, t.key, t.value).where(
                t.experiment_id.in_([r.experiment_id for r in rows]))):
            tags.setdefault(eid, {})[key] = value
    return [Experiment(str(r.experiment_id), r.name, r.artifact_location, r.lifecycle_stage,
                       r.creation_time, r.last_update_time, tags.get(r.experiment_id, {}))
            for r in rows]
