"""SQLAlchemy Core tables of the schedule aggregate (revision 0008): launch plans (a workflow
version bound to fixed and default inputs, optionally on a schedule) and their launches (each
scheduled tick, run-now or trigger that started an execution). Times are epoch seconds
(double); JSON is compact text. Keep in step with `migrations/versions/0008_launch_plans.py`."""

from __future__ import annotations

import sqlalchemy as sa

from slipstream.metadata.sql.table_metadata import metadata

#: Launch plans by name. `fixed_inputs` / `default_inputs` are literal maps (JSON); `schedule`
#: is the schedule as JSON ("" for none); `state` ACTIVE or PAUSED; `last_tick` the latest
#: scheduled tick already considered (fired or skipped), None before the first; `notify` the
#: webhook settings as JSON ("" for none); `executor` "" for the configured one.
launch_plans = sa.Table(
    "launch_plans",
    metadata,
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

#: One row per launch of a plan. A scheduled tick is claimed by inserting its row (kind
#: "schedule", `tick_at` the tick's time): the primary key makes a second claim of the same
#: tick fail, so it fires once. `status` CLAIMED -> RUNNING -> SUCCEEDED | FAILED (ERROR when
#: the launch itself failed); `inputs` the launch's own inputs (JSON literal map).
launch_plan_ticks = sa.Table(
    "launch_plan_ticks",
    metadata,
    sa.Column("plan_name", sa.String(256),
              sa.ForeignKey("launch_plans.name", name="fk_launch_plan_ticks_plan",
                            ondelete="CASCADE"), primary_key=True),
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
    sa.Index("ix_launch_plan_ticks_plan_claimed", "plan_name", "claimed_at"),
)
