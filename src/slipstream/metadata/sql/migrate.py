"""Alembic migrations of an older schema, through SQLAlchemy (imported only when needed).

A store at head, or a new one, never comes here: `schema.ensure_schema` checks the revision and
creates fresh schemas through the driver.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from slipstream._core.errors import StoreUnavailableError
from slipstream.metadata.sql import _compiled
from slipstream.metadata.sql.schema import MIGRATIONS_DIR, revisions_in_folder
from slipstream.metadata.sql.tables import HEAD_REVISION
from slipstream.metadata.sql.urls import describe_db_error, mask_url

__all__ = ["HEAD_REVISION", "MIGRATIONS_DIR", "current_revision", "revisions_in_folder",
           "upgrade"]


def upgrade(engine: Engine, label: str | None = None) -> None:
    """Run the migrations up to head (the caller holds the migration lock); errors name the
    store as `label` (default: the engine URL, password masked)."""
    try:
        _upgrade(engine)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreUnavailableError(
            f"Cannot migrate metadata store {label or mask_url(engine.url)!r}: "
            f"{describe_db_error(exc)}"
        ) from None


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, or None for an empty database."""
    try:
        with engine.connect() as conn:
            value = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except sa.exc.DBAPIError:  # no such table (yet)
        return None
    return str(value) if value is not None else None


def _create_at_head(engine: Engine) -> None:
    """The head schema from the compiled DDL that new stores get (for tests comparing it
    with the migrations)."""
    with engine.begin() as conn:
        for statement in _compiled.CREATE_SCHEMA[engine.dialect.name]:
            conn.exec_driver_sql(statement)


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
