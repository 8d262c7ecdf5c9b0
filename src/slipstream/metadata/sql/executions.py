"""`SqlExecutionStore`: the execution store on SQLite or PostgreSQL (SQLAlchemy Core).

`record` is the workflow engine's hot path: one transaction of dialect-native upserts
(`INSERT ... ON CONFLICT DO UPDATE`) run with executemany, statements built once per store.
Database errors are translated once, in `_translate_errors`, into errors naming the store.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import (
    InternalError,
    InvalidInputError,
    NotFoundError,
    StoreUnavailableError,
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
from slipstream.metadata.sql import rows, tables
from slipstream.metadata.sql.engine import create_store_engine, describe_db_error, mask_url
from slipstream.metadata.sql.migrate import ensure_schema

MIN_PREFIX = 4
_CACHE_KEY_CHUNK = 500  # keeps IN lists under every SQLite variable limit
_T = tables


class SqlExecutionStore(ExecutionStore):
    """Execution store on a SQLAlchemy URL: sqlite:///path.db or postgresql://user@host/db."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._label = mask_url(url)
        self._engine = create_store_engine(url)
        try:
            ensure_schema(self._engine, self._label)
        except BaseException:
            self._engine.dispose()
            raise
        _forget_connections_after_fork(self._engine)
        self._upserts = {
            name: _CompiledUpsert(_upsert_statement(self._engine.dialect.name, table),
                                  self._engine.dialect)
            for name, table in (("workflows", _T.workflows), ("executions", _T.executions),
                                ("nodes", _T.node_executions), ("cache", _T.cache_entries))
        }
        self._select_cache = sa.select(_T.cache_entries).where(
            _T.cache_entries.c.key.in_(sa.bindparam("keys", expanding=True)))

    def __repr__(self) -> str:
        return f"SqlExecutionStore({self._label!r})"

    # -- writes ---------------------------------------------------------------------------

    def record(
        self,
        *,
        workflows: Sequence[WorkflowRecord] = (),
        executions: Sequence[ExecutionRecord] = (),
        nodes: Sequence[NodeExecutionRecord] = (),
        cache_entries: Sequence[CacheEntry] = (),
    ) -> None:
        """Upsert all given rows in one transaction: all are written or none."""
        batches = [
            (self._upserts["workflows"], _params(rows.workflow_params, workflows, "workflow")),
            (self._upserts["executions"], _params(rows.execution_params, executions,
                                                  "execution")),
            (self._upserts["nodes"], _params(rows.node_params, nodes, "node execution")),
            (self._upserts["cache"], _params(rows.cache_params, cache_entries, "cache entry")),
        ]
        batches = [(stmt, params) for stmt, params in batches if params]
        if not batches:
            return
        with self._translate_errors("write to"), self._engine.begin() as conn:
            for stmt, params in batches:
                stmt.execute(conn, params)

    # -- reads ----------------------------------------------------------------------------

    def get_workflow(self, name: str, version: str | None = None) -> WorkflowRecord:
        """The given version, or the newest when version is None. Raises NotFoundError."""
        wf = _T.workflows
        query = sa.select(wf).where(wf.c.name == name)
        if version is None:
            query = query.order_by(wf.c.created_at.desc(), wf.c.version.desc()).limit(1)
        else:
            query = query.where(wf.c.version == version)
        with self._connect() as conn:
            row = conn.execute(query).first()
            if row is not None:
                return rows.workflow_from_row(row)
            versions = list(conn.execute(
                sa.select(wf.c.version).where(wf.c.name == name)
                .order_by(wf.c.created_at.desc()).limit(5)).scalars())
            names = [] if versions else list(conn.execute(sa.select(wf.c.name).distinct())
                                             .scalars())
        if not versions:
            raise NotFoundError(f"No workflow {name!r} in metadata store {self._label!r}."
                                f"{did_you_mean(name, names)}")
        raise NotFoundError(
            f"Workflow {name!r} has no version {version!r} in metadata store {self._label!r}."
            f" Newest versions: {', '.join(versions)}."
        )

    def list_workflows(self, name: str | None = None) -> list[WorkflowRecord]:
        """Registered workflow versions (optionally of one name), newest first."""
        wf = _T.workflows
        query = sa.select(wf).order_by(wf.c.created_at.desc(), wf.c.name, wf.c.version.desc())
        if name is not None:
            query = query.where(wf.c.name == name)
        with self._connect() as conn:
            return [rows.workflow_from_row(r) for r in conn.execute(query)]

    def get_execution(self, execution_id: str) -> ExecutionRecord:
        """One execution by full id or unique prefix (at least 4 characters)."""
        ex = _T.executions
        with self._connect() as conn:
            row = conn.execute(sa.select(ex).where(ex.c.id == execution_id)).first()
            if row is not None:
                return rows.execution_from_row(row)
            if len(execution_id) < MIN_PREFIX:
                raise NotFoundError(
                    f"No execution with id {execution_id!r} in metadata store {self._label!r}; "
                    f"an id prefix needs at least {MIN_PREFIX} characters."
                )
            matches = conn.execute(
                sa.select(ex).where(ex.c.id.startswith(execution_id, autoescape=True))
                .order_by(ex.c.id).limit(6)
            ).all()
        if len(matches) == 1:
            return rows.execution_from_row(matches[0])
        if not matches:
            raise NotFoundError(
                f"No execution with id or id prefix {execution_id!r} in metadata store "
                f"{self._label!r}."
            )
        shown = ", ".join(m.id for m in matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise NotFoundError(
            f"Execution id prefix {execution_id!r} is ambiguous: it matches {shown}. "
            "Give more characters."
        )

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
        if limit < 0 or offset < 0:
            raise InvalidInputError(
                f"limit and offset must be >= 0, got limit={limit}, offset={offset}")
        ex = _T.executions
        query = sa.select(ex)
        if workflow_name is not None:
            query = query.where(ex.c.workflow_name == workflow_name)
        if status is not None:
            query = query.where(ex.c.status == _status_value(status))
        if since is not None:
            query = query.where(ex.c.created_at >= since)
        query = query.order_by(ex.c.created_at.desc(), ex.c.id.desc()).limit(limit).offset(offset)
        with self._connect() as conn:
            return [rows.execution_from_row(r) for r in conn.execute(query)]

    def list_nodes(self, execution_id: str) -> list[NodeExecutionRecord]:
        """Every node execution of an execution, by start time (unstarted last), then node id."""
        ne = _T.node_executions
        query = (
            sa.select(ne).where(ne.c.execution_id == execution_id)
            .order_by(ne.c.started_at.is_(None), ne.c.started_at, ne.c.node_id)
        )
        with self._connect() as conn:
            return [rows.node_from_row(r) for r in conn.execute(query)]

    def get_cache_entries(self, keys: Sequence[str]) -> dict[str, CacheEntry]:
        """Cache entries for the keys that have one."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        found: dict[str, CacheEntry] = {}
        with self._connect() as conn:
            for start in range(0, len(unique), _CACHE_KEY_CHUNK):
                chunk = unique[start:start + _CACHE_KEY_CHUNK]
                for r in conn.execute(self._select_cache, {"keys": chunk}):
                    found[r.key] = rows.cache_from_row(r)
        return found

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    # -- helpers --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Connection]:
        with self._translate_errors("read from"), self._engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def _translate_errors(self, action: str) -> Iterator[None]:
        """Turn database errors into Slipstream errors naming the store (the one place)."""
        try:
            yield
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            raise StoreUnavailableError(
                f"Could not {action} metadata store {self._label!r}: {describe_db_error(exc)}"
            ) from exc
        except sa.exc.SQLAlchemyError as exc:
            raise InternalError(
                f"Could not {action} metadata store {self._label!r}: {describe_db_error(exc)}"
                " (the transaction was rolled back; nothing was written)"
            ) from exc


def _forget_connections_after_fork(engine: sa.Engine) -> None:
    """A forked child must open its own connections, never reuse (and corrupt) the parent's."""
    if not hasattr(os, "register_at_fork"):
        return
    ref = weakref.ref(engine)

    def reset() -> None:
        alive = ref()
        if alive is not None:
            alive.dispose(close=False)

    os.register_at_fork(after_in_child=reset)


class _CompiledUpsert:
    """An upsert compiled once and run through the driver's executemany: on the engine's hot
    path SQLAlchemy's per-row parameter processing cost more than the insert itself."""

    def __init__(self, stmt: sa.Insert, dialect: Any) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positions = compiled.positiontup

    def execute(self, conn: Connection, params: list[dict[str, Any]]) -> None:
        if self.positions is not None:
            keys = self.positions
            conn.exec_driver_sql(self.sql, [tuple(p[k] for k in keys) for p in params])
        else:
            conn.exec_driver_sql(self.sql, params)


def _upsert_statement(dialect: str, table: sa.Table) -> sa.Insert:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE SET every other column; for workflow
    versions (immutable: the version is a content hash) DO NOTHING, keeping the first
    registration time."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:  # pragma: no cover - engine.py admits only the two
        raise InternalError(f"No upsert statement for SQL dialect {dialect!r}")
    stmt = insert(table)
    keys = [c.name for c in table.primary_key.columns]
    if table is _T.workflows:
        return stmt.on_conflict_do_nothing(index_elements=keys)
    updates = {c.name: stmt.excluded[c.name] for c in table.columns if not c.primary_key}
    return stmt.on_conflict_do_update(index_elements=keys, set_=updates)


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
