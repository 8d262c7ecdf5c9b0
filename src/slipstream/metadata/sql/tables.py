"""SQLAlchemy Core tables of the execution store (the schema the migrations build).

JSON is stored as compact text (portable, and cheaper than the JSON types on the hot path);
times are epoch seconds in double precision. Keep in step with `migrations/versions/`:
a test compares this metadata with the migrated database.
"""

from __future__ import annotations

import sqlalchemy as sa

#: The newest migration in migrations/versions, which these tables match (tests check both).
HEAD_REVISION = "0001"

metadata = sa.MetaData()

workflows = sa.Table(
    "workflows",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("version", sa.Text, primary_key=True),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("source_ref", sa.Text, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Index("ix_workflows_created_at", "created_at"),
)

executions = sa.Table(
    "executions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("workflow_name", sa.Text, nullable=False),
    sa.Column("workflow_version", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("outputs", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("started_at", sa.Double, nullable=True),
    sa.Column("ended_at", sa.Double, nullable=True),
    sa.Column("recovered_from", sa.String(64), nullable=True),
    sa.Column("executor", sa.Text, nullable=False),
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("source_ref", sa.Text, nullable=False),
    sa.Index("ix_executions_created_at", "created_at"),
    sa.Index("ix_executions_workflow_created_at", "workflow_name", "created_at"),
    sa.Index("ix_executions_status_created_at", "status", "created_at"),
)

node_executions = sa.Table(
    "node_executions",
    metadata,
    sa.Column(
        "execution_id",
        sa.String(64),
        sa.ForeignKey("executions.id", ondelete="CASCADE", name="fk_node_executions_execution"),
        primary_key=True,
    ),
    sa.Column("node_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("parent_id", sa.Text, nullable=True),
    sa.Column("task_version", sa.Text, nullable=False),
    sa.Column("started_at", sa.Double, nullable=True),
    sa.Column("ended_at", sa.Double, nullable=True),
    sa.Column("inputs", sa.Text, nullable=True),
    sa.Column("outputs", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("attempts", sa.Text, nullable=False),
    sa.Column("cache_status", sa.String(16), nullable=False),
    sa.Column("cache_key", sa.Text, nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
)

cache_entries = sa.Table(
    "cache_entries",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("task_name", sa.Text, nullable=False),
    sa.Column("cache_version", sa.Text, nullable=False),
    sa.Column("outputs", sa.Text, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("execution_id", sa.String(64), nullable=False),
    sa.Column("node_id", sa.Text, nullable=False),
)
