"""Metadata store interfaces (one per aggregate) and `open_execution_store`, which picks an
implementation by URL scheme: sqlite:// and postgresql:// -> SQL (the workflow engine's path
through the driver with SQL compiled ahead of time; SQLAlchemy + Alembic for the other reads and
migrations); http(s):// -> REST (later).
"""

from slipstream.metadata.base import ExecutionStore
from slipstream.metadata.factory import open_execution_store

__all__ = ["ExecutionStore", "open_execution_store"]
