"""Initial execution store: workflows, executions, node executions, cache entries.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workflows",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("version", sa.Text, primary_key=True),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("source_ref", sa.Text, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
    )
    op.create_index("ix_workflows_created_at", "workflows", ["created_at"])

    op.create_table(
        "executions",
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
    )
    op.create_index("ix_executions_created_at", "executions", ["created_at"])
    op.create_index(
        "ix_executions_workflow_created_at", "executions", ["workflow_name", "created_at"]
    )
    op.create_index("ix_executions_status_created_at", "executions", ["status", "created_at"])

    op.create_table(
        "node_executions",
        sa.Column("execution_id", sa.String(64), primary_key=True),
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
        sa.ForeignKeyConstraint(
            ["execution_id"], ["executions.id"],
            name="fk_node_executions_execution", ondelete="CASCADE",
        ),
    )

    op.create_table(
        "cache_entries",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("task_name", sa.Text, nullable=False),
        sa.Column("cache_version", sa.Text, nullable=False),
        sa.Column("outputs", sa.Text, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("execution_id", sa.String(64), nullable=False),
        sa.Column("node_id", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cache_entries")
    op.drop_table("node_executions")
    op.drop_table("executions")
    op.drop_table("workflows")
