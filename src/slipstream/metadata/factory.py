"""Choose a store implementation by URL scheme."""

from __future__ import annotations

from slipstream._core.errors import InvalidInputError
from slipstream.metadata.base import ExecutionStore


def open_execution_store(url: str) -> ExecutionStore:
    """Open (creating and migrating as needed) the execution store at `url`."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme in ("sqlite", "postgresql", "postgres"):
        from slipstream.metadata.sql.executions import SqlExecutionStore

        return SqlExecutionStore(url)
    raise InvalidInputError(
        f"Unsupported metadata store URL {url!r}: use sqlite:///path/to/file.db or "
        "postgresql://user@host:port/database"
    )
