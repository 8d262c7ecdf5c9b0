"""Model registry: registered models, their versions, tags, aliases and the audit trail of
alias moves.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASCADE = {"ondelete": "CASCADE", "onupdate": "CASCADE"}


def _model_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["name"], ["registered_models.name"], name=name, **_CASCADE)


def _version_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["name", "version"],
                                   ["model_versions.name", "model_versions.version"],
                                   name=name, **_CASCADE)


def upgrade() -> None:
    op.create_table(
        "registered_models",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
        sa.Column("last_version", sa.Integer, nullable=False),
    )
    op.create_table(
        "registered_model_tags",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        _model_fk("fk_registered_model_tags_model"),
    )
    op.create_table(
        "model_versions",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("model_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
        _model_fk("fk_model_versions_model"),
    )
    op.create_index("ix_model_versions_run_id", "model_versions", ["run_id"])
    op.create_table(
        "model_version_tags",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        _version_fk("fk_model_version_tags_version"),
    )
    op.create_table(
        "registered_model_aliases",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("alias", sa.String(255), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        _version_fk("fk_registered_model_aliases_version"),
    )
    op.create_table(
        "model_alias_events",
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("from_version", sa.Integer, nullable=True),
        sa.Column("to_version", sa.Integer, nullable=True),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        _model_fk("fk_model_alias_events_model"),
    )
    op.create_index("ix_model_alias_events_name", "model_alias_events", ["name", "event_id"])


def downgrade() -> None:
    for name in ("model_alias_events", "registered_model_aliases", "model_version_tags",
                 "model_versions", "registered_model_tags", "registered_models"):
        op.drop_table(name)
