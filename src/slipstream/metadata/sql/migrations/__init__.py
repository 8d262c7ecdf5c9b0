"""Alembic environment of the execution store; run through `slipstream.metadata.sql.migrate`."""
