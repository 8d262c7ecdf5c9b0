"""`SqlExecutionStore`: the execution store on SQLite or PostgreSQL.

The workflow engine's hot path (opening a store, `record`, `get_cache_entries`) runs SQL
compiled ahead of time from the table definitions (`_compiled.py`) straight through the driver
(`dbapi`), so it never imports SQLAlchemy: `record` is one transaction of dialect-native
upserts (`INSERT ... ON CONFLICT DO UPDATE`) run with executemany. The other reads use
SQLAlchemy Core (`queries`), imported and connected on first use. Database errors are
translated in one place, `_translate_errors`, into errors naming the store.
"""

from __future__ import annotations

import collections
import operator
from collections.abc import Callable, Sequence
from typing import Any

from slipstream._core.errors import (
    InvalidInputError,
    ValueConversionError,
    did_you_mean,
)
from slipstream.entities import (
    CacheEntry,
    ExecutionRecord,
    NodeExecutionRecord,
    Status,
    WorkflowRecord,
)
from slipstream.metadata.base import ExecutionStore
from slipstream.metadata.sql import _compiled, rows
from slipstream.metadata.sql.store import SqlStoreBase

_CacheRow = collections.namedtuple("_CacheRow", _compiled.CACHE_COLUMNS)  # type: ignore[misc]
#: record's keyword -> (key into _compiled.UPSERT, row conversion, what a row is called)
_BATCHES: dict[str, tuple[str, Callable[[Any], dict[str, Any]], str]] = {
    "workflows": ("workflows", rows.workflow_params, "workflow"),
    "executions": ("executions", rows.execution_params, "execution"),
    "nodes": ("nodes", rows.node_params, "node execution"),
    "cache_entries": ("cache", rows.cache_params, "cache entry"),
}


class SqlExecutionStore(SqlStoreBase, ExecutionStore):
    """Execution store on a store URL: sqlite:///path.db or postgresql://user@host/db."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._upserts = {name: (sql, operator.itemgetter(*columns)) for name, (sql, columns)
                         in _compiled.UPSERT[self._db.dialect].items()}
        self._select_cache = _compiled.SELECT_CACHE[self._db.dialect]

    # -- the hot path: driver only ----------------------------------------------------------

    def record(
        self,
        *,
        workflows: Sequence[WorkflowRecord] = (),
        executions: Sequence[ExecutionRecord] = (),
        nodes: Sequence[NodeExecutionRecord] = (),
        cache_entries: Sequence[CacheEntry] = (),
    ) -> None:
        """Upsert all given rows in one transaction: all are written or none."""
        given = {"workflows": workflows, "executions": executions, "nodes": nodes,
                 "cache_entries": cache_entries}
        batches = []
        for keyword, (statement, convert, what) in _BATCHES.items():
            if given[keyword]:
                sql, positional = self._upserts[statement]
                batches.append((sql, [positional(p) for p in _params(convert, given[keyword],
                                                                      what)]))
        if not batches:
            return
        db = self._db
        with self._translate_errors("write to", db.driver.unavailable_errors,
                                    db.driver.errors), \
                db.connection() as conn, db.transaction(conn):
            for sql, params in batches:
                db.executemany(conn, sql, params)

    def get_cache_entries(self, keys: Sequence[str]) -> dict[str, CacheEntry]:
        """Cache entries for the keys that have one."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        found: dict[str, CacheEntry] = {}
        db = self._db
        with self._translate_errors("read from", db.driver.unavailable_errors,
                                    db.driver.errors), db.connection() as conn:
            for start in range(0, len(unique), _compiled.CACHE_CHUNK):
                chunk = unique[start:start + _compiled.CACHE_CHUNK]
                sql, params = self._cache_query(chunk)
                for values in db.execute(conn, sql, params):
                    entry = rows.cache_from_row(_CacheRow._make(values))
                    found[entry.key] = entry
        return found

    def _cache_query(self, chunk: list[str]) -> tuple[str, Any]:
        if self._db.dialect == "postgresql":
            return self._select_cache, (chunk,)
        marks = ", ".join("?" * len(chunk))
        return self._select_cache.replace(_compiled.KEYS_MARK, marks), chunk

    # -- other reads: SQLAlchemy, imported on first use ---------------------------------------

    def get_workflow(self, name: str, version: str | None = None) -> WorkflowRecord:
        """The given version, or the newest when version is None. Raises NotFoundError."""
        from slipstream.metadata.sql import queries

        with self._connect() as conn:
            return queries.get_workflow(conn, self._label, name, version)

    def list_workflows(self, name: str | None = None) -> list[WorkflowRecord]:
        """Registered workflow versions (optionally of one name), newest first."""
        from slipstream.metadata.sql import queries

        with self._connect() as conn:
            return queries.list_workflows(conn, name)

    def get_execution(self, execution_id: str) -> ExecutionRecord:
        """One execution by full id or unique prefix (at least 4 characters)."""
        from slipstream.metadata.sql import queries

        with self._connect() as conn:
            return queries.get_execution(conn, self._label, execution_id)

    def list_executions(
        self,
        *,
        workflow_name: str | None = None,
        status: Status | None = None,
        since: float | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[ExecutionRecord]:
        """Executions, newest first, optionally filtered by workflow, status and creation time."""
        from slipstream.metadata.sql import queries

        if limit < 0 or offset < 0:
            raise InvalidInputError(
                f"limit and offset must be >= 0, got limit={limit}, offset={offset}")
        value = None if status is None else _status_value(status)
        with self._connect() as conn:
            return queries.list_executions(conn, workflow_name=workflow_name, status=value,
                                           since=since, limit=limit, offset=offset)

    def list_nodes(self, execution_id: str) -> list[NodeExecutionRecord]:
        """Every node execution of an execution, by start time (unstarted last), then node id."""
        from slipstream.metadata.sql import queries

        with self._connect() as conn:
            return queries.list_nodes(conn, execution_id)


def _params(convert: Callable[[Any], dict[str, Any]], items: Sequence[Any],
            what: str) -> list[dict[str, Any]]:
    try:
        return [convert(item) for item in items]
    except (TypeError, ValueError) as exc:
        bad = next((i for i in items if _fails(convert, i)), None)
        raise ValueConversionError(
            f"Cannot store {what} {bad!r:.300}: {exc}. Values must be JSON-ready "
            "(the type engine's literal maps)."
        ) from exc


def _fails(convert: Callable[[Any], dict[str, Any]], item: Any) -> bool:
    try:
        convert(item)
    except (TypeError, ValueError):
        return True
    return False


def _status_value(status: Status | str) -> str:
    try:
        return Status(status).value
    except ValueError:
        raise InvalidInputError(
            f"Unknown status {status!r}; use one of {[s.value for s in Status]}."
            f"{did_you_mean(str(status).upper(), [s.value for s in Status])}"
        ) from None
