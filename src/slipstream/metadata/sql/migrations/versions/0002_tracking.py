"""Tracking: experiments, runs, params, tags, metrics (history and latest), datasets, inputs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name=name, ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("experiment_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_location", sa.Text, nullable=False),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        sa.Column("creation_time", sa.BigInteger, nullable=True),
        sa.Column("last_update_time", sa.BigInteger, nullable=True),
        sa.UniqueConstraint("name", name="uq_experiments_name"),
    )
    op.create_table(
        "experiment_tags",
        sa.Column("experiment_id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.experiment_id"],
                                name="fk_experiment_tags_experiment", ondelete="CASCADE"),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("experiment_id", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_time", sa.BigInteger, nullable=True),
        sa.Column("end_time", sa.BigInteger, nullable=True),
        sa.Column("artifact_uri", sa.Text, nullable=False),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        sa.Column("parent_run_id", sa.String(32), nullable=True),
        sa.Column("execution_id", sa.String(64), nullable=True),
        sa.Column("node_id", sa.Text, nullable=True),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.experiment_id"],
                                name="fk_runs_experiment"),
    )
    op.create_index("ix_runs_experiment_start", "runs", ["experiment_id", "start_time"])
    op.create_index("ix_runs_execution", "runs", ["execution_id", "node_id"])
    op.create_index("ix_runs_parent", "runs", ["parent_run_id"])
    for name in ("params", "tags"):
        op.create_table(
            name,
            sa.Column("run_id", sa.String(32), primary_key=True),
            sa.Column("key", sa.String(250), primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
            _run_fk(f"fk_{name}_run"),
        )
    op.create_table(
        "metrics",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("step", sa.BigInteger, primary_key=True),
        sa.Column("timestamp", sa.BigInteger, primary_key=True),
        sa.Column("value", sa.Double, primary_key=True),
        sa.Column("is_nan", sa.Boolean, primary_key=True),
        _run_fk("fk_metrics_run"),
    )
    op.create_table(
        "latest_metrics",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("value", sa.Double, nullable=False),
        sa.Column("is_nan", sa.Boolean, nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("step", sa.BigInteger, nullable=False),
        _run_fk("fk_latest_metrics_run"),
    )
    op.create_table(
        "datasets",
        sa.Column("experiment_id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(500), primary_key=True),
        sa.Column("digest", sa.String(36), primary_key=True),
        sa.Column("source_type", sa.String(36), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("schema", sa.Text, nullable=True),
        sa.Column("profile", sa.Text, nullable=True),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.experiment_id"],
                                name="fk_datasets_experiment", ondelete="CASCADE"),
    )
    op.create_table(
        "inputs",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(500), primary_key=True),
        sa.Column("digest", sa.String(36), primary_key=True),
        sa.Column("tags", sa.Text, nullable=False),
        _run_fk("fk_inputs_run"),
    )


def downgrade() -> None:
    for name in ("inputs", "datasets", "latest_metrics", "metrics", "tags", "params", "runs",
                 "experiment_tags", "experiments"):
        op.drop_table(name)
