"""Deployments: their targets, the audit trail of every change, sampled prediction logs and
per-minute version statistics.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _deployment_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["deployment"], ["deployments.name"], name=name,
                                   ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "deployments",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "deployment_targets",
        sa.Column("deployment", sa.String(128), primary_key=True),
        sa.Column("label", sa.String(16), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("model_uri", sa.Text, nullable=False),
        sa.Column("traffic_percent", sa.Double, nullable=False),
        _deployment_fk("fk_deployment_targets_deployment"),
    )
    op.create_table(
        "deployment_events",
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("deployment", sa.String(128), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        _deployment_fk("fk_deployment_events_deployment"),
        sa.UniqueConstraint("deployment", "revision", name="uq_deployment_events_revision"),
    )
    op.create_table(
        "deployment_predictions",
        sa.Column("prediction_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("deployment", sa.String(128), nullable=False),
        sa.Column("label", sa.String(512), nullable=False),
        sa.Column("model_version", sa.String(512), nullable=False),
        sa.Column("request_id", sa.String(512), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger, nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("outputs", sa.Text, nullable=False),
        sa.Column("latency_ms", sa.Double, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
    )
    op.create_index("ix_deployment_predictions_time", "deployment_predictions",
                    ["deployment", "timestamp_ms"])
    op.create_table(
        "deployment_version_stats",
        sa.Column("deployment", sa.String(128), primary_key=True),
        sa.Column("label", sa.String(512), primary_key=True),
        sa.Column("model_version", sa.String(512), primary_key=True),
        sa.Column("bucket_ms", sa.BigInteger, primary_key=True),
        sa.Column("requests", sa.BigInteger, nullable=False),
        sa.Column("errors", sa.BigInteger, nullable=False),
        sa.Column("latency_ms_sum", sa.Double, nullable=False),
        sa.Column("latency_ms_max", sa.Double, nullable=False),
        sa.Column("since_ms", sa.BigInteger, nullable=False),
        sa.Column("until_ms", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for name in ("deployment_version_stats", "deployment_predictions", "deployment_events",
                 "deployment_targets", "deployments"):
        op.drop_table(name)
