"""Bring a store's schema to the head revision, cheaply when it is already there.

Fast path: one plain SELECT of `alembic_version`; when it equals `HEAD_REVISION` alembic is never
imported. Otherwise migrate under a lock (PostgreSQL advisory lock, a file lock beside a SQLite
file) and re-check after taking it, so many fresh processes can open one new store at once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from slipstream._core.errors import StoreUnavailableError
from slipstream.metadata.sql.engine import describe_db_error, mask_url

#: Newest revision in migrations/versions; a test keeps the two in step.
HEAD_REVISION = "0001"

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x5119_57EA  # any constant int64, shared by every Slipstream process


def ensure_schema(engine: Engine, label: str | None = None) -> None:
    """Create or upgrade the schema of `engine`'s database to `HEAD_REVISION`; errors name the
    store as `label` (default: the engine URL, password masked)."""
    if current_revision(engine) == HEAD_REVISION:
        return
    url = label or mask_url(engine.url)
    try:
        with _migration_lock(engine):
            revision = current_revision(engine)
            if revision == HEAD_REVISION:
                return
            if revision is not None and revision not in revisions_in_folder():
                raise StoreUnavailableError(
                    f"Metadata store {url!r} has schema revision {revision!r}, newer than this "
                    f"Slipstream knows (head {HEAD_REVISION!r}): upgrade slipstream to use it"
                )
            if revision is None and _is_empty(engine):
                _create_at_head(engine)
            else:
                _upgrade(engine)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreUnavailableError(
            f"Cannot migrate metadata store {url!r}: {describe_db_error(exc)}"
        ) from None
    except OSError as exc:  # the SQLite lock file
        raise StoreUnavailableError(
            f"Cannot migrate metadata store {url!r}: {exc.strerror or exc}"
        ) from None


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, or None for an empty database."""
    try:
        with engine.connect() as conn:
            value = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except sa.exc.DBAPIError:  # no such table (yet)
        return None
    return str(value) if value is not None else None


def revisions_in_folder() -> list[str]:
    """Revision ids of the migration files (named `<revision>_<slug>.py`), oldest first."""
    names = (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")
    return sorted(p.name.split("_", 1)[0] for p in names)


def _is_empty(engine: Engine) -> bool:
    """True when none of Slipstream's tables exist yet."""
    from slipstream.metadata.sql.tables import metadata

    existing = set(sa.inspect(engine).get_table_names())
    return not existing & set(metadata.tables)


def _create_at_head(engine: Engine) -> None:
    """A new, empty database: create the head schema from the table definitions and stamp its
    revision, without importing alembic (a test keeps the two schemas identical)."""
    from slipstream.metadata.sql.tables import metadata

    with engine.begin() as conn:
        metadata.create_all(conn)
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                             "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
        conn.exec_driver_sql(f"INSERT INTO alembic_version (version_num) VALUES "
                             f"('{HEAD_REVISION}')")


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()  # the lock belongs to the session and outlives the transaction
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
    elif backend == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with _file_lock(Path(f"{engine.url.database}-migrate.lock")):
            yield
    else:
        yield


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Exclusive lock on a separate file: locking the database file itself would drop SQLite's
    own POSIX locks when the descriptor closes."""
    try:
        import fcntl
    except ImportError:  # Windows: no cross-process lock; migrations there are best effort
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
