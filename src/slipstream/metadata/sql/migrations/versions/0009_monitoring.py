"""Drift monitors, their drift reports and their triggers' firings.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitors",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("thresholds", sa.Text, nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("plan_inputs", sa.Text, nullable=False),
        sa.Column("cooldown_seconds", sa.Double, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("last_fired_at", sa.Double, nullable=True),
    )
    op.create_table(
        "drift_reports",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("monitor", sa.String(256), nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("drifted", sa.Boolean, nullable=False),
        sa.Column("data_drifted", sa.Boolean, nullable=False),
        sa.Column("drifted_share", sa.Double, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("current", sa.Text, nullable=False),
        sa.Column("reference_size", sa.BigInteger, nullable=False),
        sa.Column("current_size", sa.BigInteger, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_drift_reports_monitor", "drift_reports", ["monitor", "created_at"])
    op.create_table(
        "monitor_firings",
        sa.Column("firing_id", sa.String(64), primary_key=True),
        sa.Column("monitor", sa.String(256), nullable=False),
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("fired_at", sa.Double, nullable=False),
        sa.Column("execution_id", sa.String(64), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
    )
    op.create_index("ix_monitor_firings_monitor", "monitor_firings", ["monitor", "fired_at"])


def downgrade() -> None:
    op.drop_index("ix_monitor_firings_monitor", table_name="monitor_firings")
    op.drop_index("ix_drift_reports_monitor", table_name="drift_reports")
    for name in ("monitor_firings", "drift_reports", "monitors"):
        op.drop_table(name)
