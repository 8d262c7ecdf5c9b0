"""Driver-level connections for the store's hot path: sqlite3 or psycopg 3, no SQLAlchemy.

`open_database(url)` returns a `Database`: a small pool that lends each caller a connection of
its own (threads never share one, except the single connection of an in-memory SQLite
database, lent to one thread at a time), pings PostgreSQL connections that sat idle, and
forgets the parent's connections in a forked child without closing them. A `Driver` holds what
differs per database: connecting (SQLite pragmas), transactions, the migration lock.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

from slipstream._core.errors import StoreUnavailableError
from slipstream.metadata.sql.drivers import Driver, PostgresDriver, SqliteDriver
from slipstream.metadata.sql.urls import describe_db_error, mask_url, parse_url

_KEEP_IDLE = 4  # connections kept for reuse; more are closed when returned
_PING_AFTER_S = 2.0  # PostgreSQL connections idle longer are checked before use


class Database:
    """Connections to one store through `driver`; see the module docstring."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.dialect = driver.dialect
        self._cond = threading.Condition()
        self._idle: list[tuple[Any, float]] = []  # (connection, time it was returned)
        self._lent = 0
        self._generation = 0  # bumped by close(): connections lent before it are closed
        self._parent_generations = -1  # at or below: a parent process's connections
        self._orphans: list[Any] = []  # a parent's connections: never used, never closed
        _reset_after_fork(self)

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        """A driver connection for this thread's use until the block ends."""
        conn, generation = self._acquire()
        try:
            yield conn
        except BaseException:
            self._release(conn, generation, reuse=self.driver.is_clean(conn))
            raise
        self._release(conn, generation, reuse=True)

    def execute(self, conn: Any, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run one statement and fetch its rows (none for a statement that returns none)."""
        return self.driver.execute(conn, sql, params)

    def executemany(self, conn: Any, sql: str, params: Sequence[Any]) -> None:
        """Run one statement for each parameter set."""
        self.driver.executemany(conn, sql, params)

    def transaction(self, conn: Any) -> contextlib.AbstractContextManager[None]:
        """Commit when the block ends, roll back when it raises."""
        return self.driver.transaction(conn)

    @contextlib.contextmanager
    def migration_lock(self) -> Iterator[None]:
        """Exclude other processes creating or migrating this store's schema."""
        lock_file = self.driver.lock_file()
        if lock_file is not None:
            with _file_lock(lock_file):
                yield
        elif self.driver.session_locks:
            with self.connection() as conn, self.driver.advisory_lock(conn):
                yield
        else:
            yield

    def shared_connection(self) -> Any | None:
        """The one connection of an in-memory database (for SQLAlchemy to share), else None."""
        if not self.driver.shared:
            return None
        with self.connection() as conn:
            return conn

    def close(self) -> None:
        """Close idle connections now and lent ones when they come back."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._generation += 1
        for conn, _ in idle:
            _close_quietly(conn)

    def _acquire(self) -> tuple[Any, int]:
        with self._cond:
            while self.driver.shared and self._lent:
                self._cond.wait()
            self._lent += 1
            generation = self._generation
            conn, since = self._idle.pop() if self._idle else (None, 0.0)
        try:
            if conn is not None and self.driver.pings and time.monotonic() - since > \
                    _PING_AFTER_S and not self.driver.ping(conn):
                _close_quietly(conn)
                conn = None
            if conn is None:
                conn = self.driver.connect()
        except BaseException:
            self._give_back_slot()
            raise
        return conn, generation

    def _release(self, conn: Any, generation: int, *, reuse: bool) -> None:
        with self._cond:
            if generation <= self._parent_generations:  # lent before a fork: not ours
                self._orphans.append(conn)
                return
            self._lent -= 1
            self._cond.notify()
            keep = reuse and generation == self._generation and (
                self.driver.shared or len(self._idle) < _KEEP_IDLE)
            if keep:
                self._idle.append((conn, time.monotonic()))
                return
        _close_quietly(conn)

    def _give_back_slot(self) -> None:
        with self._cond:
            self._lent -= 1
            self._cond.notify()

    def _forget_after_fork(self) -> None:
        """In a forked child: keep the parent's connections referenced (closing them, even by
        garbage collection, could disturb the parent's sessions) and start afresh."""
        self._cond = threading.Condition()
        self._orphans.extend(conn for conn, _ in self._idle)
        self._idle = []
        self._lent = 0
        self._parent_generations = self._generation
        self._generation += 1


def open_database(url: str) -> Database:
    """A `Database` for `url`, with one connection opened to prove the store answers."""
    label = mask_url(url)
    target = parse_url(url)
    try:
        driver: Driver = (SqliteDriver(url, target.database) if target.backend == "sqlite"
                          else PostgresDriver(target.database or "", target.query))
    except ImportError as exc:
        raise StoreUnavailableError(
            f"Cannot open metadata store {label!r}: {exc} (install slipstream[postgres])"
        ) from None
    db = Database(driver)
    try:
        with db.connection() as conn:
            db.execute(conn, "SELECT 1")
    except driver.errors as exc:
        db.close()
        raise StoreUnavailableError(
            f"Cannot open metadata store {label!r}: {describe_db_error(exc)}"
        ) from None
    return db


def _reset_after_fork(db: Database) -> None:
    if not hasattr(os, "register_at_fork"):
        return
    ref = weakref.ref(db)

    def reset() -> None:
        alive = ref()
        if alive is not None:
            alive._forget_after_fork()

    os.register_at_fork(after_in_child=reset)


def _close_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):
        conn.close()


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[None]:
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

