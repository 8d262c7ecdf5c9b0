"""Create a SQLAlchemy engine for a store URL (SQLite or PostgreSQL) and check it answers.

Used lazily: for the store's reads and for migrations, never on the workflow engine's hot path
(that goes through `dbapi`). `postgresql://` and `postgres://` mean psycopg 3
(`postgresql+psycopg://`). SQLite files get their parent folder created and WAL pragmas on
every connection. Anything that keeps the store from opening becomes one
`StoreUnavailableError` naming the URL (password masked) and the cause.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import StaticPool

from slipstream._core.errors import InvalidInputError, StoreUnavailableError
from slipstream.metadata.sql.drivers import SQLITE_PRAGMAS, execute_waiting, make_parent
from slipstream.metadata.sql.urls import describe_db_error, mask_url

__all__ = ["create_store_engine", "describe_db_error", "mask_url", "normalise_url"]

_PG_CONNECT_TIMEOUT_S = 10


def normalise_url(url: str) -> URL:
    """Parse `url`, choosing psycopg 3 for a bare postgresql:// or postgres:// scheme."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError, ValueError, ...
        raise StoreUnavailableError(f"Cannot parse metadata store URL {mask_url(url)!r}: {exc}") \
            from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_store_engine(url: str, creator: Callable[[], Any] | None = None) -> Engine:
    """An engine for `url`, with one connection opened to prove the store is reachable.
    `creator`: the one connection of an in-memory SQLite database to share."""
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            kwargs["poolclass"] = StaticPool  # one shared in-memory database
            kwargs["connect_args"] = {"check_same_thread": False}
            if creator is not None:
                kwargs["creator"] = creator
        else:
            make_parent(url, Path(database))
    elif backend == "postgresql":
        if "connect_timeout" not in parsed.query:
            kwargs["connect_args"] = {"connect_timeout": _PG_CONNECT_TIMEOUT_S}
        kwargs["pool_pre_ping"] = True
    else:
        raise InvalidInputError(
            f"Unsupported metadata store URL {mask_url(url)!r}: use sqlite:///path/to/file.db "
            "or postgresql://user@host:port/database"
        )
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except Exception as exc:  # missing driver, bad query arguments
        raise StoreUnavailableError(
            f"Cannot open metadata store {mask_url(url)!r}: {describe_db_error(exc)}"
        ) from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise StoreUnavailableError(
            f"Cannot open metadata store {mask_url(url)!r}: {describe_db_error(exc)}"
        ) from None
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            execute_waiting(cursor, pragma)
    finally:
        cursor.close()
