"""Launch plans and their launches (scheduled ticks, run-now and triggers).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "launch_plans",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("workflow_name", sa.Text, nullable=False),
        sa.Column("workflow_version", sa.Text, nullable=False),
        sa.Column("source_ref", sa.Text, nullable=False),
        sa.Column("fixed_inputs", sa.Text, nullable=False),
        sa.Column("default_inputs", sa.Text, nullable=False),
        sa.Column("schedule", sa.Text, nullable=False),
        sa.Column("catch_up", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("last_tick", sa.Double, nullable=True),
        sa.Column("notify", sa.Text, nullable=False),
        sa.Column("executor", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("updated_at", sa.Double, nullable=False),
    )
    op.create_table(
        "launch_plan_ticks",
        sa.Column("plan_name", sa.String(256), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("tick_at", sa.Double, primary_key=True),
        sa.Column("claimed_at", sa.Double, nullable=False),
        sa.Column("claimed_by", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("execution_id", sa.String(64), nullable=True),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("ended_at", sa.Double, nullable=True),
        sa.ForeignKeyConstraint(["plan_name"], ["launch_plans.name"],
                                name="fk_launch_plan_ticks_plan", ondelete="CASCADE"),
    )
    op.create_index("ix_launch_plan_ticks_plan_claimed", "launch_plan_ticks",
                    ["plan_name", "claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_launch_plan_ticks_plan_claimed", table_name="launch_plan_ticks")
    op.drop_table("launch_plan_ticks")
    op.drop_table("launch_plans")
