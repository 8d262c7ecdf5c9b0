"""What differs between the store's two databases at the driver level (sqlite3, psycopg 3).

SQLite connections run in autocommit mode with explicit `BEGIN IMMEDIATE`/`COMMIT`, and get
the WAL pragmas when opened. PostgreSQL connections run in autocommit mode too (reads leave no
transaction open); writes use psycopg's `transaction()` block. psycopg is imported only for a
PostgreSQL store.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from slipstream._core.errors import StoreUnavailableError
from slipstream.metadata.sql.urls import mask_url

SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=30000",  # first: the others may need to wait for a lock
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
_SQLITE_LOCK_WAIT_S = 30.0
_PG_CONNECT_TIMEOUT_S = 10
_PG_LOCK_KEY = 0x5119_57EA  # any constant int64, shared by every Slipstream process


class Driver(ABC):
    """One database's connections; `Database` pools them."""

    dialect: ClassVar[str]  # SQLAlchemy's dialect name: the key into `_compiled`
    errors: tuple[type[Exception], ...]  # every error the driver raises
    unavailable_errors: tuple[type[Exception], ...]  # the store cannot be reached or used
    shared = False  # one connection for every thread (lent to one at a time)
    pings = False  # check idle connections before lending them
    session_locks = False  # migration lock held by a connection (else a lock file)

    @abstractmethod
    def connect(self) -> Any:
        """A new, ready connection."""

    @abstractmethod
    def transaction(self, conn: Any) -> contextlib.AbstractContextManager[None]:
        """Commit when the block ends, roll back when it raises."""

    @abstractmethod
    def is_clean(self, conn: Any) -> bool:
        """The connection may be lent again (alive, no transaction left open)."""

    @abstractmethod
    def execute(self, conn: Any, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run one statement and fetch its rows."""

    @abstractmethod
    def executemany(self, conn: Any, sql: str, params: Sequence[Any]) -> None:
        """Run one statement per parameter set."""

    @abstractmethod
    def table_names(self, conn: Any) -> set[str]:
        """Tables in the store's schema."""

    def ping(self, conn: Any) -> bool:
        """The connection still answers."""
        return True

    def lock_file(self) -> str | None:
        """Path of the file that serialises schema creation, if the lock is a file."""
        return None

    @contextlib.contextmanager
    def advisory_lock(self, conn: Any) -> Iterator[None]:
        """Hold the cross-process migration lock on `conn`."""
        yield


class SqliteDriver(Driver):
    """sqlite3 on a file (its folder created), or one shared in-memory database."""

    dialect = "sqlite"
    errors = (sqlite3.Error,)
    unavailable_errors = (sqlite3.OperationalError, sqlite3.InterfaceError)

    def __init__(self, url: str, path: str | None) -> None:
        self.path = path
        self.shared = path is None
        if path is not None:
            make_parent(url, Path(path))

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path or ":memory:", isolation_level=None,
                               check_same_thread=False)
        try:
            for pragma in SQLITE_PRAGMAS:
                execute_waiting(conn, pragma)
        except BaseException:
            conn.close()
            raise
        return conn

    @contextlib.contextmanager
    def transaction(self, conn: Any) -> Iterator[None]:
        conn.execute("BEGIN IMMEDIATE")  # take the write lock now (busy_timeout waits for it)
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # else is_clean() drops the connection
                    conn.execute("ROLLBACK")
            raise

    def is_clean(self, conn: Any) -> bool:
        return not conn.in_transaction

    def execute(self, conn: Any, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = conn.execute(sql, params or ()).fetchall()
        return rows

    def executemany(self, conn: Any, sql: str, params: Sequence[Any]) -> None:
        conn.executemany(sql, params)

    def table_names(self, conn: Any) -> set[str]:
        return {r[0] for r in self.execute(
            conn, "SELECT name FROM sqlite_master WHERE type = 'table'")}

    def lock_file(self) -> str | None:
        return None if self.path is None else f"{self.path}-migrate.lock"


class PostgresDriver(Driver):
    """psycopg 3 on a libpq URI; `connect_timeout` defaults to 10 s."""

    dialect = "postgresql"
    pings = True
    session_locks = True

    def __init__(self, conninfo: str, query: frozenset[str]) -> None:
        import psycopg

        self._psycopg = psycopg
        self.conninfo = conninfo
        self.errors = (psycopg.Error,)
        self.unavailable_errors = (psycopg.OperationalError, psycopg.InterfaceError)
        self._kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in query:
            self._kwargs["connect_timeout"] = _PG_CONNECT_TIMEOUT_S

    def connect(self) -> Any:
        return self._psycopg.connect(self.conninfo, **self._kwargs)

    def transaction(self, conn: Any) -> contextlib.AbstractContextManager[None]:
        block: contextlib.AbstractContextManager[None] = conn.transaction()
        return block

    def is_clean(self, conn: Any) -> bool:
        idle = self._psycopg.pq.TransactionStatus.IDLE
        return not (conn.closed or conn.broken) and conn.info.transaction_status == idle

    def execute(self, conn: Any, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall()) if cur.description is not None else []

    def executemany(self, conn: Any, sql: str, params: Sequence[Any]) -> None:
        with conn.cursor() as cur:
            cur.executemany(sql, params)

    def table_names(self, conn: Any) -> set[str]:
        return {r[0] for r in self.execute(conn, (
            "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
            "AND c.relkind IN ('r', 'p')"))}

    def ping(self, conn: Any) -> bool:
        try:
            self.execute(conn, "SELECT 1")
        except self._psycopg.Error:
            return False
        return True

    @contextlib.contextmanager
    def advisory_lock(self, conn: Any) -> Iterator[None]:
        # autocommit: the lock belongs to the session, not to a transaction
        self.execute(conn, "SELECT pg_advisory_lock(%s)", (_PG_LOCK_KEY,))
        try:
            yield
        finally:
            self.execute(conn, "SELECT pg_advisory_unlock(%s)", (_PG_LOCK_KEY,))


def execute_waiting(conn: Any, sql: str) -> None:
    """Run `sql`, retrying "database is locked": switching a brand-new file to WAL can report
    it at once, without SQLite's busy handler, while another process does the same."""
    deadline = time.monotonic() + _SQLITE_LOCK_WAIT_S
    delay = 0.005
    while True:
        try:
            conn.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def make_parent(url: str, path: Path) -> None:
    """Create the folder of a SQLite file; failing names the store."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailableError(
            f"Cannot open metadata store {mask_url(url)!r}: cannot create folder "
            f"{str(path.parent)!r} ({exc.strerror or exc})"
        ) from None
