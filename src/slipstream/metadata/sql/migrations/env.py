"""Alembic entry point: migrate the connection passed in `config.attributes["connection"]`.

Slipstream runs migrations programmatically (see `slipstream.metadata.sql.migrate`); there is no
alembic.ini and no offline mode.
"""

from __future__ import annotations

from alembic import context

from slipstream.metadata.sql.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Slipstream migrations run through slipstream.metadata.sql.migrate.ensure_schema, "
        "which passes a connection in config.attributes['connection']"
    )
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
