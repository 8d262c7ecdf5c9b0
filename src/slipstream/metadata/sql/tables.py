"""SQLAlchemy Core tables of the metadata store (the schema the migrations build): the execution
aggregate, then the tracking aggregate (experiments, runs and what is logged to them) and
logged models; the registry, deployment, study, schedule and monitor tables are in
`registry_tables`, `deployment_tables`, `study_tables`, `schedule_tables` and `monitor_tables`
(re-exported here, on the same `metadata`).

JSON is stored as compact text (portable, and cheaper than the JSON types on the hot path);
execution times are epoch seconds in double precision, tracking times epoch milliseconds
(MLflow's) in 64-bit integers. Keep in step with `migrations/versions/`:
a test compares this metadata with the migrated database.
"""

from __future__ import annotations

import sqlalchemy as sa

from slipstream.metadata.sql.table_metadata import metadata

#: The newest migration in migrations/versions, which these tables match (tests check both).
HEAD_REVISION = "0009"

workflows = sa.Table(
    "workflows",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("version", sa.Text, primary_key=True),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("source_ref", sa.Text, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Index("ix_workflows_created_at", "created_at"),
)

executions = sa.Table(
    "executions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("workflow_name", sa.Text, nullable=False),
    sa.Column("workflow_version", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("outputs", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("started_at", sa.Double, nullable=True),
    sa.Column("ended_at", sa.Double, nullable=True),
    sa.Column("recovered_from", sa.String(64), nullable=True),
    sa.Column("executor", sa.Text, nullable=False),
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("source_ref", sa.Text, nullable=False),
    sa.Index("ix_executions_created_at", "created_at"),
    sa.Index("ix_executions_workflow_created_at", "workflow_name", "created_at"),
    sa.Index("ix_executions_status_created_at", "status", "created_at"),
)

node_executions = sa.Table(
    "node_executions",
    metadata,
    sa.Column(
        "execution_id",
        sa.String(64),
        sa.ForeignKey("executions.id", ondelete="CASCADE", name="fk_node_executions_execution"),
        primary_key=True,
    ),
    sa.Column("node_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("parent_id", sa.Text, nullable=True),
    sa.Column("task_version", sa.Text, nullable=False),
    sa.Column("started_at", sa.Double, nullable=True),
    sa.Column("ended_at", sa.Double, nullable=True),
    sa.Column("inputs", sa.Text, nullable=True),
    sa.Column("outputs", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("attempts", sa.Text, nullable=False),
    sa.Column("cache_status", sa.String(16), nullable=False),
    sa.Column("cache_key", sa.Text, nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
)

cache_entries = sa.Table(
    "cache_entries",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("task_name", sa.Text, nullable=False),
    sa.Column("cache_version", sa.Text, nullable=False),
    sa.Column("outputs", sa.Text, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("execution_id", sa.String(64), nullable=False),
    sa.Column("node_id", sa.Text, nullable=False),
)


# -- tracking (revision 0002) ------------------------------------------------------------------

def _run_fk(name: str) -> sa.ForeignKey:
    return sa.ForeignKey("runs.run_id", ondelete="CASCADE", name=name)


experiments = sa.Table(
    "experiments",
    metadata,
    sa.Column("experiment_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("artifact_location", sa.Text, nullable=False),
    sa.Column("lifecycle_stage", sa.String(32), nullable=False),
    sa.Column("creation_time", sa.BigInteger, nullable=True),
    sa.Column("last_update_time", sa.BigInteger, nullable=True),
    sa.UniqueConstraint("name", name="uq_experiments_name"),
)

experiment_tags = sa.Table(
    "experiment_tags",
    metadata,
    sa.Column("experiment_id", sa.Integer,
              sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE",
                            name="fk_experiment_tags_experiment"), primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String(32), primary_key=True),
    sa.Column("experiment_id", sa.Integer,
              sa.ForeignKey("experiments.experiment_id", name="fk_runs_experiment"),
              nullable=False),
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
    sa.Index("ix_runs_experiment_start", "experiment_id", "start_time"),
    sa.Index("ix_runs_execution", "execution_id", "node_id"),
    sa.Index("ix_runs_parent", "parent_run_id"),
)

params = sa.Table(
    "params",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk("fk_params_run"), primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

tags = sa.Table(
    "tags",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk("fk_tags_run"), primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: Every point of every metric (the primary key starts with (run_id, key, step, timestamp), so
#: it is the history index too); NaN is stored as value 0 with is_nan set (SQLite has no NaN).
metrics = sa.Table(
    "metrics",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk("fk_metrics_run"), primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("step", sa.BigInteger, primary_key=True),
    sa.Column("timestamp", sa.BigInteger, primary_key=True),
    sa.Column("value", sa.Double, primary_key=True),
    sa.Column("is_nan", sa.Boolean, primary_key=True),
)

#: The latest point of each metric of a run (highest step, then timestamp, then value),
#: maintained on write so searches filter and order on it without scanning the history.
latest_metrics = sa.Table(
    "latest_metrics",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk("fk_latest_metrics_run"), primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("is_nan", sa.Boolean, nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("step", sa.BigInteger, nullable=False),
)

datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("experiment_id", sa.Integer,
              sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE",
                            name="fk_datasets_experiment"), primary_key=True),
    sa.Column("name", sa.String(500), primary_key=True),
    sa.Column("digest", sa.String(36), primary_key=True),
    sa.Column("source_type", sa.String(36), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("schema", sa.Text, nullable=True),
    sa.Column("profile", sa.Text, nullable=True),
)

#: A dataset used by a run; `tags` is a JSON object (input tags such as mlflow.data.context,
#: also kept in `context`).
inputs = sa.Table(
    "inputs",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk("fk_inputs_run"), primary_key=True),
    sa.Column("name", sa.String(500), primary_key=True),
    sa.Column("digest", sa.String(36), primary_key=True),
    sa.Column("tags", sa.Text, nullable=False),
    #: The input tag mlflow.data.context (revision 0003), searchable as datasets.context.
    sa.Column("context", sa.String(500), nullable=True),
)


# -- logged models (revision 0003) -------------------------------------------------------------

def _model_fk(name: str) -> sa.ForeignKey:
    return sa.ForeignKey("logged_models.model_id", ondelete="CASCADE", name=name)


#: MLflow 3's logged models; `status` is a LoggedModelStatus value (PENDING, READY, FAILED).
logged_models = sa.Table(
    "logged_models",
    metadata,
    sa.Column("model_id", sa.String(64), primary_key=True),
    sa.Column("experiment_id", sa.Integer,
              sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE",
                            name="fk_logged_models_experiment"), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("artifact_uri", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_message", sa.Text, nullable=True),
    sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    sa.Column("source_run_id", sa.String(32), nullable=True),
    sa.Column("model_type", sa.Text, nullable=True),
    sa.Column("lifecycle_stage", sa.String(32), nullable=False),
    sa.Index("ix_logged_models_experiment_created", "experiment_id", "creation_timestamp"),
)

logged_model_tags = sa.Table(
    "logged_model_tags",
    metadata,
    sa.Column("model_id", sa.String(64), _model_fk("fk_logged_model_tags_model"),
              primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

logged_model_params = sa.Table(
    "logged_model_params",
    metadata,
    sa.Column("model_id", sa.String(64), _model_fk("fk_logged_model_params_model"),
              primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: Metric points logged with a model_id (each also lives in `metrics`, under its run).
logged_model_metrics = sa.Table(
    "logged_model_metrics",
    metadata,
    sa.Column("model_id", sa.String(64), _model_fk("fk_logged_model_metrics_model"),
              primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("step", sa.BigInteger, primary_key=True),
    sa.Column("timestamp", sa.BigInteger, primary_key=True),
    sa.Column("run_id", sa.String(32), primary_key=True),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("is_nan", sa.Boolean, nullable=False),
    sa.Column("dataset_name", sa.String(500), nullable=True),
    sa.Column("dataset_digest", sa.String(36), nullable=True),
)

#: Logged models a run produced (MLflow's run outputs), at a step.
run_outputs = sa.Table(
    "run_outputs",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk("fk_run_outputs_run"), primary_key=True),
    sa.Column("model_id", sa.String(64), primary_key=True),
    sa.Column("step", sa.BigInteger, primary_key=True),
)

#: Logged models a run used (MLflow's model inputs).
run_model_inputs = sa.Table(
    "run_model_inputs",
    metadata,
    sa.Column("run_id", sa.String(32), _run_fk("fk_run_model_inputs_run"), primary_key=True),
    sa.Column("model_id", sa.String(64), primary_key=True),
)


# The registry's tables (defined here in schema order, after the logged models) and the
# deployment, monitor, schedule and study aggregates' (after all the others), each in a
# module of its own on the same metadata, re-exported here.
from slipstream.metadata.sql.registry_tables import (  # noqa: E402, F401
    model_alias_events,
    model_version_datasets,
    model_version_tags,
    model_versions,
    registered_model_aliases,
    registered_model_tags,
    registered_models,
)

# isort: split
from slipstream.metadata.sql.deployment_tables import (  # noqa: E402, F401
    deployment_events,
    deployment_predictions,
    deployment_targets,
    deployment_version_stats,
    deployments,
)
from slipstream.metadata.sql.monitor_tables import (  # noqa: E402, F401
    drift_reports,
    monitor_firings,
    monitors,
)
from slipstream.metadata.sql.schedule_tables import (  # noqa: E402, F401
    launch_plan_ticks,
    launch_plans,
)
from slipstream.metadata.sql.study_tables import (  # noqa: E402, F401
    studies,
    trial_intermediate_values,
    trials,
)
