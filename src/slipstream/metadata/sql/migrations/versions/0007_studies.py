"""Hyperparameter studies, their trials and the intermediate values trials report.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("study_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("objective", sa.Text, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("space", sa.Text, nullable=False),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("early_stopping", sa.Text, nullable=False),
        sa.Column("max_trials", sa.Integer, nullable=False),
        sa.Column("parallel_trials", sa.Integer, nullable=False),
        sa.Column("max_failed_trials", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("ended_at", sa.Double, nullable=True),
        sa.Column("task_name", sa.Text, nullable=False),
        sa.Column("task_ref", sa.Text, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=True),
        sa.Column("execution_id", sa.String(64), nullable=False),
        sa.Column("parent_run_id", sa.String(64), nullable=False),
        sa.Column("experiment_id", sa.String(64), nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("next_trial", sa.Integer, nullable=False),
        sa.UniqueConstraint("name", name="uq_studies_name"),
    )
    op.create_table(
        "trials",
        sa.Column("study_id", sa.String(64), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("value", sa.Double, nullable=True),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.Column("node_id", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("started_at", sa.Double, nullable=False),
        sa.Column("ended_at", sa.Double, nullable=True),
        sa.ForeignKeyConstraint(["study_id"], ["studies.study_id"], name="fk_trials_study",
                                ondelete="CASCADE"),
    )
    op.create_table(
        "trial_intermediate_values",
        sa.Column("study_id", sa.String(64), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("step", sa.BigInteger, primary_key=True),
        sa.Column("value", sa.Double, nullable=False),
        sa.ForeignKeyConstraint(["study_id", "number"], ["trials.study_id", "trials.number"],
                                name="fk_trial_intermediate_values_trial", ondelete="CASCADE"),
    )


def downgrade() -> None:
    for name in ("trial_intermediate_values", "trials", "studies"):
        op.drop_table(name)
