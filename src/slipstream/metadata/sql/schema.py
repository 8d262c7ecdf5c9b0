"""Bring a store's schema to the head revision through the driver, cheaply when it is there.

Fast path: one plain SELECT of `alembic_version`. A new, empty database gets the head schema
from the DDL compiled ahead of time (`_compiled.py`), under a lock (PostgreSQL advisory lock, a
file lock beside a SQLite file) and after re-checking, so many fresh processes can open one new
store at once. Only an older schema calls `upgrade`: alembic through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from slipstream._core.errors import StoreUnavailableError
from slipstream.metadata.sql import _compiled
from slipstream.metadata.sql.dbapi import Database
from slipstream.metadata.sql.urls import describe_db_error

HEAD_REVISION = _compiled.HEAD_REVISION
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def ensure_schema(db: Database, label: str, upgrade: Callable[[], None]) -> None:
    """Create or upgrade the schema of `db` to HEAD_REVISION; errors name the store as `label`.
    `upgrade` migrates an older schema (called under the lock)."""
    with db.connection() as conn:
        if current_revision(db, conn) == HEAD_REVISION:
            return
    try:
        with db.migration_lock():
            with db.connection() as conn:
                revision = current_revision(db, conn)
                if revision == HEAD_REVISION:
                    return
                if revision is not None and revision not in revisions_in_folder():
                    raise StoreUnavailableError(
                        f"Metadata store {label!r} has schema revision {revision!r}, newer than "
                        f"this Slipstream knows (head {HEAD_REVISION!r}): upgrade slipstream to "
                        "use it"
                    )
                if revision is None and not db.driver.table_names(conn) & set(_compiled.TABLES):
                    create_at_head(db, conn)
                    return
            upgrade()
    except db.driver.errors as exc:
        raise StoreUnavailableError(
            f"Cannot migrate metadata store {label!r}: {describe_db_error(exc)}"
        ) from None
    except OSError as exc:  # the SQLite lock file
        raise StoreUnavailableError(
            f"Cannot migrate metadata store {label!r}: {exc.strerror or exc}"
        ) from None


def current_revision(db: Database, conn: Any) -> str | None:
    """The revision recorded in the database, or None for an empty database."""
    try:
        rows = db.execute(conn, "SELECT version_num FROM alembic_version")
    except db.driver.errors:  # no such table (yet)
        return None
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def create_at_head(db: Database, conn: Any) -> None:
    """The head schema and its alembic_version stamp, in one transaction."""
    with db.transaction(conn):
        for statement in _compiled.CREATE_SCHEMA[db.dialect]:
            db.execute(conn, statement)


def revisions_in_folder() -> list[str]:
    """Revision ids of the migration files (named `<revision>_<slug>.py`), oldest first."""
    names = (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")
    return sorted(p.name.split("_", 1)[0] for p in names)
