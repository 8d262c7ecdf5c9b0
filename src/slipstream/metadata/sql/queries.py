"""The store's reads other than the cache lookup: SQLAlchemy Core queries on a connection.

Imported on first use (by `SqlExecutionStore`), so a process that only runs workflows never
imports SQLAlchemy. `label` is the store URL with its password masked, for error messages.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from slipstream._core.errors import NotFoundError, did_you_mean
from slipstream.entities import ExecutionRecord, NodeExecutionRecord, WorkflowRecord
from slipstream.metadata.sql import rows
from slipstream.metadata.sql import tables as _T

MIN_PREFIX = 4


def get_workflow(conn: Connection, label: str, name: str,
                 version: str | None) -> WorkflowRecord:
    """The given version, or the newest when version is None. Raises NotFoundError."""
    wf = _T.workflows
    query = sa.select(wf).where(wf.c.name == name)
    if version is None:
        query = query.order_by(wf.c.created_at.desc(), wf.c.version.desc()).limit(1)
    else:
        query = query.where(wf.c.version == version)
    row = conn.execute(query).first()
    if row is not None:
        return rows.workflow_from_row(row)
    versions = list(conn.execute(
        sa.select(wf.c.version).where(wf.c.name == name)
        .order_by(wf.c.created_at.desc()).limit(5)).scalars())
    if not versions:
        names = list(conn.execute(sa.select(wf.c.name).distinct()).scalars())
        raise NotFoundError(f"No workflow {name!r} in metadata store {label!r}."
                            f"{did_you_mean(name, names)}")
    raise NotFoundError(
        f"Workflow {name!r} has no version {version!r} in metadata store {label!r}."
        f" Newest versions: {', '.join(versions)}."
    )


def list_workflows(conn: Connection, name: str | None) -> list[WorkflowRecord]:
    """Registered workflow versions (optionally of one name), newest first."""
    wf = _T.workflows
    query = sa.select(wf).order_by(wf.c.created_at.desc(), wf.c.name, wf.c.version.desc())
    if name is not None:
        query = query.where(wf.c.name == name)
    return [rows.workflow_from_row(r) for r in conn.execute(query)]


def get_execution(conn: Connection, label: str, execution_id: str) -> ExecutionRecord:
    """One execution by full id or unique prefix (at least MIN_PREFIX characters)."""
    ex = _T.executions
    row = conn.execute(sa.select(ex).where(ex.c.id == execution_id)).first()
    if row is not None:
        return rows.execution_from_row(row)
    if len(execution_id) < MIN_PREFIX:
        raise NotFoundError(
            f"No execution with id {execution_id!r} in metadata store {label!r}; "
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
            f"No execution with id or id prefix {execution_id!r} in metadata store {label!r}."
        )
    shown = ", ".join(m.id for m in matches[:5]) + (", ..." if len(matches) > 5 else "")
    raise NotFoundError(
        f"Execution id prefix {execution_id!r} is ambiguous: it matches {shown}. "
        "Give more characters."
    )


def list_executions(conn: Connection, *, workflow_name: str | None, status: str | None,
                    since: float | None, limit: int, offset: int) -> list[ExecutionRecord]:
    """Executions, newest first, optionally filtered (`status`: a Status value)."""
    ex = _T.executions
    query = sa.select(ex)
    if workflow_name is not None:
        query = query.where(ex.c.workflow_name == workflow_name)
    if status is not None:
        query = query.where(ex.c.status == status)
    if since is not None:
        query = query.where(ex.c.created_at >= since)
    query = query.order_by(ex.c.created_at.desc(), ex.c.id.desc()).limit(limit).offset(offset)
    return [rows.execution_from_row(r) for r in conn.execute(query)]


def list_nodes(conn: Connection, execution_id: str) -> list[NodeExecutionRecord]:
    """Every node execution of an execution, by start time (unstarted last), then node id."""
    ne = _T.node_executions
    query = (
        sa.select(ne).where(ne.c.execution_id == execution_id)
        .order_by(ne.c.started_at.is_(None), ne.c.started_at, ne.c.node_id)
    )
    return [rows.node_from_row(r) for r in conn.execute(query)]
