"""SQLAlchemy Core tables of the study aggregate (revision 0007): tuning studies, their trials
and the intermediate values trials report. Times are epoch seconds (double); JSON is compact
text. Keep in step with `migrations/versions/0007_studies.py`."""

from __future__ import annotations

import sqlalchemy as sa

from slipstream.metadata.sql.table_metadata import metadata

#: Studies; `name` unique; `next_trial` the number the next new trial gets (trial numbers are
#: allocated by bumping it, which also locks the row until the transaction ends).
studies = sa.Table(
    "studies",
    metadata,
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

#: Trials, numbered from 0 per study; `state` a TrialState value; `params` / `metrics` JSON.
trials = sa.Table(
    "trials",
    metadata,
    sa.Column("study_id", sa.String(64),
              sa.ForeignKey("studies.study_id", name="fk_trials_study", ondelete="CASCADE"),
              primary_key=True),
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
)

#: The value a trial reported at each step (for pruning and learning curves).
trial_intermediate_values = sa.Table(
    "trial_intermediate_values",
    metadata,
    sa.Column("study_id", sa.String(64), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("step", sa.BigInteger, primary_key=True),
    sa.Column("value", sa.Double, nullable=False),
    sa.ForeignKeyConstraint(["study_id", "number"], ["trials.study_id", "trials.number"],
                            name="fk_trial_intermediate_values_trial", ondelete="CASCADE"),
)
