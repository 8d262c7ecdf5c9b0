"""The model registry in SQL (SQLAlchemy Core on a connection the store opened and commits):
registered models, versions, their tags and lineage (training datasets in order), aliases and
alias events.

Versions are numbered from the model's `last_version` counter, incremented by an UPDATE in the
creating transaction: on PostgreSQL the UPDATE locks the model's row until commit, on SQLite the
store's writes hold the database lock (BEGIN IMMEDIATE), so concurrent creators get distinct
numbers; the (name, version) primary key guards it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import NotFoundError
from slipstream.entities.registry import (
    AliasEvent,
    ModelVersion,
    ModelVersionStatus,
    RegisteredModel,
)
from slipstream.entities.tracking import Dataset, RunTag
from slipstream.metadata.sql import tables
from slipstream.metadata.sql.tracking_experiments import insert_dialect
from slipstream.metadata.tracking import AlreadyExistsError
from slipstream.metadata.validation import check_tag

_R = tables.registered_models.c
_V = tables.model_versions.c
_A = tables.registered_model_aliases.c
_E = tables.model_alias_events.c
_RT = tables.registered_model_tags.c
_VT = tables.model_version_tags.c
_D = tables.model_version_datasets.c


@dataclass(frozen=True, slots=True)
class Lineage:
    """What a new version records about where it came from (all optional)."""

    execution_id: str | None = None
    node_id: str | None = None
    workflow_version: str | None = None
    datasets: tuple[Dataset, ...] = ()


# -- registered models ------------------------------------------------------------------------

def create_model(conn: Connection, name: str, tags: Mapping[str, str], description: str,
                 now: int) -> None:
    _check_tags(tags)
    if _exists(conn, name):
        raise AlreadyExistsError(f"Registered Model (name={name}) already exists.")
    conn.execute(tables.registered_models.insert().values(
        name=name, description=description or "", creation_timestamp=now,
        last_updated_timestamp=now, last_version=0))
    for key, value in tags.items():
        _upsert_tag(conn, tables.registered_model_tags, {"name": name}, key, value)


def require_model(conn: Connection, name: str) -> None:
    if not _exists(conn, name):
        raise NotFoundError(f"Registered Model with name={name} not found")


def rename_model(conn: Connection, name: str, new_name: str, now: int) -> None:
    require_model(conn, name)
    if new_name != name and _exists(conn, new_name):
        raise AlreadyExistsError(f"Registered Model (name={new_name}) already exists.")
    # Versions, tags, aliases and events follow through ON UPDATE CASCADE.
    conn.execute(tables.registered_models.update().where(_R.name == name)
                 .values(name=new_name, last_updated_timestamp=now))


def update_model(conn: Connection, name: str, description: str, now: int) -> None:
    require_model(conn, name)
    conn.execute(tables.registered_models.update().where(_R.name == name)
                 .values(description=description or "", last_updated_timestamp=now))


def delete_model(conn: Connection, name: str) -> None:
    require_model(conn, name)
    conn.execute(tables.registered_models.delete().where(_R.name == name))


def set_model_tag(conn: Connection, name: str, key: str, value: str, now: int) -> None:
    _check_tags({key: value})
    require_model(conn, name)
    _upsert_tag(conn, tables.registered_model_tags, {"name": name}, key, value)
    _touch(conn, name, now)


def delete_model_tag(conn: Connection, name: str, key: str) -> None:
    require_model(conn, name)
    deleted = conn.execute(tables.registered_model_tags.delete()
                           .where(_RT.name == name, _RT.key == key))
    if deleted.rowcount == 0:
        raise NotFoundError(f"No tag with key {key!r} on registered model {name!r}.")


def load_models(conn: Connection, names: Sequence[str]) -> list[RegisteredModel]:
    """The models with these names that exist, in the order given."""
    if not names:
        return []
    wanted = list(names)
    tags: dict[str, dict[str, str]] = {}
    for name, key, value in conn.execute(sa.select(_RT.name, _RT.key, _RT.value)
                                         .where(_RT.name.in_(wanted))):
        tags.setdefault(name, {})[key] = value
    aliases: dict[str, dict[str, int]] = {}
    for name, alias, version in conn.execute(sa.select(_A.name, _A.alias, _A.version)
                                             .where(_A.name.in_(wanted)).order_by(_A.alias)):
        aliases.setdefault(name, {})[alias] = int(version)
    newest = sa.select(_V.name, sa.func.max(_V.version).label("version")).where(
        _V.name.in_(wanted)).group_by(_V.name)
    latest = {v.name: v for v in load_versions(conn, [
        (n, int(v)) for n, v in conn.execute(newest).all()])}
    found = {}
    for r in conn.execute(sa.select(tables.registered_models).where(_R.name.in_(wanted))):
        found[r.name] = RegisteredModel(
            r.name, r.creation_timestamp, r.last_updated_timestamp, r.description,
            tags.get(r.name, {}), aliases.get(r.name, {}),
            (latest[r.name],) if r.name in latest else ())
    return [found[n] for n in wanted if n in found]


# -- versions ---------------------------------------------------------------------------------

def create_version(conn: Connection, name: str, source: str, run_id: str | None,
                   model_id: str | None, tags: Mapping[str, str], description: str,
                   user_id: str, now: int, lineage: Lineage | None = None) -> int:
    """The model's next version number, its row, tags and lineage written."""
    lineage = lineage or Lineage()
    _check_tags(tags)
    bumped = conn.execute(tables.registered_models.update().where(_R.name == name).values(
        last_version=_R.last_version + 1, last_updated_timestamp=now))
    if bumped.rowcount == 0:
        raise NotFoundError(f"Registered Model with name={name} not found")
    version = int(conn.execute(sa.select(_R.last_version).where(_R.name == name)).scalar_one())
    conn.execute(tables.model_versions.insert().values(
        name=name, version=version, source=source, run_id=run_id or None,
        model_id=model_id or None, status=ModelVersionStatus.READY.value,
        description=description or "", user_id=user_id or "", creation_timestamp=now,
        last_updated_timestamp=now, execution_id=lineage.execution_id or None,
        node_id=lineage.node_id or None, workflow_version=lineage.workflow_version or None))
    for key, value in tags.items():
        _upsert_tag(conn, tables.model_version_tags, {"name": name, "version": version},
                    key, value)
    if lineage.datasets:
        conn.execute(tables.model_version_datasets.insert(), [
            {"name": name, "version": version, "position": position,
             "dataset_name": d.name, "digest": d.digest, "source_type": d.source_type,
             "source": d.source, "schema": d.schema, "profile": d.profile}
            for position, d in enumerate(lineage.datasets)])
    return version


def require_version(conn: Connection, name: str, version: int) -> None:
    found = conn.execute(sa.select(sa.literal(1)).where(_V.name == name, _V.version == version)
                         ).first()
    if found is None:
        raise NotFoundError(f"Model Version (name={name}, version={version}) not found")


def update_version(conn: Connection, name: str, version: int, description: str,
                   now: int) -> None:
    require_version(conn, name, version)
    conn.execute(tables.model_versions.update().where(_V.name == name, _V.version == version)
                 .values(description=description or "", last_updated_timestamp=now))


def delete_version(conn: Connection, name: str, version: int, now: int) -> None:
    require_version(conn, name, version)
    conn.execute(tables.model_versions.delete().where(_V.name == name, _V.version == version))
    _touch(conn, name, now)


def set_version_tag(conn: Connection, name: str, version: int, key: str, value: str,
                    now: int) -> None:
    _check_tags({key: value})
    require_version(conn, name, version)
    _upsert_tag(conn, tables.model_version_tags, {"name": name, "version": version}, key, value)
    conn.execute(tables.model_versions.update().where(_V.name == name, _V.version == version)
                 .values(last_updated_timestamp=now))


def delete_version_tag(conn: Connection, name: str, version: int, key: str) -> None:
    require_version(conn, name, version)
    deleted = conn.execute(tables.model_version_tags.delete().where(
        _VT.name == name, _VT.version == version, _VT.key == key))
    if deleted.rowcount == 0:
        raise NotFoundError(f"No tag with key {key!r} on version {version} of model {name!r}.")


def load_versions(conn: Connection, keys: Sequence[tuple[str, int]]) -> list[ModelVersion]:
    """The versions with these (name, version) keys that exist, in the order given."""
    if not keys:
        return []
    wanted = [(n, int(v)) for n, v in keys]
    names = sorted({n for n, _ in wanted})
    tags: dict[tuple[str, int], dict[str, str]] = {}
    for name, version, key, value in conn.execute(
            sa.select(_VT.name, _VT.version, _VT.key, _VT.value).where(_VT.name.in_(names))):
        tags.setdefault((name, int(version)), {})[key] = value
    aliases: dict[tuple[str, int], list[str]] = {}
    for name, alias, version in conn.execute(sa.select(_A.name, _A.alias, _A.version)
                                             .where(_A.name.in_(names)).order_by(_A.alias)):
        aliases.setdefault((name, int(version)), []).append(alias)
    datasets: dict[tuple[str, int], list[Dataset]] = {}
    for r in conn.execute(sa.select(tables.model_version_datasets)
                          .where(_D.name.in_(names)).order_by(_D.position)):
        datasets.setdefault((r.name, int(r.version)), []).append(Dataset(
            r.dataset_name, r.digest, r.source_type, r.source, r.schema, r.profile))
    found = {}
    for r in conn.execute(sa.select(tables.model_versions).where(
            sa.tuple_(_V.name, _V.version).in_(wanted))):
        key = (r.name, int(r.version))
        found[key] = ModelVersion(
            r.name, int(r.version), r.source, r.creation_timestamp, r.last_updated_timestamp,
            r.run_id, r.model_id, r.status, r.description, r.user_id, tags.get(key, {}),
            tuple(aliases.get(key, ())), r.execution_id, r.node_id, r.workflow_version,
            tuple(datasets.get(key, ())))
    return [found[k] for k in wanted if k in found]


# -- aliases ----------------------------------------------------------------------------------

def set_alias(conn: Connection, name: str, alias: str, version: int, user_id: str,
              now: int) -> None:
    require_version(conn, name, version)
    current = _alias_target(conn, name, alias)
    if current == version:
        return
    if current is None:
        conn.execute(tables.registered_model_aliases.insert().values(
            name=name, alias=alias, version=version))
    else:
        conn.execute(tables.registered_model_aliases.update()
                     .where(_A.name == name, _A.alias == alias).values(version=version))
    _record(conn, name, alias, current, version, user_id, now)
    _touch(conn, name, now)


def delete_alias(conn: Connection, name: str, alias: str, user_id: str, now: int) -> None:
    require_model(conn, name)
    current = _alias_target(conn, name, alias)
    if current is None:
        raise NotFoundError(f"Registered model alias {alias} not found on model {name}.")
    conn.execute(tables.registered_model_aliases.delete()
                 .where(_A.name == name, _A.alias == alias))
    _record(conn, name, alias, current, None, user_id, now)
    _touch(conn, name, now)


def version_by_alias(conn: Connection, name: str, alias: str) -> int:
    require_model(conn, name)
    current = _alias_target(conn, name, alias)
    if current is None:
        raise NotFoundError(f"Registered model alias {alias} not found on model {name}.")
    return current


def alias_history(conn: Connection, name: str, alias: str | None) -> list[AliasEvent]:
    require_model(conn, name)
    query = sa.select(tables.model_alias_events).where(_E.name == name).order_by(_E.event_id)
    if alias is not None:
        query = query.where(_E.alias == alias)
    return [AliasEvent(r.name, r.alias, r.from_version, r.to_version, r.user_id, r.timestamp)
            for r in conn.execute(query)]


# -- helpers ----------------------------------------------------------------------------------

def _exists(conn: Connection, name: str) -> bool:
    return conn.execute(sa.select(sa.literal(1)).where(_R.name == name)).first() is not None


def _touch(conn: Connection, name: str, now: int) -> None:
    conn.execute(tables.registered_models.update().where(_R.name == name)
                 .values(last_updated_timestamp=now))


def _check_tags(tags: Mapping[str, str]) -> None:
    for key, value in tags.items():
        check_tag(RunTag(key, value))


def _upsert_tag(conn: Connection, table: sa.Table, owner: dict[str, Any], key: str,
                value: str) -> None:
    stmt = insert_dialect(conn)(table).values(**owner, key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[*owner, "key"],
                                            set_={"value": stmt.excluded.value}))


def _alias_target(conn: Connection, name: str, alias: str) -> int | None:
    found = conn.execute(sa.select(_A.version).where(_A.name == name, _A.alias == alias)
                         ).scalar()
    return None if found is None else int(found)


def _record(conn: Connection, name: str, alias: str, from_version: int | None,
            to_version: int | None, user_id: str, now: int) -> None:
    conn.execute(tables.model_alias_events.insert().values(
        name=name, alias=alias, from_version=from_version, to_version=to_version,
        user_id=user_id or "", timestamp=now))
