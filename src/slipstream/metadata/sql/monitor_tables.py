"""SQLAlchemy Core tables of the monitor aggregate (revision 0009): drift monitors, the drift
reports of their runs, and the firings of their triggers. Times are epoch seconds (double);
JSON is compact text. Keep in step with `migrations/versions/0009_monitoring.py`."""

from __future__ import annotations

import sqlalchemy as sa

from slipstream.metadata.sql.table_metadata import metadata

#: Monitors by name; `last_fired_at` is the trigger's cool-down clock: a firing is claimed by
#: one conditional UPDATE of it, so two monitor processes never both fire within a cool-down.
monitors = sa.Table(
    "monitors",
    metadata,
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

#: Drift reports; `monitor` is empty for a one-off comparison; `body` the JSON of the
#: per-feature results, quality decay and thresholds.
drift_reports = sa.Table(
    "drift_reports",
    metadata,
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
    sa.Index("ix_drift_reports_monitor", "monitor", "created_at"),
)

#: Each time a monitor's trigger fired: the report that found drift and the launch it made.
monitor_firings = sa.Table(
    "monitor_firings",
    metadata,
    sa.Column("firing_id", sa.String(64), primary_key=True),
    sa.Column("monitor", sa.String(256), nullable=False),
    sa.Column("report_id", sa.String(64), nullable=False),
    sa.Column("plan", sa.Text, nullable=False),
    sa.Column("fired_at", sa.Double, nullable=False),
    sa.Column("execution_id", sa.String(64), nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Index("ix_monitor_firings_monitor", "monitor", "fired_at"),
)
