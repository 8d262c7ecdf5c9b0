"""Model version lineage: the execution, node and workflow version that produced a version, and
the datasets it was trained on (in order). Versions registered before keep empty lineage.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("model_versions", sa.Column("execution_id", sa.String(64), nullable=True))
    op.add_column("model_versions", sa.Column("node_id", sa.Text, nullable=True))
    op.add_column("model_versions", sa.Column("workflow_version", sa.Text, nullable=True))
    op.create_index("ix_model_versions_execution", "model_versions",
                    ["execution_id", "node_id"])
    op.create_table(
        "model_version_datasets",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("dataset_name", sa.String(500), nullable=False),
        sa.Column("digest", sa.String(36), nullable=False),
        sa.Column("source_type", sa.String(36), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("schema", sa.Text, nullable=True),
        sa.Column("profile", sa.Text, nullable=True),
        sa.ForeignKeyConstraint(["name", "version"],
                                ["model_versions.name", "model_versions.version"],
                                name="fk_model_version_datasets_version",
                                ondelete="CASCADE", onupdate="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("model_version_datasets")
    op.drop_index("ix_model_versions_execution", table_name="model_versions")
    # ALTER TABLE … DROP COLUMN in place (SQLite >= 3.35): a batch copy of model_versions would
    # drop the old table and, through ON DELETE CASCADE, the versions' tags and aliases.
    for column in ("workflow_version", "node_id", "execution_id"):
        op.execute(f"ALTER TABLE model_versions DROP COLUMN {column}")
