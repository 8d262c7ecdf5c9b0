"""SQLAlchemy Core tables of the deployment aggregate (revision 0006): deployments, their routes
and audit events, sampled predictions and per-minute version statistics. Times are epoch
milliseconds. Keep in step with `migrations/versions/0006_deployments.py`."""

from __future__ import annotations

import sqlalchemy as sa

from slipstream.metadata.sql.table_metadata import metadata

#: Deployments; `revision` grows by one with every change, `status` a DeploymentStatus value.
deployments = sa.Table(
    "deployments",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(256), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
)

#: A deployment's current routes, in order (`position` 0 is the primary).
deployment_targets = sa.Table(
    "deployment_targets",
    metadata,
    sa.Column("deployment", sa.String(128),
              sa.ForeignKey("deployments.name", name="fk_deployment_targets_deployment",
                            ondelete="CASCADE"), primary_key=True),
    sa.Column("label", sa.String(16), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("model_uri", sa.Text, nullable=False),
    sa.Column("traffic_percent", sa.Double, nullable=False),
)

#: Every change to a deployment (audit); `before` / `after` its targets as JSON; one event
#: per revision.
deployment_events = sa.Table(
    "deployment_events",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("deployment", sa.String(128),
              sa.ForeignKey("deployments.name", name="fk_deployment_events_deployment",
                            ondelete="CASCADE"), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("user_id", sa.String(256), nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("before", sa.Text, nullable=False),
    sa.Column("after", sa.Text, nullable=False),
    sa.UniqueConstraint("deployment", "revision", name="uq_deployment_events_revision"),
)

#: Sampled requests as a deployment's server answered them; inputs / outputs as JSON.
deployment_predictions = sa.Table(
    "deployment_predictions",
    metadata,
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
    sa.Index("ix_deployment_predictions_time", "deployment", "timestamp_ms"),
)

#: Request totals per deployment, route, model version and minute (`bucket_ms`).
deployment_version_stats = sa.Table(
    "deployment_version_stats",
    metadata,
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
