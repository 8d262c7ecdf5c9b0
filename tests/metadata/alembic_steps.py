"""Moving a test store to an older or newer schema revision with Alembic, for the tests that
check an upgrade keeps the data written under an earlier schema."""

from __future__ import annotations


def alembic_step(store_url: str, verb: str, revision: str, sql: str = "") -> None:
    """`alembic <verb> <revision>` ("upgrade" or "downgrade") on the store, then `sql` (raw,
    in the same transaction) when given."""
    from alembic import command
    from alembic.config import Config

    from slipstream.metadata.sql import migrate
    from slipstream.metadata.sql.engine import create_store_engine

    engine = create_store_engine(store_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            getattr(command, verb)(config, revision)
            if sql:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()
