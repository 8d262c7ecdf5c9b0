"""SQLAlchemy Core tables of the model registry (revision 0004, lineage columns 0005):
registered models, their versions, tags, training data sets, aliases and alias events. Times
are epoch milliseconds. Keep in step with `migrations/versions/0004_model_registry.py` and
`0005_version_lineage.py`."""

from __future__ import annotations

import sqlalchemy as sa

from slipstream.metadata.sql.table_metadata import metadata

_CASCADE = {"ondelete": "CASCADE", "onupdate": "CASCADE"}

#: Registered models; `last_version` is the highest version ever created (numbers never reused).
registered_models = sa.Table(
    "registered_models",
    metadata,
    sa.Column("name", sa.String(256), primary_key=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_version", sa.Integer, nullable=False),
)

registered_model_tags = sa.Table(
    "registered_model_tags",
    metadata,
    sa.Column("name", sa.String(256),
              sa.ForeignKey("registered_models.name", name="fk_registered_model_tags_model",
                            **_CASCADE), primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: Versions of registered models; `status` a ModelVersionStatus value; `execution_id`,
#: `node_id` and `workflow_version` their lineage (revision 0005).
model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("name", sa.String(256),
              sa.ForeignKey("registered_models.name", name="fk_model_versions_model",
                            **_CASCADE), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("run_id", sa.String(32), nullable=True),
    sa.Column("model_id", sa.String(64), nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("user_id", sa.String(256), nullable=False),
    sa.Column("creation_timestamp", sa.BigInteger, nullable=False),
    sa.Column("last_updated_timestamp", sa.BigInteger, nullable=False),
    sa.Column("execution_id", sa.String(64), nullable=True),
    sa.Column("node_id", sa.Text, nullable=True),
    sa.Column("workflow_version", sa.Text, nullable=True),
    sa.Index("ix_model_versions_run_id", "run_id"),
    sa.Index("ix_model_versions_execution", "execution_id", "node_id"),
)


def _version_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["name", "version"],
                                   ["model_versions.name", "model_versions.version"],
                                   name=name, **_CASCADE)


model_version_tags = sa.Table(
    "model_version_tags",
    metadata,
    sa.Column("name", sa.String(256), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    _version_fk("fk_model_version_tags_version"),
)

#: The datasets a version was trained on (revision 0005), `position` keeping their order.
model_version_datasets = sa.Table(
    "model_version_datasets",
    metadata,
    sa.Column("name", sa.String(256), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("dataset_name", sa.String(500), nullable=False),
    sa.Column("digest", sa.String(36), nullable=False),
    sa.Column("source_type", sa.String(36), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("schema", sa.Text, nullable=True),
    sa.Column("profile", sa.Text, nullable=True),
    _version_fk("fk_model_version_datasets_version"),
)

#: Where each alias of a model points (deleting the version removes its aliases).
registered_model_aliases = sa.Table(
    "registered_model_aliases",
    metadata,
    sa.Column("name", sa.String(256), primary_key=True),
    sa.Column("alias", sa.String(255), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    _version_fk("fk_registered_model_aliases_version"),
)

#: Every move of an alias (audit): from_version None when set, to_version None when removed.
model_alias_events = sa.Table(
    "model_alias_events",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(256),
              sa.ForeignKey("registered_models.name", name="fk_model_alias_events_model",
                            **_CASCADE), nullable=False),
    sa.Column("alias", sa.String(255), nullable=False),
    sa.Column("from_version", sa.Integer, nullable=True),
    sa.Column("to_version", sa.Integer, nullable=True),
    sa.Column("user_id", sa.String(256), nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Index("ix_model_alias_events_name", "name", "event_id"),
)
