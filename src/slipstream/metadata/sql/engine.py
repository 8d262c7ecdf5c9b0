"""Create a SQLAlchemy engine for a store URL (SQLite or PostgreSQL) and check it answers.

`postgresql://` and `postgres://` mean psycopg 3 (`postgresql+psycopg://`). SQLite files get their
parent folder created and WAL pragmas on every connection. Anything that keeps the store from
opening becomes one `StoreUnavailableError` naming the URL (password masked) and the cause.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import StaticPool

from slipstream._core.errors import InvalidInputError, StoreUnavailableError

_SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=30000",  # first: the others may need to wait for a lock
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
_SQLITE_LOCK_WAIT_S = 30.0
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


def mask_url(url: str | URL) -> str:
    """The URL as text with any password replaced by ***."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
        return parsed.render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def describe_db_error(exc: BaseException) -> str:
    """The driver's one-line message for a database error (no traceback, no SQL)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip() or type(orig).__name__
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def create_store_engine(url: str) -> Engine:
    """An engine for `url`, with one connection opened to prove the store is reachable."""
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            kwargs["poolclass"] = StaticPool  # one shared in-memory database
            kwargs["connect_args"] = {"check_same_thread": False}
        else:
            _make_parent(url, Path(database))
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


def _make_parent(url: str, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailableError(
            f"Cannot open metadata store {mask_url(url)!r}: cannot create folder "
            f"{str(path.parent)!r} ({exc.strerror or exc})"
        ) from None


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            _execute_waiting(cursor, pragma)
    finally:
        cursor.close()


def _execute_waiting(cursor: Any, sql: str) -> None:
    """Run `sql`, retrying "database is locked": switching a brand-new file to WAL can report
    it at once, without SQLite's busy handler, while another process does the same."""
    deadline = time.monotonic() + _SQLITE_LOCK_WAIT_S
    delay = 0.005
    while True:
        try:
            cursor.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
