"""Logged models (MLflow 3): models, their tags, params and linked metric points; run outputs
and model inputs. Run inputs get a `context` column (their mlflow.data.context tag), filled in
for inputs logged before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CONTEXT_TAG = "mlflow.data.context"


def _model_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["model_id"], ["logged_models.model_id"], name=name,
                                   ondelete="CASCADE")


def _run_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name=name, ondelete="CASCADE")


def upgrade() -> None:
    op.add_column("inputs", sa.Column("context", sa.String(500), nullable=True))
    inputs = sa.table("inputs", sa.column("run_id"), sa.column("name"), sa.column("digest"),
                      sa.column("tags"), sa.column("context"))
    bind = op.get_bind()
    for row in bind.execute(sa.select(inputs)).all():
        context = json.loads(row.tags).get(CONTEXT_TAG)
        if context is not None:
            bind.execute(inputs.update().where(
                inputs.c.run_id == row.run_id, inputs.c.name == row.name,
                inputs.c.digest == row.digest).values(context=context))
    op.create_table(
        "logged_models",
        sa.Column("model_id", sa.String(64), primary_key=True),
        sa.Column("experiment_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_uri", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_message", sa.Text, nullable=True),
        sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
        sa.Column("source_run_id", sa.String(32), nullable=True),
        sa.Column("model_type", sa.Text, nullable=True),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.experiment_id"],
                                name="fk_logged_models_experiment", ondelete="CASCADE"),
    )
    op.create_index("ix_logged_models_experiment_created", "logged_models",
                    ["experiment_id", "creation_timestamp"])
    for name in ("logged_model_tags", "logged_model_params"):
        op.create_table(
            name,
            sa.Column("model_id", sa.String(64), primary_key=True),
            sa.Column("key", sa.String(250), primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
            _model_fk(f"fk_{name}_model"),
        )
    op.create_table(
        "logged_model_metrics",
        sa.Column("model_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("step", sa.BigInteger, primary_key=True),
        sa.Column("timestamp", sa.BigInteger, primary_key=True),
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("value", sa.Double, nullable=False),
        sa.Column("is_nan", sa.Boolean, nullable=False),
        sa.Column("dataset_name", sa.String(500), nullable=True),
        sa.Column("dataset_digest", sa.String(36), nullable=True),
        _model_fk("fk_logged_model_metrics_model"),
    )
    op.create_table(
        "run_outputs",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("model_id", sa.String(64), primary_key=True),
        sa.Column("step", sa.BigInteger, primary_key=True),
        _run_fk("fk_run_outputs_run"),
    )
    op.create_table(
        "run_model_inputs",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("model_id", sa.String(64), primary_key=True),
        _run_fk("fk_run_model_inputs_run"),
    )


def downgrade() -> None:
    for name in ("run_model_inputs", "run_outputs", "logged_model_metrics",
                 "logged_model_params", "logged_model_tags", "logged_models"):
        op.drop_table(name)
    with op.batch_alter_table("inputs") as batch:
        batch.drop_column("context")
