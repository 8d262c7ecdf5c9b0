"""`SqlStoreBase`: what every SQL store shares: the driver-level `Database` (hot path), the
schema brought to head on open, SQLAlchemy created on first use, write transactions retried
while SQLite reports a lock (`_write`), and database errors translated in one place
(`translate_errors`) into errors naming the store.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from slipstream._core.errors import InternalError, StoreUnavailableError
from slipstream.metadata.sql.dbapi import open_database
from slipstream.metadata.sql.schema import ensure_schema
from slipstream.metadata.sql.urls import describe_db_error, mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

Errors = tuple[type[BaseException], ...]
T = TypeVar("T")
_RETRIES = 8


class SqlStoreBase:
    """Connections to a store URL (sqlite:///path.db or postgresql://user@host/db)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._label = mask_url(url)
        self._db = open_database(url)
        self._sa_engine: Engine | None = None
        self._engine_lock = threading.Lock()
        try:
            ensure_schema(self._db, self._label, self._upgrade)
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._label!r})"

    def close(self) -> None:
        """Release every pooled connection (driver and SQLAlchemy)."""
        with self._engine_lock:
            engine, self._sa_engine = self._sa_engine, None
        if engine is not None:
            engine.dispose()
        self._db.close()

    @property
    def _engine(self) -> Engine:
        """The SQLAlchemy engine, created on first use."""
        with self._engine_lock:
            if self._sa_engine is None:
                from slipstream.metadata.sql.engine import create_store_engine

                engine = create_store_engine(self.url, creator=self._db.shared_connection)
                _forget_connections_after_fork(engine)
                self._sa_engine = engine
            return self._sa_engine

    def _upgrade(self) -> None:
        from slipstream.metadata.sql.migrate import upgrade

        upgrade(self._engine, self._label)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Connection]:
        import sqlalchemy as sa

        with self._translate_errors("read from", (sa.exc.OperationalError,
                                                  sa.exc.InterfaceError),
                                    (sa.exc.SQLAlchemyError,)), self._engine.connect() as conn:
            yield conn

    def _write(self, work: Callable[[Connection], T]) -> T:
        """`work` in one write transaction (SQLite: BEGIN IMMEDIATE), retried if locked."""
        return retry_locked(lambda: self._write_once(work))

    def _write_once(self, work: Callable[[Connection], T]) -> T:
        with self._write_connection() as conn:
            result = work(conn)
            conn.commit()
            return result

    @contextlib.contextmanager
    def _write_connection(self) -> Iterator[Connection]:
        import sqlalchemy as sa

        with self._translate_errors("write to", (sa.exc.OperationalError,
                                                 sa.exc.InterfaceError),
                                    (sa.exc.SQLAlchemyError,)), self._engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    @contextlib.contextmanager
    def _translate_errors(self, action: str, unavailable: Errors,
                          errors: Errors) -> Iterator[None]:
        """Turn database errors into Slipstream errors naming the store (the one place):
        `unavailable` ones mean the store cannot be reached; other `errors` are internal."""
        try:
            yield
        except unavailable as exc:
            raise StoreUnavailableError(
                f"Could not {action} metadata store {self._label!r}: {describe_db_error(exc)}"
            ) from exc
        except errors as exc:
            raise InternalError(
                f"Could not {action} metadata store {self._label!r}: {describe_db_error(exc)}"
                " (the transaction was rolled back; nothing was written)"
            ) from exc


def retry_locked(write: Callable[[], T]) -> T:
    """Run `write`; when SQLite still reports a lock after its busy timeout, back off and retry
    (the transaction was rolled back, so nothing is written twice)."""
    delay = 0.05
    for attempt in range(_RETRIES):
        try:
            return write()
        except StoreUnavailableError as exc:
            text = str(exc).lower()
            if attempt == _RETRIES - 1 or not ("locked" in text or "busy" in text):
                raise
        time.sleep(delay)
        delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")  # pragma: no cover


def _forget_connections_after_fork(engine: Engine) -> None:
    """A forked child must open its own connections, never reuse (and corrupt) the parent's."""
    if not hasattr(os, "register_at_fork"):
        return
    ref = weakref.ref(engine)

    def reset() -> None:
        alive = ref()
        if alive is not None:
            alive.dispose(close=False)

    os.register_at_fork(after_in_child=reset)
