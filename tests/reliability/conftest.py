"""The metadata suite's store fixtures (SQLite and PostgreSQL) for the reliability tests."""

from tests.metadata.conftest import execution_store, store_url  # noqa: F401
